# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No secret in anything a run leaves behind, with each way to authenticate, at ``-vvv``.

The role launches a batch, then each module fails once (unknown task, a task that cannot
start, unknown async job, another project), with the credentials given as module options
(``module_defaults`` and ``batch_launch_connection``). Scanned for the token, access key, secret
key, security token, password and any token IAM issued: everything ansible-playbook printed
(custom stats included), every file the run left in its directory (results, ansible's temp
and home directories), and the simulator's request log - headers and bodies. One request is
left out of the log scan: the body of the IAM token request (``POST /v3/auth/tokens``), which
must carry the password to IAM (the simulator's log redacts it anyway).
"""

import json
import os
import re

import pytest

from .conftest import fired

TOKEN = "tokSECRET-5f0c1e9a7b3d4c2e8f6a"
ACCESS_KEY = "AKSECRETTEMPORARY0042"
SECRET_KEY = "skSECRET-9d8c7b6a5f4e3d2c1b0a"
SECURITY_TOKEN = "stsSECRET-temporary-c0ffee"
PASSWORD = "pwSECRET-Passw0rd!"
ISSUED_TOKEN = re.compile(r"MIIsim[0-9a-f]{64}")  # what the simulator's IAM route issues
SECRETS = (TOKEN, ACCESS_KEY, SECRET_KEY, SECURITY_TOKEN, PASSWORD)

ASYNC_ID = "6f1c9a52-3d7e-4b8a-9c21-5e0d4f7a8b61"
FAILED_TASK = "5a1b2c3d-0000-4000-8000-00000001jb21"
UNKNOWN_TASK = "5a1b2c3d-0000-4000-8000-0000000fjb21"
PLAIN_TASKS = ["5a1b2c3d-0000-4000-8000-0000000%djb21" % number for number in (2, 3)]
SCENARIO = {
    "speed": "instant",
    "auth": {"tokens": [TOKEN],
             "credentials": [{"ak": ACCESS_KEY, "sk": SECRET_KEY, "security_token": SECURITY_TOKEN}],
             "users": [{"name": "ops-user", "password": PASSWORD, "domain": "ops-domain"}]},
    "tasks": [{"id": task_id} for task_id in PLAIN_TASKS] + [{"id": FAILED_TASK, "status": "CREATE_FAILED"}],
    "async_jobs": [{"id": ASYNC_ID, "status": "AUTO_PARAM_VALIDATE_SUCCESS", "generate": {"count": 3, "prefix": "a"}}],
}
AUTH_MODES = {
    "token": lambda sim: {"auth_token": TOKEN},
    "aksk-temporary": lambda sim: {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "security_token": SECURITY_TOKEN},
    "iam-password": lambda sim: {"username": "ops-user", "password": PASSWORD, "domain_name": "ops-domain",
                                 "auth_url": sim.url + "/v3"},
}


def hits(text, where):
    """Every secret (or issued token) found in ``text``, as ``where: what``."""
    found = ["%s: %s..." % (where, secret[:6]) for secret in SECRETS if secret in text]
    found += ["%s: an IAM-issued token" % where for _match in ISSUED_TOKEN.finditer(text)]
    return found


def files_under(directory):
    for root, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    yield path, handle.read().decode("utf-8", "replace")


@pytest.mark.parametrize("mode", sorted(AUTH_MODES))
def test_no_secret_anywhere_at_vvv(make_sim, run_playbook, tmp_path, record_property, mode):
    sim = make_sim(SCENARIO)
    connection = dict(AUTH_MODES[mode](sim), timeout=5, retries=1)
    variables = {"drs_connection": connection, "batch_launch_async_job_ids": [ASYNC_ID],
                 "batch_launch_jobs": PLAIN_TASKS, "batch_launch_poll_interval": 1, "batch_launch_wait_timeout": 60,
                 "unknown_task": UNKNOWN_TASK, "failed_task": FAILED_TASK}
    # one transient fault per route, so that retry and read-back paths run with the secrets too
    for route in ("batch-status", "batch-starting", "commit", "async-list", "async-detail"):
        sim.inject_fault(route, "status", status=503, times=1)
    run = run_playbook("secrets.yml", sim, variables, args=["-vvv"], auth=None, env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})

    # the run did use the credentials: the role launched, each failing task failed as intended
    assert run.rc == 0, run.output[-5000:]
    assert run.results["summary"]["started"] in (5, "5"), run.results["summary"]
    for name in ("unknown_status", "failed_start", "unknown_commit", "other_project"):
        assert run.results[name]["failed"], (name, run.results[name])
    assert "<redacted>" in json.dumps([entry["headers"] for entry in sim.request_log]), "the log hides credentials"
    if mode == "iam-password":
        assert [entry["route"] for entry in sim.request_log].count("iam") >= 1

    found = hits(run.output, "ansible-playbook output")
    for path, text in files_under(str(tmp_path)):
        found += hits(text, os.path.relpath(path, str(tmp_path)))
    for entry in sim.request_log:
        scanned = dict(entry)
        if entry["route"] == "iam":
            scanned.pop("body")  # the IAM token request carries the password to IAM, by design
        found += hits(json.dumps(scanned), "request log %s %s" % (entry["method"], entry["path"]))
    record_property("playbook_runs", 1)
    record_property("faults_fired", fired(sim))
    record_property("leaks", len(found))
    assert not found, found
