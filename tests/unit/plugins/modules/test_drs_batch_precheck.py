# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One run of drs_batch_precheck is one read (the action plugin repeats it): plan, start, judge."""

import pytest

from ansible_collections.hwcloud.drs.plugins.modules.drs_batch_precheck import main

from .fake_drs import PRECHECK_RESULT_URI, PRECHECK_URI, STATUS_URI, FakeDrs, job_id, json_response
from .test_drs_batch_status import warning_texts

FAILED_ITEM = {"item": "source_db_connection", "result": "FAILED", "failed_reason": "The source database cannot be connected.",
               "raw_error_msg": "Access denied for user 'drs'", "group": "database_connection", "data": None,
               "failed_sub_jobs": [{"id": "sub-1", "name": "orders-sub", "check_result": "FAILED"}]}
ALARM_ITEM = {"item": "binlog_retention", "result": "ALARM", "failed_reason": "Binlog kept less than 3 days."}


@pytest.fixture
def drs(httpserver):
    """Tasks 0-299 are in CONFIGURATION, the status a precheck before the start is for."""
    fake = FakeDrs(httpserver)
    fake.add("CONFIGURATION", 300)
    return fake


def by_id(run):
    return dict((entry["job_id"], entry) for entry in run.result["results"])


def started_bodies(drs):
    return [request.get_json() for request in drs.requests(PRECHECK_URI)]


def test_a_first_read_starts_the_prechecks_of_tasks_never_prechecked(drs, run_module, token_args):
    ids = [job_id(number) for number in range(3)]
    run = run_module(main, dict(token_args, jobs=ids + ids[:1]))
    assert not run.failed and run.result["changed"] is True and run.result["reached"] is False
    assert started_bodies(drs) == [{"jobs": [{"job_id": task_id, "precheck_mode": "forStartJob"} for task_id in ids]}]
    # one read before the start; the results of the new prechecks are read at the next poll
    assert [request.get_json() for request in drs.requests(PRECHECK_RESULT_URI)] == [{"jobs": ids}]
    assert run.result["results"][0] == {
        "job_id": ids[0], "action": "started", "precheck_id": "pc-%s-1" % ids[0], "replaced_precheck_id": None,
        "result": "running", "progress": None, "pass_rate": None, "failed_items": [], "alarm_items": [], "error_code": None,
        "error_msg": None}
    assert run.result["summary"] == {"running": 3}


def test_resumed_reads_wait_for_the_precheck_started_and_pass(drs, run_module, token_args):
    ids = [job_id(number) for number in range(2)]
    drs.after_precheck[ids[0]] = [drs.precheck_result(ids[0], progress="40%", passed=False, rate="100%"),
                                  drs.precheck_result(ids[0])]
    first = run_module(main, dict(token_args, jobs=ids))
    resume = [dict((key, entry[key]) for key in ("job_id", "action", "precheck_id")) for entry in first.result["results"]]
    second = run_module(main, dict(token_args, jobs=ids, resume=resume))
    assert second.result["reached"] is False and second.result["changed"] is True
    assert [(entry["result"], entry["progress"]) for entry in second.result["results"]] == [("running", 40), ("passed", 100)]
    third = run_module(main, dict(token_args, jobs=ids, resume=resume))
    assert not third.failed and third.result["reached"] is True and third.result["summary"] == {"passed": 2}
    assert [entry["action"] for entry in third.result["results"]] == ["started", "started"]
    assert len(drs.requests(PRECHECK_URI)) == 1


def test_an_older_result_is_not_taken_for_the_new_precheck(drs, run_module, token_args):
    task = job_id(1)
    drs.precheck_results[task] = drs.precheck_result(task, passed=False, items=[FAILED_ITEM], precheck_id="pc-old")
    run = run_module(main, dict(token_args, jobs=[task], resume=[dict(job_id=task, action="started", precheck_id="pc-new",
                                                                      replaced_precheck_id="pc-old")]))
    assert not run.failed and run.result["reached"] is False
    assert run.result["results"][0]["precheck_id"] == "pc-new" and run.result["results"][0]["result"] == "running"
    assert drs.requests(PRECHECK_URI) == []


