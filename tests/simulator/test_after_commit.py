"""after_commit: a task of a batch async job ends up released, deleted or failed after the commit."""

import pytest

from simtools import DrsClient
from drs_simulator.scenario import ScenarioError, load_scenario  # noqa: E402  pylint: disable=wrong-import-order

ASYNC_ID = "bd4193aa-072d-4ce6-beec-adffc7252341"


def committed_job(status="AUTO_PARAM_VALIDATE_SUCCESS", **task_two):
    return {"commit_seconds": 5, "async_jobs": [{"id": ASYNC_ID, "status": status,
                                                 "tasks": [{"id": "t1"}, dict({"id": "t2"}, **task_two)]}]}


@pytest.mark.parametrize("outcome", ["RELEASE_RESOURCE_COMPLETE", "DELETED", "CREATE_FAILED", "START_JOB_FAILED",
                                     "RELEASE_RESOURCE_FAILED", "NODE_UPGRADE_FAILED", "CREATING"])
def test_task_ends_in_the_scripted_status_after_commit(make_sim, outcome):
    sim = make_sim(committed_job(after_commit=outcome))
    client = DrsClient(sim)
    assert client.commit(ASYNC_ID).status_code == 200
    assert client.statuses(["t1", "t2"]) == {"t1": "CREATING", "t2": "CREATING"}
    sim.advance(5)
    assert client.statuses(["t1", "t2"]) == {"t1": "CONFIGURATION", "t2": outcome}
    entry = client.batch_status(["t2"]).json()["results"][0]
    assert ("error_code" in entry) == outcome.endswith("_FAILED")
    sim.advance(3600)
    assert client.statuses(["t2"]) == {"t2": outcome}, "it stays there"
    assert client.start("t2").json()["results"][0]["error_code"] == "DRS.10040011"
    detail = client.async_job_detail(ASYNC_ID).json()["jobs"]
    assert [task["status"] for task in detail] == ["CONFIGURATION", outcome]


def test_a_job_seeded_as_committed_already_shows_it(make_sim):
    client = DrsClient(make_sim(committed_job(status="COMMIT_SUCCESS", after_commit="DELETED")))
    assert client.statuses(["t1", "t2"]) == {"t1": "CONFIGURATION", "t2": "DELETED"}


@pytest.mark.parametrize("source, fragment", [
    ({"tasks": [{"id": "t1", "after_commit": "DELETED"}]}, "after_commit"),
    (committed_job(after_commit="GONE"), "after_commit"),
    (committed_job(after_commit="DELETED", fail_at="CREATE_FAILED"), "after_commit"),
])
def test_invalid_after_commit(source, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        load_scenario(source)
