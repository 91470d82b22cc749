# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import TASK_STATUSES, status_class
from ansible_collections.hwcloud.drs.plugins.modules.drs_batch_status import main

from .fake_drs import PROGRESS_URI, RPO_RTO_URI, STATUS_URI, FakeDrs, job_id


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
        {"id": failed[0], "status": "FULL_TRANSFER_FAILED", "status_class": "failed", "error_code": "DRS.10030033",
         "error_message": "Full migration failed."},
        {"id": running[0], "status": "INCRE_TRANSFER_STARTED", "status_class": "transferring", "error_code": None,
         "error_message": None},
        {"id": running[1], "status": "INCRE_TRANSFER_STARTED", "status_class": "transferring", "error_code": None,
         "error_message": None},
    ]
    assert run.result["status_by_id"] == {failed[0]: "FULL_TRANSFER_FAILED", running[0]: "INCRE_TRANSFER_STARTED",
                                          running[1]: "INCRE_TRANSFER_STARTED"}
    assert run.result["summary"] == {"FULL_TRANSFER_FAILED": 1, "INCRE_TRANSFER_STARTED": 2}
    assert run.result["polls"] == 1
    assert not drs.requests(PROGRESS_URI) and "reached" not in run.result


def test_runs_in_check_mode(drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 3)
    run = run_module(main, dict(token_args, jobs=ids), check_mode=True)
    assert run.result["summary"] == {"CONFIGURATION": 3}


@pytest.mark.parametrize("count, calls", [(1, 1), (100, 1), (101, 2), (1000, 10)])
def test_pages_through_any_number_of_jobs(drs, run_module, token_args, count, calls):
    ids = drs.add("CONFIGURATION", count)
    run = run_module(main, dict(token_args, jobs=ids))
    assert len(run.result["jobs"]) == count
    assert len(drs.requests(STATUS_URI)) == calls


@pytest.mark.parametrize("status", sorted(TASK_STATUSES) + ["SOME_FUTURE_STATUS"])
def test_every_status_passes_through_with_its_class(drs, run_module, token_args, status):
    ids = drs.add(status, 1)
    run = run_module(main, dict(token_args, jobs=ids))
    assert not run.failed, run.result
    assert run.result["jobs"][0]["status"] == status
    assert run.result["jobs"][0]["status_class"] == status_class(status)
    assert (status_class(status) == "unknown") == (status == "SOME_FUTURE_STATUS")


@pytest.mark.parametrize("status, target, reached", [
    ("INCRE_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", True),
    ("INCRE_TRANSFER_STARTED", "CONFIGURATION", True),
    ("FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED", False),
    ("PAUSING", "CONFIGURATION", True),
    ("PAUSING", "INCRE_TRANSFER_STARTED", False),
    ("NODE_UPGRADE_START", "STARTJOBING", True),
    ("STARTJOBING", "PAUSING", False),
    ("DELETED", "RELEASE_RESOURCE_COMPLETE", True),
    ("SOME_FUTURE_STATUS", "CONFIGURATION", False),
])
def test_a_wait_poll_marks_tasks_at_or_past_the_target(drs, run_module, token_args, status, target, reached):
    ids = drs.add(status, 1)
    run = run_module(main, dict(token_args, jobs=ids, wait_for=target, fail_on=[]))
    assert not run.failed, run.result
    assert run.result["jobs"][0]["target"] == target
    assert run.result["jobs"][0]["reached"] is reached
    assert run.result["reached"] is reached and run.result["waiting"] == (0 if reached else 1)


def test_auto_aims_full_only_tasks_at_the_end_of_their_full_transfer(drs, run_module, token_args):
    full_only = drs.add("FULL_TRANSFER_COMPLETE", 1)
    both = drs.add("FULL_TRANSFER_COMPLETE", 1, start=10)
    drs.progress[full_only[0]] = {"task_mode": "FULL_TRANS", "progress": "100", "remaining_time": "0"}
    drs.progress[both[0]] = {"task_mode": "FULL_INCR_TRANS", "progress": "100"}
    run = run_module(main, dict(token_args, jobs=full_only + both, wait_for="auto"))
    assert [(job["target"], job["reached"]) for job in run.result["jobs"]] == [
        ("FULL_TRANSFER_COMPLETE", True), ("INCRE_TRANSFER_STARTED", False)]
    assert run.result["waiting"] == 1
    assert len(drs.requests(PROGRESS_URI)) == 1


