# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.hwcloud.drs.plugins.modules.drs_batch_status import main

from .fake_drs import STATUS_URI, FakeDrs, job_id


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


def test_reads_once_in_order_without_duplicates(drs, run_module, token_args):
    running = drs.add("INCRE_TRANSFER_STARTED", 2)
    failed = drs.add("FULL_TRANSFER_FAILED", 1, start=10)
    drs.errors[failed[0]] = {"error_code": "DRS.10030033", "error_message": "Full migration failed."}
    run = run_module(main, dict(token_args, jobs=failed + running + running))
    assert run.exit_code == 0 and run.result["changed"] is False
    assert run.result["jobs"] == [
        {"id": failed[0], "status": "FULL_TRANSFER_FAILED", "error_code": "DRS.10030033",
         "error_message": "Full migration failed."},
        {"id": running[0], "status": "INCRE_TRANSFER_STARTED", "error_code": None, "error_message": None},
        {"id": running[1], "status": "INCRE_TRANSFER_STARTED", "error_code": None, "error_message": None},
    ]
    assert run.result["status_by_id"] == {failed[0]: "FULL_TRANSFER_FAILED", running[0]: "INCRE_TRANSFER_STARTED",
                                          running[1]: "INCRE_TRANSFER_STARTED"}
    assert run.result["summary"] == {"FULL_TRANSFER_FAILED": 1, "INCRE_TRANSFER_STARTED": 2}
    assert run.result["polls"] == 1


def test_runs_in_check_mode(drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 3)
    run = run_module(main, dict(token_args, jobs=ids), check_mode=True)
    assert run.result["summary"] == {"CONFIGURATION": 3}


@pytest.mark.parametrize("count, calls", [(0, 0), (1, 1), (100, 1), (101, 2), (1000, 10)])
def test_pages_through_any_number_of_jobs(drs, run_module, token_args, count, calls):
    ids = drs.add("CONFIGURATION", count)
    run = run_module(main, dict(token_args, jobs=ids))
    assert len(run.result["jobs"]) == count
    assert len(drs.requests(STATUS_URI)) == calls


def test_waits_until_every_job_reaches_the_status(drs, run_module, token_args):
    ids = drs.add("FULL_TRANSFER_STARTED", 3)
    steps = iter(["FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED"])

    def advance(fake):
        status = next(steps, "INCRE_TRANSFER_STARTED")
        for task_id in ids:
            fake.tasks[task_id] = status
    drs.after_read = advance
    run = run_module(main, dict(token_args, jobs=ids, wait_for="INCRE_TRANSFER_STARTED", poll_interval=1))
    assert run.exit_code == 0, run.result
    assert run.result["polls"] == 3
    assert run.result["summary"] == {"INCRE_TRANSFER_STARTED": 3}


def test_fails_at_once_when_a_job_fails(drs, run_module, token_args):
    ids = drs.add("FULL_TRANSFER_STARTED", 2)
    drs.tasks[ids[1]] = "FULL_TRANSFER_FAILED"
    drs.errors[ids[1]] = {"error_code": "DRS.10030033", "error_message": "Full migration failed."}
    run = run_module(main, dict(token_args, jobs=ids, wait_for=["INCRE_TRANSFER_STARTED"], wait_timeout=3600))
    assert run.failed and run.result["polls"] == 1
    assert run.result["msg"] == "1 of 2 DRS tasks failed: %s (FULL_TRANSFER_FAILED, DRS.10030033: Full migration failed.)" \
        % ids[1]
    assert run.result["summary"] == {"FULL_TRANSFER_STARTED": 1, "FULL_TRANSFER_FAILED": 1}


def test_fail_on_can_be_chosen(drs, run_module, token_args):
    ids = drs.add("PAUSEING", 1)
    run = run_module(main, dict(token_args, jobs=ids, wait_for="INCRE_TRANSFER_STARTED", fail_on=["PAUSEING"]))
    assert run.failed and "PAUSEING" in run.result["msg"]


def test_times_out_naming_the_jobs_still_waiting(drs, run_module, token_args):
    ids = drs.add("FULL_TRANSFER_STARTED", 1) + drs.add("INCRE_TRANSFER_STARTED", 1, start=5)
    run = run_module(main, dict(token_args, jobs=ids, wait_for="INCRE_TRANSFER_STARTED", wait_timeout=0))
    assert run.failed
    assert run.result["msg"] == ("Timed out after 0s waiting for 1 of 2 DRS tasks to reach INCRE_TRANSFER_STARTED; "
                                 "still waiting: %s (FULL_TRANSFER_STARTED)" % ids[0])


