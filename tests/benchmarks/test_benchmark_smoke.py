# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Smoke run of benchmarks/launch.py (N=10: role, SDK script, uri baseline) and checks of its floor arithmetic.

Performance is measured by the benchmark, never asserted here: these tests check that the
script runs end to end, that its table and JSON have the expected structure, that the SDK
script's request counts equal the floor at N=10, and that the role's do too, step by step.
"""

import json

import pytest

from ansible_collections.hwcloud.drs.tests.support.benchmarks import load_script, run_script

SMOKE_TIMEOUT = 300  # seconds; the run takes well under a minute on an idle 2-core machine

bench = load_script("launch.py")


def test_quick_run_prints_the_table_writes_json_and_meets_the_floor(tmp_path):
    work = tmp_path / "work"
    results_path = tmp_path / "results.json"
    # the per-task cost (two more playbooks, plain ping and status tasks) is left out to keep this short
    rc, stdout, stderr = run_script("launch.py", ["--quick", "--overhead-tasks", "0", "--profile-runs", "1",
                                                  "--json", str(results_path), "--work-dir", str(work)],
                                    tmp_path, SMOKE_TIMEOUT)
    assert rc == 0, stdout + stderr

    sdk = bench.sdk_available()
    for heading in ("HTTP requests of the role per endpoint", "Requests per step, role/floor/SDK script", "Wall time (s)",
                    "Module process run directly", "Where the role's time goes at N=10", "issue 19 targets: N=10 "):
        assert heading in stdout, stdout
    for heading in ("Wall time (s), role vs hand-written vendor-SDK script", "Where the median run's time goes"):
        assert (heading in stdout) is sdk, stdout
    header = next(line for line in stdout.splitlines() if line.lstrip().startswith("N  async-list"))
    assert header.split() == ["N", "async-list", "async-detail", "commit", "batch-status", "batch-precheck",
                              "batch-precheck-result", "batch-starting", "batch-progress", "batch-rpo-and-rto",
                              "total", "floor", "at", "floor", "polls", "sdk", "baseline", "fewer"]
    row = next(line for line in stdout.splitlines() if line.split()[:1] == ["10"] and "/" in line)
    assert [cell.split("/")[1] for cell in row.split()[1:10]] == ["2", "2", "2", "2", "1", "1", "1", "0", "0"]

    results = json.loads(results_path.read_text())
    assert results["version"] == bench.JSON_VERSION
    assert results["settings"]["sizes"] == [10] and results["settings"]["baseline_sizes"] == [10]
    assert results["settings"]["sdk_sizes"] == ([10] if sdk else [])
    (launch,) = results["launches"]
    role, baseline = launch["role"], launch["baseline"]
    assert launch["n"] == 10

    # the role: every task replicating, each started once, with the floor's requests exactly, step by step
    assert role["ok"] and role["each_started_once"], role
    assert role["final_statuses"] == {"INCRE_TRANSFER_STARTED": 10}
    assert role["async_job_sizes"] == [5, 5]
    assert role["floor"] == {"async-list": 2, "async-detail": 2, "commit": 2, "batch-status": 2, "batch-precheck": 1,
                             "batch-precheck-result": 1, "batch-starting": 1, "batch-progress": 0, "batch-rpo-and-rto": 0}
    assert role["floor_total"] == 11 and role["floor_by_step"] == bench.floor_by_step(10, [5, 5])
    assert role["requests"] == role["floor"] and role["requests_by_step"] == role["floor_by_step"]
    assert role["total"] == 11 and role["at_floor"] is True
    assert sum(role["requests_by_step"].values()) == role["total"]
    assert role["polls"] == 1 and role["http_errors"] == 0
    assert list(role["time_segments"])[:5] == ["to the first request", "commit and creation wait", "precheck",
                                               "start and final wait", "after the last request"]
    assert list(role["launch_task"]) == ["seconds", "to its first request", "after its last request", "summary step"]
    # the role's steps, a task each: plan, find, commit (and the wait for creation), precheck, start, wait, summary
    assert role["timing"]["module_tasks"] == 7
    assert role["timing"]["polls"] == 1 and role["timing"]["module_seconds"] > 0

    # the SDK script, run beside the role: at the floor, step by step
    if sdk:
        script = launch["sdk"]
        assert script["ok"] and script["each_started_once"] and script["at_floor"], script
        assert script["requests"] == role["floor"] and script["requests_by_step"] == role["floor_by_step"]
        assert script["seconds_of_runs"] == [script["seconds"]] and script["import_seconds"] > 0
        assert launch["sdk_time_ratio"] > 0
    else:
        assert "sdk" not in launch
    (goal,) = results["sdk_targets"]
    assert goal["floor"] == 11 and goal["sdk_time_ratio_target"] is None

    # the baseline: one uri call per async job, per start and per status read
    assert baseline["ok"] and baseline["each_started_once"], baseline
    assert baseline["requests"] == {"async-list": 0, "async-detail": 0, "commit": 2, "batch-status": 10,
                                    "batch-precheck": 0, "batch-precheck-result": 0, "batch-starting": 10,
                                    "batch-progress": 0, "batch-rpo-and-rto": 0}
    assert baseline["total"] == baseline["uri_calls"] == 22
    assert launch["request_ratio"] == 2.0  # 22 uri calls, 11 of the role
    assert launch["time_ratio"] > 0

    assert "overhead" not in results
    profile = results["module_profile"]
    assert set(profile) == {"runs", "python_startup_ms", "ping", "drs_batch_status", "drs_batch_status 10 tasks"}
    assert profile["drs_batch_status"]["imports"]["ansible.module_utils.basic"] > 0
    assert profile["drs_batch_status"]["imports"]["requests"] > 0
    assert profile["drs_batch_status"]["phases"]["main_ms"] > 0

    # the comparison with a previous run renders from the JSON alone
    assert "role requests" in bench.compare(results, dict(results, _path="previous.json"))
    # the simulator and ansible are gone, and the temporary files with them
    assert not work.exists() or list(work.iterdir()) == []


def test_floor_per_endpoint():
    assert bench.floor(10, [5, 5]) == {"async-list": 2, "async-detail": 2, "commit": 2, "batch-status": 2,
                                       "batch-precheck": 1, "batch-precheck-result": 1, "batch-starting": 1,
                                       "batch-progress": 0, "batch-rpo-and-rto": 0}
    # issue 19: 2 async-list + 2 commit + 10 detail + 10 each of creation status, precheck, precheck result,
    # start and final status
    assert bench.floor(1000, [500, 500]) == {"async-list": 2, "async-detail": 10, "commit": 2, "batch-status": 20,
                                             "batch-precheck": 10, "batch-precheck-result": 10, "batch-starting": 10,
                                             "batch-progress": 0, "batch-rpo-and-rto": 0}
    assert sum(bench.floor(1000, [500, 500]).values()) == 64
    assert sum(bench.floor(100, [50, 50]).values()) == 11
    assert sum(bench.floor(10000, [5000, 5000]).values()) == 604
    # pages round up, per async job for its detail and over all tasks for status, precheck and start
    assert bench.floor(250, [125, 125]) == {"async-list": 2, "async-detail": 4, "commit": 2, "batch-status": 6,
                                            "batch-precheck": 3, "batch-precheck-result": 3, "batch-starting": 3,
                                            "batch-progress": 0, "batch-rpo-and-rto": 0}
    # each further poll of the final wait: one more status pass and, on the poll that does not end it, progress
    assert bench.floor(1000, [1000], polls=3)["batch-status"] == 40
    assert bench.floor(1000, [1000], polls=3)["batch-progress"] == 20
    # each further read of the precheck results, one more results pass; each further creation poll, a status pass
    assert bench.floor(1000, [1000], precheck_polls=2)["batch-precheck-result"] == 20
    assert bench.floor(1000, [1000], creation_polls=2)["batch-status"] == 30


def test_requests_are_counted_per_step_and_the_time_cut_at_the_first_precheck_and_start():
    routes = ["async-list", "commit", "async-detail", "batch-status", "batch-status", "batch-precheck-result",
              "batch-precheck", "batch-precheck-result", "batch-status", "batch-starting", "batch-status", "batch-progress"]
    # a request a second, and 3 s more between the precheck and the read of its results
    log = [{"route": route, "time": 100.0 + index + (3 if index >= 7 else 0)} for index, route in enumerate(routes)]
    by_step = bench.requests_by_step(log)
    assert list(by_step) == list(bench.STEPS) and sum(by_step.values()) == len(log)
    assert {step: count for step, count in by_step.items() if count} == {
        "async job status": 1, "commit": 1, "task IDs": 1, "creation status": 2, "earlier precheck results": 1,
        "precheck": 1, "precheck results": 1, "status before the start": 1, "start": 1, "final status": 1, "progress": 1}
    segments = bench.time_segments(log, began=99.0, seconds=16.5)
    assert segments == {"to the first request": 1.0, "commit and creation wait": 6.0, "precheck": 6.0,
                        "start and final wait": 2.0, "after the last request": 1.5,
                        "longest pause": 4.0, "longest pause between": "precheck / precheck results"}


def test_tasks_are_split_over_async_jobs_evenly():
    assert bench.split(10, 2) == [5, 5]
    assert bench.split(7, 3) == [3, 2, 2]
    assert bench.split(1, 2) == [1]
    assert [job["generate"]["count"] for job in bench.scenario(1001, 2)["async_jobs"]] == [501, 500]
    assert bench.scenario(10, 2)["speed"] == "instant"


def test_options():
    every = [10, 100, 1000] if bench.sdk_available() else []
    default = bench.parse_args([])
    assert default.sizes == [10, 100, 1000] and default.baseline_sizes == [10, 100, 1000] and default.sdk_sizes == every
    assert default.pipelining is True and default.overhead_tasks == 20 and default.repeat == 3
    quick = bench.parse_args(["--quick"])
    assert quick.sizes == [10] and quick.baseline_sizes == [10] and quick.repeat == 1
    side = bench.parse_args(["--side-by-side"])
    assert side.sizes == [100, 1000, 10000] and side.baseline_sizes == [] and side.repeat == 5
    assert side.overhead_tasks == 0 and side.profile_runs == 0
    assert bench.parse_args(["--sizes", "100,10", "--baseline-sizes", "none"]).baseline_sizes == []
    assert bench.parse_args(["--sizes", "100,10", "--sdk-sizes", "none"]).sdk_sizes == []
    assert bench.parse_args(["--sizes", "100,10"]).sizes == [10, 100]
    for wrong in (["--sizes", "10", "--baseline-sizes", "100"], ["--sizes", "10", "--sdk-sizes", "100"],
                  ["--quick", "--side-by-side"], ["--sizes", "ten"]):
        with pytest.raises(SystemExit):
            bench.parse_args(wrong)


def test_importtime_parsing():
    text = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:       200 |        200 |     json.decoder",
        "import time:      1000 |      80000 |   requests",
        "import time:      3000 |     150000 |   ansible.module_utils.basic",
        "import time:       500 |     160000 | ansible.module_utils._internal._ansiballz._loader",
        "import time:       100 |      90000 | ansible_collections.hwcloud.drs.plugins.module_utils._module",
    ])
    total, watched = bench.parse_importtime(text)
    assert total == 250.0
    assert watched == {"requests": 80.0, "ansible.module_utils.basic": 150.0,
                       "ansible_collections.hwcloud.drs.plugins.module_utils._module": 90.0}
