"""batch-precheck and batch-precheck-result: runs that take simulated time, scripted failures, refusals."""

import warnings

import pytest
from huaweicloudsdkdrs.v3 import (BatchCheckJobsRequest, BatchCheckResultsRequest, BatchPrecheckReq, BatchQueryPrecheckResultReq,
                                  PostPreCheckResp, PreCheckInfo, PrecheckResult, QueryPreCheckResp)

from simtools import TIMEOUT, DrsClient, assert_vendor_error, scenario, sdk_client

# batch-precheck-result takes task IDs in the UUID form only (BatchQueryPrecheckResultReq.jobs)
OK, BAD, RUNNING, NOPE = ("%08x-2308-4bb5-a6bc-1040402fjb21" % number for number in range(4))
FAILING = [{"item": "Source database binlog format", "failed_reason": "binlog_format is STATEMENT, not ROW"},
           {"item": "Source database timezone", "result": "ALARM", "failed_reason": "time zones differ"}]


def precheck(client, *job_ids, mode="forStartJob"):
    body = {"jobs": [{"job_id": job_id, "precheck_mode": mode} for job_id in job_ids]}
    response = client.session.post(client.url("v3", "jobs/batch-precheck"), json=body, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def results(client, *some_ids):
    response = client.session.post(client.url("v3", "jobs/batch-precheck-result"), json={"jobs": list(some_ids)}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["results"]


@pytest.fixture
def sim(make_sim):
    return make_sim(scenario({"id": OK, "precheck_seconds": 10}, {"id": BAD, "precheck_items": FAILING, "precheck_seconds": 4},
                             {"id": RUNNING, "status": "INCRE_TRANSFER_STARTED"}))


def test_a_precheck_runs_for_its_time_then_passes(sim):
    client = DrsClient(sim)
    body = precheck(client, OK)
    assert body["count"] == 1
    started = body["results"][0]
    assert set(started) == {"id", "precheck_id", "status"} and set(started) <= set(PostPreCheckResp.attribute_map.values())
    assert (started["id"], started["status"]) == (OK, "success")
    first = results(client, started["precheck_id"])[0]
    assert (first["result"], first["process"], first["precheck_result"]) == (False, "0%", [])
    sim.advance(5)
    assert results(client, OK)[0]["process"] == "50%"  # a task ID reads its latest precheck too
    sim.advance(5)
    done = results(client, started["precheck_id"])[0]
    assert set(done) <= set(QueryPreCheckResp.attribute_map.values())
    assert (done["precheck_id"], done["result"], done["process"], done["total_passed_rate"]) == (started["precheck_id"], True, "100%", "100%")
    assert done["job_direction"] == "up" and done["rds_instance_id"]
    assert all(item["result"] == "PASSED" for item in done["precheck_result"])
    for item in done["precheck_result"]:
        assert set(item) == set(PrecheckResult.attribute_map.values())
    sim.advance(3600)
    assert results(client, OK)[0]["result"] is True, "a passed precheck keeps its result"


def test_scripted_failure_items(sim):
    client = DrsClient(sim)
    precheck(client, BAD)
    sim.advance(4)
    done = results(client, BAD)[0]
    assert done["result"] is False and done["process"] == "100%"
    by_item = {item["item"]: item for item in done["precheck_result"]}
    assert by_item["Source database binlog format"]["result"] == "FAILED"
    assert by_item["Source database binlog format"]["failed_reason"] == "binlog_format is STATEMENT, not ROW"
    assert by_item["Source database timezone"]["result"] == "ALARM"
    assert len(by_item) == 6 and done["total_passed_rate"] == "66%"


def test_a_second_precheck_restarts_it_with_a_new_id(sim):
    client = DrsClient(sim)
    old = precheck(client, OK)["results"][0]["precheck_id"]
    sim.advance(10)
    assert results(client, old)[0]["result"] is True
    new = precheck(client, OK)["results"][0]["precheck_id"]
    assert new != old
    assert results(client, OK)[0]["result"] is False
    assert results(client, old)[0]["error_code"] == "DRS.10040017"


def test_refusals_per_task(sim):
    client = DrsClient(sim)
    body = precheck(client, RUNNING, NOPE, OK)
    refused, unknown, started = body["results"]
    assert (refused["status"], refused["error_code"]) == ("failed", "DRS.10040015") and "INCRE_TRANSFER_STARTED" in refused["error_msg"]
    assert (unknown["status"], unknown["error_code"]) == ("failed", "DRS.10040004")
    assert started["status"] == "success"
    retry = precheck(client, BAD, mode="forRetryJob")["results"][0]
    assert (retry["status"], retry["error_code"]) == ("failed", "DRS.10040015") and "forStartJob" in retry["error_msg"]


def test_result_errors(sim):
    client = DrsClient(sim)
    never, unknown = results(client, OK, "00000000-0000-4000-8000-000000000000")
    assert (never["precheck_id"], never["error_code"]) == (OK, "DRS.10040016")
    assert unknown["error_code"] == "DRS.10040017"


@pytest.mark.parametrize("route, body", [
    ("batch-precheck", {}),
    ("batch-precheck", {"jobs": []}),
    ("batch-precheck", {"jobs": [{"job_id": OK}]}),
    ("batch-precheck", {"jobs": [{"job_id": OK, "precheck_mode": "now"}]}),
    ("batch-precheck", {"jobs": [{"job_id": OK, "precheck_mode": "forStartJob"}] * 2}),
    ("batch-precheck", {"jobs": [OK]}),
    ("batch-precheck-result", {"jobs": []}),
    ("batch-precheck-result", {"jobs": [OK, OK]}),
    ("batch-precheck-result", {"jobs": [7]}),
    ("batch-precheck-result", {"jobs": ["ok"]}),
    ("batch-precheck-result", {"jobs": [OK, "9a470239-2308-4bb5-a6bc-1040402fjb2"]}),
])
def test_invalid_bodies_are_400(sim, route, body):
    client = DrsClient(sim)
    assert_vendor_error(client.session.post(client.url("v3", "jobs/" + route), json=body, timeout=TIMEOUT), 400, "DRS.10000004")


def test_at_most_100(make_sim):
    sim = make_sim({"generate": {"count": 101}})
    client = DrsClient(sim)
    job_ids = [task["id"] for task in sim.state()["tasks"]]
    body = {"jobs": [{"job_id": job_id, "precheck_mode": "forStartJob"} for job_id in job_ids]}
    assert_vendor_error(client.session.post(client.url("v3", "jobs/batch-precheck"), json=body, timeout=TIMEOUT), 400, "DRS.10000005")
    assert precheck(client, *job_ids[:100])["count"] == 100
    assert_vendor_error(client.session.post(client.url("v3", "jobs/batch-precheck-result"), json={"jobs": job_ids}, timeout=TIMEOUT),
                        400, "DRS.10000005")


def test_require_precheck_gates_the_start(make_sim):
    sim = make_sim(scenario({"id": "t1", "precheck_seconds": 2}, {"id": "t2", "precheck_items": FAILING[:1], "precheck_seconds": 0},
                            require_precheck=True))
    client = DrsClient(sim)
    assert client.start("t1").json()["results"][0]["error_code"] == "DRS.10040018"
    precheck(client, "t1", "t2")
    assert client.start("t1").json()["results"][0]["error_code"] == "DRS.10040018", "still running"
    sim.advance(2)
    first, second = client.start("t1", "t2").json()["results"]
    assert first["status"] == "success"
    assert second["error_code"] == "DRS.10040018", "a failed precheck does not open the gate"


def test_vendor_sdk_prechecks(sim):
    client = sdk_client(sim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK marks both methods deprecated
        started = client.batch_check_jobs(BatchCheckJobsRequest(body=BatchPrecheckReq(
            jobs=[PreCheckInfo(job_id=BAD, precheck_mode="forStartJob")])))
        assert (started.count, started.results[0].status) == (1, "success")
        sim.advance(4)
        done = client.batch_check_results(BatchCheckResultsRequest(body=BatchQueryPrecheckResultReq(jobs=[started.results[0].precheck_id])))
    result = done.results[0]
    assert (result.result, result.process) == (False, "100%")
    assert any(item.result == "FAILED" and item.failed_reason for item in result.precheck_result)
