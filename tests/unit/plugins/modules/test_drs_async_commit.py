# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.hwcloud.drs.plugins.modules.drs_async_commit import main

from .fake_drs import ASYNC_URI, FakeDrs, json_response

ASYNC_ID = "bd4193aa-072d-4ce6-beec-adffc7252341"
COMMIT_URI = ASYNC_URI + "/" + ASYNC_ID + "/commit"


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


def commits(drs):
    return drs.requests(COMMIT_URI)


def test_commits_a_validated_job_and_returns_its_tasks(drs, run_module, token_args):
    tasks = drs.add_async_job(ASYNC_ID, "AUTO_PARAM_VALIDATE_SUCCESS", task_count=3)
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID), diff=True)
    assert run.exit_code == 0, run.result
    assert run.result["changed"] is True
    assert run.result["job"] == {"async_job_id": ASYNC_ID, "status": "COMMIT_SUCCESS", "msg": "success"}
    assert run.result["job_ids"] == tasks
    assert run.result["status_before"] == "AUTO_PARAM_VALIDATE_SUCCESS"
    assert run.result["diff"] == {"before": "status: AUTO_PARAM_VALIDATE_SUCCESS\n", "after": "status: COMMIT_SUCCESS\n"}
    assert len(commits(drs)) == 1

    again = run_module(main, dict(token_args, async_job_id=ASYNC_ID))
    assert again.result["changed"] is False and again.result["job"]["status"] == "COMMIT_SUCCESS"
    assert again.result["job_ids"] == tasks
    assert len(commits(drs)) == 1, "an already committed job is not committed again"


def test_check_mode_reads_but_never_commits(drs, run_module, token_args):
    tasks = drs.add_async_job(ASYNC_ID, "AUTO_PARAM_VALIDATE_SUCCESS")
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID), check_mode=True)
    assert run.result["changed"] is True and run.result["job_ids"] == tasks
    assert run.result["job"]["status"] == "AUTO_PARAM_VALIDATE_SUCCESS"
    assert commits(drs) == []


def test_waits_while_validating(drs, run_module, token_args):
    drs.add_async_job(ASYNC_ID, "ASYNC_JOB_VALIDATING")
    reads = []

    def list_then_validate(request):
        reads.append(request)
        if len(reads) == 3:
            drs.async_jobs[ASYNC_ID] = "AUTO_PARAM_VALIDATE_SUCCESS"
        return drs.list_async_jobs(request)
    drs.server.clear_all_handlers()
    drs.server.expect_request(ASYNC_URI).respond_with_handler(list_then_validate)
    drs.server.expect_request(ASYNC_URI + "/" + ASYNC_ID).respond_with_handler(drs.async_detail)
    drs.server.expect_request(COMMIT_URI).respond_with_handler(drs.commit)
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID, poll_interval=1))
    assert run.result["changed"] is True and run.result["status_before"] == "ASYNC_JOB_VALIDATING"
    assert len(reads) == 3 and len(commits(drs)) == 1


def test_validation_that_takes_too_long_times_out(drs, run_module, token_args):
    drs.add_async_job(ASYNC_ID, "ASYNC_JOB_VALIDATING")
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID, wait_timeout=0))
    assert run.failed and "Timed out after 0s waiting for batch async job %s to finish validating" % ASYNC_ID \
        in run.result["msg"]
    assert commits(drs) == []


def test_failed_validation_fails_clearly(drs, run_module, token_args):
    drs.add_async_job(ASYNC_ID, "ASYNC_JOB_VALIDATE_FAILED")
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID))
    assert run.failed and "failed parameter validation (ASYNC_JOB_VALIDATE_FAILED)" in run.result["msg"]
    assert commits(drs) == []


