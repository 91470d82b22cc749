# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

import pytest
from werkzeug import Response

from ansible_collections.hwcloud.drs.plugins.modules.drs_batch_start import main

from .fake_drs import START_URI, STATUS_URI, FakeDrs, job_id, json_response


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


def sent_job_ids(drs):
    return [job["job_id"] for request in drs.requests(START_URI) for job in request.get_json()["jobs"]]


def actions(run):
    return dict((entry["job_id"], entry["action"]) for entry in run.result["results"])


def test_starts_only_jobs_that_need_it_and_a_rerun_changes_nothing(drs, run_module, token_args):
    ready = drs.add("CONFIGURATION", 2)
    running = drs.add("FULL_TRANSFER_STARTED", 1, start=10) + drs.add("WAITING_FOR_START", 1, start=20)
    run = run_module(main, dict(token_args, jobs=ready + running))
    assert run.exit_code == 0 and run.result["changed"] is True
    assert actions(run) == {ready[0]: "started", ready[1]: "started", running[0]: "already_started",
                            running[1]: "already_started"}
    assert run.result["results"][0] == {"job_id": ready[0], "status_before": "CONFIGURATION", "status_class": "startable", "action": "started",
                                        "start_time": None, "error_code": None, "error_msg": None}
    assert sent_job_ids(drs) == ready
    assert drs.requests(START_URI)[0].get_json() == {"jobs": [{"job_id": ready[0]}, {"job_id": ready[1]}]}

    again = run_module(main, dict(token_args, jobs=ready + running))
    assert again.result["changed"] is False
    assert set(actions(again).values()) == {"already_started"}
    assert len(drs.requests(START_URI)) == 1, "the second run sends no start"


def test_check_mode_reads_and_plans_but_sends_no_start(drs, run_module, token_args):
    ready = drs.add("CONFIGURATION", 1)
    running = drs.add("INCRE_TRANSFER_STARTED", 1, start=5)
    run = run_module(main, dict(token_args, jobs=ready + running), check_mode=True)
    assert run.result["changed"] is True
    assert actions(run) == {ready[0]: "would_start", running[0]: "already_started"}
    assert drs.requests(START_URI) == [] and len(drs.requests(STATUS_URI)) == 1


def test_check_mode_on_a_started_batch_reports_no_change(drs, run_module, token_args):
    run = run_module(main, dict(token_args, jobs=drs.add("INCRE_TRANSFER_STARTED", 2)), check_mode=True)
    assert run.result["changed"] is False


def test_diff_shows_status_before_and_the_plan(drs, run_module, token_args):
    ready = drs.add("CONFIGURATION", 1)
    running = drs.add("INCRE_TRANSFER_STARTED", 1, start=5)
    run = run_module(main, dict(token_args, jobs=ready + [{"job_id": running[0]}], start_time=1906504200000),
                     check_mode=True, diff=True)
    assert run.result["diff"] == {
        "before": "%s: CONFIGURATION\n%s: INCRE_TRANSFER_STARTED\n" % (ready[0], running[0]),
        "after": "%s: start at 2030-06-01T00:30:00Z (1906504200000)\n%s: INCRE_TRANSFER_STARTED\n" % (ready[0], running[0]),
    }


