"""Token, IAM and AK/SK checks; the AK/SK verifier is checked against the vendor SDK's signer."""

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from simtools import TIMEOUT, DrsClient, assert_vendor_error

AK, SK = "SIMULATORACCESSKEY00", "simulator-secret-key"
TEMP_AK, TEMP_SK, SECURITY_TOKEN = "TEMPORARYACCESSKEY01", "temporary-secret", "security-token-value"
ASYNC_ID = "bd4193aa-072d-4ce6-beec-adffc7252341"

AUTH_SCENARIO = {
    "tasks": [{"id": "t1"}],
    "async_jobs": [{"id": ASYNC_ID, "status": "AUTO_PARAM_VALIDATE_SUCCESS", "tasks": [{"id": "t2"}]}],
    "auth": {
        "tokens": ["good-token", {"value": "old-token", "expired": True}],
        "credentials": [{"ak": AK, "sk": SK}, {"ak": TEMP_AK, "sk": TEMP_SK, "security_token": SECURITY_TOKEN}],
        "users": [{"name": "alice", "password": "s3cret!", "domain": "acme"}],
        "token_ttl_seconds": 3600,
    },
}


@pytest.fixture
def auth_sim(make_sim):
    return make_sim(AUTH_SCENARIO)


def signed_request(sim, method, path, query=None, body=None, headers=None, ak=AK, sk=SK):
    """Sign with the vendor SDK's Signer; returns the SdkRequest (url, header_params, body)."""
    request = SdkRequest(
        method=method, schema="http", host=urlsplit(sim.url).netloc, resource_path=path,
        query_params=list((query or {}).items()), header_params=dict({"Content-Type": "application/json"}, **(headers or {})),
        body=json.dumps(body).encode() if body is not None else b"",
    )
    return Signer(BasicCredentials(ak, sk)).sign(request)


def send(request, **changes):
    """Send a signed SdkRequest, optionally with a changed url/body/headers (tampering)."""
    return requests.request(request.method, changes.get("url", request.url), headers=changes.get("headers", request.header_params),
                            data=changes.get("body", request.body), timeout=TIMEOUT)


def api_path(sim, suffix):
    return "/%s/%s" % (sim.project_id, suffix)


def vendor_signed_table(sim):
    """(description, signed request, expected status) for the verifier table."""
    return [
        ("POST with a body", signed_request(sim, "POST", "/v3" + api_path(sim, "jobs/batch-status"), body={"jobs": ["t1"]}), 200),
        ("POST batch-starting", signed_request(sim, "POST", "/v3" + api_path(sim, "jobs/batch-starting"), body={"jobs": [{"job_id": "t1"}]}), 202),
        ("GET with a query string", signed_request(sim, "GET", "/v5" + api_path(sim, "batch-async-jobs"),
                                                   query={"async_job_id": ASYNC_ID, "limit": 10, "offset": 0, "sort_dir": "desc"}), 200),
        ("GET with characters to quote", signed_request(sim, "GET", "/v5" + api_path(sim, "batch-async-jobs"),
                                                        query={"user_name": "a b+c/d~e=f&g", "domain_name": "zoë"}), 200),
        ("POST with an empty body", signed_request(sim, "POST", "/v5" + api_path(sim, "batch-async-jobs/%s/commit" % ASYNC_ID)), 200),
        ("path with special characters", signed_request(sim, "GET", "/v5" + api_path(sim, "batch-async-jobs/a b+c%25d~ü:@!$")), 404),
        ("unsigned payload", signed_request(sim, "POST", "/v3" + api_path(sim, "jobs/batch-status"), body={"jobs": ["t1"]},
                                            headers={"Content-Type": "application/octet-stream"}), 415),
    ]


def test_token_accepted(auth_sim):
    assert DrsClient(auth_sim, "good-token").batch_status(["t1"]).status_code == 200


