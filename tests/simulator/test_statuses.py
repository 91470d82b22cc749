"""Every task status of the vendor SDK (and the page's PAUSEING) can be seeded, read and refused a start."""

import re

import pytest
from huaweicloudsdkdrs.v3 import BatchListJobStatusRequest, BatchQueryJobReqPage, QueryJobStatusResp

from simtools import DrsClient, scenario, sdk_client

from drs_simulator import statuses  # noqa: E402  pylint: disable=wrong-import-order

SDK_STATUSES = [
    "CREATING", "CREATE_FAILED", "CONFIGURATION", "STARTJOBING", "WAITING_FOR_START", "START_JOB_FAILED", "PAUSING",
    "FULL_TRANSFER_STARTED", "FULL_TRANSFER_FAILED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED",
    "INCRE_TRANSFER_FAILED", "RELEASE_RESOURCE_STARTED", "RELEASE_RESOURCE_FAILED", "RELEASE_RESOURCE_COMPLETE",
    "REBUILD_NODE_STARTED", "REBUILD_NODE_FAILED", "CHANGE_JOB_STARTED", "CHANGE_JOB_FAILED", "DELETED",
    "CHILD_TRANSFER_STARTING", "CHILD_TRANSFER_STARTED", "CHILD_TRANSFER_COMPLETE", "CHILD_TRANSFER_FAILED",
    "RELEASE_CHILD_TRANSFER_STARTED", "RELEASE_CHILD_TRANSFER_COMPLETE", "NODE_UPGRADE_START", "NODE_UPGRADE_COMPLETE",
    "NODE_UPGRADE_FAILED",
]
ALL_STATUSES = SDK_STATUSES + ["PAUSEING"]
FAILED = [status for status in ALL_STATUSES if status.endswith("_FAILED")]


def test_the_list_is_the_sdks():
    """The statuses documented on QueryJobStatusResp.status, read from the installed SDK, are the simulator's."""
    documented = re.findall(r"- ([A-Z_]+)：", QueryJobStatusResp.status.fget.__doc__)
    assert documented == SDK_STATUSES
    assert list(statuses.TASK_STATUSES) == ALL_STATUSES
    assert len(FAILED) == 9


def test_every_status_can_be_seeded_and_stays_or_moves_on(make_sim):
    sim = make_sim(scenario(*[{"id": "t-%02d" % index, "status": status} for index, status in enumerate(ALL_STATUSES)]))
    job_ids = ["t-%02d" % index for index in range(len(ALL_STATUSES))]
    client = DrsClient(sim)
    sim.advance(3600)
    got = client.statuses(job_ids)
    # the ones of a start carry on from where they were seeded, so does a release; all others stay
    moving = {"WAITING_FOR_START": "INCRE_TRANSFER_STARTED", "STARTJOBING": "INCRE_TRANSFER_STARTED",
              "FULL_TRANSFER_STARTED": "INCRE_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE": "INCRE_TRANSFER_STARTED",
              "RELEASE_RESOURCE_STARTED": "RELEASE_RESOURCE_COMPLETE"}
    for job_id, status in zip(job_ids, ALL_STATUSES):
        assert got[job_id] == moving.get(status, status), status


@pytest.mark.parametrize("status", FAILED)
def test_failed_statuses_carry_a_default_error(make_sim, status):
    sim = make_sim(scenario({"id": "t1", "status": status}))
    entry = DrsClient(sim).batch_status(["t1"]).json()["results"][0]
    assert entry["status"] == status
    assert entry["error_code"].startswith("DRS.") and len(entry["error_code"]) == 12
    assert entry["error_message"]


def test_failed_statuses_have_distinct_default_texts(make_sim):
    sim = make_sim(scenario(*[{"id": status, "status": status} for status in FAILED]))
    entries = DrsClient(sim).batch_status(FAILED, per_page=0).json()["results"]
    assert len({entry["error_code"] for entry in entries}) == len(FAILED)
    assert len({entry["error_message"] for entry in entries}) == len(FAILED)


def test_scenario_error_text_wins_for_any_failed_status(make_sim):
    sim = make_sim(scenario({"id": "t1", "status": "CHANGE_JOB_FAILED", "error_code": "DRS.M05003", "error_message": "no"}))
    entry = DrsClient(sim).batch_status(["t1"]).json()["results"][0]
    assert (entry["error_code"], entry["error_message"]) == ("DRS.M05003", "no")


def test_statuses_that_are_not_failures_carry_no_error(make_sim):
    others = [status for status in ALL_STATUSES if status not in FAILED]
    sim = make_sim(scenario(*[{"id": status, "status": status} for status in others]))
    for entry in DrsClient(sim).batch_status(others, per_page=0).json()["results"]:
        assert set(entry) == {"id", "status"}


@pytest.mark.parametrize("status", [status for status in ALL_STATUSES if status != "CONFIGURATION"])
def test_only_configuration_starts(make_sim, status):
    sim = make_sim(scenario({"id": "t1", "status": status}))
    response = DrsClient(sim).start("t1")
    assert response.status_code == 202
    result = response.json()["results"][0]
    assert (result["status"], result["error_code"]) == ("failed", "DRS.10040011")
    assert status in result["error_msg"]
    assert sim.start_counts() == {"t1": 0}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks batch_list_job_status deprecated
def test_vendor_sdk_reads_every_status(make_sim):
    sim = make_sim(scenario(*[{"id": "t-%02d" % index, "status": status} for index, status in enumerate(ALL_STATUSES)]))
    job_ids = ["t-%02d" % index for index in range(len(ALL_STATUSES))]
    request = BatchListJobStatusRequest(body=BatchQueryJobReqPage(jobs=job_ids, page_req={"cur_page": 1, "per_page": 0}))
    response = sdk_client(sim).batch_list_job_status(request)
    assert response.count == len(ALL_STATUSES)
    by_id = {result.id: result for result in response.results}
    for job_id, status in zip(job_ids, ALL_STATUSES):
        assert by_id[job_id].status == status  # the clock is frozen: even the moving ones are where they were seeded
        assert bool(by_id[job_id].error_code and by_id[job_id].error_message) == (status in FAILED)
