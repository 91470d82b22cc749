"""POST /v3/{project_id}/jobs/batch-progress: full transfer progress, incremental delay, limits, a bounded log."""

import json
import tracemalloc

import pytest
from huaweicloudsdkdrs.v3 import BatchListProgressesRequest, BatchQueryProgressReq, QueryProgressResp

from simtools import TIMEOUT, DrsClient, Simulator, assert_vendor_error, scenario, sdk_client

PROGRESS_FIELDS = {"job_id", "progress", "remaining_time", "incre_trans_delay", "incre_trans_delay_millis", "task_mode",
                   "transfer_status", "process_time", "progress_map", "apply_rows_rate", "apply_bytes_rate"}


def progress(client, *job_ids):
    response = client.session.post(client.url("v3", "jobs/batch-progress"), json={"jobs": list(job_ids)}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def one(client, job_id):
    return progress(client, job_id)["results"][0]


def test_fields_are_the_sdk_models(make_sim):
    sim = make_sim(scenario({"id": "t1"}))
    body = progress(DrsClient(sim), "t1")
    assert body["count"] == 1
    entry = body["results"][0]
    assert set(entry) == PROGRESS_FIELDS
    assert set(entry) <= set(QueryProgressResp.attribute_map.values())
    assert entry["progress"] == "0" and entry["transfer_status"] == "CONFIGURATION" and entry["task_mode"] == "FULL_INCR_TRANS"
    assert (entry["incre_trans_delay"], entry["incre_trans_delay_millis"], entry["remaining_time"]) == ("", "", "")
    assert (entry["apply_rows_rate"], entry["apply_bytes_rate"]) == (-1, -1)
    assert entry["progress_map"] == {}
    assert entry["process_time"].isdigit() and abs(int(entry["process_time"]) / 1000.0 - sim.state()["now"]) < 5


def test_full_transfer_rises_with_the_clock_then_incremental_delay_falls(make_sim):
    sim = make_sim(scenario({"id": "t1"}, transition_seconds=100, settle_seconds=60))
    client = DrsClient(sim)
    client.start("t1")
    assert one(client, "t1")["progress"] == "0"
    sim.advance(100)  # enters FULL_TRANSFER_STARTED
    seen = []
    for _step in range(4):
        entry = one(client, "t1")
        assert entry["transfer_status"] == "FULL_TRANSFER_STARTED"
        seen.append((int(entry["progress"]), int(entry["remaining_time"])))
        assert entry["progress_map"]["data"]["completed"] == entry["progress"] + "%"
        sim.advance(25)
    assert seen == [(0, 100), (25, 75), (50, 50), (75, 25)]
    entry = one(client, "t1")
    assert (entry["transfer_status"], entry["progress"], entry["remaining_time"]) == ("FULL_TRANSFER_COMPLETE", "100", "0")
    assert entry["incre_trans_delay"] == ""
    sim.advance(100)  # enters INCRE_TRANSFER_STARTED
    delays = []
    for _step in range(4):
        entry = one(client, "t1")
        assert (entry["transfer_status"], entry["progress"]) == ("INCRE_TRANSFER_STARTED", "100")
        assert entry["apply_rows_rate"] > 0 and entry["apply_bytes_rate"] > 0
        assert int(entry["incre_trans_delay_millis"]) // 1000 == int(entry["incre_trans_delay"])
        delays.append(int(entry["incre_trans_delay"]))
        sim.advance(30)
    assert delays == [30, 15, 0, 0]  # default start 30 s, floor 0 s, over settle_seconds


def test_scripted_values_hold_on_a_frozen_clock(make_sim):
    sim = make_sim(scenario({"id": "t1", "status": "FULL_TRANSFER_STARTED", "progress": 42, "remaining_time": 3600},
                            {"id": "t2", "status": "INCRE_TRANSFER_STARTED", "incre_delay": 7.5,
                             "apply_rows_rate": 9, "apply_bytes_rate": 99}))
    client = DrsClient(sim)
    for _call in range(20):
        first, second = progress(client, "t1", "t2")["results"]
        assert (first["progress"], first["remaining_time"]) == ("42", "3600")
        assert (second["incre_trans_delay"], second["incre_trans_delay_millis"]) == ("7", "7500")
        assert (second["apply_rows_rate"], second["apply_bytes_rate"]) == (9, 99)


def test_incremental_only_task_has_no_full_transfer(make_sim):
    sim = make_sim(scenario({"id": "t1", "task_mode": "INCR_TRANS", "incre_delay_start": 10, "incre_delay_floor": 2},
                            transition_seconds=5, settle_seconds=8))
    client = DrsClient(sim)
    client.start("t1")
    sim.advance(5)
    entry = one(client, "t1")
    assert (entry["transfer_status"], entry["task_mode"], entry["progress_map"]) == ("INCRE_TRANSFER_STARTED", "INCR_TRANS", {})
    assert entry["incre_trans_delay"] == "10"
    sim.advance(8)
    assert one(client, "t1")["incre_trans_delay"] == "2"


def test_failed_task_carries_its_error(make_sim):
    sim = make_sim(scenario({"id": "t1", "status": "FULL_TRANSFER_FAILED", "error_code": "DRS.M03075", "error_message": "disk full"}))
    entry = one(DrsClient(sim), "t1")
    assert (entry["transfer_status"], entry["error_code"], entry["error_msg"]) == ("FULL_TRANSFER_FAILED", "DRS.M03075", "disk full")


def test_unknown_id_has_an_error_and_no_progress(make_sim):
    sim = make_sim(scenario({"id": "t1"}))
    body = progress(DrsClient(sim), "nope", "t1", "nope")
    assert body["count"] == 3
    assert body["results"][0] == {"job_id": "nope", "error_code": "DRS.10040004", "error_msg": "The job nope does not exist."}
    assert body["results"][2] == body["results"][0]
    assert body["results"][1]["job_id"] == "t1"


def test_at_most_100_ids(make_sim):
    sim = make_sim({"generate": {"count": 101}})
    client = DrsClient(sim)
    job_ids = [task["id"] for task in sim.state()["tasks"]]
    assert progress(client, *job_ids[:100])["count"] == 100
    response = client.session.post(client.url("v3", "jobs/batch-progress"), json={"jobs": job_ids}, timeout=TIMEOUT)
    assert_vendor_error(response, 400, "DRS.10000005")


@pytest.mark.parametrize("body", [{}, {"jobs": []}, {"jobs": "t1"}, {"jobs": [1]}, {"jobs": [""]}])
def test_invalid_bodies_are_400(make_sim, body):
    sim = make_sim(scenario({"id": "t1"}))
    client = DrsClient(sim)
    assert_vendor_error(client.session.post(client.url("v3", "jobs/batch-progress"), json=body, timeout=TIMEOUT), 400, "DRS.10000004")


def test_vendor_sdk_reads_progress(make_sim):
    sim = make_sim(scenario({"id": "t1", "status": "FULL_TRANSFER_STARTED", "progress": 64}, {"id": "t2", "status": "INCRE_TRANSFER_STARTED"}))
    response = sdk_client(sim).batch_list_progresses(BatchListProgressesRequest(body=BatchQueryProgressReq(jobs=["t1", "t2", "x"])))
    assert response.count == 3
    first, second, unknown = response.results
    assert (first.job_id, first.progress, first.transfer_status) == ("t1", "64", "FULL_TRANSFER_STARTED")
    assert first.progress_map["data"].completed == "64%"
    assert (second.progress, second.incre_trans_delay, second.task_mode) == ("100", "0", "FULL_INCR_TRANS")
    assert (unknown.job_id, unknown.error_code, unknown.progress) == ("x", "DRS.10040004", None)


def test_request_log_is_bounded_and_can_be_off():
    with Simulator(scenario({"id": "t1"}), speed=0, log_limit=3) as sim:
        client = DrsClient(sim)
        for _call in range(5):
            progress(client, "t1")
        assert len(sim.request_log) == 3
    with Simulator(scenario({"id": "t1"}), speed=0, log_limit=0) as sim:
        progress(DrsClient(sim), "t1")
        assert sim.request_log == []
    with pytest.raises(ValueError):
        Simulator(log_limit=-1)


REQUESTS = 200


def test_holding_a_task_answers_without_growing_memory():
    """A soak polls one task held in FULL_TRANSFER_STARTED for hours: memory must not grow per request.

    Only what the simulator's own code allocated and still holds is counted (the HTTP client's
    encoder keeps a little per call, which is not the simulator's to fix).
    """
    with Simulator(scenario({"id": "t1", "status": "FULL_TRANSFER_STARTED", "progress": 50}), speed=0, log_limit=0) as sim:
        client = DrsClient(sim)
        body = json.dumps({"jobs": ["t1"]})
        url = client.url("v3", "jobs/batch-progress")
        for _call in range(100):
            client.session.post(url, data=body, timeout=TIMEOUT)
        tracemalloc.start(12)
        try:
            before = tracemalloc.take_snapshot()
            for _call in range(REQUESTS):
                assert client.session.post(url, data=body, timeout=TIMEOUT).status_code == 200
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        mine = [tracemalloc.Filter(True, "*drs_simulator*", all_frames=True)]
        grown = sum(stat.size_diff for stat in after.filter_traces(mine).compare_to(before.filter_traces(mine), "filename"))
        # with the log on, the same calls keep about 300 kB
        assert grown < 16 * 1024, "the simulator kept %d bytes over %d requests" % (grown, REQUESTS)
        assert len(sim.state()["tasks"][0]["timeline"]) <= 3
