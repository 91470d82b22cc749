# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The batch_launch role in real playbooks against the simulator."""

import json

from .conftest import writes

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
FORWARD = "3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21"
BACKWARD = "8d2a6c4e-1f9b-4a7d-b3e5-0c8f5a2djb21"
ASYNC_A = "6f1c9a52-3d7e-4b8a-9c21-5e0d4f7a8b61"
ASYNC_B = "b2e47d10-8a5c-4f3e-a6d9-0c1b7e2f9a34"


def batch(transition_seconds=0.3, **task_overrides):
    """Two async jobs, eight tasks, a dual-active pair in the second one."""
    pair = [dict({"id": FORWARD}, **task_overrides.get(FORWARD, {})),
            dict({"id": BACKWARD, "forward_job_id": FORWARD}, **task_overrides.get(BACKWARD, {}))]
    return dict(project_id=PROJECT, speed=1, transition_seconds=transition_seconds, validate_seconds=0.5,
                commit_seconds=0.5, async_jobs=[
                    {"id": ASYNC_A, "generate": {"count": 6, "prefix": "orders"}},
                    {"id": ASYNC_B, "tasks": pair}])


LAUNCH_VARS = {
    "batch_launch_async_job_ids": [ASYNC_A, ASYNC_B],
    "batch_launch_job_groups": [[FORWARD], [BACKWARD]],
    "batch_launch_poll_interval": 1,
    "batch_launch_wait_timeout": 120,
}


def test_launch_rerun_and_check_mode(simulator, run_playbook):
    sim = simulator(batch())
    run = run_playbook("launch.yml", sim, LAUNCH_VARS)
    assert run.rc == 0, run.output
    assert set(run.results["status_by_id"].values()) == {"INCRE_TRANSFER_STARTED"}
    assert len(run.results["status_by_id"]) == 8
    assert run.results["summary"]["started"] == 8
    assert "tasks in INCRE_TRANSFER_STARTED" in run.output, "progress is shown at each poll"
    assert sim.start_counts() == dict((task_id, 1) for task_id in run.results["status_by_id"])
    # the backward task of the dual-active pair started after its forward task replicated
    starts = [entry for entry in writes(sim) if entry["route"] == "batch-starting"]
    assert [job["job_id"] for job in starts[-1]["body"]["jobs"]] == [BACKWARD]

    written = len(writes(sim))
    again = run_playbook("launch.yml", sim, LAUNCH_VARS)
    assert again.rc == 0, again.output
    assert "changed=0" in again.output
    check = run_playbook("launch.yml", sim, LAUNCH_VARS, check=True)
    assert check.rc == 0 and "changed=0" in check.output
    assert len(writes(sim)) == written, "a re-run and a check run send no write"


def test_check_mode_on_a_fresh_batch_reports_the_plan_and_writes_nothing(simulator, run_playbook):
    sim = simulator(batch())
    run = run_playbook("launch.yml", sim, LAUNCH_VARS, check=True)
    assert run.rc == 0, run.output
    assert "changed=1" in run.output, "the commit task would change (both async jobs)"
    assert "2 async jobs to commit" in run.output
    assert writes(sim) == []


def test_a_failing_task_fails_fast_naming_it(simulator, run_playbook):
    failing = {"fail_at": "FULL_TRANSFER_FAILED", "error_code": "DRS.10030033", "error_message": "Full migration failed."}
    sim = simulator(batch(**{FORWARD: failing}))
    run = run_playbook("launch.yml", sim, LAUNCH_VARS)
    assert run.rc != 0
    assert "1 DRS tasks failed: %s (FULL_TRANSFER_FAILED, DRS.10030033: Full migration failed.)" % FORWARD in run.output
    assert BACKWARD not in [job["job_id"] for entry in writes(sim) if entry["route"] == "batch-starting"
                            for job in entry["body"]["jobs"]], "the second group never starts"


def test_a_slow_batch_times_out_naming_the_tasks(simulator, run_playbook):
    sim = simulator(batch(transition_seconds=600))
    run = run_playbook("launch.yml", sim, dict(LAUNCH_VARS, batch_launch_wait_timeout=2))
    assert run.rc != 0
    assert "waiting for 7 DRS tasks to reach INCRE_TRANSFER_STARTED" in run.output
    assert FORWARD in run.output


def test_full_only_migration_ends_in_full_transfer_complete(simulator, run_playbook):
    sim = simulator(dict(project_id=PROJECT, speed=1, transition_seconds=0.2,
                         generate={"count": 3, "prefix": "full", "full_only": True}))
    ids = [task["id"] for task in sim.state()["tasks"]]
    run = run_playbook("launch.yml", sim, {"batch_launch_jobs": ids, "batch_launch_poll_interval": 1,
                                           "batch_launch_target_status": "FULL_TRANSFER_COMPLETE"})
    assert run.rc == 0, run.output
    assert set(run.results["status_by_id"].values()) == {"FULL_TRANSFER_COMPLETE"}


def test_three_projects_launch_in_parallel(simulator, run_playbook, tmp_path):
    """Each inventory host stands for one DRS project, with its own endpoint in host vars."""
    sims = []
    inventory = {"all": {"hosts": {}}}
    for number in range(3):
        project = "%032x" % (number + 1)
        sim = simulator(dict(project_id=project, speed="instant", generate={"count": 5, "prefix": "p%d" % number}),
                        seed=number)
        sims.append(sim)
        inventory["all"]["hosts"]["project-%d" % number] = {
            "ansible_connection": "local",
            "batch_launch_jobs": [task["id"] for task in sim.state()["tasks"]],
            "batch_launch_poll_interval": 1,
            "batch_launch_connection": {"endpoint": sim.url, "project_id": project, "auth_token": sim.auth_token},
        }
    inventory_file = tmp_path / "projects.json"
    inventory_file.write_text(json.dumps(inventory))
    run = run_playbook("launch.yml", sims[0], inventory=str(inventory_file), args=["--forks", "3"],
                       env={"HW_DRS_ENDPOINT": None, "HW_PROJECT_ID": None, "HW_AUTH_TOKEN": None})
    assert run.rc == 0, run.output
    for number, sim in enumerate(sims):
        assert "project-%d                  : ok=" % number in run.output
        assert set(sim.start_counts().values()) == {1} and len(sim.start_counts()) == 5


def test_a_failed_read_while_waiting_is_read_again(simulator, run_playbook):
    sim = simulator(dict(project_id=PROJECT, speed=1, transition_seconds=0.5, generate={"count": 3, "prefix": "r"}))
    ids = [task["id"] for task in sim.state()["tasks"]]
    # batch-status calls: 1 by the start's own read, then the waits' reads; the 2nd and 3rd fail.
    sim.inject_fault(route="batch-status", kind="status", status=500, calls=[2, 3])
    run = run_playbook("launch.yml", sim, {"batch_launch_jobs": ids, "batch_launch_poll_interval": 1})
    assert run.rc == 0, run.output
    assert "FAILED - RETRYING" in run.output
    assert set(run.results["status_by_id"].values()) == {"INCRE_TRANSFER_STARTED"}