def test_a_newer_precheck_started_meanwhile_is_followed_to_its_end(drs, run_module, token_args):
    """Someone (a console, a second launch) started another precheck of the task while this one ran: DRS
    keeps only the newest, so the task's latest result is followed instead of waiting for one that never comes."""
    task = job_id(1)
    drs.precheck_results[task] = drs.precheck_result(task, precheck_id="pc-someone-else")
    run = run_module(main, dict(token_args, jobs=[task], resume=[dict(job_id=task, action="started", precheck_id="pc-mine",
                                                                      replaced_precheck_id="pc-old")]))
    assert not run.failed and run.result["reached"] is True
    assert (run.result["results"][0]["precheck_id"], run.result["results"][0]["result"]) == ("pc-someone-else", "passed")


def test_a_precheck_the_api_no_longer_knows_is_started_again_once(drs, run_module, token_args):
    task = job_id(1)
    drs.tasks[task] = "CONFIGURATION"
    resume = [dict(job_id=task, action="started", precheck_id="pc-lost", replaced_precheck_id=None)]
    run = run_module(main, dict(token_args, jobs=[task], resume=resume))
    assert not run.failed and run.result["changed"] is True and run.result["reached"] is False
    entry = run.result["results"][0]
    assert entry["action"] == "restarted" and entry["precheck_id"] == "pc-%s-1" % task
    assert [request.get_json() for request in drs.requests(PRECHECK_URI)] == [
        {"jobs": [{"job_id": task, "precheck_mode": "forStartJob"}]}]
    # once restarted, a precheck the API does not show is waited for, not started a third time
    again = run_module(main, dict(token_args, jobs=[job_id(2)], resume=[dict(job_id=job_id(2), action="restarted",
                                                                             precheck_id="pc-restarted")]))
    assert not again.failed and again.result["results"][0]["result"] == "running"
    assert len(drs.requests(PRECHECK_URI)) == 1


def test_a_precheck_that_passed_is_not_started_again_unless_forced(drs, run_module, token_args):
    passed, never = job_id(1), job_id(2)
    drs.precheck_results[passed] = drs.precheck_result(passed, items=[ALARM_ITEM])
    run = run_module(main, dict(token_args, jobs=[passed]))
    assert not run.failed and run.result["changed"] is False and run.result["reached"] is True
    assert by_id(run)[passed]["action"] == "already_passed" and drs.requests(PRECHECK_URI) == []
    assert by_id(run)[passed]["alarm_items"][0]["item"] == "binlog_retention"
    assert warning_texts(run.result) == ["Task %s passed its precheck with 1 alarm(s): binlog_retention: Binlog kept less "
                                         "than 3 days." % passed]

    forced = run_module(main, dict(token_args, jobs=[passed, never], force=True))
    assert forced.result["changed"] is True
    assert started_bodies(drs) == [{"jobs": [{"job_id": passed, "precheck_mode": "forStartJob"},
                                             {"job_id": never, "precheck_mode": "forStartJob"}]}]


def test_a_running_precheck_is_waited_for_not_started_twice(drs, run_module, token_args):
    task = job_id(1)
    drs.precheck_results[task] = drs.precheck_result(task, progress="60%", passed=False, rate="100%")
    run = run_module(main, dict(token_args, jobs=[task], force=True))
    assert run.result["changed"] is False and run.result["reached"] is False
    assert by_id(run)[task]["action"] == "already_running" and by_id(run)[task]["progress"] == 60
    assert drs.requests(PRECHECK_URI) == []


def test_check_mode_starts_nothing_and_shows_why_a_precheck_would_run_again(drs, run_module, token_args):
    failed, never, passed = job_id(1), job_id(2), job_id(3)
    drs.precheck_results[failed] = drs.precheck_result(failed, passed=False, items=[FAILED_ITEM])
    drs.precheck_results[passed] = drs.precheck_result(passed)
    run = run_module(main, dict(token_args, jobs=[failed, never, passed]), check_mode=True)
    assert not run.failed and run.result["changed"] is True and run.result["reached"] is True
    assert [(entry["action"], entry["result"]) for entry in run.result["results"]] == [
        ("would_start", "failed"), ("would_start", None), ("already_passed", "passed")]
    assert by_id(run)[never]["error_code"] == "DRS.10040016" and by_id(run)[never]["precheck_id"] is None
    assert drs.requests(PRECHECK_URI) == []


