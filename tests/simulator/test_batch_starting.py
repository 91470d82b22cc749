"""POST /v3/{project_id}/jobs/batch-starting: answers, refusals and validation."""

import pytest

from simtools import TIMEOUT, DrsClient, assert_vendor_error, scenario


def test_start_answers_202_with_results(client, task_ids, sim):
    response = client.start(task_ids[0], task_ids[1])
    assert response.status_code == 202
    assert response.json() == {"results": [{"id": task_ids[0], "status": "success"}, {"id": task_ids[1], "status": "success"}], "count": 2}
    assert client.statuses(task_ids) == {task_ids[0]: "STARTJOBING", task_ids[1]: "STARTJOBING", task_ids[2]: "CONFIGURATION"}
    assert sim.start_counts() == {task_ids[0]: 1, task_ids[1]: 1, task_ids[2]: 0}


def test_older_jobs_key_on_request(make_sim):
    sim = make_sim(scenario({"id": "a" * 32 + "jb21"}, start_results_key="jobs"))
    body = DrsClient(sim).start("a" * 32 + "jb21").json()
    assert body == {"jobs": [{"id": "a" * 32 + "jb21", "status": "success"}], "count": 1}


@pytest.mark.parametrize("status", ["CREATING", "CREATE_FAILED", "RELEASE_RESOURCE_COMPLETE", "RELEASE_RESOURCE_STARTED",
                                    "START_JOB_FAILED", "STARTJOBING", "WAITING_FOR_START", "INCRE_TRANSFER_STARTED"])
def test_task_not_in_configuration_cannot_start(make_sim, status):
    sim = make_sim(scenario({"id": "t1", "status": status}))
    result = DrsClient(sim).start("t1").json()["results"][0]
    assert result["status"] == "failed"
    assert result["error_code"] == "DRS.10040011"
    assert status in result["error_msg"]
    assert sim.start_counts() == {"t1": 0}


def test_second_start_of_a_running_task_fails(client, task_ids, sim):
    assert client.start(task_ids[0]).json()["results"][0]["status"] == "success"
    second = client.start(task_ids[0]).json()["results"][0]
    assert (second["status"], second["error_code"]) == ("failed", "DRS.10040011")
    assert sim.start_counts()[task_ids[0]] == 1


def test_unknown_job_fails_alone(client, task_ids):
    body = client.start("no-such-job", task_ids[0]).json()
    assert body["results"][0] == {"id": "no-such-job", "status": "failed", "error_code": "DRS.10040004",
                                  "error_msg": "The job no-such-job does not exist."}
    assert body["results"][1]["status"] == "success"
    assert body["count"] == 2


@pytest.mark.parametrize("body", [
    {},
    {"jobs": []},
    {"jobs": "t1"},
    {"jobs": ["t1"]},
    {"jobs": [{"start_time": "1608188903063"}]},
    {"jobs": [{"job_id": 7}]},
    {"jobs": [{"job_id": "t1", "start_time": 1608188903063}]},
    {"jobs": [{"job_id": "t1", "start_time": "soon"}]},
    {"jobs": [{"job_id": "t1", "start_time": "-5"}]},
    {"jobs": [{"job_id": "t1"}, {"job_id": "t1"}]},
])
def test_invalid_bodies_are_400_and_start_nothing(client, sim, body):
    response = client.session.post(client.url("v3", "jobs/batch-starting"), json=body, timeout=TIMEOUT)
    assert_vendor_error(response, 400, "DRS.10000004")
    assert set(sim.start_counts().values()) == {0}


def test_at_most_100_jobs_per_request(make_sim):
    sim = make_sim({"generate": {"count": 101}})
    client = DrsClient(sim)
    job_ids = [task["id"] for task in sim.state()["tasks"]]
    assert_vendor_error(client.start(*job_ids), 400, "DRS.10000005")
    assert sum(sim.start_counts().values()) == 0
    response = client.start(*job_ids[:100])
    assert response.status_code == 202
    assert response.json()["count"] == 100
    assert sum(sim.start_counts().values()) == 100


def test_empty_or_null_start_time_starts_at_once(client, task_ids):
    client.start({"job_id": task_ids[0], "start_time": ""}, {"job_id": task_ids[1], "start_time": None})
    assert client.statuses(task_ids[:2]) == {task_ids[0]: "STARTJOBING", task_ids[1]: "STARTJOBING"}


def test_past_start_time_starts_at_once(client, task_ids):
    client.start({"job_id": task_ids[0], "start_time": "1608188903063"})
    assert client.statuses(task_ids[:1]) == {task_ids[0]: "STARTJOBING"}
