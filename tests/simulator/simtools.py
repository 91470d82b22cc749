"""Helpers for the simulator's tests: where it lives, a small DRS API client, assertions."""

from pathlib import Path

import requests
from drs_simulator import Simulator  # noqa: F401  pylint: disable=unused-import  # the tests import it from here

from ansible_collections.hwcloud.drs.tests.support import SIMULATOR_DIR as _SIMULATOR_DIR

SIMULATOR_DIR = Path(_SIMULATOR_DIR)
SCENARIOS = SIMULATOR_DIR / "scenarios"

TIMEOUT = 10


class DrsClient:
    """Calls one simulator with a token; every call returns the ``requests`` response."""

    def __init__(self, sim, token=None):
        self.sim = sim
        self.session = requests.Session()
        self.session.headers.update({"Content-Type": "application/json", "X-Auth-Token": token or sim.auth_token})

    def url(self, version, suffix):
        return "%s/%s/%s/%s" % (self.sim.url, version, self.sim.project_id, suffix)

    def batch_status(self, job_ids, **page_req):
        body = {"jobs": job_ids}
        if page_req:
            body["page_req"] = page_req
        return self.session.post(self.url("v3", "jobs/batch-status"), json=body, timeout=TIMEOUT)

    def statuses(self, job_ids):
        """Task ID -> status of every given task (one page with per_page 0)."""
        response = self.batch_status(job_ids, per_page=0)
        assert response.status_code == 200, response.text
        return {entry["id"]: entry.get("status") for entry in response.json()["results"]}

    def start(self, *entries):
        """Entries are job IDs or {job_id, start_time} dicts."""
        jobs = [{"job_id": entry} if isinstance(entry, str) else entry for entry in entries]
        return self.session.post(self.url("v3", "jobs/batch-starting"), json={"jobs": jobs}, timeout=TIMEOUT)

    def commit(self, async_job_id):
        return self.session.post(self.url("v5", "batch-async-jobs/%s/commit" % async_job_id), timeout=TIMEOUT)

    def list_async_jobs(self, **params):
        return self.session.get(self.url("v5", "batch-async-jobs"), params=params, timeout=TIMEOUT)

    def async_job_detail(self, async_job_id, **params):
        return self.session.get(self.url("v5", "batch-async-jobs/%s" % async_job_id), params=params, timeout=TIMEOUT)


def scenario(*tasks, **options):
    """A scenario mapping with the given tasks (dicts) and top-level options."""
    return dict(options, tasks=list(tasks))


def assert_vendor_error(response, status, code=None):
    """The response has ``status`` and a vendor error body (12-character DRS codes)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error_code", "error_msg"}
    assert body["error_msg"]
    if body["error_code"].startswith("DRS."):
        assert len(body["error_code"]) == 12
    if code:
        assert body["error_code"] == code, body
    return body


def sdk_client(sim):
    """The vendor SDK's v3 DrsClient, signing with the scenario's first AK/SK, pointed at ``sim``.

    Retries are off and the timeout short, so a simulator bug fails the test at once.
    """
    from huaweicloudsdkcore.auth.credentials import BasicCredentials  # pylint: disable=import-outside-toplevel
    from huaweicloudsdkcore.http.http_config import HttpConfig  # pylint: disable=import-outside-toplevel
    from huaweicloudsdkdrs.v3 import DrsClient as VendorDrsClient  # pylint: disable=import-outside-toplevel

    credential = sim.credentials[0]
    config = HttpConfig.get_default_config()
    config.timeout = (TIMEOUT, TIMEOUT)
    return (VendorDrsClient.new_builder()
            .with_credentials(BasicCredentials(credential["ak"], credential["sk"], sim.project_id))
            .with_endpoints([sim.url])
            .with_http_config(config)
            .build())