@pytest.mark.parametrize("count, chunk_size, posts", [(250, 100, 3), (10, 3, 4), (100, 100, 1)])
def test_large_batches_are_sent_in_chunks(drs, run_module, token_args, count, chunk_size, posts):
    ids = drs.add("CONFIGURATION", count)
    run = run_module(main, dict(token_args, jobs=ids, chunk_size=chunk_size))
    assert set(actions(run).values()) == {"started"}
    assert len(drs.requests(START_URI)) == posts
    assert sent_job_ids(drs) == ids
    assert len(drs.requests(STATUS_URI)) == -(-count // 100)


def test_a_202_with_failed_jobs_reports_each_and_fails(drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 3)
    drs.refuse_start[ids[1]] = {"error_code": "DRS.10030011", "error_msg": "Forward task is not INCRE_TRANSFER_STARTED."}
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.failed and run.result["changed"] is True
    assert actions(run) == {ids[0]: "started", ids[1]: "failed", ids[2]: "started"}
    assert run.result["msg"] == ("1 of 3 DRS tasks failed to start (2 started): 1 task (DRS.10030011: Forward task is not "
                                 "INCRE_TRANSFER_STARTED.): %s" % ids[1])


@pytest.mark.parametrize("status", ["CREATING", "CREATE_FAILED", "RELEASE_RESOURCE_COMPLETE", "FULL_TRANSFER_FAILED"])
def test_a_job_that_cannot_start_fails_before_anything_is_sent(drs, run_module, token_args, status):
    ready = drs.add("CONFIGURATION", 1)
    stuck = drs.add(status, 1, start=9)
    run = run_module(main, dict(token_args, jobs=ready + stuck))
    assert run.failed and run.result["changed"] is False
    assert run.result["msg"] == "1 of 2 DRS tasks cannot be started, so none was: 1 task (task is %s, which cannot be started): %s" \
        % (status, stuck[0])
    assert actions(run) == {ready[0]: "would_start", stuck[0]: "failed"}
    assert drs.requests(START_URI) == []


@pytest.mark.parametrize("value, sent", [
    (1906504200000, "1906504200000"),
    ("1906504200000", "1906504200000"),
    ("2030-06-01T02:30:00+02:00", "1906504200000"),
    ("2030-06-01T00:30:00Z", "1906504200000"),
    ("2030-06-01 00:30:00.000+00:00", "1906504200000"),
])
def test_start_time_forms(drs, run_module, token_args, value, sent):
    ids = drs.add("CONFIGURATION", 2)
    run = run_module(main, dict(token_args, jobs=[ids[0], {"job_id": ids[1], "start_time": value}]))
    assert drs.requests(START_URI)[0].get_json() == {"jobs": [{"job_id": ids[0]}, {"job_id": ids[1], "start_time": sent}]}
    assert run.result["results"][1]["start_time"] == sent


@pytest.mark.parametrize("args, message", [
    (dict(start_time=1906504200), "start_time: 1906504200 looks like epoch seconds; give epoch milliseconds (1906504200000)"),
    (dict(start_time="2025-12-01T02:00:00"), "is not epoch milliseconds nor an ISO 8601 date-time with a UTC offset"),
    (dict(start_time="tomorrow"), "start_time: 'tomorrow' is not epoch milliseconds"),
    (dict(start_time=True), "start_time: True is not a start time"),
    (dict(start_time=[1]), "start_time: [1] (list) is not a start time"),
    (dict(jobs=[{"job_id": job_id(1), "when": 1}]), "jobs[0]: unknown key(s) when"),
    (dict(jobs=[{"start_time": 1906504200000}]), "jobs[0]: job_id is required"),
    (dict(jobs=[job_id(1), {"job_id": job_id(1), "start_time": 1906504200000}]),
     "jobs[1]: task %s is listed twice with different start times" % job_id(1)),
    (dict(jobs=[42]), "jobs[0]: 42 is not a valid DRS ID"),
    (dict(jobs=[]), "jobs: give at least one task ID"),
    (dict(jobs=["x" * 65]), "is not a valid DRS ID"),
    (dict(chunk_size=0), "chunk_size must be between 1 and 100"),
    (dict(chunk_size=-10), "chunk_size must be between 1 and 100, got -10"),
    (dict(timeout=-1), "timeout must be at least 1 second, got -1"),
    (dict(chunk_size=101), "chunk_size must be between 1 and 100"),
])
def test_bad_input_is_a_clear_error(drs, run_module, token_args, args, message):
    drs.add("CONFIGURATION", 2)
    run = run_module(main, dict(dict(token_args, jobs=[job_id(0)]), **args))
    assert run.failed
    assert message in run.result["msg"]
    assert drs.requests(START_URI) == []


def test_unknown_outcome_is_read_back_before_sending_again(drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 2)
    drs.start_faults.append(json_response({"error_code": "APIGW.0203", "error_msg": "Bad Gateway"}, status=502))
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.exit_code == 0, run.result
    assert set(actions(run).values()) == {"started"}
    assert len(drs.requests(START_URI)) == 1, "the start reached the service, so it is not sent twice"
    assert len(drs.requests(STATUS_URI)) == 2


def start_requests_answering(httpserver, drs, number, response):
    """The start requests the fake gets, the ``number``-th of which is answered ``response`` without
    starting anything; the others start as the fake does."""
    calls = []

    def answer(request):
        calls.append(request)
        return response if len(calls) == number else drs.batch_start(request)
    httpserver.clear_all_handlers()
    httpserver.expect_request(STATUS_URI).respond_with_handler(drs.batch_status)
    httpserver.expect_request(START_URI).respond_with_handler(answer)
    return calls


def test_unknown_outcome_where_nothing_started_sends_again(httpserver, drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 1)
    calls = start_requests_answering(httpserver, drs, 1, json_response({}, status=504))
    run = run_module(main, dict(token_args, jobs=ids))
    assert actions(run) == {ids[0]: "started"}
    assert len(calls) == 2


def test_unknown_outcome_where_a_task_failed_meanwhile_fails_it_without_sending_again(httpserver, drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 2)
    calls = []

    def answer(request):
        calls.append(request)
        if len(calls) > 1:
            return drs.batch_start(request)
        drs.tasks[ids[1]] = "START_JOB_FAILED"  # the lost start failed for this task, started nothing for the other
        return json_response({}, status=504)
    httpserver.clear_all_handlers()
    httpserver.expect_request(STATUS_URI).respond_with_handler(drs.batch_status)
    httpserver.expect_request(START_URI).respond_with_handler(answer)
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.failed and actions(run) == {ids[0]: "started", ids[1]: "failed"}
    assert run.result["results"][1]["error_msg"] == "task is START_JOB_FAILED after the start request"
    assert len(calls) == 2 and [job["job_id"] for job in json.loads(calls[1].data)["jobs"]] == [ids[0]]


def test_a_chunk_that_fails_stops_the_rest_and_says_what_started(httpserver, drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 3)
    calls = start_requests_answering(httpserver, drs, 2,
                                     json_response({"error_code": "DRS.10000001", "error_msg": "Failed."}, status=400))
    run = run_module(main, dict(token_args, jobs=ids, chunk_size=1))
    assert run.failed and run.result["changed"] is True
    assert actions(run) == {ids[0]: "started", ids[1]: "failed", ids[2]: "failed"}
    assert run.result["results"][1]["error_code"] == "DRS.10000001"
    assert "2 of 3 DRS tasks failed to start (1 started)" in run.result["msg"]
    assert len(calls) == 2


def test_a_refused_chunk_is_named_once_with_its_tasks_and_what_was_not_sent(httpserver, drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 1234)
    calls = start_requests_answering(httpserver, drs, 3, Response(
        json.dumps({"error_code": "DRS.10000001", "error_msg": "Failed."}), status=400, headers={"X-Request-Id": "rq-3"},
        content_type="application/json"))
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.failed and len(calls) == 3
    assert run.result["msg"] == (
        "1034 of 1234 DRS tasks failed to start (200 started): "
        "100 tasks (start refused, chunk 3 of 13: POST /v3/%s/jobs/batch-starting: HTTP 400 DRS.10000001: Failed. "
        "(request id rq-3)): %s and 80 more; "
        "934 tasks (not sent, because chunk 3 of 13 was refused): %s and 914 more"
        % (token_args["project_id"], ", ".join(ids[200:220]), ", ".join(ids[300:320])))
    by_id = dict((entry["job_id"], entry) for entry in run.result["results"])
    assert by_id[ids[0]]["action"] == "started"
    assert by_id[ids[250]]["action"] == "failed" and by_id[ids[250]]["error_code"] == "DRS.10000001"
    assert by_id[ids[300]]["action"] == "failed" and by_id[ids[300]]["error_code"] is None
    assert by_id[ids[300]]["error_msg"] == "not sent, because chunk 3 of 13 was refused"


def test_per_task_refusals_are_grouped_by_reason(drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 5)
    for task_id in ids[1:4]:
        drs.refuse_start[task_id] = {"error_code": "DRS.10030011", "error_msg": "Forward task is not INCRE_TRANSFER_STARTED."}
    drs.refuse_start[ids[4]] = {"error_code": "DRS.10030012", "error_msg": "Quota exceeded."}
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.result["msg"] == (
        "4 of 5 DRS tasks failed to start (1 started): 3 tasks (DRS.10030011: Forward task is not INCRE_TRANSFER_STARTED.): "
        "%s; 1 task (DRS.10030012: Quota exceeded.): %s" % (", ".join(ids[1:4]), ids[4]))
    assert [entry["error_msg"] for entry in run.result["results"]][1:] == \
        ["Forward task is not INCRE_TRANSFER_STARTED."] * 3 + ["Quota exceeded."]


def test_one_task_is_one_task(drs, run_module, token_args):
    ids = drs.add("CREATING", 1)
    run = run_module(main, dict(token_args, jobs=ids))
    assert run.result["msg"].startswith("1 of 1 DRS task cannot be started, so none was: 1 task (task is CREATING")


def test_check_mode_of_a_refused_plan_changes_nothing(drs, run_module, token_args):
    ready = drs.add("CONFIGURATION", 1)
    failed = drs.add("FULL_TRANSFER_FAILED", 1, start=10)
    run = run_module(main, dict(token_args, jobs=ready + failed), check_mode=True)
    assert run.failed and run.result["changed"] is False
