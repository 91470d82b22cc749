# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""drs_batch_pause, and through it the shape the three day-two modules share (module_utils/_batch_action.py)."""

import pytest

from ansible_collections.hwcloud.drs.plugins.modules.drs_batch_pause import main

from .fake_drs import PAUSE_URI, STATUS_URI, FakeDrs, json_response


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


def actions(run):
    return dict((entry["job_id"], entry["action"]) for entry in run.result["results"])


def sent(drs):
    return [job for request in drs.requests(PAUSE_URI) for job in request.get_json()["jobs"]]


def test_pauses_only_transferring_tasks_and_a_rerun_sends_nothing(drs, run_module, token_args):
    running = drs.add("INCRE_TRANSFER_STARTED", 1) + drs.add("FULL_TRANSFER_STARTED", 1, start=1)
    paused = drs.add("PAUSING", 1, start=2) + drs.add("PAUSEING", 1, start=3)
    run = run_module(main, dict(token_args, jobs=running + paused))
    assert run.exit_code == 0 and run.result["changed"] is True
    assert actions(run) == {running[0]: "paused", running[1]: "paused", paused[0]: "already_paused", paused[1]: "already_paused"}
    assert run.result["results"][0] == {"job_id": running[0], "status_before": "INCRE_TRANSFER_STARTED", "status_class": "transferring",
                                        "action": "paused", "error_code": None, "error_msg": None}
    assert sent(drs) == [{"job_id": running[0], "pause_mode": "target"}, {"job_id": running[1], "pause_mode": "target"}]

    again = run_module(main, dict(token_args, jobs=running + paused))
    assert again.result["changed"] is False and set(actions(again).values()) == {"already_paused"}
    assert len(drs.requests(PAUSE_URI)) == 1, "the second run sends no pause"


def test_pause_mode_all_is_sent(drs, run_module, token_args):
    run_module(main, dict(token_args, jobs=drs.add("INCRE_TRANSFER_STARTED", 1), pause_mode="all"))
    assert sent(drs)[0]["pause_mode"] == "all"


def test_check_mode_reads_and_plans_but_sends_no_pause(drs, run_module, token_args):
    running = drs.add("INCRE_TRANSFER_STARTED", 1)
    paused = drs.add("PAUSING", 1, start=5)
    run = run_module(main, dict(token_args, jobs=running + paused, wait=True), check_mode=True, diff=True)
    assert run.result["changed"] is True
    assert actions(run) == {running[0]: "would_pause", paused[0]: "already_paused"}
    assert run.result["diff"] == {"before": "%s: INCRE_TRANSFER_STARTED\n%s: PAUSING\n" % (running[0], paused[0]),
                                  "after": "%s: pause (target)\n%s: PAUSING\n" % (running[0], paused[0])}
    assert drs.requests(PAUSE_URI) == [] and len(drs.requests(STATUS_URI)) == 1, "no pause, and no wait"
    assert run_module(main, dict(token_args, jobs=paused), check_mode=True).result["changed"] is False


@pytest.mark.parametrize("status, reason", [
    ("CONFIGURATION", "which cannot be paused (only a transferring task can: FULL_TRANSFER_COMPLETE, FULL_TRANSFER_STARTED, "
                      "INCRE_TRANSFER_STARTED)"),
    ("INCRE_TRANSFER_FAILED", "which is not paused but retried (hwcloud.drs.drs_batch_retry)"),
    ("RELEASE_RESOURCE_COMPLETE", "which cannot be paused"),
    ("SOMETHING_NEW", "which cannot be paused"),
])
def test_a_task_that_cannot_be_paused_fails_before_anything_is_sent(drs, run_module, token_args, status, reason):
    good = drs.add("INCRE_TRANSFER_STARTED", 1)
    bad = drs.add(status, 1, start=1)
    run = run_module(main, dict(token_args, jobs=good + bad), check_mode=False, diff=True)
    assert run.failed and run.result["changed"] is False
    assert run.msg.startswith("1 of 2 DRS tasks cannot be paused, so none was: 1 task (task is %s, %s" % (status, reason))
    assert bad[0] in run.msg
    assert actions(run) == {good[0]: "would_pause", bad[0]: "failed"}
    assert run.result["diff"]["after"].endswith("%s: %s (cannot pause)\n" % (bad[0], status))
    assert drs.requests(PAUSE_URI) == []


