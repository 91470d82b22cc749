"""POST /v3/{project_id}/jobs/batch-rpo-and-rto: null before incremental transfer, then delays that settle."""

import re

import pytest
from huaweicloudsdkdrs.v3 import BatchListRposAndRtosRequest, BatchQueryRpoAndRtoReq, RpoAndRtoInfo

from simtools import TIMEOUT, DrsClient, assert_vendor_error, scenario, sdk_client


def rpo_rto(client, *job_ids):
    response = client.session.post(client.url("v3", "jobs/batch-rpo-and-rto"), json={"jobs": list(job_ids)}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def delays(client, job_id):
    entry = rpo_rto(client, job_id)["results"][0]
    if entry["rpo_info"] is None:
        return None
    return int(entry["rpo_info"]["delay"]), int(entry["rto_info"]["delay"])


def test_null_before_incremental_then_info_fields(make_sim):
    sim = make_sim(scenario({"id": "t1"}, {"id": "t2", "status": "INCRE_TRANSFER_STARTED"}))
    body = rpo_rto(DrsClient(sim), "t1", "t2")
    assert body["count"] == 2
    assert body["results"][0] == {"job_id": "t1", "rpo_info": None, "rto_info": None}
    second = body["results"][1]
    assert set(second) == {"job_id", "rpo_info", "rto_info"}
    for info in (second["rpo_info"], second["rto_info"]):
        assert set(info) == set(RpoAndRtoInfo.attribute_map.values())
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", info["time"])
        assert info["delay"] == "1"  # seeded in incremental transfer: settled at the default floor
        assert info["check_point"] and info["gtid_set"]


def test_delays_fall_from_start_to_floor_over_the_settle_time(make_sim):
    sim = make_sim(scenario({"id": "t1"}, transition_seconds=10, settle_seconds=100))
    client = DrsClient(sim)
    client.start("t1")
    for _step in range(3):
        assert delays(client, "t1") is None
        sim.advance(10)
    seen = []
    for _step in range(5):
        seen.append(delays(client, "t1"))
        sim.advance(25)
    # 120 s down to 1 s over 100 s: 120, 90.25, 60.5, 30.75, 1
    assert seen == [(120, 120), (90, 90), (60, 60), (30, 30), (1, 1)]


def test_scripted_values(make_sim):
    sim = make_sim(scenario({"id": "fixed", "status": "INCRE_TRANSFER_STARTED", "rpo": 75, "rto": 3},
                            {"id": "curve", "rpo_start": 50, "rpo_floor": 5, "rto_start": 20, "rto_floor": 2, "settle_seconds": 10,
                             "task_mode": "INCR_TRANS"},
                            transition_seconds=1))
    client = DrsClient(sim)
    assert delays(client, "fixed") == (75, 3)
    client.start("curve")
    sim.advance(1)
    assert delays(client, "curve") == (50, 20)
    sim.advance(5)
    assert delays(client, "curve") == (27, 11)
    sim.advance(50)
    assert delays(client, "curve") == (5, 2)


def test_unknown_id_and_limit(make_sim):
    sim = make_sim({"generate": {"count": 101}})
    client = DrsClient(sim)
    assert rpo_rto(client, "nope")["results"] == [{"job_id": "nope", "error_code": "DRS.10040004", "error_msg": "The job nope does not exist."}]
    job_ids = [task["id"] for task in sim.state()["tasks"]]
    assert rpo_rto(client, *job_ids[:100])["count"] == 100
    response = client.session.post(client.url("v3", "jobs/batch-rpo-and-rto"), json={"jobs": job_ids}, timeout=TIMEOUT)
    assert_vendor_error(response, 400, "DRS.10000005")


@pytest.mark.parametrize("body", [{}, {"jobs": []}, {"jobs": [None]}])
def test_invalid_bodies_are_400(make_sim, body):
    sim = make_sim(scenario({"id": "t1"}))
    client = DrsClient(sim)
    assert_vendor_error(client.session.post(client.url("v3", "jobs/batch-rpo-and-rto"), json=body, timeout=TIMEOUT), 400, "DRS.10000004")


def test_vendor_sdk_reads_rpo_and_rto(make_sim):
    sim = make_sim(scenario({"id": "t1", "status": "INCRE_TRANSFER_STARTED", "rpo": 12, "rto": 34}, {"id": "t2"}))
    response = sdk_client(sim).batch_list_rpos_and_rtos(BatchListRposAndRtosRequest(body=BatchQueryRpoAndRtoReq(jobs=["t1", "t2", "x"])))
    assert response.count == 3
    first, second, unknown = response.results
    assert (first.rpo_info.delay, first.rto_info.delay) == ("12", "34")
    assert (second.job_id, second.rpo_info, second.rto_info) == ("t2", None, None)
    assert unknown.error_code == "DRS.10040004"
