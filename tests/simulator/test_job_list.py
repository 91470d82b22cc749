"""POST /v3/{project_id}/jobs: the task list with its filters, paging, parents and children."""

import warnings

import pytest
from huaweicloudsdkdrs.v3 import ChildrenJobInfo, JobInfo, QueryJobsReq, ShowJobListRequest

from simtools import TIMEOUT, DrsClient, assert_vendor_error, scenario, sdk_client

TASKS = [
    {"id": "t1", "name": "orders-eu", "engine_type": "mysql", "db_use_type": "migration", "net_type": "eip",
     "tags": {"env": "prod", "team": "a"}, "create_time": 1700000001000},
    {"id": "t2", "name": "Orders-us", "status": "INCRE_TRANSFER_STARTED", "db_use_type": "sync", "net_type": "vpc",
     "enterprise_project_id": "eps-1", "tags": {"env": "test"}, "create_time": 1700000002000, "task_mode": "INCR_TRANS"},
    {"id": "t3", "name": "ledger", "engine_type": "cloudDataGuard-mysql", "db_use_type": "cloudDataGuard", "net_type": "vpn",
     "job_direction": "down", "create_time": 1700000003000, "instance_ids": ["rds-ledger", "rds-shared"]},
    {"id": "p1", "name": "parent", "create_time": 1700000004000, "description": "a parent",
     "children": [{"id": "c1", "name": "child-one", "status": "FULL_TRANSFER_FAILED"}, {"id": "c2", "name": "child-two"}]},
]


