# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The summary of a launch: counts, each task's last state, and what failed."""

import time

from ansible_collections.hwcloud.drs.plugins.plugin_utils._summary import launch_summary

A = "3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21"
B = "8d2a6c4e-1f9b-4a7d-b3e5-0c8f5a2djb21"
ASYNC = "6f1c9a52-3d7e-4b8a-9c21-5e0d4f7a8b61"


def start_entry(job_id, action, status="CONFIGURATION"):
    return dict(job_id=job_id, action=action, status_before=status, status_class="startable", start_time=None,
                error_code=None, error_msg=None)


def test_the_summary_counts_and_merges_each_task():
    began = time.time() - 12
    wait = {"jobs": [dict(id=A, status="INCRE_TRANSFER_STARTED", status_class="transferring", target="INCRE_TRANSFER_STARTED",
                          reached=True, progress=100, incre_trans_delay=2, error_code=None, error_message=None),
                     dict(id=B, status="INCRE_TRANSFER_STARTED", status_class="transferring", target="INCRE_TRANSFER_STARTED",
                          reached=True, error_code=None, error_message=None)]}
    summary = launch_summary(began=began, check_mode=False,
                             commits=[{"changed": True, "job": {"async_job_id": ASYNC}, "job_ids": [A]}],
                             starts=[[start_entry(A, "started")], [start_entry(B, "already_started", "FULL_TRANSFER_STARTED")]],
                             waits=[wait])
    assert (summary["tasks"], summary["started"], summary["already_started"], summary["would_start"], summary["failed"]) == \
        (2, 1, 1, 0, 0)
    assert summary["committed"] == [ASYNC] and summary["per_status"] == {"INCRE_TRANSFER_STARTED": 2}
    assert summary["jobs"][0]["status_before"] == "CONFIGURATION" and summary["jobs"][0]["incre_trans_delay"] == 2
    assert 11 < summary["elapsed_seconds"] < 60
    assert summary["message"].startswith("Launched: 2 tasks (1 started, 1 already started), 1 async job committed, in ")
    assert summary["message"].endswith("s; status: INCRE_TRANSFER_STARTED=2")


def test_a_failure_keeps_what_the_failed_task_saw():
    failed_wait = {"failed": True, "msg": "1 of 1 DRS tasks failed ...",
                   "jobs": [dict(id=A, status="FULL_TRANSFER_FAILED", status_class="failed", error_code="DRS.10030033",
                                 error_message="Full migration failed.")]}
    summary = launch_summary(began=time.time(), check_mode=False, starts=[[start_entry(A, "started")]],
                             failure={"task": "Wait for group 1 to reach its target", "msg": failed_wait["msg"],
                                      "result": failed_wait})
    assert summary["jobs"][0]["status"] == "FULL_TRANSFER_FAILED" and summary["jobs"][0]["error_code"] == "DRS.10030033"
    assert summary["failure"] == {"task": "Wait for group 1 to reach its target", "msg": "1 of 1 DRS tasks failed ..."}
    assert summary["message"].startswith("Launch failed at 'Wait for group 1 to reach its target': 1 of 1 DRS tasks failed "
                                         "... | so far: 1 task (1 started, 0 already started)")


def test_a_failed_start_keeps_its_per_task_results():
    failed_start = {"failed": True, "msg": "refused", "results": [start_entry(A, "started"), start_entry(B, "failed")]}
    summary = launch_summary(began=time.time(), check_mode=False, failure={"task": "Start", "msg": "refused", "result": failed_start})
    assert (summary["started"], summary["failed"]) == (1, 1)
    assert "1 failed to start" in summary["message"]


def test_check_mode_says_what_would_happen():
    summary = launch_summary(began=time.time(), check_mode=True,
                             commits=[{"changed": True, "job": {"async_job_id": ASYNC}, "job_ids": [B]}],
                             starts=[[start_entry(A, "would_start")]], unplanned=[B])
    assert summary["message"].startswith("Check mode, nothing changed: 1 task (0 started, 0 already started, 1 would start), "
                                         "1 async job to commit; 1 task to be planned only after the commit, in ")


def test_a_dual_active_refusal_names_the_fix():
    refusal = ("1 of 1 DRS task failed to start: %s (DRS.10040012: The forward job %s of this dual-active pair is "
               "FULL_TRANSFER_STARTED; ...)" % (B, A))
    summary = launch_summary(began=time.time(), check_mode=False, failure={"task": "Start the tasks of group 1", "msg": refusal})
    assert "put the backward task in a later group of batch_launch_job_groups than its forward task" in summary["message"]


def test_a_failed_precheck_is_not_counted_as_started():
    failed_precheck = {"failed": True, "msg": "The precheck of DRS tasks failed: ...",
                       "results": [{"job_id": A, "action": "started", "precheck_id": "pc-1", "result": "failed"}]}
    summary = launch_summary(began=time.time(), check_mode=False,
                             failure={"task": "Precheck the tasks of group 1", "msg": failed_precheck["msg"],
                                      "result": failed_precheck})
    assert (summary["tasks"], summary["started"]) == (0, 0)
