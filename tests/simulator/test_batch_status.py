"""POST /v3/{project_id}/jobs/batch-status: answers, paging and validation."""

import pytest

from simtools import TIMEOUT, DrsClient, assert_vendor_error


def test_happy_path_answers_every_id_in_order(client, task_ids):
    response = client.batch_status(task_ids, cur_page=1, per_page=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["X-Request-Id"]
    assert response.json() == {"results": [{"id": job_id, "status": "CONFIGURATION"} for job_id in task_ids], "count": 3}


def test_default_page_is_first_five(make_sim):
    sim = make_sim({"generate": {"count": 7}})
    job_ids = [task["id"] for task in sim.state()["tasks"]]
    body = DrsClient(sim).batch_status(job_ids).json()
    assert [entry["id"] for entry in body["results"]] == job_ids[:5]
    assert body["count"] == 7


@pytest.mark.parametrize("count", [1, 100, 101, 250])
def test_paging_through_all_ids(make_sim, count):
    sim = make_sim({"generate": {"count": count}})
    client = DrsClient(sim)
    job_ids = [task["id"] for task in sim.state()["tasks"]]
    pages = -(-count // 100)
    seen = []
    for page in range(1, pages + 1):
        body = client.batch_status(job_ids, cur_page=page, per_page=100).json()
        assert body["count"] == count
        assert len(body["results"]) == min(100, count - (page - 1) * 100)
        seen += [entry["id"] for entry in body["results"]]
    assert seen == job_ids
    assert_vendor_error(client.batch_status(job_ids, cur_page=pages + 1, per_page=100), 400, "DRS.10000004")


@pytest.mark.parametrize("count", [1, 250])
def test_per_page_zero_returns_everything(make_sim, count):
    sim = make_sim({"generate": {"count": count}})
    job_ids = [task["id"] for task in sim.state()["tasks"]]
    body = DrsClient(sim).batch_status(job_ids, per_page=0).json()
    assert [entry["id"] for entry in body["results"]] == job_ids
    assert body["count"] == count


def test_zero_ids_is_a_bad_request(client):
    assert_vendor_error(client.batch_status([], per_page=100), 400, "DRS.10000004")


def test_duplicates_are_answered_where_they_stand(client, task_ids):
    body = client.batch_status([task_ids[0], task_ids[0]], per_page=0).json()
    assert [entry["id"] for entry in body["results"]] == [task_ids[0], task_ids[0]]
    assert body["count"] == 2


def test_unknown_id_gets_an_error_entry_without_status(client, task_ids):
    body = client.batch_status([task_ids[0], "no-such-job"], per_page=0).json()
    assert body["results"][1] == {"id": "no-such-job", "error_code": "DRS.10040004", "error_message": "The job no-such-job does not exist."}
    assert body["results"][0]["status"] == "CONFIGURATION"


@pytest.mark.parametrize("body", [
    {},
    {"jobs": "9a470239-2308-4bb5-a6bc-1040402fjb21"},
    {"jobs": [1, 2]},
    {"jobs": [""]},
    {"jobs": ["a"], "page_req": []},
    {"jobs": ["a"], "page_req": {"cur_page": 0}},
    {"jobs": ["a"], "page_req": {"cur_page": "1"}},
    {"jobs": ["a"], "page_req": {"cur_page": True}},
    {"jobs": ["a"], "page_req": {"per_page": 101}},
    {"jobs": ["a"], "page_req": {"per_page": -1}},
    {"jobs": ["a"], "page_req": {"per_page": 1.5}},
    {"jobs": ["a", "b"], "page_req": {"cur_page": 3, "per_page": 1}},
])
def test_invalid_bodies_are_400(client, body):
    response = client.session.post(client.url("v3", "jobs/batch-status"), json=body, timeout=TIMEOUT)
    assert_vendor_error(response, 400, "DRS.10000004")


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b""])
def test_body_that_is_not_a_json_object_is_400(client, raw):
    response = client.session.post(client.url("v3", "jobs/batch-status"), data=raw, timeout=TIMEOUT)
    assert_vendor_error(response, 400, "DRS.10000003")


def test_content_type_must_be_json(client):
    response = client.session.post(client.url("v3", "jobs/batch-status"), data='{"jobs": []}',
                                   headers={"Content-Type": "text/plain"}, timeout=TIMEOUT)
    assert_vendor_error(response, 415, "DRS.10000007")


def test_wrong_method_or_path_is_gateway_404(client):
    response = client.session.get(client.url("v3", "jobs/batch-status"), timeout=TIMEOUT)
    body = assert_vendor_error(response, 404, "APIGW.0101")
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert_vendor_error(client.session.post(client.url("v3", "jobs/batch-status/"), json={}, timeout=TIMEOUT), 404, "APIGW.0101")
