# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared DRS client, against a real HTTP server on 127.0.0.1 (pytest-httpserver)."""

import json
import os
import re
import socket
import threading
import time

import pytest
import yaml
from werkzeug import Response

from ansible_collections.hwcloud.drs.plugins.module_utils import _client
from ansible_collections.hwcloud.drs.plugins.module_utils._client import (
    AkSkAuth, DrsApiError, DrsClient, PasswordAuth, TokenAuth, region_endpoint, region_iam_url,
)

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
STATUS_URI = "/v3/%s/jobs/batch-status" % PROJECT
START_URI = "/v3/%s/jobs/batch-starting" % PROJECT
TOKEN = "tok-SECRET-0123456789"


def job_id(number):
    return "%08d-2308-4bb5-a6bc-1040402fjb21" % number


def make_client(httpserver, auth=None, **kwargs):
    kwargs.setdefault("retries", 2)
    kwargs.setdefault("backoff_factor", 0)
    return DrsClient(httpserver.url_for("/").rstrip("/"), PROJECT, auth or TokenAuth(TOKEN), **kwargs)


def status_handler(request):
    body = request.get_json()
    page = body["jobs"]
    return Response(json.dumps({"results": [{"id": i, "status": "CONFIGURATION"} for i in page], "count": len(page)}),
                    content_type="application/json")


@pytest.mark.parametrize("count, requests", [(0, 0), (1, 1), (100, 1), (101, 2), (1000, 10)])
def test_batch_status_pages_by_100(httpserver, count, requests):
    httpserver.expect_request(STATUS_URI, method="POST").respond_with_handler(status_handler)
    ids = [job_id(n) for n in range(count)]
    entries = make_client(httpserver).batch_status(ids + ids[:5])
    assert [entry["id"] for entry in entries] == ids
    assert len(httpserver.log) == requests
    for request, _response in httpserver.log:
        body = request.get_json()
        assert len(body["jobs"]) <= 100
        assert body["page_req"] == {"cur_page": 1, "per_page": len(body["jobs"])}


def test_request_headers_and_body(httpserver):
    httpserver.expect_request(STATUS_URI, method="POST").respond_with_handler(status_handler)
    make_client(httpserver, language="zh-cn").batch_status([job_id(1)])
    request = httpserver.log[0][0]
    assert request.headers["X-Auth-Token"] == TOKEN
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Language"] == "zh-cn"
    assert request.headers["User-Agent"].startswith("hwcloud.drs/%s" % _client.COLLECTION_VERSION)
    assert request.get_json() == {"jobs": [job_id(1)], "page_req": {"cur_page": 1, "per_page": 1}}


def test_collection_version_matches_galaxy_yml():
    root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
    with open(os.path.join(root, "galaxy.yml")) as galaxy:
        assert yaml.safe_load(galaxy)["version"] == _client.COLLECTION_VERSION


def test_error_body_becomes_one_error(httpserver):
    httpserver.expect_request(START_URI).respond_with_json(
        {"error_code": "DRS.10000001", "error_msg": "Failed."}, status=400, headers={"X-Request-Id": "req-42"})
    with pytest.raises(DrsApiError) as raised:
        make_client(httpserver).start_jobs([{"job_id": job_id(1)}])
    error = raised.value
    assert (error.status, error.error_code, error.error_msg, error.request_id) == (400, "DRS.10000001", "Failed.", "req-42")
    assert (error.method, error.path) == ("POST", START_URI)
    assert not error.outcome_unknown
    assert str(error) == "POST %s: HTTP 400 DRS.10000001: Failed. (request id req-42)" % START_URI
    assert len(httpserver.log) == 1, "a 400 is never retried"


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_are_not_retried(httpserver, status):
    httpserver.expect_request(STATUS_URI).respond_with_json({"error_code": "APIGW.0301", "error_msg": "bad token"},
                                                            status=status)
    with pytest.raises(DrsApiError, match="HTTP %d APIGW.0301" % status):
        make_client(httpserver).batch_status([job_id(1)])
    assert len(httpserver.log) == 1
    assert TOKEN not in str(httpserver.log[0][1].get_data())


