"""The task state machine on the simulated clock: progression, scheduled starts, failures, speed."""

import time

import pytest

from simtools import DrsClient, scenario

FULL_WALK = ["STARTJOBING", "FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED"]


def walk(sim, client, job_id, steps, seconds):
    """The status after each of ``steps`` clock advances of ``seconds``."""
    seen = []
    for _step in range(steps):
        sim.advance(seconds)
        seen.append(client.statuses([job_id])[job_id])
    return seen


def test_started_task_walks_to_incremental_transfer(make_sim):
    sim = make_sim(scenario({"id": "t1"}, transition_seconds=10))
    client = DrsClient(sim)
    client.start("t1")
    assert client.statuses(["t1"]) == {"t1": "STARTJOBING"}
    sim.advance(9.5)
    assert client.statuses(["t1"]) == {"t1": "STARTJOBING"}
    assert walk(sim, client, "t1", 4, 10) == FULL_WALK[1:] + ["INCRE_TRANSFER_STARTED"]


def test_one_big_advance_plays_the_whole_timeline(make_sim):
    sim = make_sim(scenario({"id": "t1"}, transition_seconds=10))
    client = DrsClient(sim)
    client.start("t1")
    sim.advance(3600)
    assert client.statuses(["t1"]) == {"t1": "INCRE_TRANSFER_STARTED"}


def test_full_only_task_stops_at_full_transfer_complete(make_sim):
    sim = make_sim(scenario({"id": "t1", "full_only": True}, transition_seconds=1))
    client = DrsClient(sim)
    client.start("t1")
    assert walk(sim, client, "t1", 4, 1) == ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE"]


