# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault kind x API call: every module either succeeds after bounded retries or fails clearly.

Each case runs one module in-process against a simulator whose fault rule hits one route,
either once (``transient``) or on every call (``persistent``), with ``timeout: 1`` and
``retries: 2``. The outcome is pinned per case; in every case there is no traceback, the
run ends well within its bound, no task is started twice, and a failure names the call
(method and path) and the fault.
"""

import pytest

from ansible_collections.hwcloud.drs.plugins.modules import drs_async_commit, drs_batch_start, drs_batch_status

from .conftest import connection, fired, processed_starts, run_module_in_process

TASKS = ["%08x-2308-4bb5-a6bc-1040402fjb21" % number for number in range(1, 4)]
ASYNC_TASKS = ["%08x-7a1c-4e2b-9d3f-5c6b7a8fjb21" % number for number in range(1, 4)]
ASYNC_ID = "bd4193aa-072d-4ce6-beec-adffc7252341"
SLOW = 1.3  # seconds; more than the modules' timeout of 1 s

FAULTS = {
    "429-retry-after": dict(kind="status", status=429, retry_after=7),
    "429": dict(kind="status", status=429),
    "500": dict(kind="status", status=500),
    "502": dict(kind="status", status=502),
    "503": dict(kind="status", status=503),
    "504": dict(kind="status", status=504),
    "reset-before": dict(kind="reset_before"),
    "reset-after": dict(kind="reset_after"),
    "timeout": dict(kind="slow", delay=SLOW),
    "malformed": dict(kind="malformed"),
    "html": dict(kind="html"),
}
# What a failure must say about the fault.
FAULT_WORDS = {
    "429-retry-after": "HTTP 429 APIGW.0308", "429": "HTTP 429 APIGW.0308", "500": "HTTP 500 DRS.10000002",
    "502": "HTTP 502 APIGW.0201", "503": "HTTP 503 APIGW.0201", "504": "HTTP 504 APIGW.0201",
    "reset-before": "connection failed", "reset-after": "connection failed", "timeout": "timed out after 1s",
    "malformed": "not a JSON object", "html": "HTTP 502 with a non-JSON body",
}


def scenario():
    return {"speed": "instant", "tasks": [{"id": task_id} for task_id in TASKS],
            "async_jobs": [{"id": ASYNC_ID, "status": "AUTO_PARAM_VALIDATE_SUCCESS",
                            "tasks": [{"id": task_id} for task_id in ASYNC_TASKS]}]}


# call -> (route, module, module args, the call as a failure names it)
CALLS = {
    "batch-status": ("batch-status", drs_batch_status, {"jobs": TASKS}, "POST /v3/{project}/jobs/batch-status"),
    "batch-status-in-start": ("batch-status", drs_batch_start, {"jobs": TASKS}, "POST /v3/{project}/jobs/batch-status"),
    "batch-starting": ("batch-starting", drs_batch_start, {"jobs": TASKS}, "POST /v3/{project}/jobs/batch-starting"),
    "async-list": ("async-list", drs_async_commit, {"async_job_id": ASYNC_ID}, "GET /v5/{project}/batch-async-jobs"),
    "async-detail": ("async-detail", drs_async_commit, {"async_job_id": ASYNC_ID},
                     "GET /v5/{project}/batch-async-jobs/" + ASYNC_ID),
    "commit": ("commit", drs_async_commit, {"async_job_id": ASYNC_ID},
               "POST /v5/{project}/batch-async-jobs/%s/commit" % ASYNC_ID),
}
WRITES = ("batch-starting", "commit")
# Reads are retried on 429, 502, 503, 504 and connection errors; not on a 500 or an unreadable body.
READ_NOT_RETRIED = ("500", "malformed")
# A write that reached the service without a usable answer is read back: when the read shows
# it took effect, the module succeeds even though every answer to it was lost.
WRITE_ACTED = ("reset-after", "malformed", "timeout")


def expected_success(call, fault, mode):
    if call in WRITES:
        return mode == "transient" or fault in WRITE_ACTED
    return mode == "transient" and fault not in READ_NOT_RETRIED


CASES = [(call, fault, mode) for call in CALLS for fault in FAULTS for mode in ("transient", "persistent")]


@pytest.mark.parametrize("call, fault, mode", CASES, ids=["-".join(case) for case in CASES])
def test_fault(make_sim, record_property, call, fault, mode):
    route, module, args, named_call = CALLS[call]
    sim = make_sim(scenario())
    rule = dict(FAULTS[fault], route=route)
    if mode == "transient":
        rule["times"] = 1
    sim.inject_fault(**rule)

    # The module's own pause before reading back a lost write is real for slow faults, so the
    # slow request lands first, as it would in production.
    run = run_module_in_process(module, dict(connection(sim), **args), real_waits=(fault == "timeout"))
    record_property("faults_fired", fired(sim))
    record_property("module_runs", 1)
    record_property("tracebacks", int(run.traceback is not None))

    assert run.traceback is None, run.traceback
    assert fired(sim) >= 1, "the fault was injected"
    # bounded: 3 attempts of at most 1 s each, per read and per write, plus the pauses made real
    assert run.elapsed < (12 if fault == "timeout" else 8), "took %.1fs" % run.elapsed

    starts = processed_starts(sim)
    counts = sim.start_counts()
    record_property("double_starts", sum(1 for count in counts.values() if count > 1))
    assert all(count <= 1 for count in counts.values())
    assert all(count == 1 for count in starts.values()), "a start was sent again after it took effect: %s" % starts

    if expected_success(call, fault, mode):
        assert not run.failed, run.msg
        if module is drs_batch_start:
            assert dict((task_id, counts[task_id]) for task_id in TASKS) == dict((task_id, 1) for task_id in TASKS)
            assert [entry["action"] for entry in run.result["results"]] == ["started"] * len(TASKS)
        if module is drs_async_commit:
            assert run.result["job"]["status"] == "COMMIT_SUCCESS"
            assert run.result["job_ids"] == ASYNC_TASKS
        if fault == "429-retry-after":
            assert 7 in run.sleeps, "Retry-After is honoured (%s)" % run.sleeps
    else:
        assert run.failed
        assert named_call.format(project=sim.project_id) in run.msg, run.msg
        assert FAULT_WORDS[fault] in run.msg, run.msg
        assert run.msg.startswith("Failed to ") or "DRS tasks failed to start" in run.msg, run.msg
        if call == "batch-starting":  # a throttled start did not act; any other lost answer may have
            assert ("start refused, chunk 1 of 1: " if fault.startswith("429") else "start outcome unknown") in run.msg, run.msg
