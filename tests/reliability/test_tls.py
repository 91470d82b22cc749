# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS: verified by default, ``ca_path`` trusts a private CA, ``validate_certs: false`` warns.

The simulator speaks plain HTTP; a TLS front with a certificate made at test time (signed by
a private CA, for 127.0.0.1) forwards to it.
"""

import certifi
import pytest

from ansible_collections.hwcloud.drs.plugins.modules import drs_batch_start, drs_batch_status

from .conftest import connection, run_module_in_process
from .tlsproxy import TlsProxy, make_certificates

TASKS = ["%08x-2308-4bb5-a6bc-1040402fjb21" % number for number in range(1, 3)]


@pytest.fixture
def tls(make_sim, tmp_path):
    sim = make_sim({"speed": "instant", "tasks": [{"id": task_id} for task_id in TASKS]})
    ca_cert, cert, key = make_certificates(str(tmp_path))
    proxy = TlsProxy(sim.port, cert, key).start()
    yield sim, proxy, ca_cert
    proxy.stop()


def tls_args(sim, proxy, **overrides):
    return dict(connection(sim, endpoint=proxy.url, retries=0), jobs=TASKS, **overrides)


@pytest.mark.parametrize("environment", [{}, {"REQUESTS_CA_BUNDLE": certifi.where()}, {"CURL_CA_BUNDLE": certifi.where()}],
                         ids=["plain", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_tls_verification(tls, monkeypatch, record_property, environment):
    """Also with a CA bundle in the environment, as many hosts have: the options still decide."""
    sim, proxy, ca_cert = tls
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    refused = run_module_in_process(drs_batch_status, tls_args(sim, proxy))
    assert refused.traceback is None, refused.traceback
    assert refused.failed
    assert "TLS verification failed" in refused.msg and "CERTIFICATE_VERIFY_FAILED" in refused.msg, refused.msg
    assert "ca_path" in refused.msg, "the message says how to trust the endpoint"
    assert "POST /v3/%s/jobs/batch-status" % sim.project_id in refused.msg
    assert sim.request_log == [], "nothing reached the API over an unverified connection"

    trusted = run_module_in_process(drs_batch_status, tls_args(sim, proxy, ca_path=ca_cert))
    assert not trusted.failed, trusted.msg
    assert trusted.result["status_by_id"] == dict((task_id, "CONFIGURATION") for task_id in TASKS)
    assert not trusted.warnings

    unverified = run_module_in_process(drs_batch_start, tls_args(sim, proxy, validate_certs=False))
    assert not unverified.failed, unverified.msg
    assert [entry["action"] for entry in unverified.result["results"]] == ["started", "started"]
    assert any("validate_certs is false" in warning for warning in unverified.warnings), unverified.warnings
    record_property("module_runs", 3)


def test_plain_http_client_to_tls_endpoint_fails_clearly(tls):
    """An http:// URL for a TLS port: a clear connection error, not a hang or a traceback."""
    sim, proxy, _ca_cert = tls
    run = run_module_in_process(drs_batch_status, tls_args(sim, proxy, endpoint=proxy.url.replace("https", "http")))
    assert run.traceback is None, run.traceback
    assert run.failed and "POST /v3/%s/jobs/batch-status" % sim.project_id in run.msg, run.msg
    assert run.elapsed < 5
