# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No secret value, nor the token IAM hands out, appears in any module output, success or failure."""

import pytest
from werkzeug import Response

from ansible_collections.hwcloud.drs.plugins.modules import (
    drs_async_commit, drs_batch_pause, drs_batch_precheck, drs_batch_retry, drs_batch_start, drs_batch_status, drs_batch_terminate,
    drs_job_info,
)

from .fake_drs import PROJECT, STATUS_URI, FakeDrs, json_response

SECRETS = {
    "auth_token": "tok-SECRET-0123456789",
    "access_key": "AKSECRETACCESSKEY01",
    "secret_key": "sk-SECRET-abcdefghijklmnop",
    "security_token": "sts-SECRET-temporary-token",
    "password": "pw-SECRET-Passw0rd!",
}

ISSUED_TOKEN = "iam-ISSUED-SECRET-token"
AUTH_MODES = {
    "token": {"auth_token": SECRETS["auth_token"]},
    "aksk": {"access_key": SECRETS["access_key"], "secret_key": SECRETS["secret_key"],
             "security_token": SECRETS["security_token"]},
    "password": {"username": "ops", "password": SECRETS["password"], "domain_name": "acme"},
}


@pytest.fixture(params=sorted(AUTH_MODES))
def auth_args(request, httpserver):
    httpserver.expect_request("/v3/auth/tokens").respond_with_response(
        Response("{}", status=201, headers={"X-Subject-Token": ISSUED_TOKEN}))
    args = {"endpoint": httpserver.url_for("/").rstrip("/"), "project_id": PROJECT, "retries": 0,
            "auth_url": httpserver.url_for("/v3")}
    args.update(AUTH_MODES[request.param])
    return args


def assert_no_secret(output):
    for secret in list(SECRETS.values()) + [ISSUED_TOKEN]:
        assert secret not in output


def test_success_and_failure_outputs_hold_no_secret(httpserver, run_module, auth_args):
    drs = FakeDrs(httpserver)
    ids = drs.add("CONFIGURATION", 2)
    drs.add_async_job("bd4193aa-072d-4ce6-beec-adffc7252341", "AUTO_PARAM_VALIDATE_SUCCESS")
    runs = [
        run_module(drs_batch_status.main, dict(auth_args, jobs=ids)),
        run_module(drs_batch_start.main, dict(auth_args, jobs=ids), diff=True),
        run_module(drs_async_commit.main, dict(auth_args, async_job_id="bd4193aa-072d-4ce6-beec-adffc7252341")),
        run_module(drs_batch_start.main, dict(auth_args, jobs=ids + ["missing-jb21"])),
        run_module(drs_batch_status.main, dict(auth_args, jobs=ids, timeout=-1)),
    ]
    assert [run.failed for run in runs] == [False, False, False, True, True]
    for run in runs:
        assert_no_secret(run.output)


def test_api_errors_hold_no_secret(httpserver, run_module, auth_args):
    httpserver.expect_request(STATUS_URI).respond_with_response(json_response(
        {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}, status=401))
    run = run_module(drs_batch_status.main, dict(auth_args, jobs=["9a470239-2308-4bb5-a6bc-1040402fjb21"]))
    assert run.failed and "HTTP 401 APIGW.0301" in run.result["msg"]
    assert_no_secret(run.output)


def test_listing_and_precheck_outputs_hold_no_secret(httpserver, run_module, auth_args):
    drs = FakeDrs(httpserver)
    listed = drs.list_job("orders-1")
    drs.refuse_precheck[listed] = {"error_code": "DRS.10040011", "error_msg": "Not allowed."}
    runs = [
        run_module(drs_job_info.main, dict(auth_args, name="orders-*")),
        run_module(drs_batch_precheck.main, dict(auth_args, jobs=[listed])),
    ]
    assert [run.failed for run in runs] == [False, True]
    for run in runs:
        assert_no_secret(run.output)


def test_day_two_outputs_hold_no_secret(httpserver, run_module, auth_args):
    drs = FakeDrs(httpserver)
    failed = drs.add("INCRE_TRANSFER_FAILED", 1)
    running = drs.add("INCRE_TRANSFER_STARTED", 1, start=1)
    configured = drs.add("CONFIGURATION", 1, start=2)
    drs.refuse_action[running[0]] = {"error_code": "DRS.10040020", "error_msg": "Not allowed."}
    runs = [
        run_module(drs_batch_retry.main, dict(auth_args, jobs=failed, wait=True), diff=True),
        run_module(drs_batch_pause.main, dict(auth_args, jobs=running)),
        run_module(drs_batch_terminate.main, dict(auth_args, jobs=failed, delete=True, wait=True), diff=True),
        run_module(drs_batch_terminate.main, dict(auth_args, jobs=configured)),
    ]
    assert [run.failed for run in runs] == [False, True, False, True]
    for run in runs:
        assert_no_secret(run.output)
