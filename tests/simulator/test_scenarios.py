"""Scenario files: the shipped examples, generated IDs, validation, and the demo end to end."""

import json
import re

import pytest
import yaml

from simtools import SCENARIOS, SIMULATOR_DIR, DrsClient, Simulator

TASK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{8}jb21$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def task_ids(sim):
    return [task["id"] for task in sim.state()["tasks"]]


def test_shipped_scenarios():
    basic = Simulator(SCENARIOS / "basic.yml").state()
    assert [task["status"] for task in basic["tasks"]] == ["CONFIGURATION"] * 3
    demo = Simulator(SCENARIOS / "demo.yml").state()
    assert len(demo["async_jobs"]) == 2 and sum(len(job["job_ids"]) for job in demo["async_jobs"]) == len(demo["tasks"]) == 20
    pairs = [task for task in demo["tasks"] if task["forward_job_id"]]
    assert len(pairs) == 1
    bench = Simulator(SCENARIOS / "bench.yml").state()
    assert len(bench["tasks"]) == 1000 and bench["speed"] == "instant"


def test_readme_example_scenario_loads():
    readme = (SIMULATOR_DIR / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## Scenario format.*?```yaml\n(.*?)```", readme, re.S).group(1)
    state = Simulator(yaml.safe_load(example)).state()
    assert len(state["tasks"]) == 2 + 3 + 1000 + 14  # plain tasks, a parent with two children, generated, async
    assert [task["parent_id"] for task in state["tasks"][2:5]] == [None, state["tasks"][2]["id"], state["tasks"][2]["id"]]
    assert state["tasks"][1]["forward_job_id"] == state["tasks"][0]["id"]


def test_generated_ids_look_like_the_vendors_and_follow_the_seed():
    source = {"generate": {"count": 50}, "async_jobs": [{"generate": {"count": 2}}]}
    first = Simulator(source, seed=1).state()
    ids = [task["id"] for task in first["tasks"]]
    assert all(TASK_ID.match(task_id) and len(task_id) == 36 for task_id in ids)
    assert len(set(ids)) == 52
    assert UUID.match(first["async_jobs"][0]["async_job_id"])
    assert Simulator(source, seed=1).state()["tasks"] == first["tasks"]
    assert [task["id"] for task in Simulator(source, seed=2).state()["tasks"]] != ids


def test_generate_names_and_status():
    state = Simulator({"generate": {"count": 3, "prefix": "bench", "status": "INCRE_TRANSFER_STARTED"}}).state()
    assert [(task["name"], task["status"]) for task in state["tasks"]] == [
        ("bench-0001", "INCRE_TRANSFER_STARTED"), ("bench-0002", "INCRE_TRANSFER_STARTED"), ("bench-0003", "INCRE_TRANSFER_STARTED")]


def test_json_scenario_file(tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"tasks": [{"id": "t1"}], "project_id": "p1"}))
    sim = Simulator(str(path))
    assert sim.project_id == "p1" and task_ids(sim) == ["t1"]


@pytest.mark.parametrize("source, fragment", [
    ({"tasks": [{"id": "t1", "colour": "red"}]}, "tasks[0]: unknown key(s) colour"),
    ({"tasks": [{"id": "t1", "status": "RUNNING"}]}, "tasks[0].status must be one of"),
    ({"tasks": [{"id": "t1"}, {"id": "t1"}]}, "t1 is used twice"),
    ({"tasks": [{"id": "t1", "forward_job_id": "t9"}]}, "forward_job_id t9"),
    ({"tasks": [{"id": "t1", "fail_at": "INCRE_TRANSFER_FAILED", "full_only": True}]}, "full_only"),
    ({"tasks": [{"id": "t1", "fail_at": "CREATE_FAILED"}]}, "only to tasks of an async job"),
    ({"async_jobs": [{"id": "a"}]}, "holds no tasks"),
    ({"async_jobs": [{"tasks": [{"status": "CONFIGURATION"}]}]}, "must be CREATING"),
    ({"generate": {"count": 0}}, "generate.count"),
    ({"tasks": [{"id": "t1", "failed_retries": -1}]}, "tasks[0].failed_retries must be an integer"),
    ({"tasks": [{"id": "t1", "instance_ids": "rds-1"}]}, "tasks[0].instance_ids must be a list"),
    ({"tasks": [{"id": "t1", "instance_ids": [""]}]}, "tasks[0].instance_ids must be a list of non-empty strings"),
    ({"speed": "fast"}, "speed must be"),
    ({"transition_seconds": -1}, "transition_seconds must be a number >= 0"),
    ({"auth": {"credentials": [{"ak": "x"}]}}, "needs ak and sk"),
    ({"start_results_key": "items"}, "start_results_key must be one of"),
])
def test_invalid_scenarios_name_the_key(source, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        Simulator(source)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read scenario file"):
        Simulator(tmp_path / "missing.yml")


def test_demo_launch_end_to_end_in_instant_mode(make_sim):
    """Commit both async jobs, start everything but the backward task, then the backward task."""
    sim = make_sim(SCENARIOS / "demo.yml", speed="instant")
    client = DrsClient(sim)
    state = sim.state()
    backward = next(task["id"] for task in state["tasks"] if task["forward_job_id"])
    for job in client.list_async_jobs().json()["jobs"]:
        assert job["status"] == "AUTO_PARAM_VALIDATE_SUCCESS"
        assert client.commit(job["async_job_id"]).status_code == 200
    everything = task_ids(sim)
    first_wave = [task_id for task_id in everything if task_id != backward]
    assert set(client.statuses(everything).values()) == {"CONFIGURATION"}
    assert {result["status"] for result in client.start(*first_wave).json()["results"]} == {"success"}
    assert client.start(backward).json()["results"][0]["status"] == "success"
    assert set(client.statuses(everything).values()) == {"INCRE_TRANSFER_STARTED"}
    assert set(sim.start_counts().values()) == {1}


def test_demo_launch_takes_10_to_30_seconds_at_its_own_speed(make_sim):
    """Drive the demo on a frozen clock in 0.5 s steps and count the simulated seconds (= real ones at speed 1)."""
    sim = make_sim(SCENARIOS / "demo.yml", speed=0)
    client = DrsClient(sim)
    elapsed = 0.0

    def wait_until(predicate):
        nonlocal elapsed
        for _step in range(200):
            if predicate():
                return
            sim.advance(0.5)
            elapsed += 0.5
        raise AssertionError("the demo did not get there in 100 simulated seconds")

    everything = task_ids(sim)
    backward = next(task["id"] for task in sim.state()["tasks"] if task["forward_job_id"])
    first_wave = [task_id for task_id in everything if task_id != backward]
    wait_until(lambda: {job["status"] for job in client.list_async_jobs().json()["jobs"]} == {"AUTO_PARAM_VALIDATE_SUCCESS"})
    for job in sim.state()["async_jobs"]:
        client.commit(job["async_job_id"])
    wait_until(lambda: set(client.statuses(everything).values()) == {"CONFIGURATION"})
    client.start(*first_wave)
    wait_until(lambda: set(client.statuses(first_wave).values()) == {"INCRE_TRANSFER_STARTED"})
    assert client.start(backward).json()["results"][0]["status"] == "success"
    wait_until(lambda: client.statuses([backward]) == {backward: "INCRE_TRANSFER_STARTED"})
    assert 10 <= elapsed <= 30