def list_jobs(client, **body):
    response = client.session.post(client.url("v3", "jobs"), json=body, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def ids(body):
    return [job["id"] for job in body["jobs"]]


@pytest.fixture
def client(make_sim):
    return DrsClient(make_sim(scenario(*TASKS)))


def test_newest_first_with_the_sdk_fields(client):
    body = list_jobs(client)
    assert body["total_record"] == 4
    assert ids(body) == ["p1", "t3", "t2", "t1"]  # children are not listed at the top
    for job in body["jobs"]:
        assert set(job) <= set(JobInfo.attribute_map.values())
        assert set(job) >= {"id", "name", "status", "create_time", "engine_type", "net_type", "db_use_type", "task_type",
                            "job_direction", "children", "job_action"}
    t2 = body["jobs"][2]
    assert (t2["status"], t2["task_type"], t2["net_type"], t2["create_time"]) == ("INCRE_TRANSFER_STARTED", "INCR_TRANS", "vpc", "1700000002000")
    parent = body["jobs"][0]
    assert [child["id"] for child in parent["children"]] == ["c1", "c2"]
    for child in parent["children"]:
        assert set(child) <= set(ChildrenJobInfo.attribute_map.values())
    assert parent["children"][0]["status"] == "FULL_TRANSFER_FAILED" and parent["children"][0]["error_msg"]
    assert "error_msg" not in parent["children"][1]
    assert "START" not in parent["job_action"]["available_actions"]
    assert "START" in body["jobs"][3]["job_action"]["available_actions"]


@pytest.mark.parametrize("filters, expected", [
    ({"name": "orders"}, ["t2", "t1"]),            # substring, case-insensitive
    ({"name": "ORDERS-EU"}, ["t1"]),
    ({"name": "t3"}, ["t3"]),                      # or an exact task ID
    ({"name": "t1,t3, p1"}, ["p1", "t3", "t1"]),   # several, comma-separated
    ({"name": "child"}, []),                       # children are not matched on their own
    ({"status": "INCRE_TRANSFER_STARTED"}, ["t2"]),
    ({"engine_type": "cloudDataGuard-mysql"}, ["t3"]),
    ({"db_use_type": "sync"}, ["t2"]),
    ({"net_type": "eip"}, ["p1", "t1"]),
    ({"enterprise_project_id": "eps-1"}, ["t2"]),
    ({"enterprise_project_id": "0"}, ["p1", "t3", "t1"]),
    ({"tags": {"env": "prod"}}, ["t1"]),
    ({"tags": {"env": "prod", "team": "b"}}, []),
    ({"name": "orders", "net_type": "vpc"}, ["t2"]),
    ({"name": "", "status": None, "tags": {}}, ["p1", "t3", "t2", "t1"]),
    ({"instance_ids": ["rds-shared"]}, ["t3"]),    # any of the task's instances
    ({"instance_ids": ["rds-other", "rds-ledger"]}, ["t3"]),
    ({"instance_ids": ["rds-other"]}, []),
    ({"instance_ids": []}, ["p1", "t3", "t2", "t1"]),
])
def test_filters(client, filters, expected):
    body = list_jobs(client, **filters)
    assert ids(body) == expected
    assert body["total_record"] == len(expected)


def test_paging(make_sim):
    client = DrsClient(make_sim({"generate": {"count": 25}}))
    first = list_jobs(client, cur_page=1, per_page=10)
    assert first["total_record"] == 25 and len(first["jobs"]) == 10
    third = list_jobs(client, cur_page=3, per_page=10)
    assert len(third["jobs"]) == 5
    assert list_jobs(client, cur_page=4, per_page=10)["jobs"] == []
    assert len(list_jobs(client)["jobs"]) == 10  # default per_page 10
    assert len(list_jobs(client, per_page=0)["jobs"]) == 25
    assert len(list_jobs(client, cur_page=0, per_page=5)["jobs"]) == 25
    seen = ids(first) + ids(list_jobs(client, cur_page=2, per_page=10)) + ids(third)
    assert len(set(seen)) == 25


@pytest.mark.parametrize("body", [
    {"per_page": 101}, {"per_page": -1}, {"cur_page": -1}, {"cur_page": "1"}, {"per_page": 0, "cur_page": 2},
    {"status": "RUNNING"}, {"net_type": "lan"}, {"db_use_type": "dr"}, {"name": 5}, {"tags": ["env"]},
    {"enterprise_project_id": ""}, {"name": ",".join("id%d" % number for number in range(101))},
    {"instance_ids": "rds-1"}, {"instance_ids": [""]}, {"instance_ids": ["rds-%d" % number for number in range(11)]},
    {"instance_ip": "10.0.0.1"},
])
def test_invalid_bodies_are_400(client, body):
    response = client.session.post(client.url("v3", "jobs"), json=body, timeout=TIMEOUT)
    assert_vendor_error(response, 400, "DRS.10000004")


def test_parent_cannot_be_started_but_its_children_can(client):
    results = client.start("p1", "c2").json()["results"]
    assert (results[0]["status"], results[0]["error_code"]) == ("failed", "DRS.10040014")
    assert results[1]["status"] == "success"
    assert client.statuses(["c1", "c2"]) == {"c1": "FULL_TRANSFER_FAILED", "c2": "STARTJOBING"}


def test_vendor_sdk_lists_jobs(make_sim):
    sim = make_sim(scenario(*TASKS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK marks show_job_list deprecated
        response = sdk_client(sim).show_job_list(ShowJobListRequest(body=QueryJobsReq(cur_page=1, per_page=2, name="orders")))
    assert response.total_record == 2
    assert [job.id for job in response.jobs] == ["t2", "t1"]
    assert response.jobs[0].job_action.available_actions == ["PAUSE", "CHANGE", "FREE_RESOURCE"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        parent = sdk_client(sim).show_job_list(ShowJobListRequest(body=QueryJobsReq(name="p1"))).jobs[0]
    assert [child.id for child in parent.children] == ["c1", "c2"]
    assert parent.children[0].error_msg


def test_a_task_without_instance_ids_is_found_by_its_precheck_instance(make_sim):
    """The default instance of a task is the rds_instance_id its precheck results name."""
    sim = make_sim(scenario({"id": "9a470239-2308-4bb5-a6bc-1040402fjb21", "precheck_seconds": 0}, {"name": "other"}))
    client = DrsClient(sim)
    client.session.post(client.url("v3", "jobs/batch-precheck"), timeout=TIMEOUT,
                        json={"jobs": [{"job_id": "9a470239-2308-4bb5-a6bc-1040402fjb21", "precheck_mode": "forStartJob"}]})
    result = client.session.post(client.url("v3", "jobs/batch-precheck-result"), timeout=TIMEOUT,
                                 json={"jobs": ["9a470239-2308-4bb5-a6bc-1040402fjb21"]}).json()["results"][0]
    assert ids(list_jobs(client, instance_ids=[result["rds_instance_id"]])) == ["9a470239-2308-4bb5-a6bc-1040402fjb21"]


def test_a_deleted_task_is_listed_only_when_the_status_filter_asks_for_deleted_ones(make_sim):
    client = DrsClient(make_sim(scenario({"id": "t1", "status": "DELETED"}, {"id": "t2", "status": "RELEASE_RESOURCE_COMPLETE"})))
    assert ids(list_jobs(client)) == ["t2"] and list_jobs(client)["total_record"] == 1
    assert ids(list_jobs(client, status="DELETED")) == ["t1"]
    assert client.statuses(["t1"]) == {"t1": "DELETED"}, "batch-status still knows it"


def test_vendor_sdk_filters_by_instance_ids(make_sim):
    sim = make_sim(scenario(*TASKS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        response = sdk_client(sim).show_job_list(ShowJobListRequest(body=QueryJobsReq(instance_ids=["rds-ledger"])))
    assert [job.id for job in response.jobs] == ["t3"]