def test_progress_is_read_in_batches_and_summarised(drs, run_module, token_args):
    copying = drs.add("FULL_TRANSFER_STARTED", 150)
    replicating = drs.add("INCRE_TRANSFER_STARTED", 2, start=1000)
    for number, task_id in enumerate(copying):
        drs.progress[task_id] = {"task_mode": "FULL_INCR_TRANS", "progress": "%d" % (number % 100),
                                 "remaining_time": str(60 * number), "incre_trans_delay": ""}
    drs.progress[replicating[0]] = {"task_mode": "FULL_INCR_TRANS", "progress": "100", "incre_trans_delay": "4"}
    drs.progress[replicating[1]] = {"task_mode": "FULL_INCR_TRANS", "progress": "100%", "incre_trans_delay": "bogus"}
    run = run_module(main, dict(token_args, jobs=copying + replicating, progress=True))
    assert len(drs.requests(PROGRESS_URI)) == 2
    first = run.result["jobs"][1]
    assert (first["progress"], first["remaining_time"], first["incre_trans_delay"], first["task_mode"]) == \
        (1, 60, None, "FULL_INCR_TRANS")
    assert run.result["jobs"][-1]["progress"] == 100 and run.result["jobs"][-1]["incre_trans_delay"] is None
    assert run.result["progress_summary"] == {
        "full_transfer_lowest": 0, "full_transfer_median": 37, "longest_remaining_time": 60 * 149,
        "largest_incre_delay": 4, "largest_rpo_delay": None, "largest_rto_delay": None}


def test_rpo_and_rto_gate_the_tasks_at_their_status(drs, run_module, token_args):
    settled = drs.add("INCRE_TRANSFER_STARTED", 1)
    lagging = drs.add("INCRE_TRANSFER_STARTED", 1, start=10)
    silent = drs.add("INCRE_TRANSFER_STARTED", 1, start=20)
    copying = drs.add("FULL_TRANSFER_STARTED", 1, start=30)
    drs.rpo_rto.update({settled[0]: ("3", "5"), lagging[0]: ("75", "5")})
    run = run_module(main, dict(token_args, jobs=settled + lagging + silent + copying, wait_for="INCRE_TRANSFER_STARTED",
                                rpo_rto_max=60))
    assert [job["reached"] for job in run.result["jobs"]] == [True, False, False, False]
    assert [(job.get("rpo_delay"), job.get("rto_delay")) for job in run.result["jobs"]] == [
        (3, 5), (75, 5), (None, None), (None, None)]
    assert drs.requests(RPO_RTO_URI)[0].get_json() == {"jobs": settled + lagging + silent}
    assert run.result["progress_summary"]["largest_rpo_delay"] == 75


def test_a_full_only_task_at_its_target_is_not_held_by_the_rpo_rto_gate(drs, run_module, token_args):
    full_only = drs.add("FULL_TRANSFER_COMPLETE", 1)
    drs.progress[full_only[0]] = {"task_mode": "FULL_TRANS", "progress": "100"}
    run = run_module(main, dict(token_args, jobs=full_only, wait_for="auto", rpo_rto_max=60))
    assert run.result["reached"] is True and drs.requests(RPO_RTO_URI) == []


@pytest.mark.parametrize("status", ["FULL_TRANSFER_FAILED", "REBUILD_NODE_FAILED", "NODE_UPGRADE_FAILED", "DELETED",
                                    "RELEASE_RESOURCE_STARTED", "RELEASE_RESOURCE_COMPLETE", "A_FUTURE_FAILED"])
def test_a_wait_poll_fails_at_once_on_failed_released_or_deleted_tasks(drs, run_module, token_args, status):
    ids = drs.add("FULL_TRANSFER_STARTED", 2)
    drs.tasks[ids[1]] = status
    drs.errors[ids[1]] = {"error_code": "DRS.10030033", "error_message": "Full migration failed."}
    run = run_module(main, dict(token_args, jobs=ids, wait_for=["INCRE_TRANSFER_STARTED"], wait_timeout=3600))
    assert run.failed and run.result["polls"] == 1
    assert run.result["msg"] == ("1 of 2 DRS tasks cannot reach INCRE_TRANSFER_STARTED (failed, released or deleted): "
                                 "%s (%s, DRS.10030033: Full migration failed.)" % (ids[1], status))
    assert run.result["summary"] == {"FULL_TRANSFER_STARTED": 1, status: 1}


def test_one_failed_task_of_one_is_one_task(drs, run_module, token_args):
    ids = drs.add("FULL_TRANSFER_FAILED", 1)
    run = run_module(main, dict(token_args, jobs=ids, wait_for=["INCRE_TRANSFER_STARTED"]))
    assert run.result["msg"].startswith("1 of 1 DRS task cannot reach INCRE_TRANSFER_STARTED (failed, released or deleted): ")


def test_a_status_waited_for_is_no_failure(drs, run_module, token_args):
    ids = drs.add("DELETED", 1)
    run = run_module(main, dict(token_args, jobs=ids, wait_for="DELETED"))
    assert not run.failed and run.result["reached"] is True


def test_fail_on_can_be_chosen(drs, run_module, token_args):
    ids = drs.add("PAUSEING", 1)
    run = run_module(main, dict(token_args, jobs=ids, wait_for="INCRE_TRANSFER_STARTED", fail_on=["PAUSEING"]))
    assert run.failed and "PAUSEING" in run.result["msg"]


def test_names_drs_never_used_are_accepted_with_a_warning(drs, run_module, token_args):
    ids = drs.add("CONFIGURATION", 1)
    run = run_module(main, dict(token_args, jobs=ids, wait_for="INCRE_STARTED", fail_on=["BROKEN"]))
    assert not run.failed
    assert warning_texts(run.result) == ["wait_for: INCRE_STARTED is not a status DRS is known to report; check its spelling",
                                         "fail_on: BROKEN is not a status DRS is known to report; check its spelling"]


