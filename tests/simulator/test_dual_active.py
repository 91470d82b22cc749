"""The dual-active gate: a backward task starts only once its forward task replicates with RPO and RTO below 60 s."""

import pytest

from simtools import DrsClient, scenario


def start_result(client, job_id):
    return client.start(job_id).json()["results"][0]


def test_backward_waits_for_the_forward_delays_to_settle(make_sim):
    sim = make_sim(scenario({"id": "fwd"}, {"id": "bwd", "forward_job_id": "fwd"}, transition_seconds=1, settle_seconds=100))
    client = DrsClient(sim)
    client.start("fwd")
    sim.advance(3)
    assert client.statuses(["fwd"]) == {"fwd": "INCRE_TRANSFER_STARTED"}
    refused = start_result(client, "bwd")
    assert (refused["status"], refused["error_code"]) == ("failed", "DRS.10040013")
    assert "fwd" in refused["error_msg"] and "RPO 120 s" in refused["error_msg"] and "60 s" in refused["error_msg"]
    sim.advance(50)  # 120 -> 60.5 s: "60", not yet below 60
    assert start_result(client, "bwd")["error_code"] == "DRS.10040013"
    sim.advance(1)  # 59.3 s
    assert start_result(client, "bwd") == {"id": "bwd", "status": "success"}
    assert sim.start_counts() == {"fwd": 1, "bwd": 1}


@pytest.mark.parametrize("rpo, rto, ok", [(59, 59, True), (60, 1, False), (1, 60, False), (0, 0, True)])
def test_both_delays_must_be_below_60(make_sim, rpo, rto, ok):
    sim = make_sim(scenario({"id": "fwd", "status": "INCRE_TRANSFER_STARTED", "rpo": rpo, "rto": rto},
                            {"id": "bwd", "forward_job_id": "fwd"}))
    result = start_result(DrsClient(sim), "bwd")
    assert (result["status"] == "success") == ok, result
    if not ok:
        assert result["error_code"] == "DRS.10040013"


def test_the_status_is_checked_first(make_sim):
    sim = make_sim(scenario({"id": "fwd", "status": "FULL_TRANSFER_STARTED", "rpo": 1, "rto": 1}, {"id": "bwd", "forward_job_id": "fwd"}))
    assert start_result(DrsClient(sim), "bwd")["error_code"] == "DRS.10040012"


def test_settled_by_default_so_the_backward_starts_right_after(make_sim):
    sim = make_sim(scenario({"id": "fwd"}, {"id": "bwd", "forward_job_id": "fwd"}, transition_seconds=1))
    client = DrsClient(sim)
    client.start("fwd")
    sim.advance(3)
    assert start_result(client, "bwd")["status"] == "success"