def test_a_failed_item_fails_at_once_naming_each_item_and_its_reason(drs, run_module, token_args):
    bad, good = job_id(1), job_id(2)
    second = dict(FAILED_ITEM, item="target_db_space", failed_reason="Not enough space.", raw_error_msg=None)
    # still checking other items, but one failed already: the precheck cannot pass any more
    drs.precheck_results[bad] = drs.precheck_result(bad, progress="70%", passed=False, rate="50%",
                                                    items=[FAILED_ITEM, ALARM_ITEM, second])
    drs.precheck_results[good] = drs.precheck_result(good, progress="70%", passed=False, rate="100%")
    run = run_module(main, dict(token_args, jobs=[bad, good], resume=[
        dict(job_id=bad, action="started", precheck_id="pc-" + bad), dict(job_id=good, action="started", precheck_id="pc-" + good)]))
    assert run.failed
    assert run.result["msg"] == (
        "The precheck of DRS tasks failed: 1 of 2 did not pass: %s (pass rate 50%%, 2 failed item(s): source_db_connection: "
        "The source database cannot be connected. (Access denied for user 'drs'), target_db_space: Not enough space.)" % bad)
    entry = by_id(run)[bad]
    assert entry["result"] == "failed"
    assert [item["item"] for item in entry["failed_items"]] == ["source_db_connection", "target_db_space"]
    assert entry["failed_items"][0] == dict((key, FAILED_ITEM[key]) for key in (
        "item", "failed_reason", "raw_error_msg", "group", "data", "failed_sub_jobs"))
    assert [item["item"] for item in entry["alarm_items"]] == ["binlog_retention"]


@pytest.mark.parametrize("result, expected", [
    (dict(process="100%", result=False, total_passed_rate="100%"), "passed"),
    (dict(process="100%", result=True, total_passed_rate="90%"), "passed"),
    (dict(process="100%", result=False, total_passed_rate="90%"), "failed"),
    (dict(process="99.5%", result=False, total_passed_rate="100%"), "running"),
    (dict(result=True), "passed"),
    (dict(result=False, process="soon"), "running"),
])
def test_when_a_precheck_has_passed(drs, run_module, token_args, result, expected):
    task = job_id(1)
    drs.precheck_results[task] = dict(result, precheck_id="pc-1")
    run = run_module(main, dict(token_args, jobs=[task], resume=[dict(job_id=task, action="started", precheck_id="pc-1")]))
    assert run.result["results"][0]["result"] == expected
    assert run.failed is (expected == "failed")


def test_a_complete_precheck_without_items_that_did_not_pass_says_so(drs, run_module, token_args):
    task = job_id(1)
    drs.precheck_results[task] = dict(drs.precheck_result(task, passed=False, rate="0%"), error_code="DRS.10050001",
                                      error_msg="Precheck failed to run.")
    run = run_module(main, dict(token_args, jobs=[task], resume=[dict(job_id=task, action="already_running",
                                                                      precheck_id="pc-" + task)]))
    assert run.failed and run.result["msg"].endswith(
        "%s (pass rate 0%%, no failed item reported: DRS.10050001: Precheck failed to run.)" % task)


def test_a_refused_start_is_named_with_the_api_error_after_every_chunk(drs, run_module, token_args):
    ids = [job_id(number) for number in range(150)]
    drs.refuse_precheck[ids[120]] = {"error_code": "DRS.10040011", "error_msg": "The job status does not allow this operation."}
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.failed
    assert run.result["msg"] == ("The precheck of DRS tasks failed: 1 of 150 could not be prechecked: %s (DRS.10040011: The "
                                 "job status does not allow this operation.)" % ids[120])
    assert [len(body["jobs"]) for body in started_bodies(drs)] == [100, 50]
    assert len(drs.requests(PRECHECK_RESULT_URI)) == 2
    assert run.result["summary"] == {"running": 149, "none": 1}


def test_a_start_answer_without_the_task_is_a_refusal(httpserver, drs, run_module, token_args):
    httpserver.clear()
    httpserver.expect_request(STATUS_URI).respond_with_handler(drs.batch_status)
    httpserver.expect_request(PRECHECK_RESULT_URI).respond_with_response(json_response({"results": [{}], "count": 1}))
    httpserver.expect_request(PRECHECK_URI).respond_with_response(json_response({"results": [], "count": 0}))
    run = run_module(main, dict(token_args, jobs=[job_id(1)]))
    assert run.failed and "the service's answer does not mention the task" in run.result["msg"]