def test_unknown_job_ids_are_named(drs, run_module, token_args):
    known = drs.add("CONFIGURATION", 1)
    run = run_module(main, dict(token_args, jobs=known + [job_id(77)]))
    assert run.failed and job_id(77) in run.result["msg"] and known[0] not in run.result["msg"]


@pytest.mark.parametrize("args, message", [
    (dict(wait_for="INCRE_STARTED"), "value of wait_for must be one or more of"),
    (dict(fail_on=["BROKEN"]), "value of fail_on must be one or more of"),
    (dict(jobs=["ok-id", "bad id!"]), "jobs[1]: 'bad id!' is not a valid DRS ID"),
    (dict(jobs=[""]), "jobs[0]: '' is not a valid DRS ID"),
    (dict(wait_timeout=-1), "wait_timeout must be 0 or more seconds"),
    (dict(poll_interval=0), "poll_interval must be at least 1 second"),
    (dict(wait_timeout="soon"), "wait_timeout"),
    (dict(timeout=0), "timeout must be a positive number of seconds"),
    (dict(retries=11), "retries must be between 0 and 10"),
    (dict(endpoint="drs.example.com"), "endpoint must be an http(s) URL"),
    (dict(project_id="../x"), "project_id: '../x' is not a valid DRS ID"),
    (dict(project_id=None), "project_id is required: set project_id or HW_PROJECT_ID"),
    (dict(endpoint=None), "endpoint or region is required"),
    (dict(auth_token=None), "No credentials for the DRS API: set auth_token (HW_AUTH_TOKEN)"),
    (dict(access_key="AK"), "Credentials are ambiguous: auth_token and access_key/secret_key are all set"),
    (dict(auth_token=None, access_key="AK"), "secret_key is missing"),
    (dict(auth_token=None, username="ops", password="pw"), "missing: domain_name"),
    (dict(auth_token=None, username="ops", password="pw", domain_name="acme"), "needs auth_url (HW_AUTH_URL) or region"),
    (dict(language="fr-fr"), "value of language must be one of: en-us, zh-cn"),
])
def test_bad_input_is_a_clear_error(run_module, token_args, args, message):
    params = dict(token_args, jobs=[job_id(1)])
    params.update(args)
    run = run_module(main, dict((key, value) for key, value in params.items() if value is not None))
    assert run.failed
    assert message in run.result["msg"]
    assert "Traceback" not in run.output


def test_environment_variables_are_the_fallback(drs, run_module, monkeypatch, token_args):
    ids = drs.add("CONFIGURATION", 1)
    monkeypatch.setenv("HW_DRS_ENDPOINT", token_args["endpoint"])
    monkeypatch.setenv("HW_PROJECT_ID", token_args["project_id"])
    monkeypatch.setenv("HW_AUTH_TOKEN", token_args["auth_token"])
    run = run_module(main, dict(jobs=ids))
    assert run.result["summary"] == {"CONFIGURATION": 1}
    assert drs.requests(STATUS_URI)[0].headers["X-Auth-Token"] == token_args["auth_token"]


def test_api_error_fails_with_its_fields(httpserver, run_module, token_args):
    httpserver.expect_request(STATUS_URI).respond_with_json({"error_code": "DRS.10000010", "error_msg": "Invalid job."},
                                                            status=400, headers={"X-Request-Id": "rq-1"})
    run = run_module(main, dict(token_args, jobs=[job_id(1)]))
    assert run.failed
    assert run.result["msg"].startswith("Failed to read the status of DRS tasks: POST /v3/")
    assert run.result["msg"].endswith("HTTP 400 DRS.10000010: Invalid job. (request id rq-1)")
    assert run.result["api_error"]["error_code"] == "DRS.10000010"


def test_an_id_answered_with_an_error_instead_of_a_status_is_named(drs, run_module, token_args):
    known = drs.add("CONFIGURATION", 1)
    unknown = job_id(88)
    drs.tasks[unknown] = None
    drs.errors[unknown] = {"error_code": "DRS.10040004", "error_message": "The job does not exist."}
    run = run_module(main, dict(token_args, jobs=known + [unknown]))
    assert run.failed
    assert run.result["msg"] == ("Failed to read the status of DRS tasks: the API knows no status for 1 task(s), "
                                 "unknown IDs?: %s (DRS.10040004: The job does not exist.)" % unknown)


def test_a_blank_security_token_is_unset(drs, run_module, token_args, monkeypatch):
    ids = drs.add("CONFIGURATION", 1)
    monkeypatch.setenv("HW_SECURITY_TOKEN", "")
    args = dict(token_args, jobs=ids, access_key="AK0123", secret_key="SK-SECRET")
    del args["auth_token"]
    run = run_module(main, args)
    assert not run.failed, run.result
    assert "X-Security-Token" not in drs.requests(STATUS_URI)[0].headers