def test_non_json_502_names_the_problem_after_retries(httpserver):
    httpserver.expect_request(STATUS_URI).respond_with_data("<html><body>Bad Gateway</body></html>", status=502,
                                                            content_type="text/html")
    with pytest.raises(DrsApiError) as raised:
        make_client(httpserver, retries=2).batch_status([job_id(1)])
    assert "HTTP 502 with a non-JSON body: <html><body>Bad Gateway</body></html>" in str(raised.value)
    assert len(httpserver.log) == 3


def test_read_retries_429_honouring_retry_after(httpserver, monkeypatch):
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    throttled = Response(json.dumps({"error_code": "APIGW.0308", "error_msg": "throttled"}), status=429,
                         headers={"Retry-After": "3"}, content_type="application/json")
    httpserver.expect_ordered_request(STATUS_URI).respond_with_response(throttled)
    httpserver.expect_ordered_request(STATUS_URI).respond_with_handler(status_handler)
    entries = make_client(httpserver).batch_status([job_id(1)])
    assert entries == [{"id": job_id(1), "status": "CONFIGURATION"}]
    assert 3 in slept


def test_retry_after_is_capped(httpserver, monkeypatch):
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    throttled = Response("{}", status=429, headers={"Retry-After": "86400"}, content_type="application/json")
    httpserver.expect_ordered_request(STATUS_URI).respond_with_response(throttled)
    httpserver.expect_ordered_request(STATUS_URI).respond_with_handler(status_handler)
    make_client(httpserver).batch_status([job_id(1)])
    assert max(slept) == _client.MAX_RETRY_AFTER


def test_backoff_grows_with_jitter(monkeypatch):
    policy = DrsClient("http://127.0.0.1:1", PROJECT, TokenAuth(TOKEN), retries=5, backoff_factor=1.0) \
        ._sessions[True].get_adapter("http://127.0.0.1:1").max_retries
    assert policy.backoff_jitter == 1.0 and policy.backoff_max == _client.BACKOFF_MAX
    assert 429 in policy.status_forcelist and 503 in policy.status_forcelist


def test_write_is_retried_on_429(httpserver):
    httpserver.expect_ordered_request(START_URI).respond_with_json({"error_code": "APIGW.0308"}, status=429)
    httpserver.expect_ordered_request(START_URI).respond_with_json(
        {"results": [{"id": job_id(1), "status": "success"}], "count": 1}, status=202)
    assert make_client(httpserver).start_jobs([{"job_id": job_id(1)}]) == [{"id": job_id(1), "status": "success"}]


@pytest.mark.parametrize("status, unknown", [(500, True), (502, True), (503, True), (504, True)])
def test_write_is_not_retried_after_it_may_have_acted(httpserver, status, unknown):
    httpserver.expect_request(START_URI).respond_with_data("oops", status=status)
    with pytest.raises(DrsApiError) as raised:
        make_client(httpserver).start_jobs([{"job_id": job_id(1)}])
    assert len(httpserver.log) == 1
    assert raised.value.outcome_unknown is unknown


def test_start_accepts_the_older_jobs_key(httpserver):
    httpserver.expect_request(START_URI).respond_with_json(
        {"jobs": [{"id": job_id(1), "status": "failed", "error_code": "DRS.1", "error_msg": "no"}], "count": 1}, status=202)
    assert make_client(httpserver).start_jobs([{"job_id": job_id(1)}])[0]["error_msg"] == "no"


def test_unreadable_2xx_on_a_write_is_an_unknown_outcome(httpserver):
    httpserver.expect_request(START_URI).respond_with_data('{"results": [', status=202)
    with pytest.raises(DrsApiError, match="not a JSON object") as raised:
        make_client(httpserver).start_jobs([{"job_id": job_id(1)}])
    assert raised.value.outcome_unknown


def slow_handler(answer):
    """A handler that answers after 1.5 s, and an event set once it has answered."""
    answered = threading.Event()

    def handle(request):
        time.sleep(1.5)
        answered.set()
        return answer(request)
    return handle, answered