@pytest.mark.parametrize("fail_at, walk_before", [
    ("START_JOB_FAILED", ["START_JOB_FAILED"]),
    ("FULL_TRANSFER_FAILED", ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_FAILED"]),
    ("INCRE_TRANSFER_FAILED", ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_FAILED"]),
])
def test_scripted_failure_with_default_error(make_sim, fail_at, walk_before):
    sim = make_sim(scenario({"id": "t1", "fail_at": fail_at}, transition_seconds=1))
    client = DrsClient(sim)
    client.start("t1")
    assert walk(sim, client, "t1", len(walk_before) + 1, 1) == walk_before + [fail_at]
    entry = client.batch_status(["t1"]).json()["results"][0]
    assert entry["status"] == fail_at
    assert entry["error_code"].startswith("DRS.") and len(entry["error_code"]) == 12
    assert entry["error_message"]


def test_scripted_failure_with_scenario_error(make_sim):
    sim = make_sim(scenario({"id": "t1", "fail_at": "FULL_TRANSFER_FAILED", "error_code": "DRS.M03075", "error_message": "disk full"}))
    client = DrsClient(sim)
    client.start("t1")
    sim.advance(3600)
    assert client.batch_status(["t1"]).json()["results"][0] == {
        "id": "t1", "status": "FULL_TRANSFER_FAILED", "error_code": "DRS.M03075", "error_message": "disk full"}


def test_healthy_tasks_carry_no_error_fields(client, task_ids, sim):
    client.start(task_ids[0])
    sim.advance(3600)
    assert client.batch_status(task_ids[:1]).json()["results"] == [{"id": task_ids[0], "status": "INCRE_TRANSFER_STARTED"}]


def test_future_start_time_waits_for_start(make_sim):
    sim = make_sim(scenario({"id": "t1"}, transition_seconds=5))
    client = DrsClient(sim)
    now_ms = int(sim.state()["now"] * 1000)
    client.start({"job_id": "t1", "start_time": str(now_ms + 60000)})
    assert client.statuses(["t1"]) == {"t1": "WAITING_FOR_START"}
    sim.advance(59)
    assert client.statuses(["t1"]) == {"t1": "WAITING_FOR_START"}
    sim.advance(1.5)
    assert client.statuses(["t1"]) == {"t1": "STARTJOBING"}
    sim.advance(15)
    assert client.statuses(["t1"]) == {"t1": "INCRE_TRANSFER_STARTED"}


def test_per_task_transition_seconds(make_sim):
    sim = make_sim(scenario({"id": "slow"}, {"id": "fast", "transition_seconds": 1}, transition_seconds=100))
    client = DrsClient(sim)
    client.start("slow", "fast")
    sim.advance(5)
    assert client.statuses(["slow", "fast"]) == {"slow": "STARTJOBING", "fast": "INCRE_TRANSFER_STARTED"}


def test_seeded_in_flight_task_keeps_moving(make_sim):
    sim = make_sim(scenario({"id": "t1", "status": "FULL_TRANSFER_STARTED"}, transition_seconds=1))
    client = DrsClient(sim)
    assert walk(sim, client, "t1", 2, 1) == ["FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED"]


def test_instant_mode_finishes_at_the_next_read(make_sim):
    sim = make_sim(scenario({"id": "t1"}, {"id": "t2", "fail_at": "START_JOB_FAILED"}), speed="instant")
    client = DrsClient(sim)
    client.start("t1", "t2")
    assert client.statuses(["t1", "t2"]) == {"t1": "INCRE_TRANSFER_STARTED", "t2": "START_JOB_FAILED"}


def test_clock_runs_at_speed_factor(make_sim):
    sim = make_sim(scenario({"id": "t1"}, transition_seconds=10), speed=400)
    client = DrsClient(sim)
    client.start("t1")
    deadline = time.monotonic() + 5
    status = None
    while time.monotonic() < deadline:
        status = client.statuses(["t1"])["t1"]
        if status == "INCRE_TRANSFER_STARTED":
            break
        time.sleep(0.02)
    assert status == "INCRE_TRANSFER_STARTED"


def test_frozen_clock_does_not_move(make_sim):
    sim = make_sim(scenario({"id": "t1"}, transition_seconds=0.01), speed=0)
    client = DrsClient(sim)
    client.start("t1")
    time.sleep(0.1)
    assert client.statuses(["t1"]) == {"t1": "STARTJOBING"}


def test_jitter_is_seeded(make_sim):
    def timelines(seed):
        sim = make_sim(scenario(*({"id": "t%d" % n} for n in range(5)), transition_seconds=10, jitter=0.5), seed=seed)
        DrsClient(sim).start(*("t%d" % n for n in range(5)))
        return [[step["at"] - task["timeline"][0]["at"] for step in task["timeline"]] for task in sim.state()["tasks"]]

    assert timelines(1) == timelines(1)
    assert timelines(1) != timelines(2)
    assert all(5 <= later - earlier <= 15 for steps in timelines(1) for earlier, later in zip(steps, steps[1:]))


class TestDualActive:
    SCENARIO = scenario({"id": "fwd"}, {"id": "bwd", "forward_job_id": "fwd"}, transition_seconds=1)

    def test_backward_refused_until_forward_is_incremental(self, make_sim):
        sim = make_sim(self.SCENARIO)
        client = DrsClient(sim)
        refused = client.start("bwd").json()["results"][0]
        assert (refused["status"], refused["error_code"]) == ("failed", "DRS.10040012")
        assert "fwd" in refused["error_msg"] and "CONFIGURATION" in refused["error_msg"]
        client.start("fwd")
        sim.advance(2)
        assert client.start("bwd").json()["results"][0]["error_code"] == "DRS.10040012"
        sim.advance(1)
        assert client.statuses(["fwd"]) == {"fwd": "INCRE_TRANSFER_STARTED"}
        assert client.start("bwd").json()["results"][0] == {"id": "bwd", "status": "success"}
        assert sim.start_counts() == {"fwd": 1, "bwd": 1}

    def test_pair_in_one_request_starts_only_forward_even_instantly(self, make_sim):
        sim = make_sim(self.SCENARIO, speed="instant")
        client = DrsClient(sim)
        results = client.start("fwd", "bwd").json()["results"]
        assert [result["status"] for result in results] == ["success", "failed"]
        assert client.start("bwd").json()["results"][0]["status"] == "success"