def test_failed_validation_names_the_apis_reasons(drs, run_module, token_args):
    tasks = drs.add_async_job(ASYNC_ID, "ASYNC_JOB_VALIDATE_FAILED", task_count=4)
    unreachable = {"error_code": "DRS.10050013", "error_msg": "The source database cannot be connected."}
    errors = {tasks[0]: unreachable, tasks[2]: unreachable, tasks[3]: {"error_message": "Invalid target port."}}

    def list_with_error(request):
        return json_response({"total_count": 1, "jobs": [{
            "async_job_id": ASYNC_ID, "status": "ASYNC_JOB_VALIDATE_FAILED",
            "error_code": "DRS.10050012", "error_msg": "Parameter validation failed for 3 tasks."}]})

    def detail_with_errors(request):
        return json_response({"total_count": 4, "jobs": [dict({"id": task_id, "status": "CREATING"}, **errors.get(task_id, {}))
                                                         for task_id in tasks]})
    drs.server.clear_all_handlers()
    drs.server.expect_request(ASYNC_URI).respond_with_handler(list_with_error)
    drs.server.expect_request(ASYNC_URI + "/" + ASYNC_ID).respond_with_handler(detail_with_errors)
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID), check_mode=True)
    assert run.failed
    assert run.result["msg"] == (
        "Batch async job %s failed parameter validation (ASYNC_JOB_VALIDATE_FAILED): DRS.10050012: Parameter validation "
        "failed for 3 tasks.; 2 tasks (DRS.10050013: The source database cannot be connected.): %s, %s; 1 task (Invalid "
        "target port.): %s. Fix the tasks' parameters and let it validate again" % (ASYNC_ID, tasks[0], tasks[2], tasks[3]))


def test_failed_validation_without_a_reason_says_so(drs, run_module, token_args):
    drs.add_async_job(ASYNC_ID, "ASYNC_JOB_VALIDATE_FAILED")
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID))
    assert run.result["msg"] == ("Batch async job %s failed parameter validation (ASYNC_JOB_VALIDATE_FAILED): the API gives "
                                 "no reason (the DRS console shows it for each task). Fix the tasks' parameters and let "
                                 "it validate again" % ASYNC_ID)


def test_commit_400_is_a_clear_failure(drs, run_module, token_args):
    drs.add_async_job(ASYNC_ID, "AUTO_PARAM_VALIDATE_SUCCESS", commit_answer=lambda request: json_response(
        {"error_code": "DRS.10000001", "error_msg": "Failed."}, status=400))
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID))
    assert run.failed
    assert run.result["msg"].startswith("Failed to commit the DRS batch async job %s: POST " % ASYNC_ID)
    assert run.result["msg"].endswith("HTTP 400 DRS.10000001: Failed.")


def test_lost_commit_answer_is_read_back(drs, run_module, token_args):
    def commit_then_lose(request):
        drs.commit(request)
        return json_response({}, status=502)
    drs.add_async_job(ASYNC_ID, "AUTO_PARAM_VALIDATE_SUCCESS", commit_answer=commit_then_lose)
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID))
    assert run.exit_code == 0 and run.result["changed"] is True
    assert run.result["job"]["status"] == "COMMIT_SUCCESS"
    assert len(commits(drs)) == 1


def test_unknown_async_job(drs, run_module, token_args):
    drs.add_async_job("aaaaaaaa-072d-4ce6-beec-adffc7252341", "COMMIT_SUCCESS")
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID))
    assert run.failed and "no batch async job has this ID in project" in run.result["msg"]


def test_region_without_the_v5_api_says_so(httpserver, run_module, token_args):
    httpserver.expect_request(ASYNC_URI).respond_with_json(
        {"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published"}, status=404)
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID))
    assert run.failed
    assert "does not offer the DRS batch async API" in run.result["msg"]


@pytest.mark.parametrize("async_job_id", ["", "a/b", "x" * 65, "id with space"])
def test_malformed_id(run_module, token_args, async_job_id):
    run = run_module(main, dict(token_args, async_job_id=async_job_id))
    assert run.failed and run.result["msg"].startswith("async_job_id: ")


@pytest.mark.parametrize("args, message", [
    (dict(wait_timeout=-5), "wait_timeout must be between 0 and 2678400 seconds, got -5"),
    (dict(poll_interval=0), "poll_interval must be between 0.1 and 86400 seconds, got 0.0"),
    (dict(outage_tolerance=-1), "outage_tolerance must be between 0 and 2678400 seconds, got -1"),
    (dict(timeout=-1), "timeout must be at least 1 second, got -1"),
    (dict(retries=-1), "retries must be between 0 and 10, got -1"),
    (dict(endpoint="https://drs.example.com/v5?async=1"), "endpoint must be a base URL without a query string or fragment"),
])
def test_bad_options_are_refused_by_name_before_any_call(httpserver, run_module, token_args, args, message):
    run = run_module(main, dict(token_args, async_job_id=ASYNC_ID, **args))
    assert run.failed and message in run.result["msg"]
    assert httpserver.log == []
