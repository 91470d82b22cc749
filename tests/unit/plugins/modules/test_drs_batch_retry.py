# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""drs_batch_retry: retry failed tasks, resume paused ones, after a forRetryJob precheck."""

import pytest

from ansible_collections.hwcloud.drs.plugins.modules.drs_batch_retry import main

from .fake_drs import PRECHECK_RESULT_URI, PRECHECK_URI, RETRY_URI, STATUS_URI, FakeDrs, json_response


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


def actions(run):
    return dict((entry["job_id"], entry["action"]) for entry in run.result["results"])


def sent(drs, uri=RETRY_URI):
    return [job for request in drs.requests(uri) for job in request.get_json()["jobs"]]


def test_retries_failed_resumes_paused_and_leaves_running_tasks_alone(drs, run_module, token_args):
    failed = drs.add("INCRE_TRANSFER_FAILED", 1) + drs.add("START_JOB_FAILED", 1, start=1)
    paused = drs.add("PAUSING", 1, start=2)
    running = drs.add("FULL_TRANSFER_STARTED", 1, start=3) + drs.add("CHILD_TRANSFER_STARTED", 1, start=4)
    run = run_module(main, dict(token_args, jobs=failed + paused + running))
    assert run.exit_code == 0 and run.result["changed"] is True, run.result
    assert actions(run) == {failed[0]: "retried", failed[1]: "retried", paused[0]: "resumed", running[0]: "already_running",
                            running[1]: "already_running"}
    assert sent(drs, PRECHECK_URI) == [{"job_id": failed[0], "precheck_mode": "forRetryJob"},
                                       {"job_id": failed[1], "precheck_mode": "forRetryJob"}], "a paused task needs no precheck"
    assert sent(drs) == [{"job_id": failed[0]}, {"job_id": failed[1]}, {"job_id": paused[0]}]
    assert run.result["results"][0]["precheck_id"] == "pc-%s-1" % failed[0]
    assert run.result["results"][2]["precheck_id"] is None

    again = run_module(main, dict(token_args, jobs=failed + paused + running))
    assert again.result["changed"] is False and set(actions(again).values()) == {"already_running"}
    assert len(drs.requests(RETRY_URI)) == 1 and len(drs.requests(PRECHECK_URI)) == 1, "the second run sends nothing"


def test_a_failed_precheck_names_each_item_and_retries_nothing(drs, run_module, token_args):
    ids = drs.add("FULL_TRANSFER_FAILED", 2)
    item = {"item": "Destination disk space", "result": "FAILED", "failed_reason": "needs 120 GB, 80 GB free", "raw_error_msg": None}
    drs.after_precheck[ids[1]] = [drs.precheck_result(ids[1], progress="40%", passed=False, rate="0%"),
                                  drs.precheck_result(ids[1], passed=False, items=[item])]
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.failed and run.result["changed"] is False
    assert run.msg == ("The forRetryJob precheck of 1 of 2 DRS tasks did not pass, so none was retried: %s (pass rate 80%%, 1 failed "
                       "item(s): Destination disk space: needs 120 GB, 80 GB free)" % ids[1])
    assert set(actions(run).values()) == {"would_retry"}
    assert drs.requests(RETRY_URI) == []
    assert len(drs.requests(PRECHECK_RESULT_URI)) == 2, "read again while the precheck ran"


