# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Smoke run of benchmarks/launch.py (N=10, baseline N=10) and checks of its floor arithmetic.

Performance is measured by the benchmark, never asserted here: these tests check that the
script runs end to end, that its table and JSON have the expected structure, and that the
role's request counts equal the floor at N=10.
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

    for heading in ("HTTP requests of the role per endpoint", "Wall time (s)",
                    "Module process run directly", "Where the role's time goes at N=10"):
        assert heading in stdout, stdout
    header = next(line for line in stdout.splitlines() if line.lstrip().startswith("N  async-list"))
    assert header.split() == ["N", "async-list", "async-detail", "commit", "batch-status", "batch-precheck",
                              "batch-precheck-result", "batch-starting", "batch-progress", "batch-rpo-and-rto",
                              "total", "floor", "at", "floor", "polls", "baseline", "fewer"]
    row = next(line for line in stdout.splitlines() if line.split()[:1] == ["10"] and "/" in line)
    assert row.split()[1:10] == ["2/2", "2/2", "2/2", "4/4", "1/1", "2/2", "1/1", "1/1", "0/0"]

    results = json.loads(results_path.read_text())
    assert results["version"] == bench.JSON_VERSION
    assert results["settings"]["sizes"] == [10] and results["settings"]["baseline_sizes"] == [10]
    (launch,) = results["launches"]
    role, baseline = launch["role"], launch["baseline"]
    assert launch["n"] == 10

    # the role: every task replicating, each started once, with exactly the floor's requests
    assert role["ok"] and role["each_started_once"], role
    assert role["final_statuses"] == {"INCRE_TRANSFER_STARTED": 10}
    assert role["async_job_sizes"] == [5, 5]
    assert role["floor"] == {"async-list": 2, "async-detail": 2, "commit": 2, "batch-status": 4, "batch-precheck": 1,
                             "batch-precheck-result": 2, "batch-starting": 1, "batch-progress": 1, "batch-rpo-and-rto": 0}
    assert role["requests"] == role["floor"]
    assert role["total"] == role["floor_total"] == 15 and role["at_floor"] is True
    assert role["batch_status_before_start"] == 3 and role["polls"] == 1
    assert role["http_errors"] == 0
    # the commit, the wait for creation, the precheck, the start and the group's wait: one task
    assert role["timing"]["module_tasks"] == 1
    assert role["timing"]["polls"] == 1 and role["timing"]["module_seconds"] > 0

    # the baseline: one uri call per async job, per start and per status read
    assert baseline["ok"] and baseline["each_started_once"], baseline
    assert baseline["requests"] == {"async-list": 0, "async-detail": 0, "commit": 2, "batch-status": 10,
                                    "batch-precheck": 0, "batch-precheck-result": 0, "batch-starting": 10,
                                    "batch-progress": 0, "batch-rpo-and-rto": 0}
    assert baseline["total"] == baseline["uri_calls"] == 22
    assert launch["request_ratio"] == 1.5
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
    assert bench.floor(10, [5, 5]) == {"async-list": 2, "async-detail": 2, "commit": 2, "batch-status": 4,
                                       "batch-precheck": 1, "batch-precheck-result": 2, "batch-starting": 1,
                                       "batch-progress": 1, "batch-rpo-and-rto": 0}
    assert bench.floor(1000, [500, 500]) == {"async-list": 2, "async-detail": 10, "commit": 2, "batch-status": 40,
                                             "batch-precheck": 10, "batch-precheck-result": 20, "batch-starting": 10,
                                             "batch-progress": 10, "batch-rpo-and-rto": 0}
    # pages round up, per async job for its detail and over all tasks for status, precheck, start and progress
    assert bench.floor(250, [125, 125]) == {"async-list": 2, "async-detail": 4, "commit": 2, "batch-status": 12,
                                            "batch-precheck": 3, "batch-precheck-result": 6, "batch-starting": 3,
                                            "batch-progress": 3, "batch-rpo-and-rto": 0}
    # each further poll costs one more status pass and one more progress pass
    assert bench.floor(1000, [1000], polls=3)["batch-status"] == 60
    assert bench.floor(1000, [1000], polls=3)["batch-progress"] == 30
    # each further read of the precheck results, one more results pass
    assert bench.floor(1000, [1000], precheck_polls=2)["batch-precheck-result"] == 30


def test_tasks_are_split_over_async_jobs_evenly():
    assert bench.split(10, 2) == [5, 5]
    assert bench.split(7, 3) == [3, 2, 2]
    assert bench.split(1, 2) == [1]
    assert [job["generate"]["count"] for job in bench.scenario(1001, 2)["async_jobs"]] == [501, 500]
    assert bench.scenario(10, 2)["speed"] == "instant"


def test_options():
    default = bench.parse_args([])
    assert default.sizes == [10, 100, 1000] and default.baseline_sizes == [10, 100, 1000]
    assert default.pipelining is True and default.overhead_tasks == 20 and default.repeat == 3
    quick = bench.parse_args(["--quick"])
    assert quick.sizes == [10] and quick.baseline_sizes == [10] and quick.repeat == 1
    assert bench.parse_args(["--sizes", "100,10", "--baseline-sizes", "none"]).baseline_sizes == []
    assert bench.parse_args(["--sizes", "100,10"]).sizes == [10, 100]
    with pytest.raises(SystemExit):
        bench.parse_args(["--sizes", "10", "--baseline-sizes", "100"])
    with pytest.raises(SystemExit):
        bench.parse_args(["--sizes", "ten"])


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