def test_read_timeout(httpserver):
    handler, answered = slow_handler(status_handler)
    httpserver.expect_request(STATUS_URI).respond_with_handler(handler)
    with pytest.raises(DrsApiError, match="timed out after 1s"):
        make_client(httpserver, timeout=1, retries=0).batch_status([job_id(1)])
    assert answered.wait(5)


def test_write_timeout_is_an_unknown_outcome(httpserver):
    handler, answered = slow_handler(lambda request: Response("{}", status=202))
    httpserver.expect_request(START_URI).respond_with_handler(handler)
    with pytest.raises(DrsApiError) as raised:
        make_client(httpserver, timeout=1).start_jobs([{"job_id": job_id(1)}])
    assert raised.value.outcome_unknown
    assert answered.wait(5)
    assert len(httpserver.log) == 1, "a write that timed out is not sent again"


def test_connection_refused_is_a_known_outcome():
    client = DrsClient("http://127.0.0.1:9", PROJECT, TokenAuth(TOKEN), retries=1, backoff_factor=0)
    with pytest.raises(DrsApiError, match="cannot connect to 127.0.0.1:9: ") as raised:
        client.start_jobs([{"job_id": job_id(1)}])
    assert not raised.value.outcome_unknown


def test_async_job_reads(httpserver):
    base = "/v5/%s/batch-async-jobs" % PROJECT
    async_id = "bd4193aa-072d-4ce6-beec-adffc7252341"
    httpserver.expect_request(base, query_string={"async_job_id": async_id, "offset": "0", "limit": "10"}) \
        .respond_with_json({"total_count": 1, "jobs": [{"async_job_id": async_id, "status": "COMMIT_SUCCESS"}]})

    def detail(request):
        offset, limit = int(request.args["offset"]), int(request.args["limit"])
        tasks = [{"id": job_id(n), "status": "CONFIGURATION"} for n in range(150)][offset:offset + limit]
        return Response(json.dumps({"total_count": 150, "jobs": tasks}), content_type="application/json")
    httpserver.expect_request(base + "/" + async_id).respond_with_handler(detail)
    client = make_client(httpserver)
    assert client.find_async_job(async_id)["status"] == "COMMIT_SUCCESS"
    assert [task["id"] for task in client.async_job_tasks(async_id)] == [job_id(n) for n in range(150)]
    assert len(httpserver.log) == 3


def test_password_auth_gets_one_token_per_client(httpserver):
    seen = []
    httpserver.expect_request("/v3/auth/tokens", method="POST").respond_with_response(
        Response('{"token": {}}', status=201, headers={"X-Subject-Token": "iam-issued-token"}))
    httpserver.expect_request(STATUS_URI).respond_with_handler(status_handler)
    auth = PasswordAuth(httpserver.url_for("/v3"), "ops", "pw-SECRET", "acme", on_token=seen.append)
    client = make_client(httpserver, auth=auth)
    client.batch_status([job_id(1)])
    client.batch_status([job_id(2)])
    token_requests = [req for req, _response in httpserver.log if req.path == "/v3/auth/tokens"]
    assert len(token_requests) == 1
    identity = token_requests[0].get_json()["auth"]
    assert identity["identity"]["password"]["user"] == {"name": "ops", "password": "pw-SECRET", "domain": {"name": "acme"}}
    assert identity["scope"] == {"project": {"id": PROJECT}}
    assert [req.headers["X-Auth-Token"] for req, _response in httpserver.log if req.path == STATUS_URI] == ["iam-issued-token"] * 2
    assert seen == ["iam-issued-token"]


