"""The v5 batch async job routes: list, detail, commit, and a region without them."""

import pytest

from simtools import DrsClient, assert_vendor_error

ASYNC_ID = "bd4193aa-072d-4ce6-beec-adffc7252341"


def async_scenario(**job_options):
    job = dict({"id": ASYNC_ID, "tasks": [{"id": "t1"}, {"id": "t2"}]}, **job_options)
    return {"validate_seconds": 10, "transition_seconds": 1, "async_jobs": [job]}


def test_validate_then_commit_then_tasks_start(make_sim):
    sim = make_sim(async_scenario())
    client = DrsClient(sim)
    assert client.list_async_jobs(async_job_id=ASYNC_ID).json()["jobs"][0]["status"] == "ASYNC_JOB_VALIDATING"
    assert client.statuses(["t1", "t2"]) == {"t1": "CREATING", "t2": "CREATING"}
    assert_vendor_error(client.commit(ASYNC_ID), 400, "DRS.10050011")
    assert client.start("t1").json()["results"][0]["error_code"] == "DRS.10040011"

    sim.advance(10)
    assert client.list_async_jobs(async_job_id=ASYNC_ID).json()["jobs"][0]["status"] == "AUTO_PARAM_VALIDATE_SUCCESS"
    response = client.commit(ASYNC_ID)
    assert response.status_code == 200
    assert response.json() == {"job": {"async_job_id": ASYNC_ID, "status": "COMMIT_SUCCESS", "msg": "success"}}
    assert client.statuses(["t1", "t2"]) == {"t1": "CONFIGURATION", "t2": "CONFIGURATION"}
    assert client.list_async_jobs(async_job_id=ASYNC_ID).json()["jobs"][0]["status"] == "COMMIT_SUCCESS"

    assert [result["status"] for result in client.start("t1", "t2").json()["results"]] == ["success", "success"]
    sim.advance(10)
    assert client.statuses(["t1", "t2"]) == {"t1": "INCRE_TRANSFER_STARTED", "t2": "INCRE_TRANSFER_STARTED"}


def test_second_commit_is_refused(make_sim):
    sim = make_sim(async_scenario(status="AUTO_PARAM_VALIDATE_SUCCESS"))
    client = DrsClient(sim)
    assert client.commit(ASYNC_ID).status_code == 200
    assert_vendor_error(client.commit(ASYNC_ID), 400, "DRS.10050013")


def test_failed_validation_refuses_commit(make_sim):
    sim = make_sim(async_scenario(validation="failed", error_msg="the target database is read-only."))
    client = DrsClient(sim)
    sim.advance(10)
    assert client.list_async_jobs().json()["jobs"][0]["status"] == "ASYNC_JOB_VALIDATE_FAILED"
    body = assert_vendor_error(client.commit(ASYNC_ID), 400, "DRS.10050012")
    assert "read-only" in body["error_msg"]
    assert client.statuses(["t1"]) == {"t1": "CREATING"}


def test_commit_unknown_async_job_is_404(make_sim):
    client = DrsClient(make_sim(async_scenario()))
    assert_vendor_error(client.commit("00000000-0000-4000-8000-000000000000"), 404, "DRS.10050004")


def test_commit_time_and_scripted_create_failure(make_sim):
    sim = make_sim(dict(async_scenario(status="AUTO_PARAM_VALIDATE_SUCCESS", tasks=[{"id": "t1"}, {"id": "t2", "fail_at": "CREATE_FAILED"}]),
                        commit_seconds=30))
    client = DrsClient(sim)
    client.commit(ASYNC_ID)
    sim.advance(29)
    assert client.statuses(["t1", "t2"]) == {"t1": "CREATING", "t2": "CREATING"}
    sim.advance(1)
    assert client.statuses(["t1", "t2"]) == {"t1": "CONFIGURATION", "t2": "CREATE_FAILED"}
    assert client.batch_status(["t2"]).json()["results"][0]["error_code"] == "DRS.10060001"


