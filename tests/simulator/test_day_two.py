"""batch-retry-task, batch-pause-task and DELETE batch-jobs: transitions, scripted failures, refusals, the vendor SDK."""

import warnings

import pytest
from huaweicloudsdkdrs.v3 import (BatchDeleteJobReq, BatchDeleteJobsRequest, BatchPauseJobReq, BatchRestoreTaskRequest, BatchRetryReq,
                                  BatchStopJobsRequest, DeleteJobReq, DeleteJobResp, PauseInfo, PauseJobResp, RetryInfo, RetryTaskResp)

from simtools import TIMEOUT, DrsClient, assert_vendor_error, scenario, sdk_client

# Task IDs in the vendor's form (batch-pause-task takes no other)
T1, T2, T3, T4 = ("%08x-2308-4bb5-a6bc-1040402fjb21" % number for number in range(1, 5))
ROUTES = {"retry": ("POST", "jobs/batch-retry-task"), "pause": ("POST", "jobs/batch-pause-task"), "end": ("DELETE", "jobs/batch-jobs")}


def call(client, route, jobs):
    method, suffix = ROUTES[route]
    return client.session.request(method, client.url("v3", suffix), json={"jobs": jobs}, timeout=TIMEOUT)


def answers(client, route, jobs, status=None):
    """The per-task results of one request, which must answer ``status`` (202 for batch-jobs, else 200)."""
    response = call(client, route, jobs)
    assert response.status_code == (status or (202 if route == "end" else 200)), response.text
    body = response.json()
    assert body["count"] == len(body["results"]) == len(jobs)
    return body["results"]


def retry(client, *job_ids):
    return answers(client, "retry", [{"job_id": job_id} for job_id in job_ids])


def pause(client, *job_ids, mode="target"):
    return answers(client, "pause", [{"job_id": job_id, "pause_mode": mode} for job_id in job_ids])


def end(client, *job_ids, delete_type="terminate"):
    return answers(client, "end", [{"job_id": job_id, "delete_type": delete_type} for job_id in job_ids])


def walk(sim, client, job_id, steps, seconds=1):
    seen = []
    for _step in range(steps):
        sim.advance(seconds)
        seen.append(client.statuses([job_id])[job_id])
    return seen