def test_a_precheck_that_cannot_start_retries_nothing(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_FAILED", 1)
    drs.refuse_precheck[ids[0]] = {"error_code": "DRS.10040015", "error_msg": "No precheck for you."}
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.failed and drs.requests(RETRY_URI) == []
    assert run.msg == ("The forRetryJob precheck could not start for 1 of 1 DRS task, so none was retried: 1 task (DRS.10040015: "
                       "No precheck for you.): %s" % ids[0])


def test_a_precheck_still_running_at_its_timeout_retries_nothing(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_FAILED", 1)
    drs.after_precheck[ids[0]] = [drs.precheck_result(ids[0], progress="10%", passed=False)]
    run = run_module(main, dict(token_args, jobs=ids, precheck_timeout=0))
    assert run.failed and drs.requests(RETRY_URI) == []
    assert run.msg == ("Timed out after 0s waiting for the forRetryJob precheck of 1 of 1 DRS task, so none was retried; still "
                       "running: %s" % ids[0])


def test_an_older_precheck_result_is_not_taken_for_the_new_one(httpserver, drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_FAILED", 1)
    reads = []

    def results(request):
        reads.append(request)
        if len(reads) == 1:  # the latest result is still the older, passed precheck's
            return json_response({"results": [drs.precheck_result(ids[0], precheck_id="old-one")], "count": 1})
        return drs.batch_precheck_result(request)
    httpserver.clear_all_handlers()
    for uri, handler in ((STATUS_URI, drs.batch_status), (PRECHECK_URI, drs.batch_precheck), (PRECHECK_RESULT_URI, results),
                         (RETRY_URI, drs.batch_retry)):
        httpserver.expect_request(uri).respond_with_handler(handler)
    run = run_module(main, dict(token_args, jobs=ids))
    assert actions(run) == {ids[0]: "retried"}
    assert len(reads) == 2


def test_alarms_pass_with_a_warning(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_FAILED", 1)
    alarm = {"item": "Time zone", "result": "ALARM", "failed_reason": "time zones differ", "raw_error_msg": None}
    drs.after_precheck[ids[0]] = [drs.precheck_result(ids[0], items=[alarm])]
    run = run_module(main, dict(token_args, jobs=ids))
    assert actions(run) == {ids[0]: "retried"}
    assert any("passed its forRetryJob precheck with 1 alarm(s): Time zone: time zones differ" in warning for warning in run.warnings)


def test_without_precheck_it_retries_at_once_and_sends_is_sync_re_edit_when_asked(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_FAILED", 1)
    run = run_module(main, dict(token_args, jobs=ids, precheck=False, is_sync_re_edit=True))
    assert actions(run) == {ids[0]: "retried"}
    assert drs.requests(PRECHECK_URI) == []
    assert sent(drs) == [{"job_id": ids[0], "is_sync_re_edit": True}]


@pytest.mark.parametrize("status, reason", [
    ("CONFIGURATION", "task is CONFIGURATION, never started: start it with hwcloud.drs.drs_batch_start"),
    ("CREATE_FAILED", "task is CREATE_FAILED, which a retry cannot recover"),
    ("RELEASE_RESOURCE_FAILED", "task is RELEASE_RESOURCE_FAILED, which a retry cannot recover"),
    ("RELEASE_RESOURCE_COMPLETE", "task is RELEASE_RESOURCE_COMPLETE, which cannot be retried"),
    ("CREATING", "task is CREATING, which cannot be retried"),
])
def test_a_task_that_cannot_be_retried_fails_before_anything_is_sent(drs, run_module, token_args, status, reason):
    good = drs.add("INCRE_TRANSFER_FAILED", 1)
    bad = drs.add(status, 1, start=1)
    run = run_module(main, dict(token_args, jobs=good + bad))
    assert run.failed and run.result["changed"] is False
    assert run.msg == "1 of 2 DRS tasks cannot be retried, so none was: 1 task (%s): %s" % (reason, bad[0])
    assert actions(run) == {good[0]: "would_retry", bad[0]: "failed"}
    assert drs.requests(PRECHECK_URI) == [] and drs.requests(RETRY_URI) == []


def test_check_mode_starts_no_precheck_and_sends_no_retry(drs, run_module, token_args):
    failed = drs.add("INCRE_TRANSFER_FAILED", 1)
    paused = drs.add("PAUSEING", 1, start=1)
    running = drs.add("INCRE_TRANSFER_STARTED", 1, start=2)
    run = run_module(main, dict(token_args, jobs=failed + paused + running, wait=True), check_mode=True, diff=True)
    assert run.result["changed"] is True
    assert actions(run) == {failed[0]: "would_retry", paused[0]: "would_resume", running[0]: "already_running"}
    assert run.result["diff"]["after"] == "%s: retry after a forRetryJob precheck\n%s: resume\n%s: INCRE_TRANSFER_STARTED\n" % (
        failed[0], paused[0], running[0])
    assert [request.path for request, _response in drs.server.log] == [STATUS_URI]
    assert run_module(main, dict(token_args, jobs=running), check_mode=True).result["changed"] is False


def test_wait_until_every_task_transfers_again(drs, run_module, token_args):
    ids = drs.add("START_JOB_FAILED", 1)

    def moves_on(fake):
        if fake.tasks[ids[0]] == "STARTJOBING":
            fake.tasks[ids[0]] = "FULL_TRANSFER_STARTED"
    drs.after_read = moves_on
    run = run_module(main, dict(token_args, jobs=ids, precheck=False, wait=True))
    assert run.exit_code == 0 and run.result["results"][0]["status"] == "FULL_TRANSFER_STARTED"
    assert len(drs.requests(STATUS_URI)) == 3, "the first read, a read in STARTJOBING, a read transferring"


def test_wait_fails_at_once_when_a_task_fails_again(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_FAILED", 1)
    drs.errors[ids[0]] = {"error_code": "DRS.M05", "error_message": "binlog purged"}
    drs.retry_to[ids[0]] = "INCRE_TRANSFER_FAILED"
    run = run_module(main, dict(token_args, jobs=ids, precheck=False, wait=True))
    assert run.failed and run.result["changed"] is True and actions(run) == {ids[0]: "retried"}
    assert run.msg == ("1 of 1 DRS task failed again, ended or vanished after the retry: %s (INCRE_TRANSFER_FAILED, DRS.M05: "
                       "binlog purged)" % ids[0])


def test_an_unknown_outcome_is_read_back_and_a_task_running_again_is_not_retried_twice(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_FAILED", 1)
    drs.action_faults.append(json_response({}, status=500))
    run = run_module(main, dict(token_args, jobs=ids, precheck=False))
    assert actions(run) == {ids[0]: "retried"} and len(drs.requests(RETRY_URI)) == 1


def test_the_service_refusing_a_retry_is_reported_per_task(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_FAILED", 2)
    drs.refuse_action[ids[0]] = {"error_code": "DRS.10040018", "error_msg": "Precheck first."}
    run = run_module(main, dict(token_args, jobs=ids, precheck=False))
    assert run.failed and run.result["changed"] is True
    assert run.msg == "1 of 2 DRS tasks failed to retry (1 retried or resumed): 1 task (DRS.10040018: Precheck first.): %s" % ids[0]


@pytest.mark.parametrize("precheck, requests", [(False, {STATUS_URI: 3, RETRY_URI: 3}),
                                                (True, {STATUS_URI: 3, PRECHECK_URI: 3, PRECHECK_RESULT_URI: 3, RETRY_URI: 3})])
def test_request_floor_at_250_tasks(drs, run_module, token_args, precheck, requests):
    ids = drs.add("INCRE_TRANSFER_FAILED", 250)
    run = run_module(main, dict(token_args, jobs=ids, precheck=precheck))
    assert set(actions(run).values()) == {"retried"}
    counted = {}
    for request, _response in drs.server.log:
        counted[request.path] = counted.get(request.path, 0) + 1
    assert counted == requests


def test_bad_precheck_timeout_is_refused(drs, run_module, token_args):
    run = run_module(main, dict(token_args, jobs=drs.add("INCRE_TRANSFER_FAILED", 1), precheck_timeout=-5))
    assert run.failed and run.msg == "precheck_timeout must be between 0 and 2678400, got -5"
    assert drs.server.log == []