def test_seeded_committed_job_has_startable_tasks(make_sim):
    client = DrsClient(make_sim(async_scenario(status="COMMIT_SUCCESS")))
    assert client.statuses(["t1", "t2"]) == {"t1": "CONFIGURATION", "t2": "CONFIGURATION"}


def test_list_fields_filters_and_paging(make_sim):
    sim = make_sim({"async_jobs": [{"generate": {"count": 1}}, {"generate": {"count": 1}, "status": "COMMIT_SUCCESS"}, {"generate": {"count": 1}}]})
    client = DrsClient(sim)
    ids = [job["async_job_id"] for job in sim.state()["async_jobs"]]
    body = client.list_async_jobs().json()
    assert body["total_count"] == 3
    assert [job["async_job_id"] for job in body["jobs"]] == ids[::-1]  # newest first by default
    assert set(body["jobs"][0]) == {"async_job_id", "status", "domain_name", "user_name", "create_time"}
    assert body["jobs"][0]["domain_name"] == "sim-domain" and body["jobs"][0]["create_time"].isdigit()
    assert [job["async_job_id"] for job in client.list_async_jobs(sort_dir="asc").json()["jobs"]] == ids
    assert client.list_async_jobs(async_job_id=ids[1]).json() == {"total_count": 1, "jobs": [client.list_async_jobs().json()["jobs"][1]]}
    assert client.list_async_jobs(status="COMMIT_SUCCESS").json()["jobs"][0]["async_job_id"] == ids[1]
    assert client.list_async_jobs(async_job_id="nope").json() == {"total_count": 0, "jobs": []}
    page = client.list_async_jobs(offset=1, limit=1, sort_dir="asc").json()
    assert page["total_count"] == 3 and [job["async_job_id"] for job in page["jobs"]] == [ids[1]]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"offset": -1}, {"sort_dir": "up"}, {"sort_key": "name"}])
def test_list_rejects_bad_query(make_sim, params):
    assert_vendor_error(DrsClient(make_sim(async_scenario())).list_async_jobs(**params), 400, "DRS.10000004")


def test_detail_lists_tasks_with_paging(make_sim):
    sim = make_sim({"async_jobs": [{"id": ASYNC_ID, "generate": {"count": 25}}]})
    client = DrsClient(sim)
    task_ids = sim.state()["async_jobs"][0]["job_ids"]
    first = client.async_job_detail(ASYNC_ID).json()
    assert first["total_count"] == 25
    assert [job["id"] for job in first["jobs"]] == task_ids[:10]  # default limit 10
    assert {job["status"] for job in first["jobs"]} == {"CREATING"}
    collected = []
    for offset in range(0, 25, 7):
        collected += [job["id"] for job in client.async_job_detail(ASYNC_ID, offset=offset, limit=7).json()["jobs"]]
    assert collected == task_ids
    assert client.async_job_detail(ASYNC_ID, offset=100).json() == {"total_count": 25, "jobs": []}
    assert_vendor_error(client.async_job_detail(ASYNC_ID, limit=1000), 400, "DRS.10000004")
    assert_vendor_error(client.async_job_detail("00000000-0000-4000-8000-000000000000"), 404, "DRS.10050004")


def test_region_without_v5_answers_404_on_every_v5_route(make_sim):
    sim = make_sim(dict(async_scenario(status="AUTO_PARAM_VALIDATE_SUCCESS"), v5_enabled=False))
    client = DrsClient(sim)
    for response in (client.commit(ASYNC_ID), client.list_async_jobs(), client.async_job_detail(ASYNC_ID)):
        assert_vendor_error(response, 404, "APIGW.0101")
    assert client.batch_status(["t1"]).status_code == 200
    assert sim.state()["async_jobs"][0]["status"] == "AUTO_PARAM_VALIDATE_SUCCESS"