class Iam:
    """IAM issues ``tokens`` in turn; DRS accepts only ``valid`` (the latest issued, unless a test expires it)."""

    def __init__(self, httpserver, *tokens):
        self.tokens = list(tokens)
        self.issued = []
        self.valid = None
        self.refused = False  # DRS refuses every token (the user lacks a permission)
        httpserver.expect_request("/v3/auth/tokens", method="POST").respond_with_handler(self.issue)
        httpserver.expect_request(STATUS_URI).respond_with_handler(self.status)

    def issue(self, _request):
        self.valid = self.tokens.pop(0)
        self.issued.append(self.valid)
        return Response('{"token": {}}', status=201, headers={"X-Subject-Token": self.valid})

    def status(self, request):
        if self.refused or request.headers.get("X-Auth-Token") != self.valid:
            return Response('{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}',
                            status=401, content_type="application/json")
        return status_handler(request)


def test_password_auth_fetches_a_new_token_once_the_old_one_expired(httpserver):
    iam = Iam(httpserver, "token-of-today", "token-of-tomorrow")
    seen = []
    client = make_client(httpserver, auth=PasswordAuth(httpserver.url_for("/v3"), "ops", "pw-SECRET", "acme",
                                                       on_token=seen.append))
    client.batch_status([job_id(1)])
    iam.valid = None  # a day later: the token has expired
    assert [record["status"] for record in client.batch_status([job_id(2)])] == ["CONFIGURATION"]
    assert seen == iam.issued == ["token-of-today", "token-of-tomorrow"]


def test_a_401_with_a_token_just_issued_is_not_asked_again(httpserver):
    iam = Iam(httpserver, "token-one", "token-two")
    iam.refused = True
    client = make_client(httpserver, auth=PasswordAuth(httpserver.url_for("/v3"), "ops", "pw-SECRET", "acme"))
    with pytest.raises(DrsApiError) as raised:
        client.batch_status([job_id(1)])
    assert raised.value.status == 401 and iam.issued == ["token-one"]


def test_password_auth_failure_does_not_echo_the_password(httpserver):
    httpserver.expect_request("/v3/auth/tokens").respond_with_json(
        {"error": {"code": 401, "message": "The username or password is wrong."}}, status=401)
    auth = PasswordAuth(httpserver.url_for("/"), "ops", "pw-SECRET", "acme")
    with pytest.raises(DrsApiError) as raised:
        make_client(httpserver, auth=auth).batch_status([job_id(1)])
    assert raised.value.status == 401 and "pw-SECRET" not in str(raised.value)


@pytest.mark.parametrize("region, drs, iam", [
    ("eu-de", "https://drs.eu-de.otc.t-systems.com", "https://iam.eu-de.otc.t-systems.com/v3"),
    ("eu-nl", "https://drs.eu-nl.otc.t-systems.com", "https://iam.eu-de.otc.t-systems.com/v3"),
    ("eu-ch2", "https://drs.eu-ch2.sc.otc.t-systems.com", "https://iam-pub.eu-ch2.sc.otc.t-systems.com/v3"),
    ("cn-north-4", "https://drs.cn-north-4.myhuaweicloud.com", "https://iam.cn-north-4.myhuaweicloud.com/v3"),
    ("eu-west-101", "https://drs.eu-west-101.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu/v3"),
])
def test_region_endpoints(region, drs, iam):
    assert (region_endpoint(region), region_iam_url(region)) == (drs, iam)


def test_endpoint_with_a_base_path(httpserver):
    httpserver.expect_request("/drs" + STATUS_URI).respond_with_handler(status_handler)
    client = DrsClient(httpserver.url_for("/drs/"), PROJECT, TokenAuth(TOKEN), retries=0)
    assert client.batch_status([job_id(1)])[0]["status"] == "CONFIGURATION"


