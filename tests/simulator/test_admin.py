"""The /_sim/ control endpoints and the Python control API behind them."""

import pytest
import requests

from simtools import TIMEOUT, DrsClient, Simulator


def admin(sim, method, path, **kwargs):
    return requests.request(method, sim.url + "/_sim/" + path, timeout=TIMEOUT, **kwargs)


def test_log_records_api_calls_only_and_hides_secrets(sim, client, task_ids):
    client.batch_status(task_ids, per_page=10)
    client.session.get(sim.url + "/nowhere?x=1", timeout=TIMEOUT)
    admin(sim, "GET", "state")
    log = admin(sim, "GET", "log").json()
    assert log == sim.request_log
    assert [(entry["method"], entry["path"], entry["route"], entry["status"]) for entry in log] == [
        ("POST", "/v3/%s/jobs/batch-status" % sim.project_id, "batch-status", 200), ("GET", "/nowhere", None, 404)]
    first = log[0]
    assert first["body"] == {"jobs": task_ids, "page_req": {"per_page": 10}}
    assert first["headers"]["X-Auth-Token"] == "<redacted>"
    assert sim.auth_token not in str(log)
    assert first["headers"]["Content-Type"] == "application/json"
    assert first["fault"] is None and first["request_id"] and first["time"] > 0 and first["sim_time"] > 0
    assert log[1]["query"] == {"x": "1"}


def test_log_keeps_raw_text_bodies(sim, client):
    client.session.post(client.url("v3", "jobs/batch-status"), data=b"jobs=1", timeout=TIMEOUT)
    assert sim.request_log[0]["body"] == "jobs=1"


def test_clear_log(sim, client, task_ids):
    client.batch_status(task_ids)
    assert admin(sim, "DELETE", "log").status_code == 204
    assert admin(sim, "GET", "log").json() == []
    client.batch_status(task_ids)
    sim.clear_log()
    assert sim.request_log == []


def test_state_lists_tasks_and_async_jobs(make_sim):
    sim = make_sim({"async_jobs": [{"id": "aj", "tasks": [{"id": "t1", "name": "orders"}]}], "tasks": [{"id": "t2"}]})
    state = admin(sim, "GET", "state").json()
    assert state["project_id"] == sim.project_id and state["v5_enabled"] is True and state["speed"] == 0
    assert [(task["id"], task["status"], task["async_job_id"], task["start_count"]) for task in state["tasks"]] == [
        ("t2", "CONFIGURATION", None, 0), ("t1", "CREATING", "aj", 0)]
    assert state["tasks"][1]["name"] == "orders"
    assert state["async_jobs"] == [{"async_job_id": "aj", "status": "ASYNC_JOB_VALIDATING", "job_ids": ["t1"]}]


def test_advance_moves_the_clock(make_sim):
    sim = make_sim({"tasks": [{"id": "t1"}], "transition_seconds": 10})
    client = DrsClient(sim)
    before = sim.state()["now"]
    client.start("t1")
    response = admin(sim, "POST", "advance", json={"seconds": 30})
    assert response.status_code == 200
    assert response.json()["now"] == pytest.approx(before + 30)
    assert client.statuses(["t1"]) == {"t1": "INCRE_TRANSFER_STARTED"}


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "5"}, [5]])
def test_advance_validates(sim, body):
    response = admin(sim, "POST", "advance", json=body)
    assert response.status_code == 400 and "seconds" in response.json()["error"]


def test_scenario_replaces_the_world(sim, client, task_ids):
    client.start(task_ids[0])
    response = admin(sim, "POST", "scenario", json={"tasks": [{"id": "new-task"}], "v5_enabled": False})
    assert response.status_code == 200
    assert [task["id"] for task in response.json()["tasks"]] == ["new-task"]
    assert client.statuses(["new-task", task_ids[0]]) == {"new-task": "CONFIGURATION", task_ids[0]: None}
    assert client.list_async_jobs().status_code == 404
    assert len(sim.request_log) == 3  # the log survives a scenario load


@pytest.mark.parametrize("body", [{"tasks": [{"id": "t", "status": "RUNNING"}]}, {"colour": "red"}, [1], "text"])
def test_invalid_scenario_is_refused_and_keeps_the_world(sim, task_ids, body):
    response = admin(sim, "POST", "scenario", json=body)
    assert response.status_code == 400 and response.json()["error"]
    assert [task["id"] for task in sim.state()["tasks"]] == task_ids


def test_unknown_admin_endpoint(sim):
    assert admin(sim, "GET", "nothing").status_code == 404
    assert admin(sim, "PUT", "log").status_code == 404


def test_admin_needs_no_auth_and_is_not_logged(sim):
    for path in ("log", "faults", "state"):
        assert admin(sim, "GET", path).status_code == 200
    assert sim.request_log == []


def test_context_manager_stops_the_server():
    with Simulator({"tasks": [{"id": "t1"}]}) as sim:
        url = sim.url
        assert requests.get(url + "/_sim/state", timeout=TIMEOUT).status_code == 200
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/_sim/state", timeout=TIMEOUT)