def test_a_failed_task_carries_its_own_error(drs, run_module, token_args):
    bad = drs.add("INCRE_TRANSFER_FAILED", 1)
    drs.errors[bad[0]] = {"error_code": "DRS.M05", "error_message": "binlog purged"}
    run = run_module(main, dict(token_args, jobs=bad))
    entry = run.result["results"][0]
    assert (entry["error_code"], entry["error_msg"]) == (
        "DRS.M05", "task is INCRE_TRANSFER_FAILED, which is not paused but retried (hwcloud.drs.drs_batch_retry): binlog purged")


def test_unknown_ids_are_named(drs, run_module, token_args):
    run = run_module(main, dict(token_args, jobs=drs.add("INCRE_TRANSFER_STARTED", 1) + ["9a470239-2308-4bb5-a6bc-1040402fjb99"]))
    assert run.failed and "the API knows no status for 1 task, unknown IDs?: 9a470239-2308-4bb5-a6bc-1040402fjb99 (no answer)" in run.msg
    assert drs.requests(PAUSE_URI) == []


@pytest.mark.parametrize("args, message", [
    ({"jobs": []}, "jobs: give at least one task ID"),
    ({"jobs": ["bad id"]}, "jobs[0]: 'bad id' is not a valid DRS ID"),
    ({"jobs": ["t1"], "wait_timeout": -1}, "wait_timeout must be between 0 and"),
    ({"jobs": ["t1"], "poll_interval": 0}, "poll_interval must be between 0.1 and"),
])
def test_bad_input_is_a_clear_error(drs, run_module, token_args, args, message):
    run = run_module(main, dict(token_args, **args))
    assert run.failed and message in run.msg and run.traceback is None
    assert drs.server.log == []


def test_the_service_refusing_a_task_is_reported_per_task_after_every_chunk(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 150)
    drs.refuse_action[ids[3]] = {"error_code": "DRS.10040020", "error_msg": "Not now."}
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.failed and run.result["changed"] is True
    assert run.msg == "1 of 150 DRS tasks failed to pause (149 paused): 1 task (DRS.10040020: Not now.): %s" % ids[3]
    assert actions(run)[ids[3]] == "failed" and actions(run)[ids[140]] == "paused"
    assert len(drs.requests(PAUSE_URI)) == 2


def test_a_refused_task_that_is_paused_meanwhile_was_paused_by_someone_else(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 1)
    drs.refuse_action[ids[0]] = {"error_code": "DRS.10040020", "error_msg": "The job status PAUSING does not allow a pause."}

    def someone_pauses(fake):
        fake.tasks[ids[0]] = "PAUSING"
        fake.after_read = None
    drs.after_read = someone_pauses
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.exit_code == 0 and actions(run) == {ids[0]: "already_paused"} and run.result["changed"] is False


def test_an_unknown_outcome_is_read_back_before_sending_again(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 2)
    drs.action_faults.append(json_response({"error_code": "APIGW.0201", "error_msg": "Backend timeout."}, status=504))
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.exit_code == 0, run.result
    assert set(actions(run).values()) == {"paused"}
    assert len(drs.requests(PAUSE_URI)) == 1, "the pause reached the service, so it is not sent twice"
    assert len(drs.requests(STATUS_URI)) == 2


