# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The three modules in real playbooks against the simulator."""

from .conftest import writes

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
ASYNC_ID = "6f1c9a52-3d7e-4b8a-9c21-5e0d4f7a8b61"


def plain_tasks(count, **extra):
    return dict(project_id=PROJECT, speed="instant", generate={"count": count, "prefix": "t"}, **extra)


def task_ids(sim):
    return [task["id"] for task in sim.state()["tasks"]]


def test_status_happy_path(make_sim, run_playbook):
    sim = make_sim(plain_tasks(3))
    ids = task_ids(sim)
    run = run_playbook("status.yml", sim, {"jobs": ids + ids[:1]})
    assert run.rc == 0, run.output
    assert run.results["changed"] is False
    assert [job["id"] for job in run.results["jobs"]] == ids
    assert set(run.results["jobs"][0]) >= {"id", "status", "error_code", "error_message"}
    assert run.results["status_by_id"] == dict((task_id, "CONFIGURATION") for task_id in ids)
    assert run.results["summary"] == {"CONFIGURATION": 3}


def test_status_pages_through_250_jobs(make_sim, run_playbook):
    sim = make_sim(plain_tasks(250))
    run = run_playbook("status.yml", sim, {"jobs": task_ids(sim)})
    assert run.rc == 0, run.output
    assert run.results["summary"] == {"CONFIGURATION": 250}
    pages = [entry for entry in sim.request_log if entry["route"] == "batch-status"]
    assert [len(entry["body"]["jobs"]) for entry in pages] == [100, 100, 50]


def test_start_then_rerun_and_check_mode_send_no_write(make_sim, run_playbook):
    sim = make_sim(plain_tasks(3))
    ids = task_ids(sim)
    check = run_playbook("start.yml", sim, {"jobs": ids}, check=True)
    assert check.rc == 0, check.output
    assert check.results["changed"] is True
    assert [entry["action"] for entry in check.results["results"]] == ["would_start"] * 3
    assert writes(sim) == []

    first = run_playbook("start.yml", sim, {"jobs": ids})
    assert first.rc == 0, first.output
    assert first.results["changed"] is True
    assert [entry["action"] for entry in first.results["results"]] == ["started"] * 3
    assert set(first.results["results"][0]) == {
        "job_id", "status_before", "status_class", "action", "start_time", "error_code", "error_msg"}

    second = run_playbook("start.yml", sim, {"jobs": ids})
    assert second.rc == 0, second.output
    assert second.results["changed"] is False
    assert [entry["action"] for entry in second.results["results"]] == ["already_started"] * 3
    assert len(writes(sim)) == 1
    assert sim.start_counts() == dict((task_id, 1) for task_id in ids)


def test_start_250_jobs_in_chunks(make_sim, run_playbook):
    sim = make_sim(plain_tasks(250))
    run = run_playbook("start.yml", sim, {"jobs": task_ids(sim)})
    assert run.rc == 0, run.output
    assert [len(entry["body"]["jobs"]) for entry in writes(sim)] == [100, 100, 50]
    assert len([entry for entry in sim.request_log if entry["route"] == "batch-status"]) == 3


def test_a_task_that_fails_to_start_is_named_with_its_error(make_sim, run_playbook):
    forward, backward = "3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21", "8d2a6c4e-1f9b-4a7d-b3e5-0c8f5a2djb21"
    sim = make_sim(dict(project_id=PROJECT, speed=1, transition_seconds=600, tasks=[
        {"id": forward}, {"id": backward, "forward_job_id": forward}]))
    run = run_playbook("start.yml", sim, {"jobs": [forward, backward]})
    assert run.rc != 0
    by_id = dict((entry["job_id"], entry) for entry in run.results["results"])
    assert by_id[forward]["action"] == "started"
    assert by_id[backward]["action"] == "failed"
    assert by_id[backward]["error_code"].startswith("DRS.")
    assert backward in run.results["msg"] and by_id[backward]["error_code"] in run.results["msg"]


def test_unknown_job_ids_fail_clearly(make_sim, run_playbook):
    sim = make_sim(plain_tasks(1))
    unknown = "00000000-0000-4000-8000-00000000jb21"
    run = run_playbook("start.yml", sim, {"jobs": task_ids(sim) + [unknown]})
    assert run.rc != 0
    assert unknown in run.results["msg"]
    assert writes(sim) == []
    assert "Traceback" not in run.output


def test_expired_token_fails_clearly(make_sim, run_playbook):
    sim = make_sim(dict(plain_tasks(1), auth={"tokens": [{"value": "old-token", "expired": True}]}))
    run = run_playbook("status.yml", sim, {"jobs": task_ids(sim)}, env={"HW_AUTH_TOKEN": "old-token"})
    assert run.rc != 0
    assert "HTTP 401" in run.results["msg"]
    assert "old-token" not in run.output


def test_wrong_signature_fails_clearly(make_sim, run_playbook):
    sim = make_sim(plain_tasks(1))
    access_key = sim.credentials[0]["ak"]
    run = run_playbook("status.yml", sim, {"jobs": task_ids(sim)},
                       env={"HW_AUTH_TOKEN": None, "HW_ACCESS_KEY": access_key, "HW_SECRET_KEY": "not-the-secret"})
    assert run.rc != 0
    assert "HTTP 401" in run.results["msg"]
    assert "not-the-secret" not in run.output


def test_aksk_signing_is_accepted(make_sim, run_playbook):
    sim = make_sim(plain_tasks(2))
    credentials = sim.credentials[0]
    run = run_playbook("start.yml", sim, {"jobs": task_ids(sim)},
                       env={"HW_AUTH_TOKEN": None, "HW_ACCESS_KEY": credentials["ak"], "HW_SECRET_KEY": credentials["sk"]})
    assert run.rc == 0, run.output
    assert credentials["sk"] not in run.output


def test_commit_happy_path_rerun_and_check_mode(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed="instant", async_jobs=[
        {"id": ASYNC_ID, "status": "AUTO_PARAM_VALIDATE_SUCCESS", "generate": {"count": 4, "prefix": "a"}}]))
    check = run_playbook("commit.yml", sim, {"async_job_id": ASYNC_ID}, check=True)
    assert check.rc == 0, check.output
    assert check.results["changed"] is True and writes(sim) == []

    first = run_playbook("commit.yml", sim, {"async_job_id": ASYNC_ID})
    assert first.rc == 0, first.output
    assert first.results["changed"] is True
    assert first.results["job"]["async_job_id"] == ASYNC_ID and first.results["job"]["status"] == "COMMIT_SUCCESS"
    assert sorted(first.results["job_ids"]) == sorted(task_ids(sim))

    second = run_playbook("commit.yml", sim, {"async_job_id": ASYNC_ID})
    assert second.rc == 0 and second.results["changed"] is False
    assert len(writes(sim)) == 1


def test_commit_where_the_region_lacks_the_v5_api(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, v5_enabled=False, tasks=[{"status": "CONFIGURATION"}]))
    run = run_playbook("commit.yml", sim, {"async_job_id": ASYNC_ID})
    assert run.rc != 0
    assert "does not offer the DRS batch async API" in run.results["msg"]
