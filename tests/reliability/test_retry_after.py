# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retry-After forms a gateway may send: honoured when it is a number, the backoff otherwise, capped."""

import json

import pytest
from werkzeug import Response

from ansible_collections.hwcloud.drs.plugins.module_utils import _client
from ansible_collections.hwcloud.drs.plugins.module_utils._client import DrsClient, TokenAuth

from .conftest import fast_sleep

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
STATUS_URI = "/v3/%s/jobs/batch-status" % PROJECT
START_URI = "/v3/%s/jobs/batch-starting" % PROJECT
JOB = "9a470239-2308-4bb5-a6bc-1040402fjb21"


@pytest.mark.parametrize("header, slept", [
    ("2", 2), ("1.5", 1.5), (" 3 ", 3), ("0", None), ("soon", None), ("-4", None), ("nan", None),
    ("Wed, 21 Oct 2015 07:28:00 GMT", None), ("86400", _client.MAX_RETRY_AFTER), ("1e9", _client.MAX_RETRY_AFTER),
])
@pytest.mark.parametrize("uri", [STATUS_URI, START_URI], ids=["read", "write"])
def test_throttled_call_is_retried_whatever_the_retry_after(httpserver, uri, header, slept):
    throttled = Response(json.dumps({"error_code": "APIGW.0308", "error_msg": "throttled"}), status=429,
                         headers={"Retry-After": header}, content_type="application/json")
    answer = {"results": [{"id": JOB, "status": "success" if uri == START_URI else "CONFIGURATION"}], "count": 1}
    httpserver.expect_ordered_request(uri).respond_with_response(throttled)
    httpserver.expect_ordered_request(uri).respond_with_json(answer, status=202 if uri == START_URI else 200)
    client = DrsClient(httpserver.url_for("/").rstrip("/"), PROJECT, TokenAuth("token"), retries=2, backoff_factor=0)
    sleeps = []
    with fast_sleep(sleeps):
        if uri == START_URI:
            result = client.start_jobs([{"job_id": JOB}])
        else:
            result = client.batch_status([JOB])
    assert result == answer["results"]
    assert len(httpserver.log) == 2
    if slept is None:
        assert not [seconds for seconds in sleeps if seconds], sleeps  # backoff_factor 0: no wait
    else:
        assert sleeps == [slept]
