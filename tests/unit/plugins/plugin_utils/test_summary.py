# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The summary of a launch: counts, each task's last state, and what failed."""

import time

from ansible_collections.hwcloud.drs.plugins.plugin_utils._summary import Ledger, launch_summary

A = "3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21"
B = "8d2a6c4e-1f9b-4a7d-b3e5-0c8f5a2djb21"
ASYNC = "6f1c9a52-3d7e-4b8a-9c21-5e0d4f7a8b61"


def start_entry(job_id, action, status="CONFIGURATION"):
    return dict(job_id=job_id, action=action, status_before=status, status_class="startable", start_time=None,
                error_code=None, error_msg=None)


def ledger(starts=(), reads=(), prechecks=(), listed=()):
    book = Ledger()
    book.listed(listed)
    for results in prechecks:
        book.prechecked(results)
    for results in starts:
        book.started(results)
    for jobs in reads:
        book.read(jobs)
    return book


def test_the_summary_counts_and_merges_each_task():
    began = time.time() - 12
    wait = [dict(id=A, status="INCRE_TRANSFER_STARTED", status_class="transferring", target="INCRE_TRANSFER_STARTED",
                 reached=True, progress=100, incre_trans_delay=2, error_code=None, error_message=None),
            dict(id=B, status="INCRE_TRANSFER_STARTED", status_class="transferring", target="INCRE_TRANSFER_STARTED",
                 reached=True, error_code=None, error_message=None)]
    summary = launch_summary(began, False, ledger(
        starts=[[start_entry(A, "started")], [start_entry(B, "already_started", "FULL_TRANSFER_STARTED")]], reads=[wait]),
        commits=[{"changed": True, "job": {"async_job_id": ASYNC}, "job_ids": [A]}])
    assert (summary["tasks"], summary["started"], summary["already_started"], summary["would_start"], summary["failed"]) == \
        (2, 1, 1, 0, 0)
    assert summary["committed"] == [ASYNC] and summary["per_status"] == {"INCRE_TRANSFER_STARTED": 2}
    assert summary["jobs"][0]["status_before"] == "CONFIGURATION" and summary["jobs"][0]["incre_trans_delay"] == 2
    assert 11 < summary["elapsed_seconds"] < 60
    assert summary["message"].startswith("Launched: 2 tasks (1 started, 1 already started), 1 async job committed, in ")
    assert summary["message"].endswith("s; status: INCRE_TRANSFER_STARTED=2")


def test_each_task_is_shown_as_the_last_read_saw_it():
    # the start read CONFIGURATION, the last poll STARTJOBING: the summary says STARTJOBING
    summary = launch_summary(time.time(), False, ledger(
        starts=[[start_entry(A, "started")]],
        reads=[[dict(id=A, status="STARTJOBING", status_class="starting", error_code=None, error_message=None)]]),
        failure={"task": "Wait until the tasks reach their target, Group 1/1", "msg": "the DRS API did not answer ..."})
    assert summary["jobs"][0]["status"] == "STARTJOBING" and summary["jobs"][0]["status_class"] == "starting"
    assert summary["per_status"] == {"STARTJOBING": 1} and summary["message"].endswith("status: STARTJOBING=1")


def test_a_failure_keeps_what_the_failed_task_saw():
    failed_read = [dict(id=A, status="FULL_TRANSFER_FAILED", status_class="failed", error_code="DRS.10030033",
                        error_message="Full migration failed.")]
    summary = launch_summary(time.time(), False, ledger(starts=[[start_entry(A, "started")]], reads=[failed_read]),
                             failure={"task": "Wait for group 1 to reach its target", "msg": "1 of 1 DRS tasks failed ..."})
    assert summary["jobs"][0]["status"] == "FULL_TRANSFER_FAILED" and summary["jobs"][0]["error_code"] == "DRS.10030033"
    assert summary["failure"] == {"task": "Wait for group 1 to reach its target", "msg": "1 of 1 DRS tasks failed ..."}
    assert summary["message"].startswith("Launch failed at 'Wait for group 1 to reach its target': 1 of 1 DRS tasks failed "
                                         "... | so far: 1 task (1 started, 0 already started)")


def test_a_failed_start_keeps_its_per_task_results():
    summary = launch_summary(time.time(), False, ledger(starts=[[start_entry(A, "started"), start_entry(B, "failed")]]),
                             failure={"task": "Start", "msg": "refused"})
    assert (summary["started"], summary["failed"]) == (1, 1)
    assert "1 failed to start" in summary["message"]


def test_check_mode_says_what_would_happen():
    summary = launch_summary(time.time(), True, ledger(starts=[[start_entry(A, "would_start")]]),
                             commits=[{"changed": True, "job": {"async_job_id": ASYNC}, "job_ids": [B]}], unplanned=[B])
    assert summary["message"].startswith("Check mode, nothing changed: 1 task (0 started, 0 already started, 1 would start), "
                                         "1 async job to commit; 1 task to be planned only after the commit, in ")


def test_a_dual_active_refusal_names_the_fix():
    refusal = ("1 of 1 DRS task failed to start: %s (DRS.10040012: The forward job %s of this dual-active pair is "
               "FULL_TRANSFER_STARTED; ...)" % (B, A))
    summary = launch_summary(time.time(), False, Ledger(), failure={"task": "Start the tasks of Group 1/1", "msg": refusal})
    assert "put the backward task in a later group of batch_launch_job_groups than its forward task" in summary["message"]


def test_a_failed_precheck_keeps_every_task_known_so_far_and_starts_none():
    read = [dict(id=A, status="CONFIGURATION", status_class="startable"), dict(id=B, status="CONFIGURATION",
                                                                               status_class="startable")]
    summary = launch_summary(time.time(), False, ledger(
        reads=[read], prechecks=[[{"job_id": A, "action": "started", "precheck_id": "pc-1", "result": "failed"},
                                  {"job_id": B, "action": "started", "precheck_id": "pc-2", "result": "passed"}]]),
        failure={"task": "Precheck the tasks of Group 1/1", "msg": "The precheck of DRS tasks failed: ..."})
    assert (summary["tasks"], summary["started"]) == (2, 0)
    assert [(job["status"], job["precheck"]) for job in summary["jobs"]] == [("CONFIGURATION", "failed"),
                                                                             ("CONFIGURATION", "passed")]
    assert "so far: 2 tasks (0 started, 0 already started)" in summary["message"]


def test_an_interruption_says_how_far_the_launch_got():
    summary = launch_summary(time.time(), False, ledger(starts=[[start_entry(A, "started")]]),
                             failure={"task": "Start the tasks of Group 1/1", "msg": "stopped by SIGTERM",
                                      "interrupted": "SIGTERM"})
    assert summary["message"].startswith("Launch stopped by SIGTERM (ansible-playbook interrupted or cancelled) during "
                                         "'Start the tasks of Group 1/1' | so far: 1 task (1 started, 0 already started)")


def test_tasks_are_named_where_the_name_is_known():
    book = ledger(listed=[dict(id=A, name="orders-eu-1", status="CONFIGURATION")])
    assert book.describe(A) == "orders-eu-1 (%s)" % A and book.describe(B) == B
    assert book.with_names("%s (FULL_TRANSFER_FAILED), %s" % (A, B)) == "orders-eu-1 (%s) (FULL_TRANSFER_FAILED), %s" % (A, B)