@pytest.mark.parametrize("headers, code, fragment", [
    ({}, "APIGW.0301", "x-auth-token not found"),
    ({"X-Auth-Token": "forged"}, "APIGW.0301", "decrypt token fail"),
    ({"X-Auth-Token": "old-token"}, "APIGW.0307", "The token must be updated"),
    ({"Authorization": "Bearer abc"}, "APIGW.0301", "SDK-HMAC-SHA256"),
])
def test_token_refused(auth_sim, headers, code, fragment):
    response = requests.post(auth_sim.url + "/v3" + api_path(auth_sim, "jobs/batch-status"), json={"jobs": ["t1"]},
                             headers=headers, timeout=TIMEOUT)
    body = assert_vendor_error(response, 401, code)
    assert fragment in body["error_msg"]
    assert body["request_id"] == response.headers["X-Request-Id"]


def test_other_project_is_403(auth_sim):
    response = requests.post(auth_sim.url + "/v3/0123456789abcdef0123456789abcdef/jobs/batch-status", json={"jobs": ["t1"]},
                             headers={"X-Auth-Token": "good-token"}, timeout=TIMEOUT)
    assert_vendor_error(response, 403, "DRS.10000006")


def iam_body(password="s3cret!", project=None):
    return {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {"name": "alice", "password": password, "domain": {"name": "acme"}}}},
        "scope": {"project": project or {"id": "054ba152d480d55b2f5dc0069e7ddef0"}},
    }}


def test_iam_token_is_issued_accepted_and_expires(auth_sim):
    response = requests.post(auth_sim.url + "/v3/auth/tokens", json=iam_body(), timeout=TIMEOUT)
    assert response.status_code == 201
    token = response.headers["X-Subject-Token"]
    assert response.json()["token"]["project"]["id"] == auth_sim.project_id
    client = DrsClient(auth_sim, token)
    assert client.batch_status(["t1"]).status_code == 200
    auth_sim.advance(3600)
    assert_vendor_error(client.batch_status(["t1"]), 401, "APIGW.0307")
    logged = auth_sim.request_log[0]
    assert logged["route"] == "iam" and logged["body"]["auth"]["identity"]["password"]["user"]["password"] == "<redacted>"


def test_iam_scope_by_project_name(auth_sim):
    assert requests.post(auth_sim.url + "/v3/auth/tokens", json=iam_body(project={"name": "eu-de"}), timeout=TIMEOUT).status_code == 201


@pytest.mark.parametrize("body, status, code", [
    (iam_body(password="wrong"), 401, "IAM.0101"),
    (iam_body(project={"id": "other"}), 400, "IAM.0100"),
    ({"auth": {}}, 400, "IAM.0100"),
    ("not an object", 400, "IAM.0100"),
    (b"{not json", 400, "IAM.0100"),
])
def test_iam_refusals(auth_sim, body, status, code):
    response = requests.post(auth_sim.url + "/v3/auth/tokens", data=body if isinstance(body, bytes) else json.dumps(body), timeout=TIMEOUT)
    assert_vendor_error(response, status, code)
    assert "X-Subject-Token" not in response.headers


