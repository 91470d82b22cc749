"""task_mode per task: FULL_TRANS stops after the full transfer, INCR_TRANS skips it."""

import pytest

from simtools import DrsClient, Simulator, scenario
from drs_simulator.scenario import ScenarioError, load_scenario  # noqa: E402  pylint: disable=wrong-import-order


def walk(sim, client, job_id, steps, seconds=1):
    seen = []
    for _step in range(steps):
        sim.advance(seconds)
        seen.append(client.statuses([job_id])[job_id])
    return seen


@pytest.mark.parametrize("task, expected", [
    ({"task_mode": "FULL_INCR_TRANS"}, ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED"]),
    ({}, ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED"]),
    ({"task_mode": "FULL_TRANS"}, ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE"]),
    ({"full_only": True}, ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE"]),
    ({"full_only": True, "task_mode": "FULL_TRANS"}, ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE"]),
    ({"task_mode": "INCR_TRANS"}, ["INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED"]),
])
def test_walk_per_mode(make_sim, task, expected):
    sim = make_sim(scenario(dict(task, id="t1"), transition_seconds=1))
    client = DrsClient(sim)
    client.start("t1")
    assert client.statuses(["t1"]) == {"t1": "STARTJOBING"}
    assert walk(sim, client, "t1", 4) == expected


@pytest.mark.parametrize("mode, fail_at, expected", [
    ("INCR_TRANS", "START_JOB_FAILED", ["START_JOB_FAILED"]),
    ("INCR_TRANS", "INCRE_TRANSFER_FAILED", ["INCRE_TRANSFER_FAILED"]),
    ("FULL_TRANS", "START_JOB_FAILED", ["START_JOB_FAILED"]),
    ("FULL_TRANS", "FULL_TRANSFER_FAILED", ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_FAILED"]),
])
def test_failures_per_mode(make_sim, mode, fail_at, expected):
    sim = make_sim(scenario({"id": "t1", "task_mode": mode, "fail_at": fail_at}, transition_seconds=1))
    client = DrsClient(sim)
    client.start("t1")
    assert walk(sim, client, "t1", len(expected) + 1) == expected + [expected[-1]]


@pytest.mark.parametrize("task, fragment", [
    ({"task_mode": "FULL"}, "task_mode"),
    ({"task_mode": "INCR_TRANS", "full_only": True}, "task_mode"),
    ({"task_mode": "INCR_TRANS", "fail_at": "FULL_TRANSFER_FAILED"}, "fail_at"),
    ({"task_mode": "FULL_TRANS", "fail_at": "INCRE_TRANSFER_FAILED"}, "fail_at"),
])
def test_invalid_mode_combinations(task, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        load_scenario(scenario(dict(task, id="t1")))


def test_seeded_tasks_carry_on_in_their_mode(make_sim):
    sim = make_sim(scenario({"id": "incr", "task_mode": "INCR_TRANS", "status": "STARTJOBING"},
                            {"id": "full", "task_mode": "FULL_TRANS", "status": "FULL_TRANSFER_STARTED"},
                            {"id": "wait", "task_mode": "INCR_TRANS", "status": "WAITING_FOR_START"},
                            transition_seconds=1))
    sim.advance(10)
    assert DrsClient(sim).statuses(["incr", "full", "wait"]) == {
        "incr": "INCRE_TRANSFER_STARTED", "full": "FULL_TRANSFER_COMPLETE", "wait": "INCRE_TRANSFER_STARTED"}


def test_generate_takes_a_mode_and_state_shows_it():
    with Simulator({"generate": {"count": 2, "task_mode": "INCR_TRANS"}}, speed=0) as sim:
        assert [task["task_mode"] for task in sim.state()["tasks"]] == ["INCR_TRANS", "INCR_TRANS"]
