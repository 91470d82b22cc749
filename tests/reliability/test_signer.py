# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AK/SK: the collection's signer gives the vendor SDK's signature; the simulator refuses a tampered request.

The oracle is ``huaweicloudsdkcore.signer.signer.Signer``, fed the same method, host, path,
query, headers, body and a fixed ``X-Sdk-Date``.
"""

import datetime
import json

import pytest
import requests
from hypothesis import given, settings, strategies as st
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from ansible_collections.hwcloud.drs.plugins.module_utils._signer import canonical_query, sign_request

AK = "HWCLOUDTESTACCESSKEY"
SK = "test-secret-key-0123456789abcdef"
HOST = "drs.eu-de.otc.t-systems.com"
NOW = datetime.datetime(2026, 3, 1, 12, 34, 56, tzinfo=datetime.timezone.utc)
PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
JSON_HEADERS = {"Content-Type": "application/json", "X-Language": "en-us", "X-Project-Id": PROJECT}


def vendor_authorization(method, host, path, query, headers, body, now=NOW, ak=AK, sk=SK):
    header_params = dict(headers)
    header_params["X-Sdk-Date"] = now.strftime("%Y%m%dT%H%M%SZ")
    request = SdkRequest(method=method, schema="https", host=host, resource_path=path, query_params=list(query),
                         header_params=header_params, body=body)
    return Signer(BasicCredentials(ak, sk)).sign(request).header_params["Authorization"]


def our_authorization(method, host, path, query, headers, body, now=NOW, ak=AK, sk=SK):
    return sign_request(method, host, path, list(query), dict(headers), body, ak, sk, now=now)["Authorization"]


TABLE = {
    "batch-status with a JSON body": ("POST", "/v3/%s/jobs/batch-status" % PROJECT, [], JSON_HEADERS,
                                      json.dumps({"jobs": ["a"], "page_req": {"cur_page": 1, "per_page": 1}}).encode()),
    "async list with a query": ("GET", "/v5/%s/batch-async-jobs" % PROJECT,
                                [("async_job_id", "bd4193aa-072d-4ce6-beec-adffc7252341"), ("offset", 0), ("limit", 10)],
                                JSON_HEADERS, b""),
    "commit with an empty body": ("POST", "/v5/%s/batch-async-jobs/bd4193aa/commit" % PROJECT, [], JSON_HEADERS, b""),
    "temporary credentials": ("POST", "/v3/%s/jobs/batch-starting" % PROJECT, [],
                              dict(JSON_HEADERS, **{"X-Security-Token": "sts+/token=="}), b'{"jobs":[{"job_id":"a"}]}'),
    "path with a space": ("GET", "/v3/%s/jobs/a b" % PROJECT, [], JSON_HEADERS, b""),
    "path already quoted": ("GET", "/v3/%s/jobs/a%%20b%%2Fc" % PROJECT, [], JSON_HEADERS, b""),
    "path with reserved characters": ("GET", "/v3/%s/x:y@z+1!*'()~;,=$&" % PROJECT, [], JSON_HEADERS, b""),
    "path with unicode": ("GET", "/v3/%s/jobs/\u00fcber/\u4e2d\u6587" % PROJECT, [], JSON_HEADERS, b""),
    "path with a trailing slash": ("GET", "/v3/%s/jobs/" % PROJECT, [], JSON_HEADERS, b""),
    "query with special characters": ("GET", "/v5/%s/batch-async-jobs" % PROJECT,
                                      [("name", "a b&c=d/e~f"), ("\u00fcser", "\u4e2d\u6587"), ("empty", ""), ("plus", "1+1")],
                                      JSON_HEADERS, b""),
    "repeated query key": ("GET", "/v5/%s/batch-async-jobs" % PROJECT, [("status", "b"), ("status", "a"), ("offset", "0")],
                           JSON_HEADERS, b""),
    "header values with spaces": ("POST", "/v3/%s/jobs/batch-status" % PROJECT, [],
                                  {"Content-Type": "application/json ", "X-Language": "  zh-cn  "}, b"{}"),
    "binary body": ("POST", "/v3/%s/jobs/batch-status" % PROJECT, [], JSON_HEADERS, bytes(range(256))),
    "unicode body": ("POST", "/v3/%s/jobs/batch-status" % PROJECT, [], JSON_HEADERS,
                     json.dumps({"jobs": ["\u00fc"]}, ensure_ascii=False).encode("utf-8")),
    "host with a port": ("POST", "/v3/%s/jobs/batch-status" % PROJECT, [], dict(JSON_HEADERS, Host="127.0.0.1:8443"), b"{}"),
}


@pytest.mark.parametrize("case", sorted(TABLE))
def test_signature_matches_the_vendor_sdk(case):
    method, path, query, headers, body = TABLE[case]
    host = headers.get("Host", HOST)
    headers = dict((name, value) for name, value in headers.items() if name != "Host")
    assert our_authorization(method, host, path, query, headers, body) == \
        vendor_authorization(method, host, path, query, headers, body)


def test_the_wire_query_is_the_signed_one():
    """The client sends exactly the canonical query it signed (the vendor's ``process_request_uri``)."""
    method, path, query, headers, body = TABLE["query with special characters"]
    request = SdkRequest(method=method, schema="https", host=HOST, resource_path=path, query_params=list(query),
                         header_params=dict(headers, **{"X-Sdk-Date": "20260301T123456Z"}), body=body)
    Signer(BasicCredentials(AK, SK)).sign(request)
    assert request.uri == path + "?" + canonical_query(query)


segment = st.text(st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), max_size=12)
query_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
header_names = st.from_regex(r"\AX-[A-Za-z][A-Za-z0-9-]{0,15}\Z")
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=30)