@pytest.mark.parametrize("index", range(7))
def test_vendor_signed_requests_are_accepted(auth_sim, index):
    description, request, expected = vendor_signed_table(auth_sim)[index]
    response = send(request)
    assert response.status_code == expected, (description, response.text)
    if expected == 404:
        assert response.json()["error_code"] == "DRS.10050004"  # authenticated, then not found
    if expected == 415:
        assert request.header_params["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"  # authenticated, then the content type refused


def test_vendor_signed_temporary_credentials(auth_sim):
    credentials = BasicCredentials(TEMP_AK, TEMP_SK, auth_sim.project_id).with_security_token(SECURITY_TOKEN)
    request = SdkRequest(method="POST", schema="http", host=urlsplit(auth_sim.url).netloc,
                         resource_path="/v3" + api_path(auth_sim, "jobs/batch-status"), query_params=[],
                         header_params={"Content-Type": "application/json"}, body=b'{"jobs": ["t1"]}')
    request = credentials.sign_request(request)
    assert request.header_params["X-Security-Token"] == SECURITY_TOKEN and request.header_params["X-Project-Id"] == auth_sim.project_id
    assert send(request).status_code == 200
    logged = auth_sim.request_log[-1]["headers"]
    assert logged["Authorization"] == logged["X-Security-Token"] == "<redacted>"


def test_temporary_credentials_need_their_security_token(auth_sim):
    request = signed_request(auth_sim, "POST", "/v3" + api_path(auth_sim, "jobs/batch-status"), body={"jobs": ["t1"]}, ak=TEMP_AK, sk=TEMP_SK)
    assert "X-Security-Token" in assert_vendor_error(send(request), 401, "APIGW.0301")["error_msg"]
    request = signed_request(auth_sim, "POST", "/v3" + api_path(auth_sim, "jobs/batch-status"), body={"jobs": ["t1"]},
                             headers={"X-Security-Token": "stale"}, ak=TEMP_AK, sk=TEMP_SK)
    assert_vendor_error(send(request), 401, "APIGW.0301")


def test_tampered_requests_are_refused(auth_sim):
    path = "/v3" + api_path(auth_sim, "jobs/batch-starting")
    request = signed_request(auth_sim, "POST", path, body={"jobs": [{"job_id": "t1"}]})
    tampered = {
        "changed body": send(request, body=b'{"jobs": [{"job_id": "t2"}]}'),
        "changed path": send(request, url=request.url.replace("batch-starting", "batch-status")),
        "changed query": send(signed_request(auth_sim, "GET", "/v5" + api_path(auth_sim, "batch-async-jobs"), query={"limit": 1}),
                              url=auth_sim.url + "/v5" + api_path(auth_sim, "batch-async-jobs") + "?limit=2"),
        "changed signed header": send(request, headers=dict(request.header_params, **{"Content-Type": "application/json; charset=utf-8"})),
        "wrong secret key": send(signed_request(auth_sim, "POST", path, body={"jobs": [{"job_id": "t1"}]}, sk="not-the-secret")),
        "unknown access key": send(signed_request(auth_sim, "POST", path, body={"jobs": [{"job_id": "t1"}]}, ak="UNKNOWNACCESSKEY0000")),
    }
    for description, response in tampered.items():
        body = assert_vendor_error(response, 401, "APIGW.0301")
        assert "Incorrect IAM authentication information" in body["error_msg"], description
    assert auth_sim.start_counts() == {"t1": 0, "t2": 0}


@pytest.mark.parametrize("minutes, accepted", [(-20, False), (-14, True), (14, True), (20, False)])
def test_signature_date_window(auth_sim, minutes, accepted):
    date = (datetime.now(timezone.utc) + timedelta(minutes=minutes)).strftime("%Y%m%dT%H%M%SZ")
    request = signed_request(auth_sim, "POST", "/v3" + api_path(auth_sim, "jobs/batch-status"), body={"jobs": ["t1"]},
                             headers={"X-Sdk-Date": date})
    response = send(request)
    if accepted:
        assert response.status_code == 200
    else:
        assert "15 minutes" in assert_vendor_error(response, 401, "APIGW.0301")["error_msg"]


def test_host_and_date_must_be_signed(auth_sim):
    request = signed_request(auth_sim, "POST", "/v3" + api_path(auth_sim, "jobs/batch-status"), body={"jobs": ["t1"]})
    authorization = request.header_params["Authorization"]
    signed = authorization.split("SignedHeaders=")[1].split(",")[0]
    without_host = authorization.replace(signed, ";".join(name for name in signed.split(";") if name != "host"))
    response = send(request, headers=dict(request.header_params, Authorization=without_host))
    assert "SignedHeaders must include host" in assert_vendor_error(response, 401, "APIGW.0301")["error_msg"]