def test_an_unknown_outcome_where_nothing_was_paused_sends_again(httpserver, drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 1)
    calls = []

    def answer(request):
        calls.append(request)
        return json_response({}, status=502) if len(calls) == 1 else drs.batch_pause(request)
    httpserver.clear_all_handlers()
    httpserver.expect_request(STATUS_URI).respond_with_handler(drs.batch_status)
    httpserver.expect_request(PAUSE_URI).respond_with_handler(answer)
    run = run_module(main, dict(token_args, jobs=ids))
    assert actions(run) == {ids[0]: "paused"} and len(calls) == 2


def test_a_refused_chunk_stops_the_rest_and_names_each_reason_once(httpserver, drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 250)
    calls = []

    def answer(request):
        calls.append(request)
        if len(calls) == 2:
            return json_response({"error_code": "DRS.10000001", "error_msg": "Failed."}, status=400)
        return drs.batch_pause(request)
    httpserver.clear_all_handlers()
    httpserver.expect_request(STATUS_URI).respond_with_handler(drs.batch_status)
    httpserver.expect_request(PAUSE_URI).respond_with_handler(answer)
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.failed and len(calls) == 2
    assert run.msg.startswith("150 of 250 DRS tasks failed to pause (100 paused): 100 tasks (pause refused, chunk 2 of 3: POST ")
    assert "50 tasks (not sent, because chunk 2 of 3 was refused): %s" % ids[200] in run.msg


def test_request_floor_at_250_tasks(drs, run_module, token_args):
    """One status read and one pause per 100 tasks; a re-run reads only."""
    ids = drs.add("INCRE_TRANSFER_STARTED", 250)
    run = run_module(main, dict(token_args, jobs=ids))
    assert set(actions(run).values()) == {"paused"}
    assert (len(drs.requests(STATUS_URI)), len(drs.requests(PAUSE_URI))) == (3, 3)
    assert [len(request.get_json()["jobs"]) for request in drs.requests(PAUSE_URI)] == [100, 100, 50]
    run_module(main, dict(token_args, jobs=ids))
    assert (len(drs.requests(STATUS_URI)), len(drs.requests(PAUSE_URI))) == (6, 3)


def test_wait_reads_until_every_task_is_paused(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 2)
    run = run_module(main, dict(token_args, jobs=ids, wait=True))
    assert [entry["status"] for entry in run.result["results"]] == ["PAUSING", "PAUSING"]
    assert len(drs.requests(STATUS_URI)) == 2


def test_wait_times_out_naming_the_tasks_not_paused(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 1)
    drs.action_faults.append(json_response({"results": [{"id": ids[0], "status": "success"}], "count": 1}))
    drs.refuse_action[ids[0]] = {"error_code": "X", "error_msg": "x"}  # nothing pauses it: the answer is faked
    run = run_module(main, dict(token_args, jobs=ids, wait=True, wait_timeout=0))
    assert run.failed and run.result["changed"] is True
    assert run.msg == "Timed out after 0s waiting for 1 of 1 DRS task to be paused; still: %s (INCRE_TRANSFER_STARTED)" % ids[0]


def test_wait_fails_at_once_when_a_task_fails(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 1)
    drs.refuse_action[ids[0]] = {"error_code": "X", "error_msg": "x"}  # the answer below is faked: nothing pauses it
    drs.action_faults.append(json_response({"results": [{"id": ids[0], "status": "success"}], "count": 1}))

    def fails(fake):  # right after the first read
        fake.tasks[ids[0]] = "INCRE_TRANSFER_FAILED"
        fake.errors[ids[0]] = {"error_code": "DRS.M05", "error_message": "binlog purged"}
    drs.after_read = fails
    run = run_module(main, dict(token_args, jobs=ids, wait=True))
    assert run.failed and len(drs.requests(STATUS_URI)) == 2
    assert run.msg == ("1 of 1 DRS task failed, ended or vanished while pausing: %s (INCRE_TRANSFER_FAILED, DRS.M05: binlog purged)"
                       % ids[0])
    assert run.result["results"][0]["status"] == "INCRE_TRANSFER_FAILED"
