"""Fault injection: each kind, the firing rules, and the log that records faulted calls."""

import time

import pytest
import requests

from simtools import TIMEOUT, DrsClient

ASYNC_ID = "bd4193aa-072d-4ce6-beec-adffc7252341"


@pytest.mark.parametrize("status, code, message", [
    (429, "APIGW.0308", "The request is throttled."),
    (500, "DRS.10000002", "Internal server error."),
    (502, "APIGW.0201", "Backend unavailable."),
    (503, "APIGW.0201", "Backend unavailable."),
    (504, "APIGW.0201", "Backend timeout."),
])
def test_status_fault_answers_without_processing(sim, client, task_ids, status, code, message):
    sim.inject_fault("batch-starting", "status", status=status, times=1)
    response = client.start(task_ids[0])
    assert response.status_code == status
    assert response.json()["error_code"] == code and response.json()["error_msg"] == message
    assert sim.start_counts()[task_ids[0]] == 0
    assert client.start(task_ids[0]).status_code == 202
    assert sim.start_counts()[task_ids[0]] == 1
    assert [(entry["status"], entry["fault"]) for entry in sim.request_log] == [(status, "status"), (202, None)]


def test_throttle_with_retry_after_and_custom_body(sim, client, task_ids):
    sim.inject_fault("batch-status", "status", status=429, retry_after=3, body={"error_code": "APIGW.0308", "error_msg": "slow down"})
    response = client.batch_status(task_ids)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json() == {"error_code": "APIGW.0308", "error_msg": "slow down"}


def test_html_fault(sim, client, task_ids):
    sim.inject_fault("any", "html", times=1)
    response = client.batch_status(task_ids)
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert "<h1>502 Bad Gateway</h1>" in response.text
    sim.inject_fault("batch-status", "html", status=503, body="<html>maintenance</html>", times=1)
    response = client.batch_status(task_ids)
    assert (response.status_code, response.text) == (503, "<html>maintenance</html>")


def test_slow_fault_delays_then_processes(sim, client, task_ids):
    sim.inject_fault("batch-starting", "slow", delay=0.3, times=1)
    began = time.monotonic()
    assert client.start(task_ids[0]).status_code == 202
    assert time.monotonic() - began >= 0.3
    assert sim.start_counts()[task_ids[0]] == 1
    with pytest.raises(requests.exceptions.ReadTimeout):
        sim.inject_fault("batch-status", "slow", delay=1, times=1)
        client.session.post(client.url("v3", "jobs/batch-status"), json={"jobs": task_ids}, timeout=0.2)


