# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Smoke runs of benchmarks/sdk_baseline.py, the hand-written launch over the vendor SDK.

Against a simulator on 127.0.0.1 with 250 tasks (every transition instant): the script launches
them with the floor's requests, step by step, and a failed precheck stops it before any start.
Its time is measured by benchmarks/launch.py, never asserted here.
"""

import importlib.util
import json
import os

import pytest

from ansible_collections.hwcloud.drs.tests.support import REPO_ROOT
from ansible_collections.hwcloud.drs.tests.support.benchmarks import load_script, run_script

RUN_TIMEOUT = 120  # seconds; a run takes about 2 s (most of it the SDK's imports)

bench = load_script("launch.py")
needs_sdk = pytest.mark.skipif(
    importlib.util.find_spec("huaweicloudsdkdrs") is None or importlib.util.find_spec("huaweicloudsdkcore") is None,
    reason="the vendor SDK is not installed in this venv (pip install -r requirements/benchmark.txt): "
           "the hand-written SDK baseline cannot run")


def sdk_run(sim, async_job_ids, tmp_path):
    credential = sim.credentials[0]
    args = ["--endpoint", sim.url, "--project-id", sim.project_id, "--poll-interval", "0.1", "--timeout", "30"]
    for async_job_id in async_job_ids:
        args += ["--async-job-id", async_job_id]
    return run_script("sdk_baseline.py", args, tmp_path, RUN_TIMEOUT,
                      env={"HW_ACCESS_KEY": credential["ak"], "HW_SECRET_KEY": credential["sk"]})


@needs_sdk
def test_it_launches_every_task_with_the_floors_requests(make_sim, tmp_path):
    sim = make_sim(bench.scenario(250, 2))
    jobs = sim.state()["async_jobs"]
    rc, stdout, stderr = sdk_run(sim, [job["async_job_id"] for job in jobs], tmp_path)
    assert rc == 0, stdout + stderr

    report = json.loads(stdout)
    assert report["ok"] is True and report["tasks"] == 250
    assert report["import_seconds"] > 0 and report["seconds"] > 0
    # one SDK call is one request: 2 async-list + 2 commit + 2 x 2 detail pages, then 3 chunks per step
    assert {step: entry["calls"] for step, entry in report["steps"].items()} == {
        "commit": 8, "wait for creation": 3, "precheck": 6, "start": 3, "wait for the target": 3}

    log = sim.request_log
    assert all(entry["status"] in (200, 202) for entry in log), log
    assert bench.requests_by_step(log) == bench.floor_by_step(250, [125, 125])
    assert len(log) == sum(bench.floor(250, [125, 125]).values()) == 23
    # 100 IDs a request at most, signed with AK/SK
    assert max(len(entry["body"]["jobs"]) for entry in log if isinstance(entry.get("body"), dict)) == 100
    assert all(entry["headers"].get("Authorization") == "<redacted>" for entry in log)
    tasks = sim.state()["tasks"]
    assert {task["status"] for task in tasks} == {"INCRE_TRANSFER_STARTED"} and len(tasks) == 250
    assert set(sim.start_counts().values()) == {1}


@needs_sdk
def test_a_failed_precheck_stops_it_before_any_start(make_sim, tmp_path):
    sim = make_sim({"speed": "instant", "async_jobs": [{
        "status": "AUTO_PARAM_VALIDATE_SUCCESS",
        "tasks": [{"name": "good"}, {"name": "bad", "precheck_items": [
            {"item": "Source database binlog format", "failed_reason": "binlog_format is STATEMENT, not ROW"}]}]}]})
    async_job = sim.state()["async_jobs"][0]
    bad = next(task["id"] for task in sim.state()["tasks"] if task["name"] == "bad")
    rc, stdout, stderr = sdk_run(sim, [async_job["async_job_id"]], tmp_path)
    assert rc == 1, stdout + stderr
    assert "launch failed at step 'precheck'" in stderr and bad in stderr and "Source database binlog format" in stderr
    report = json.loads(stdout)
    assert report["ok"] is False and report["error"].startswith("precheck: ")
    assert "batch-starting" not in [entry["route"] for entry in sim.request_log]
    assert not sim.start_counts() or set(sim.start_counts().values()) == {0}


def test_the_benchmark_pins_the_sdk_the_test_venv_installs():
    def sdk_pins(name):
        with open(os.path.join(REPO_ROOT, "requirements", name), encoding="utf-8") as handle:
            return sorted(line.strip() for line in handle if line.startswith("huaweicloudsdk"))

    assert len(sdk_pins("benchmark.txt")) == 2 and sdk_pins("benchmark.txt") == sdk_pins("test.txt")