@settings(max_examples=200, deadline=None)
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]), segments=st.lists(segment, min_size=1, max_size=5),
       query=st.lists(st.tuples(query_text, query_text), max_size=4),
       headers=st.dictionaries(header_names, header_values, max_size=4), body=st.binary(max_size=64),
       seconds=st.integers(0, 2 ** 31))
def test_any_request_is_signed_as_the_vendor_sdk_signs(method, segments, query, headers, body, seconds):
    path = "/" + "/".join(segments)
    lowered = [name.lower() for name in headers]
    if len(set(lowered)) != len(lowered):
        return  # the same header twice in different case: neither signer defines which wins
    headers = dict(headers, **{"Content-Type": "application/json"})
    now = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    assert our_authorization(method, HOST, path, query, headers, body, now=now) == \
        vendor_authorization(method, HOST, path, query, headers, body, now=now)


# -- the simulator refuses a tampered request ----------------------------------------------

SIM_CREDENTIALS = [{"ak": "SIMULATORACCESSKEY00", "sk": "simulator-secret-key"},
                   {"ak": "TEMPORARYACCESSKEY01", "sk": "temporary-secret", "security_token": "session-token"}]


@pytest.fixture
def aksk_sim(make_sim):
    return make_sim({"speed": 0, "auth": {"credentials": SIM_CREDENTIALS},
                     "tasks": [{"id": "9a470239-2308-4bb5-a6bc-1040402fjb21"}],
                     "async_jobs": [{"id": "bd4193aa-072d-4ce6-beec-adffc7252341", "status": "COMMIT_SUCCESS",
                                     "tasks": [{"id": "dbb8127c-b093-4b94-b764-7161e151jb2s"}]}]})


def send(sim, method, path, query, body, credential, tamper=None):
    """Sign with the collection's signer, optionally change something after signing, send it."""
    host = sim.url.split("://", 1)[1]
    headers = dict(JSON_HEADERS, **{"X-Project-Id": sim.project_id})
    if credential.get("security_token"):
        headers["X-Security-Token"] = credential["security_token"]
    headers.update(sign_request(method, host, path, query, headers, body, credential["ak"], credential["sk"]))
    wire_path, wire_query, wire_body = path, canonical_query(query), body
    if tamper == "body":
        wire_body = body.replace(b"9a47", b"9a48")
    elif tamper == "path":
        wire_path = path.replace("batch-async-jobs", "batch-async-jobs/bd4193aa-072d-4ce6-beec-adffc7252341")
    elif tamper == "query":
        wire_query = wire_query.replace("limit=10", "limit=11")
    elif tamper == "header":
        headers["X-Language"] = "zh-cn"
    elif tamper == "security token":
        headers["X-Security-Token"] = "another-token"
    elif tamper == "date":
        headers["X-Sdk-Date"] = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)) \
            .strftime("%Y%m%dT%H%M%SZ")
    url = sim.url + wire_path + ("?" + wire_query if wire_query else "")
    return requests.request(method, url, headers=headers, data=wire_body or None, timeout=10)


STATUS_BODY = b'{"jobs":["9a470239-2308-4bb5-a6bc-1040402fjb21"],"page_req":{"cur_page":1,"per_page":1}}'
REQUESTS = {
    "status": ("POST", "/v3/{project}/jobs/batch-status", [], STATUS_BODY),
    "async list": ("GET", "/v5/{project}/batch-async-jobs", [("offset", 0), ("limit", 10)], b""),
}
TAMPERING = {"status": ["body", "header", "date"], "async list": ["path", "query", "header"]}


@pytest.mark.parametrize("credential", SIM_CREDENTIALS, ids=["permanent", "temporary"])
@pytest.mark.parametrize("request_name", sorted(REQUESTS))
def test_simulator_accepts_our_signature_and_refuses_a_tampered_one(aksk_sim, credential, request_name):
    method, path, query, body = REQUESTS[request_name]
    path = path.format(project=aksk_sim.project_id)
    accepted = send(aksk_sim, method, path, query, body, credential)
    assert accepted.status_code == 200, accepted.text
    changes = TAMPERING[request_name] + (["security token"] if credential.get("security_token") else [])
    for change in changes:
        refused = send(aksk_sim, method, path, query, body, credential, tamper=change)
        assert refused.status_code == 401, (change, refused.status_code, refused.text)
        assert refused.json()["error_code"] == "APIGW.0301", (change, refused.text)
    wrong_key = send(aksk_sim, method, path, query, body, dict(credential, sk="not-the-secret-key"))
    assert wrong_key.status_code == 401 and "verify aksk signature fail" in wrong_key.text