def test_aksk_request_is_signed_as_the_vendor_sdk_signs(httpserver):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    httpserver.expect_request(STATUS_URI).respond_with_handler(status_handler)
    make_client(httpserver, auth=AkSkAuth("AK0123", "SK-SECRET", "STS-SECRET")).batch_status([job_id(1)])
    request = httpserver.log[0][0]
    assert request.headers["X-Security-Token"] == "STS-SECRET"
    signed_names = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    headers = dict((name, request.headers[name]) for name in signed_names)
    oracle = SdkRequest(method="POST", schema="http", host=request.headers["Host"], resource_path=request.path,
                        query_params=[], header_params=headers, body=request.get_data())
    Signer(BasicCredentials("AK0123", "SK-SECRET")).sign(oracle)
    assert request.headers["Authorization"] == oracle.header_params["Authorization"]
    assert set(signed_names) >= {"host", "x-sdk-date", "content-type", "x-project-id", "x-security-token"}


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("endpoint, reason", [
    ("http://127.0.0.1:{closed_port}", "Connection refused"),
    ("https://drs.no-such-region.example.invalid", "Failed to resolve 'drs.no-such-region.example.invalid'"),
])
def test_a_refused_connection_or_an_unknown_host_fails_fast(monkeypatch, endpoint, reason):
    endpoint = endpoint.format(closed_port=closed_port())
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        # Answered here, as a resolver would for a name that does not exist: no lookup leaves the machine.
        if host not in ("127.0.0.1", "localhost"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    client = DrsClient(endpoint, PROJECT, TokenAuth(TOKEN), retries=5, backoff_factor=1.0)
    with pytest.raises(DrsApiError) as raised:
        client.batch_status([job_id(1)])
    message = str(raised.value)
    host = endpoint.split("://")[1]
    assert "cannot connect to %s: " % host in message and reason in message
    assert re.search(r"; check endpoint/region \(2 attempts over \d+s\)$", message)
    assert sum(slept) < 1, "one quick retry, not the backoff of 5 retries"
    assert raised.value.transient and not raised.value.outcome_unknown


def test_an_error_after_retries_says_how_many_attempts_over_how_long(httpserver):
    httpserver.expect_request(STATUS_URI).respond_with_json({"error_code": "APIGW.0203", "error_msg": "busy"}, status=503)
    with pytest.raises(DrsApiError) as raised:
        make_client(httpserver, retries=3).batch_status([job_id(1)])
    assert str(raised.value).endswith(": HTTP 503 APIGW.0203: busy (4 attempts over 0s)")
    assert len(httpserver.log) == 4


def test_a_timeout_after_retries_says_how_many_attempts_over_how_long(httpserver):
    handler, answered = slow_handler(status_handler)
    httpserver.expect_request(STATUS_URI).respond_with_handler(handler)
    with pytest.raises(DrsApiError, match=r"timed out after 1s \(2 attempts over [23]s\)$"):
        make_client(httpserver, timeout=1, retries=1).batch_status([job_id(1)])
    assert answered.wait(5)


def test_an_error_without_retries_names_no_attempts(httpserver):
    httpserver.expect_request(STATUS_URI).respond_with_json({"error_code": "DRS.10000010", "error_msg": "Invalid job."},
                                                            status=400)
    with pytest.raises(DrsApiError) as raised:
        make_client(httpserver, retries=3).batch_status([job_id(1)])
    assert "attempts" not in str(raised.value)


def test_requests_go_through_the_proxy_of_the_environment(httpserver, monkeypatch):
    """http_proxy is looked up once per client, and every request goes through it."""
    seen = []

    def as_proxy(request):
        seen.append(request.headers.get("Host"))
        return status_handler(request)

    httpserver.expect_request(STATUS_URI, method="POST").respond_with_handler(as_proxy)
    monkeypatch.setenv("http_proxy", httpserver.url_for("/").rstrip("/"))
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    client = DrsClient("http://drs.example.invalid", PROJECT, TokenAuth(TOKEN), retries=0)
    monkeypatch.delenv("http_proxy")
    assert [record["status"] for record in client.batch_status([job_id(1)])] == ["CONFIGURATION"]
    assert [record["status"] for record in client.batch_status([job_id(2)])] == ["CONFIGURATION"]
    assert seen == ["drs.example.invalid", "drs.example.invalid"]


def test_no_proxy_names_the_endpoint_it_bypasses(monkeypatch):
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("no_proxy", "drs.eu-de.otc.t-systems.com")
    assert DrsClient("https://drs.eu-de.otc.t-systems.com", PROJECT, TokenAuth(TOKEN)).proxies == {}
    assert DrsClient("https://drs.ap-southeast-1.myhuaweicloud.com", PROJECT, TokenAuth(TOKEN)).proxies == {
        "https": "http://127.0.0.1:9", "no": "drs.eu-de.otc.t-systems.com"}


@pytest.mark.parametrize("environment, expected", [
    ({}, True), ({"REQUESTS_CA_BUNDLE": "/env/bundle.pem"}, "/env/bundle.pem"),
    ({"CURL_CA_BUNDLE": "/env/curl.pem"}, "/env/curl.pem")])
def test_a_ca_bundle_of_the_environment_is_used_unless_options_say_otherwise(monkeypatch, environment, expected):
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    def verify(**options):
        return DrsClient("https://drs.example.invalid", PROJECT, TokenAuth(TOKEN), **options)._sessions[True].verify

    assert verify() == expected
    assert verify(ca_path="/own/ca.pem") == "/own/ca.pem"
    assert verify(validate_certs=False) is False


ACTION_URIS = {
    "retry_jobs": ("POST", "/v3/%s/jobs/batch-retry-task" % PROJECT),
    "pause_jobs": ("POST", "/v3/%s/jobs/batch-pause-task" % PROJECT),
    "delete_jobs": ("DELETE", "/v3/%s/jobs/batch-jobs" % PROJECT),
}
ACTION_BODIES = {
    "retry_jobs": [{"job_id": job_id(1)}, {"job_id": job_id(2), "is_sync_re_edit": True}],
    "pause_jobs": [{"job_id": job_id(1), "pause_mode": "target"}],
    "delete_jobs": [{"job_id": job_id(1), "delete_type": "terminate"}, {"job_id": job_id(2), "delete_type": "delete"}],
}


@pytest.mark.parametrize("operation", sorted(ACTION_URIS))
@pytest.mark.parametrize("status", [200, 202])
def test_day_two_actions_send_their_jobs_as_json_and_return_the_results(httpserver, operation, status):
    method, uri = ACTION_URIS[operation]
    answer = [{"id": job_id(1), "status": "success"}, {"id": job_id(2), "status": "failed", "error_code": "DRS.1", "error_msg": "no"}]
    httpserver.expect_request(uri, method=method).respond_with_json({"results": answer, "count": 2}, status=status)
    assert getattr(make_client(httpserver), operation)(ACTION_BODIES[operation]) == answer
    request = httpserver.log[0][0]
    assert request.get_json() == {"jobs": ACTION_BODIES[operation]}
    assert request.headers["Content-Type"] == "application/json"


def test_an_empty_2xx_to_a_delete_holds_no_result(httpserver):
    method, uri = ACTION_URIS["delete_jobs"]
    httpserver.expect_request(uri, method=method).respond_with_data("", status=204)
    assert make_client(httpserver).delete_jobs(ACTION_BODIES["delete_jobs"]) == []


@pytest.mark.parametrize("operation", sorted(ACTION_URIS))
def test_day_two_actions_are_writes(httpserver, operation):
    method, uri = ACTION_URIS[operation]
    httpserver.expect_ordered_request(uri, method=method).respond_with_json({"error_code": "APIGW.0308"}, status=429)
    httpserver.expect_ordered_request(uri, method=method).respond_with_data("oops", status=503)
    with pytest.raises(DrsApiError) as raised:
        getattr(make_client(httpserver), operation)(ACTION_BODIES[operation])
    assert raised.value.outcome_unknown and (raised.value.method, raised.value.path) == (method, uri)
    assert len(httpserver.log) == 2, "throttled: sent again; a 503 after that may have acted: not sent again"


@pytest.mark.parametrize("operation", sorted(ACTION_URIS))
def test_day_two_action_answers_that_are_not_results_are_an_unknown_outcome(httpserver, operation):
    method, uri = ACTION_URIS[operation]
    httpserver.expect_request(uri, method=method).respond_with_json({"results": "all done"})
    with pytest.raises(DrsApiError, match="'results' is not a list of objects") as raised:
        getattr(make_client(httpserver), operation)(ACTION_BODIES[operation])
    assert raised.value.outcome_unknown
