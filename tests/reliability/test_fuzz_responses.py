# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whatever a server answers, the client returns a result or raises DrsApiError, in bounded time.

A local HTTP server answers every request with a hypothesis-generated status, headers and
body (JSON shaped like the DRS answers with wrong types in every field, other JSON, text,
bytes, truncated JSON); each DRS operation of the client is called against it.
"""

import json
import os
import re
import time

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Response

from ansible_collections.hwcloud.drs.plugins.module_utils._client import DrsApiError, DrsClient, TokenAuth

from .conftest import fast_sleep

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
IDS = ["%08x-2308-4bb5-a6bc-1040402fjb21" % number for number in range(1, 4)]
ASYNC_ID = "bd4193aa-072d-4ce6-beec-adffc7252341"
# A client call makes at most (retries + 1) requests per page; paging must end by itself.
MAX_REQUESTS_PER_CALL = 60

OPERATIONS = {
    "batch_status": lambda client: client.batch_status(IDS),
    "start_jobs": lambda client: client.start_jobs([{"job_id": job_id} for job_id in IDS]),
    "find_async_job": lambda client: client.find_async_job(ASYNC_ID),
    "async_job_tasks": lambda client: client.async_job_tasks(ASYNC_ID),
    "commit_async_job": lambda client: client.commit_async_job(ASYNC_ID),
    "retry_jobs": lambda client: client.retry_jobs([{"job_id": job_id} for job_id in IDS]),
    "delete_jobs": lambda client: client.delete_jobs([{"job_id": job_id, "delete_type": "terminate"} for job_id in IDS]),
}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 64, 2 ** 64), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from(IDS + [ASYNC_ID, "success", "failed", "CONFIGURATION"]))
json_values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)), max_leaves=12)
records = st.one_of(
    st.fixed_dictionaries({}, optional={"id": st.one_of(st.sampled_from(IDS), json_values),
                                        "async_job_id": st.one_of(st.just(ASYNC_ID), json_values),
                                        "status": st.one_of(st.sampled_from(["success", "failed", "CONFIGURATION"]),
                                                            json_values),
                                        "error_code": json_values, "error_msg": json_values,
                                        "error_message": json_values}),
    json_values)
drs_bodies = st.fixed_dictionaries({}, optional={
    "results": st.one_of(st.lists(records, max_size=5), json_values),
    "jobs": st.one_of(st.lists(records, max_size=5), json_values),
    "count": json_values,
    "total_count": st.one_of(st.integers(-5, 10 ** 12), json_values),
    "job": st.one_of(records, json_values),
    "error_code": json_values,
    "error_msg": json_values,
})


@st.composite
def bodies(draw):
    kind = draw(st.sampled_from(["drs", "json", "text", "bytes", "truncated", "empty", "deep"]))
    if kind == "drs":
        return json.dumps(draw(drs_bodies)).encode()
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8")
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "truncated":
        whole = json.dumps(draw(drs_bodies)).encode()
        return whole[:draw(st.integers(0, max(len(whole) - 1, 0)))]
    if kind == "deep":
        depth = draw(st.integers(1, 100000))
        return b"[" * depth + b"]" * draw(st.integers(0, depth))
    return b""


answers = st.fixed_dictionaries({
    "status": st.one_of(st.sampled_from([200, 201, 202, 204, 301, 302, 400, 401, 403, 404, 409, 429, 500, 502, 503,
                                         504]), st.integers(200, 599)),
    "body": bodies(),
    "content_type": st.sampled_from(["application/json", "application/json;charset=UTF-8", "text/html",
                                     "text/plain", "application/octet-stream"]),
    "retry_after": st.one_of(st.none(), st.sampled_from(["0", "1", "-1", "soon", "Wed, 21 Oct 2015 07:28:00 GMT",
                                                         "99999999999"]), st.text(max_size=10)),
    "request_id": st.one_of(st.none(), st.text(max_size=40)),
})


@pytest.fixture(scope="module")
def server():
    httpserver = HTTPServer(host="127.0.0.1", port=0)
    httpserver.start()
    yield httpserver
    httpserver.clear()
    if httpserver.is_running():
        httpserver.stop()


def header_safe(value):
    return value is not None and re.fullmatch(r"[\x20-\x7e]*", value) is not None


# More examples for a longer search: HWCLOUD_DRS_FUZZ_EXAMPLES=2000 pytest tests/reliability -k fuzz
@settings(max_examples=int(os.environ.get("HWCLOUD_DRS_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operation=st.sampled_from(sorted(OPERATIONS)), answer=answers)
# a server that ignores offset and claims more tasks than it ever sends: paging must end
@example(operation="async_job_tasks", answer=dict(status=200, body=b'{"jobs": [{"id": "a"}], "total_count": 1000000000000}',
                                                  content_type="application/json", retry_after=None, request_id=None))
# JSON nested deeper than Python's recursion limit
@example(operation="batch_status", answer=dict(status=200, body=b"[" * 100000, content_type="application/json",
                                               retry_after=None, request_id=None))
@example(operation="start_jobs", answer=dict(status=502, body=b'{"a":' * 50000, content_type="application/json",
                                             retry_after=None, request_id=None))
# an invalid Retry-After on a throttled write
@example(operation="start_jobs", answer=dict(status=429, body=b"{}", content_type="application/json", retry_after="soon",
                                             request_id=None))
def test_any_answer_is_a_result_or_a_drs_api_error(server, operation, answer):
    server.clear()
    headers = {}
    if header_safe(answer["retry_after"]):
        headers["Retry-After"] = answer["retry_after"]
    if header_safe(answer["request_id"]):
        headers["X-Request-Id"] = answer["request_id"]
    server.expect_request(re.compile(".*")).respond_with_response(
        Response(answer["body"], status=answer["status"], headers=headers, content_type=answer["content_type"]))
    client = DrsClient(server.url_for("/").rstrip("/"), PROJECT, TokenAuth("fuzz-token"), timeout=5, retries=2,
                       backoff_factor=0)
    began = time.monotonic()
    with fast_sleep([]):
        try:
            result = OPERATIONS[operation](client)
        except DrsApiError as exc:
            assert str(exc).startswith(("POST /v3/", "DELETE /v3/", "GET /v5/", "POST /v5/")), str(exc)
            assert "fuzz-token" not in str(exc)
        else:
            assert result is None or isinstance(result, (list, dict))
            if isinstance(result, list):
                assert all(isinstance(record, dict) for record in result)
    assert len(server.log) <= MAX_REQUESTS_PER_CALL, "%d requests for one call" % len(server.log)
    assert time.monotonic() - began < 30
