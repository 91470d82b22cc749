# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The day-two runbooks of examples/ (retry what failed, pause and resume, end and delete) against the simulator."""

import os

from ansible_collections.hwcloud.drs.tests.support import REPO_ROOT

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
WRITES = ("batch-retry-task", "batch-pause-task", "batch-jobs", "batch-precheck")


def example(name):
    return os.path.join(REPO_ROOT, "examples", name)


def scenario(*tasks):
    return dict(project_id=PROJECT, speed="instant", tasks=list(tasks))


def by_name(sim):
    return dict((task["name"], task) for task in sim.state()["tasks"])


def writes(sim):
    return [entry["route"] for entry in sim.request_log if entry["route"] in WRITES]


def test_retry_what_failed_last_night(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "orders-1", "status": "INCRE_TRANSFER_FAILED"}, {"name": "orders-2", "status": "START_JOB_FAILED"},
                            {"name": "orders-3", "status": "INCRE_TRANSFER_STARTED"}, {"name": "ledger-1", "status": "FULL_TRANSFER_FAILED"}))
    check = run_playbook(example("retry_failed.yml"), sim, {"drs_job_name": "orders-*"}, check=True, args=("--diff",))
    assert check.rc == 0, check.output
    assert "2 failed: orders-2, orders-1" in check.output
    assert writes(sim) == []

    run = run_playbook(example("retry_failed.yml"), sim, {"drs_job_name": "orders-*", "drs_poll_interval": 0.2})
    assert run.rc == 0, run.output
    tasks = by_name(sim)
    assert [tasks[name]["status"] for name in ("orders-1", "orders-2", "orders-3", "ledger-1")] == [
        "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", "FULL_TRANSFER_FAILED"]
    assert writes(sim) == ["batch-precheck", "batch-retry-task"]

    again = run_playbook(example("retry_failed.yml"), sim, {"drs_job_name": "orders-*"})
    assert again.rc == 0 and "0 failed: " in again.output and len(writes(sim)) == 2


def test_pause_for_a_maintenance_window_and_resume_even_when_it_fails(make_sim, run_playbook, tmp_path):
    sim = make_sim(scenario({"name": "orders-1", "status": "INCRE_TRANSFER_STARTED"}, {"name": "orders-2", "status": "INCRE_TRANSFER_STARTED"},
                            {"name": "ledger-1", "status": "INCRE_TRANSFER_STARTED"}))
    run = run_playbook(example("pause_resume.yml"), sim, {"drs_poll_interval": 0.2})
    assert run.rc == 0, run.output
    assert writes(sim) == ["batch-pause-task", "batch-retry-task"]
    paused = [job["job_id"] for entry in sim.request_log if entry["route"] == "batch-pause-task" for job in entry["body"]["jobs"]]
    assert sorted(paused) == sorted(by_name(sim)[name]["id"] for name in ("orders-1", "orders-2"))
    assert set(task["status"] for task in sim.state()["tasks"]) == {"INCRE_TRANSFER_STARTED"}

    maintenance = tmp_path / "maintenance.yml"
    maintenance.write_text("- name: The maintenance goes wrong\n  ansible.builtin.fail:\n    msg: the patch failed\n")
    failed = run_playbook(example("pause_resume.yml"), sim, {"drs_maintenance": str(maintenance), "drs_poll_interval": 0.2})
    assert failed.rc != 0 and "the patch failed" in failed.output
    assert writes(sim)[2:] == ["batch-pause-task", "batch-retry-task"], "resumed although the maintenance failed"
    assert set(task["status"] for task in sim.state()["tasks"]) == {"INCRE_TRANSFER_STARTED"}


def test_end_and_delete_a_migrated_batch_shows_the_plan_first(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "orders-1", "status": "INCRE_TRANSFER_STARTED"}, {"name": "orders-2", "status": "RELEASE_RESOURCE_COMPLETE"},
                            {"name": "ledger-1", "status": "INCRE_TRANSFER_STARTED"}))
    tasks = by_name(sim)
    plan = run_playbook(example("end_and_delete.yml"), sim, {})
    assert plan.rc == 0, plan.output
    assert "+%s: end, then delete" % tasks["orders-1"]["id"] in plan.output
    assert "+%s: delete" % tasks["orders-2"]["id"] in plan.output
    assert "-%s: INCRE_TRANSFER_STARTED" % tasks["orders-1"]["id"] in plan.output
    assert tasks["ledger-1"]["id"] not in plan.output
    assert writes(sim) == []

    done = run_playbook(example("end_and_delete.yml"), sim, {"drs_confirm": True})
    assert done.rc == 0, done.output
    tasks = by_name(sim)
    assert (tasks["orders-1"]["status"], tasks["orders-2"]["status"], tasks["ledger-1"]["status"]) == (
        "DELETED", "DELETED", "INCRE_TRANSFER_STARTED")
    assert writes(sim) == ["batch-jobs", "batch-jobs"]