def test_results_that_cannot_be_matched_to_the_tasks_are_an_error(httpserver, drs, run_module, token_args):
    httpserver.clear()
    httpserver.expect_request(STATUS_URI).respond_with_handler(drs.batch_status)
    httpserver.expect_request(PRECHECK_RESULT_URI).respond_with_response(json_response({"results": [{}], "count": 1}))
    run = run_module(main, dict(token_args, jobs=[job_id(1), job_id(2)]))
    assert run.failed and "1 results for 2 task IDs" in run.result["msg"]
    assert run.result["api_error"]["transient"] is True


def test_resume_must_cover_every_task(drs, run_module, token_args):
    run = run_module(main, dict(token_args, jobs=[job_id(1), job_id(2)],
                                resume=[dict(job_id=job_id(1), action="started", precheck_id="pc-1")]))
    assert run.failed and run.result["msg"] == "resume: no entry for 1 task(s) of jobs: %s" % job_id(2)


@pytest.mark.parametrize("args, message", [
    (dict(jobs=[]), "jobs: give at least one task ID"),
    (dict(jobs=["bad id!"]), "jobs[0]: 'bad id!' is not a valid DRS ID"),
    (dict(precheck_mode="forever"), "value of precheck_mode must be one of"),
])
def test_bad_input_is_named(drs, run_module, token_args, args, message):
    run = run_module(main, dict(dict(token_args, jobs=[job_id(1)]), **args))
    assert run.failed and message in run.result["msg"]
    assert drs.requests(PRECHECK_URI) == []


def test_tasks_the_precheck_is_not_for_are_not_prechecked(drs, run_module, token_args):
    ready = job_id(1)
    running = drs.add("INCRE_TRANSFER_STARTED", 1, start=1000)[0]
    failed = drs.add("FULL_TRANSFER_FAILED", 1, start=2000)[0]
    run = run_module(main, dict(token_args, jobs=[ready, running, failed]))
    assert not run.failed, run.result
    assert [entry["action"] for entry in run.result["results"]] == ["started", "not_needed", "not_needed"]
    assert started_bodies(drs) == [{"jobs": [{"job_id": ready, "precheck_mode": "forStartJob"}]}]
    resume = [dict((key, entry[key]) for key in ("job_id", "action", "precheck_id")) for entry in run.result["results"]]
    drs.precheck_results[ready] = drs.precheck_result(ready, precheck_id="pc-%s-1" % ready)
    again = run_module(main, dict(token_args, jobs=[ready, running, failed], resume=resume))
    assert not again.failed and again.result["reached"] is True, again.result


def test_a_launched_batch_needs_no_precheck(drs, run_module, token_args):
    running = drs.add("INCRE_TRANSFER_STARTED", 3, start=1000)
    run = run_module(main, dict(token_args, jobs=running))
    assert not run.failed and run.result["changed"] is False and run.result["reached"] is True
    assert started_bodies(drs) == [] and drs.requests(PRECHECK_RESULT_URI) == [], "one status read, nothing else"


def test_a_retry_precheck_is_for_the_failed_tasks(drs, run_module, token_args):
    ready = job_id(1)
    failed = drs.add("FULL_TRANSFER_FAILED", 1, start=2000)[0]
    run = run_module(main, dict(token_args, jobs=[ready, failed], precheck_mode="forRetryJob"))
    assert [entry["action"] for entry in run.result["results"]] == ["not_needed", "started"]
    assert started_bodies(drs) == [{"jobs": [{"job_id": failed, "precheck_mode": "forRetryJob"}]}]


def test_a_reason_the_api_repeats_as_its_raw_message_is_shown_once(drs, run_module, token_args):
    task = job_id(1)
    drs.tasks[task] = "CONFIGURATION"
    item = {"item": "disk_space", "result": "FAILED", "failed_reason": "needs 120 GB, 80 GB free",
            "raw_error_msg": "needs 120 GB, 80 GB free"}
    drs.precheck_results[task] = drs.precheck_result(task, passed=False, items=[item])
    run = run_module(main, dict(token_args, jobs=[task], resume=[dict(job_id=task, action="already_running",
                                                                      precheck_id="pc-" + task)]))
    assert run.failed and "disk_space: needs 120 GB, 80 GB free" in run.result["msg"]
    assert "needs 120 GB, 80 GB free (needs" not in run.result["msg"]