def test_unknown_job_ids_are_named(drs, run_module, token_args):
    known = drs.add("CONFIGURATION", 1)
    run = run_module(main, dict(token_args, jobs=known + [job_id(77)]))
    assert run.failed and job_id(77) in run.result["msg"] and known[0] not in run.result["msg"]


@pytest.mark.parametrize("args, message", [
    (dict(jobs=[]), "jobs: give at least one task ID"),
    (dict(wait_for=["auto", "CONFIGURATION"]), "wait_for: auto picks each task's target by itself"),
    (dict(rpo_rto_max=0), "rpo_rto_max must be at least 1 second"),
    (dict(rpo_rto_max=60), "rpo_rto_max holds a wait until RPO and RTO are below it: give wait_for too"),
    (dict(jobs=["ok-id", "bad id!"]), "jobs[1]: 'bad id!' is not a valid DRS ID"),
    (dict(jobs=[""]), "jobs[0]: '' is not a valid DRS ID"),
    (dict(wait_timeout="soon"), "wait_timeout"),
    (dict(timeout=0), "timeout must be at least 1 second, got 0"),
    (dict(timeout=-5), "timeout must be at least 1 second, got -5"),
    (dict(timeout=True), "timeout must be at least 1 second, got True"),
    (dict(retries=11), "retries must be between 0 and 10"),
    (dict(retries=-1), "retries must be between 0 and 10, got -1"),
    (dict(rpo_rto_max=-60), "rpo_rto_max must be at least 1 second, got -60"),
    (dict(wait_timeout=-5), "wait_timeout must be between 0 and 2678400 seconds, got -5"),
    (dict(poll_interval=-1), "poll_interval must be between 0.1 and 86400 seconds, got -1.0"),
    (dict(outage_tolerance=-1), "outage_tolerance must be between 0 and 2678400 seconds, got -1"),
    (dict(endpoint="drs.example.com"), "endpoint must be an http(s) URL"),
    (dict(endpoint="https://drs.example.com/?region=eu-de"), "endpoint must be a base URL without a query string or "
                                                             "fragment, such as https://drs.eu-de.otc.t-systems.com"),
    (dict(endpoint="https://drs.example.com#eu-de"), "endpoint must be a base URL without a query string or fragment"),
    (dict(endpoint="https://drs.example.com?"), "endpoint must be a base URL without a query string or fragment"),
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
    assert run.result["msg"] == ("Failed to read the status of DRS tasks: the API knows no status for 1 task, "
                                 "unknown IDs?: %s (DRS.10040004: The job does not exist.)" % unknown)


def test_a_blank_security_token_is_unset(drs, run_module, token_args, monkeypatch):
    ids = drs.add("CONFIGURATION", 1)
    monkeypatch.setenv("HW_SECURITY_TOKEN", "")
    args = dict(token_args, jobs=ids, access_key="AK0123", secret_key="SK-SECRET")
    del args["auth_token"]
    run = run_module(main, args)
    assert not run.failed, run.result
    assert "X-Security-Token" not in drs.requests(STATUS_URI)[0].headers


def warning_texts(result):
    """Warnings as text: ansible-core 2.19 returns each as a dict with its event."""
    return [warning["event"]["msg"] if isinstance(warning, dict) else warning for warning in result.get("warnings", [])]


@pytest.mark.parametrize("name, env", [
    ("auth_token", "HW_AUTH_TOKEN"), ("username", "HW_USER_NAME"), ("password", "HW_PASSWORD"), ("domain_name", "HW_DOMAIN_NAME"),
])
def test_a_blank_credential_beside_aksk_is_unset(drs, run_module, token_args, monkeypatch, name, env):
    """AWX injects every field of a credential; a multi-line field left empty holds a newline."""
    ids = drs.add("CONFIGURATION", 1)
    monkeypatch.setenv(env, "\n")
    args = dict(token_args, jobs=ids, access_key="AK0123", secret_key="SK-SECRET", security_token=" \n")
    del args["auth_token"]
    run = run_module(main, args)
    assert not run.failed, run.result
    assert "X-Auth-Token" not in drs.requests(STATUS_URI)[0].headers
    assert "X-Security-Token" not in drs.requests(STATUS_URI)[0].headers


@pytest.mark.parametrize("blank", [dict(auth_token="\n"), dict(access_key=" ", secret_key="\t\n"),
                                   dict(username=" ", password="\n", domain_name=" ")])
def test_blank_credentials_alone_are_no_credentials(httpserver, run_module, token_args, blank):
    args = dict(token_args, jobs=[job_id(1)], **blank)
    if "auth_token" not in blank:
        del args["auth_token"]
    run = run_module(main, args)
    assert run.failed
    assert run.result["msg"].startswith("No credentials for the DRS API: set auth_token (HW_AUTH_TOKEN)")
    assert httpserver.log == [], "no request is sent without credentials"