def test_reset_before_drops_without_processing(sim, client, task_ids):
    sim.inject_fault("batch-starting", "reset_before", times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        client.start(task_ids[0])
    assert sim.start_counts()[task_ids[0]] == 0
    assert sim.request_log[-1]["fault"] == "reset_before" and sim.request_log[-1]["status"] is None
    assert client.start(task_ids[0]).status_code == 202


def test_reset_after_processes_then_drops(sim, client, task_ids):
    sim.inject_fault("batch-starting", "reset_after", times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        client.start(task_ids[0])
    assert sim.start_counts()[task_ids[0]] == 1
    assert client.statuses(task_ids[:1]) == {task_ids[0]: "STARTJOBING"}
    assert (sim.request_log[0]["fault"], sim.request_log[0]["status"]) == ("reset_after", 202)


def test_malformed_processes_and_truncates(make_sim):
    sim = make_sim({"tasks": [{"id": "t1"}]})
    client = DrsClient(sim)
    sim.inject_fault("batch-starting", "malformed", times=1)
    response = client.start("t1")
    assert response.status_code == 202
    with pytest.raises(ValueError):
        response.json()
    assert sim.start_counts() == {"t1": 1}


def test_commit_fault_and_async_routes(make_sim):
    sim = make_sim({"async_jobs": [{"id": ASYNC_ID, "status": "AUTO_PARAM_VALIDATE_SUCCESS", "tasks": [{"id": "t1"}]}]})
    client = DrsClient(sim)
    sim.inject_fault("async-list", "status", status=503, times=1)
    sim.inject_fault("async-detail", "status", status=504, times=1)
    sim.inject_fault("commit", "reset_after", times=1)
    assert client.list_async_jobs().status_code == 503
    assert client.async_job_detail(ASYNC_ID).status_code == 504
    with pytest.raises(requests.exceptions.ConnectionError):
        client.commit(ASYNC_ID)
    assert sim.state()["async_jobs"][0]["status"] == "COMMIT_SUCCESS"
    assert client.commit(ASYNC_ID).json()["error_code"] == "DRS.10050013"


def test_iam_route_fault(sim):
    sim.inject_fault("iam", "status", status=500)
    assert requests.post(sim.url + "/v3/auth/tokens", json={}, timeout=TIMEOUT).status_code == 500


def test_calls_fire_on_the_kth_matching_calls_only(sim, client, task_ids):
    sim.inject_fault("batch-status", "status", status=503, calls=[2, 4])
    client.start(task_ids[0])  # another route: not counted
    codes = [client.batch_status(task_ids).status_code for _call in range(5)]
    assert codes == [200, 503, 200, 503, 200]
    assert sim.faults[0]["seen"] == 5 and sim.faults[0]["fired"] == 2


def test_rule_without_limit_fires_every_time_until_cleared(sim, client, task_ids):
    sim.inject_fault("any", "status", status=502)
    assert [client.batch_status(task_ids).status_code for _call in range(3)] == [502, 502, 502]
    sim.clear_faults()
    assert client.batch_status(task_ids).status_code == 200


def test_rate_is_seeded(make_sim):
    def pattern(seed):
        sim = make_sim({"tasks": [{"id": "t1"}]}, seed=seed)
        sim.inject_fault("batch-status", "status", status=503, rate=0.5)
        client = DrsClient(sim)
        return [client.batch_status(["t1"]).status_code for _call in range(20)]

    assert pattern(7) == pattern(7)
    assert pattern(7) != pattern(8)
    assert {200, 503} == set(pattern(7))


def test_first_firing_rule_wins(sim, client, task_ids):
    sim.inject_fault("batch-status", "status", status=429, times=1)
    sim.inject_fault("any", "status", status=503, times=1)
    assert [client.batch_status(task_ids).status_code for _call in range(3)] == [429, 503, 200]


@pytest.mark.parametrize("rule", [
    {"route": "everything", "kind": "status", "status": 503},
    {"kind": "explode"},
    {"kind": "status"},
    {"kind": "slow"},
    {"kind": "status", "status": 503, "times": 1, "rate": 0.5},
    {"kind": "status", "status": 503, "calls": []},
    {"kind": "status", "status": 503, "calls": [0]},
    {"kind": "status", "status": 503, "rate": 2},
    {"kind": "reset_before", "retry_after": 1},
    {"kind": "status", "status": 503, "colour": "red"},
])
def test_invalid_rules_are_refused_over_http(sim, rule):
    response = requests.post(sim.url + "/_sim/faults", json=rule, timeout=TIMEOUT)
    assert response.status_code == 400 and response.json()["error"]
    assert sim.faults == []


def test_faults_over_http(sim, client, task_ids):
    response = requests.post(sim.url + "/_sim/faults", json=[{"route": "batch-status", "kind": "status", "status": 429, "retry_after": 1, "times": 1},
                                                             {"route": "batch-starting", "kind": "reset_before", "times": 1}], timeout=TIMEOUT)
    assert response.status_code == 201
    assert [rule["kind"] for rule in response.json()] == ["status", "reset_before"]
    assert requests.get(sim.url + "/_sim/faults", timeout=TIMEOUT).json() == response.json()
    assert client.batch_status(task_ids).status_code == 429
    assert requests.delete(sim.url + "/_sim/faults", timeout=TIMEOUT).status_code == 204
    assert client.start(task_ids[0]).status_code == 202