@pytest.mark.parametrize("failed, task_mode, walk_after", [
    ("START_JOB_FAILED", "FULL_INCR_TRANS", ["STARTJOBING", "FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED"]),
    ("START_JOB_FAILED", "INCR_TRANS", ["STARTJOBING", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED"]),
    ("FULL_TRANSFER_FAILED", "FULL_INCR_TRANS", ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED"]),
    ("FULL_TRANSFER_FAILED", "FULL_TRANS", ["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE"]),
    ("INCRE_TRANSFER_FAILED", "FULL_INCR_TRANS", ["INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED"]),
    ("CHILD_TRANSFER_FAILED", "FULL_INCR_TRANS", ["CHILD_TRANSFER_STARTED", "CHILD_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED"]),
])
def test_a_retry_goes_back_to_the_phase_it_failed_in_and_walks_on(make_sim, failed, task_mode, walk_after):
    sim = make_sim(scenario({"id": T1, "status": failed, "task_mode": task_mode}, transition_seconds=1))
    client = DrsClient(sim)
    assert retry(client, T1) == [{"id": T1, "status": "success"}]
    assert client.statuses([T1]) == {T1: walk_after[0]}
    assert walk(sim, client, T1, len(walk_after) - 1) == walk_after[1:]
    assert sim.state()["tasks"][0]["retry_count"] == 1


def test_a_scripted_failure_does_not_come_back_after_a_retry(make_sim):
    sim = make_sim(scenario({"id": T1, "fail_at": "FULL_TRANSFER_FAILED"}, transition_seconds=1))
    client = DrsClient(sim)
    client.start(T1)
    sim.advance(10)
    assert client.statuses([T1]) == {T1: "FULL_TRANSFER_FAILED"}
    retry(client, T1)
    sim.advance(10)
    assert client.statuses([T1]) == {T1: "INCRE_TRANSFER_STARTED"}


def test_failed_retries_fail_again_before_one_sticks(make_sim):
    sim = make_sim(scenario({"id": T1, "status": "INCRE_TRANSFER_FAILED", "failed_retries": 2, "error_message": "binlog purged"},
                            transition_seconds=1))
    client = DrsClient(sim)
    for _attempt in range(2):
        retry(client, T1)
        assert client.statuses([T1]) == {T1: "INCRE_TRANSFER_STARTED"}, "the phase runs before it fails again"
        sim.advance(1)
        entry = client.batch_status([T1]).json()["results"][0]
        assert (entry["status"], entry["error_message"]) == ("INCRE_TRANSFER_FAILED", "binlog purged")
    retry(client, T1)
    sim.advance(3600)
    assert client.statuses([T1]) == {T1: "INCRE_TRANSFER_STARTED"}
    assert sim.state()["tasks"][0]["retry_count"] == 3


def test_in_instant_mode_a_failed_retry_has_failed_again_by_the_next_request(make_sim):
    sim = make_sim(scenario({"id": T1, "status": "START_JOB_FAILED", "failed_retries": 1}), speed="instant")
    client = DrsClient(sim)
    retry(client, T1)
    assert client.statuses([T1]) == {T1: "START_JOB_FAILED"}
    retry(client, T1)
    assert client.statuses([T1]) == {T1: "INCRE_TRANSFER_STARTED"}


def test_retry_refusals_per_task(make_sim):
    sim = make_sim(scenario({"id": T1}, {"id": T2, "status": "CREATE_FAILED"}, {"id": T3, "status": "INCRE_TRANSFER_STARTED"},
                            {"id": T4, "status": "START_JOB_FAILED", "children": [{"status": "START_JOB_FAILED"}]}))
    client = DrsClient(sim)
    unknown, configured, create_failed, running, parent = retry(client, "not-a-task", T1, T2, T3, T4)
    assert unknown["error_code"] == "DRS.10040004"
    for refused, status in ((configured, "CONFIGURATION"), (create_failed, "CREATE_FAILED"), (running, "INCRE_TRANSFER_STARTED")):
        assert (refused["status"], refused["error_code"]) == ("failed", "DRS.10040019") and status in refused["error_msg"]
    assert parent["error_code"] == "DRS.10040014"
    assert client.statuses([T1, T2, T3]) == {T1: "CONFIGURATION", T2: "CREATE_FAILED", T3: "INCRE_TRANSFER_STARTED"}


def test_a_pause_holds_the_task_and_a_retry_resumes_it_where_it_was(make_sim):
    sim = make_sim(scenario({"id": T1}, transition_seconds=2))
    client = DrsClient(sim)
    client.start(T1)
    sim.advance(2)
    assert client.statuses([T1]) == {T1: "FULL_TRANSFER_STARTED"}
    assert pause(client, T1, mode="all") == [{"id": T1, "status": "success"}]
    assert walk(sim, client, T1, 3, 10) == ["PAUSING"] * 3, "a paused task stays paused"
    refused = pause(client, T1)[0]
    assert (refused["error_code"], "PAUSING" in refused["error_msg"]) == ("DRS.10040020", True), "already paused"
    retry(client, T1)
    assert client.statuses([T1]) == {T1: "FULL_TRANSFER_STARTED"}
    assert walk(sim, client, T1, 2, 2) == ["FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED"]


@pytest.mark.parametrize("seeded, resumed", [("PAUSING", "INCRE_TRANSFER_STARTED"), ("PAUSEING", "INCRE_TRANSFER_STARTED")])
def test_a_task_seeded_paused_resumes_in_its_last_transfer_phase(make_sim, seeded, resumed):
    client = DrsClient(make_sim(scenario({"id": T1, "status": seeded})))
    retry(client, T1)
    assert client.statuses([T1]) == {T1: resumed}


def test_a_task_paused_while_failed_resumes_as_a_retry(make_sim):
    client = DrsClient(make_sim(scenario({"id": T1, "status": "FULL_TRANSFER_FAILED"})))
    pause(client, T1)
    assert client.statuses([T1]) == {T1: "PAUSING"}
    retry(client, T1)
    assert client.statuses([T1]) == {T1: "FULL_TRANSFER_STARTED"}


@pytest.mark.parametrize("status", ["CONFIGURATION", "STARTJOBING", "START_JOB_FAILED", "RELEASE_RESOURCE_COMPLETE", "DELETED"])
def test_only_transferring_tasks_can_be_paused(make_sim, status):
    client = DrsClient(make_sim(scenario({"id": T1, "status": status})))
    refused = pause(client, T1)[0]
    assert (refused["status"], refused["error_code"]) == ("failed", "DRS.10040020") and status in refused["error_msg"]
    assert client.statuses([T1]) == {T1: status}


def test_terminate_releases_then_a_delete_removes_the_task(make_sim):
    sim = make_sim(scenario({"id": T1, "status": "INCRE_TRANSFER_STARTED"}, {"id": T2, "status": "PAUSING"}, transition_seconds=5))
    client = DrsClient(sim)
    assert end(client, T1) == [{"id": T1, "status": "success"}]
    assert end(client, T2, delete_type="force_terminate")[0]["status"] == "success"
    assert client.statuses([T1, T2]) == {T1: "RELEASE_RESOURCE_STARTED", T2: "RELEASE_RESOURCE_STARTED"}
    refused = end(client, T1, delete_type="delete")[0]
    assert (refused["error_code"], "RELEASE_RESOURCE_STARTED" in refused["error_msg"]) == ("DRS.10040022", True), "still releasing"
    sim.advance(5)
    assert client.statuses([T1, T2]) == {T1: "RELEASE_RESOURCE_COMPLETE", T2: "RELEASE_RESOURCE_COMPLETE"}
    assert end(client, T1)[0]["error_code"] == "DRS.10040021", "an ended task is not ended again"
    assert end(client, T1, T2, delete_type="delete") == [{"id": T1, "status": "success"}, {"id": T2, "status": "success"}]
    assert client.statuses([T1, T2]) == {T1: "DELETED", T2: "DELETED"}
    listed = client.session.post(client.url("v3", "jobs"), json={}, timeout=TIMEOUT).json()
    assert listed == {"total_record": 0, "jobs": []}
    assert end(client, T1, delete_type="delete")[0]["error_code"] == "DRS.10040022", "a deleted task is not deleted again"


@pytest.mark.parametrize("status, delete_type, allowed", [
    ("CONFIGURATION", "terminate", False), ("CREATING", "terminate", False), ("CREATE_FAILED", "terminate", False),
    ("WAITING_FOR_START", "terminate", True), ("INCRE_TRANSFER_FAILED", "terminate", True),
    ("RELEASE_RESOURCE_FAILED", "force_terminate", True), ("RELEASE_RESOURCE_STARTED", "force_terminate", False),
    ("DELETED", "terminate", False),
    ("CREATE_FAILED", "delete", True), ("RELEASE_CHILD_TRANSFER_COMPLETE", "delete", True), ("CONFIGURATION", "delete", False),
    ("INCRE_TRANSFER_STARTED", "delete", False), ("RELEASE_RESOURCE_FAILED", "delete", False),
])
def test_what_can_be_ended_and_deleted(make_sim, status, delete_type, allowed):
    client = DrsClient(make_sim(scenario({"id": T1, "status": status})))
    answer = end(client, T1, delete_type=delete_type)[0]
    if allowed:
        assert answer["status"] == "success"
        assert client.statuses([T1]) == {T1: "DELETED" if delete_type == "delete" else "RELEASE_RESOURCE_STARTED"}
    else:
        assert answer["status"] == "failed" and status in answer["error_msg"]
        assert answer["error_code"] == ("DRS.10040022" if delete_type == "delete" else "DRS.10040021")
        assert client.statuses([T1]) == {T1: status}


@pytest.mark.parametrize("route, jobs", [
    ("retry", []),
    ("retry", [{"job_id": T1, "is_sync_re_edit": "yes"}]),
    ("retry", [{"job_id": T1}, {"job_id": T1}]),
    ("retry", [T1]),
    ("pause", [{"job_id": T1}]),
    ("pause", [{"job_id": T1, "pause_mode": "replay"}]),
    ("pause", [{"job_id": "t1", "pause_mode": "target"}]),
    ("end", [{"job_id": T1}]),
    ("end", [{"job_id": T1, "delete_type": "stop"}]),
    ("end", [{"job_id": T1, "delete_type": "roll_back_upgrade_active_standby"}]),
    ("end", [{"job_id": T1, "delete_type": "terminate", "is_show_breakpoint_position": "no"}]),
])
def test_invalid_bodies_are_400_and_do_nothing(make_sim, route, jobs):
    sim = make_sim(scenario({"id": T1, "status": "INCRE_TRANSFER_FAILED"}))
    client = DrsClient(sim)
    assert_vendor_error(call(client, route, jobs), 400, "DRS.10000004")
    assert client.statuses([T1]) == {T1: "INCRE_TRANSFER_FAILED"}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_at_most_100_tasks_a_request(make_sim, route):
    sim = make_sim({"generate": {"count": 101, "status": "INCRE_TRANSFER_STARTED"}})
    client = DrsClient(sim)
    job_ids = [task["id"] for task in sim.state()["tasks"]]
    fields = {"retry": {}, "pause": {"pause_mode": "target"}, "end": {"delete_type": "terminate"}}[route]
    assert_vendor_error(call(client, route, [dict(fields, job_id=job_id) for job_id in job_ids]), 400, "DRS.10000005")
    assert len(answers(client, route, [dict(fields, job_id=job_id) for job_id in job_ids[:100]])) == 100


def test_a_retry_precheck_and_require_precheck(make_sim):
    sim = make_sim(scenario({"id": T1, "status": "INCRE_TRANSFER_FAILED", "precheck_seconds": 2}, {"id": T2, "status": "CREATE_FAILED"},
                            {"id": T3, "status": "PAUSING"}, require_precheck=True))
    client = DrsClient(sim)

    def precheck(job_id, mode):
        body = {"jobs": [{"job_id": job_id, "precheck_mode": mode}]}
        return client.session.post(client.url("v3", "jobs/batch-precheck"), json=body, timeout=TIMEOUT).json()["results"][0]

    assert retry(client, T1)[0]["error_code"] == "DRS.10040018", "no precheck since it failed"
    assert retry(client, T3)[0]["status"] == "success", "a resume needs no precheck"
    assert precheck(T1, "forStartJob")["error_code"] == "DRS.10040015", "a failed task takes forRetryJob"
    refused = precheck(T2, "forRetryJob")
    assert refused["error_code"] == "DRS.10040015" and "CREATE_FAILED" in refused["error_msg"]
    assert precheck(T1, "forRetryJob")["status"] == "success"
    assert retry(client, T1)[0]["error_code"] == "DRS.10040018", "still running"
    sim.advance(2)
    assert retry(client, T1)[0]["status"] == "success"
    assert client.statuses([T1]) == {T1: "INCRE_TRANSFER_STARTED"}
    assert precheck(T1, "forRetryJob")["status"] == "success", "an edited task in incremental transfer takes forRetryJob"


def test_vendor_sdk_retries_pauses_ends_and_deletes(make_sim):
    sim = make_sim(scenario({"id": T1, "status": "INCRE_TRANSFER_FAILED"}, {"id": T2, "status": "FULL_TRANSFER_STARTED"},
                            {"id": T3, "status": "INCRE_TRANSFER_STARTED"}, {"id": T4, "status": "RELEASE_RESOURCE_COMPLETE"}),
                   speed="instant")
    client = sdk_client(sim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK marks all three methods deprecated
        retried = client.batch_restore_task(BatchRestoreTaskRequest(body=BatchRetryReq(jobs=[RetryInfo(job_id=T1, is_sync_re_edit=False)])))
        paused = client.batch_stop_jobs(BatchStopJobsRequest(body=BatchPauseJobReq(jobs=[PauseInfo(job_id=T2, pause_mode="target")])))
        ended = client.batch_delete_jobs(BatchDeleteJobsRequest(body=BatchDeleteJobReq(jobs=[
            DeleteJobReq(job_id=T3, delete_type="terminate"), DeleteJobReq(job_id=T4, delete_type="delete"),
            DeleteJobReq(job_id=T1, delete_type="delete")])))
    assert (retried.count, retried.results[0].id, retried.results[0].status) == (1, T1, "success")
    assert (paused.count, paused.results[0].status) == (1, "success")
    assert [result.status for result in ended.results] == ["success", "success", "failed"]
    assert ended.results[2].error_code == "DRS.10040022" and ended.results[2].error_msg
    for result, model in ((retried.results[0], RetryTaskResp), (paused.results[0], PauseJobResp), (ended.results[2], DeleteJobResp)):
        assert set(k for k, v in result.to_dict().items() if v is not None) <= set(model.attribute_map)
    assert DrsClient(sim).statuses([T1, T2, T3, T4]) == {T1: "INCRE_TRANSFER_STARTED", T2: "PAUSING", T3: "RELEASE_RESOURCE_COMPLETE",
                                                         T4: "DELETED"}
    log = [(entry["method"], entry["route"], entry["body"]) for entry in sim.request_log]
    assert log[2] == ("DELETE", "batch-jobs", {"jobs": [{"job_id": T3, "delete_type": "terminate"}, {"job_id": T4, "delete_type": "delete"},
                                                        {"job_id": T1, "delete_type": "delete"}]}), "the SDK sends the DELETE's body"


def test_a_task_seeded_while_released_completes_its_release(make_sim):
    sim = make_sim(scenario({"id": T1, "status": "RELEASE_RESOURCE_STARTED"}, transition_seconds=3))
    client = DrsClient(sim)
    assert walk(sim, client, T1, 2, 2) == ["RELEASE_RESOURCE_STARTED", "RELEASE_RESOURCE_COMPLETE"]
