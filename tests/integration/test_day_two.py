# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""drs_batch_retry, drs_batch_pause and drs_batch_terminate in real playbooks against the simulator: each acts,
a re-run and check mode send nothing, refusals are named, the waits reach the status the action leads to, and
the documented request floor holds at 250 tasks."""

import collections

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
DAY_TWO_WRITES = ("batch-retry-task", "batch-pause-task", "batch-jobs", "batch-precheck")


def scenario(*tasks, **options):
    return dict(dict(project_id=PROJECT, speed="instant"), tasks=list(tasks), **options)


def ids_of(sim):
    return [task["id"] for task in sim.state()["tasks"]]


def statuses(sim):
    return dict((task["id"], task["status"]) for task in sim.state()["tasks"])


def writes(sim):
    return [entry for entry in sim.request_log if entry["route"] in DAY_TWO_WRITES]


def requests_per_route(sim):
    return dict(collections.Counter(entry["route"] for entry in sim.request_log))


def actions(run):
    return [entry["action"] for entry in run.results["results"]]


# -- drs_batch_retry -------------------------------------------------------------------------------------------

def test_retry_acts_then_a_rerun_and_check_mode_send_nothing(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "incre", "status": "INCRE_TRANSFER_FAILED"}, {"name": "full", "status": "FULL_TRANSFER_FAILED"},
                            {"name": "paused", "status": "PAUSING"}, {"name": "running", "status": "INCRE_TRANSFER_STARTED"}))
    ids = ids_of(sim)
    check = run_playbook("retry.yml", sim, {"jobs": ids, "wait": True}, check=True)
    assert check.rc == 0, check.output
    assert check.results["changed"] is True and actions(check) == ["would_retry", "would_retry", "would_resume", "already_running"]
    assert writes(sim) == []

    run = run_playbook("retry.yml", sim, {"jobs": ids, "wait": True, "poll_interval": 0.2})
    assert run.rc == 0, run.output
    assert run.results["changed"] is True and actions(run) == ["retried", "retried", "resumed", "already_running"]
    assert [entry["status"] for entry in run.results["results"]] == ["INCRE_TRANSFER_STARTED"] * 4
    prechecked = [job["job_id"] for entry in sim.request_log if entry["route"] == "batch-precheck" for job in entry["body"]["jobs"]]
    assert prechecked == ids[:2], "the failed tasks are prechecked (forRetryJob), the paused one is not"
    assert [(entry["route"], len(entry["body"]["jobs"])) for entry in writes(sim)] == [("batch-precheck", 2), ("batch-retry-task", 3)]

    again = run_playbook("retry.yml", sim, {"jobs": ids})
    assert again.rc == 0 and again.results["changed"] is False
    assert set(actions(again)) == {"already_running"}
    assert len(writes(sim)) == 2, "the re-run sends nothing"
    assert [task["retry_count"] for task in sim.state()["tasks"]] == [1, 1, 1, 0]


def test_retry_refusals_are_named_before_anything_is_sent(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "ok", "status": "INCRE_TRANSFER_FAILED"}, {"name": "never", "status": "CONFIGURATION"},
                            {"name": "broken", "status": "CREATE_FAILED"}))
    ok, never, broken = ids_of(sim)
    run = run_playbook("retry.yml", sim, {"jobs": [ok, never, broken]})
    assert run.rc != 0
    message = run.results["msg"]
    assert message.startswith("2 of 3 DRS tasks cannot be retried, so none was: ")
    assert "task is CONFIGURATION, never started: start it with hwcloud.drs.drs_batch_start): %s" % never in message
    assert "task is CREATE_FAILED, which a retry cannot recover: Failed to create the DRS instance" in message and broken in message
    assert writes(sim) == []


def test_a_retry_that_fails_again_stops_the_wait_and_the_next_one_sticks(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "flaky", "status": "INCRE_TRANSFER_FAILED", "failed_retries": 1,
                             "error_message": "the source purged its binlog"}))
    ids = ids_of(sim)
    first = run_playbook("retry.yml", sim, {"jobs": ids, "wait": True, "poll_interval": 0.2})
    assert first.rc != 0 and first.results["changed"] is True
    assert first.results["msg"] == ("1 of 1 DRS task failed again, ended or vanished after the retry: %s (INCRE_TRANSFER_FAILED, "
                                    "DRS.10060004: the source purged its binlog)" % ids[0])
    second = run_playbook("retry.yml", sim, {"jobs": ids, "wait": True, "poll_interval": 0.2})
    assert second.rc == 0, second.output
    assert actions(second) == ["retried"] and statuses(sim) == {ids[0]: "INCRE_TRANSFER_STARTED"}


def test_a_failed_retry_precheck_names_the_item_and_retries_nothing(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "orders", "status": "INCRE_TRANSFER_FAILED", "precheck_items": [
        {"item": "Source database binlog retention", "failed_reason": "binlog is kept 1 hour, at least 24 are needed"}]}))
    ids = ids_of(sim)
    run = run_playbook("retry.yml", sim, {"jobs": ids, "poll_interval": 0.2})
    assert run.rc != 0
    assert run.results["msg"].startswith("The forRetryJob precheck of 1 of 1 DRS task did not pass, so none was retried: %s" % ids[0])
    assert "Source database binlog retention: binlog is kept 1 hour, at least 24 are needed" in run.results["msg"]
    assert [entry["route"] for entry in writes(sim)] == ["batch-precheck"]
    assert statuses(sim) == {ids[0]: "INCRE_TRANSFER_FAILED"}


def test_retry_request_floor_at_250_tasks(make_sim, run_playbook):
    """Documented: one status read and one retry per 100 tasks; the precheck adds one start and one result read
    per 100 failed tasks per poll (one poll when the prechecks are done at once)."""
    sim = make_sim(dict(project_id=PROJECT, speed="instant", generate={"count": 250, "status": "INCRE_TRANSFER_FAILED"}))
    run = run_playbook("retry.yml", sim, {"jobs": ids_of(sim)})
    assert run.rc == 0, run.output
    assert requests_per_route(sim) == {"batch-status": 3, "batch-precheck": 3, "batch-precheck-result": 3, "batch-retry-task": 3}


# -- drs_batch_pause -------------------------------------------------------------------------------------------

def test_pause_then_resume_for_a_maintenance_window(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "a", "status": "INCRE_TRANSFER_STARTED"}, {"name": "b", "status": "FULL_TRANSFER_STARTED"},
                            {"name": "c", "status": "PAUSING"}))
    ids = ids_of(sim)
    check = run_playbook("pause.yml", sim, {"jobs": ids}, check=True)
    assert check.rc == 0 and actions(check) == ["would_pause", "would_pause", "already_paused"] and writes(sim) == []

    run = run_playbook("pause.yml", sim, {"jobs": ids, "wait": True, "poll_interval": 0.2, "pause_mode": "all"})
    assert run.rc == 0, run.output
    assert actions(run) == ["paused", "paused", "already_paused"]
    assert [entry["status"] for entry in run.results["results"]] == ["PAUSING"] * 3
    assert [job["pause_mode"] for entry in writes(sim) for job in entry["body"]["jobs"]] == ["all", "all"]

    again = run_playbook("pause.yml", sim, {"jobs": ids})
    assert again.rc == 0 and again.results["changed"] is False and len(writes(sim)) == 1

    resumed = run_playbook("retry.yml", sim, {"jobs": ids, "wait": True, "poll_interval": 0.2})
    assert resumed.rc == 0, resumed.output
    assert actions(resumed) == ["resumed"] * 3
    assert [entry["route"] for entry in writes(sim)] == ["batch-pause-task", "batch-retry-task"]
    # each goes back where it was paused; c, seeded paused, to its last transfer phase; b's full transfer then walks on
    assert statuses(sim) == {ids[0]: "INCRE_TRANSFER_STARTED", ids[1]: "INCRE_TRANSFER_STARTED", ids[2]: "INCRE_TRANSFER_STARTED"}


def test_pause_refusals_are_named_before_anything_is_sent(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "ok", "status": "INCRE_TRANSFER_STARTED"}, {"name": "failed", "status": "INCRE_TRANSFER_FAILED"},
                            {"name": "new", "status": "CONFIGURATION"}))
    ok, failed, new = ids_of(sim)
    run = run_playbook("pause.yml", sim, {"jobs": [ok, failed, new]})
    assert run.rc != 0 and run.results["msg"].startswith("2 of 3 DRS tasks cannot be paused, so none was: ")
    assert "task is INCRE_TRANSFER_FAILED, which is not paused but retried (hwcloud.drs.drs_batch_retry)" in run.results["msg"]
    assert "task is CONFIGURATION, which cannot be paused" in run.results["msg"] and failed in run.results["msg"] and new in run.results["msg"]
    assert writes(sim) == []


def test_pause_request_floor_at_250_tasks(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed="instant", generate={"count": 250, "status": "INCRE_TRANSFER_STARTED"}))
    run = run_playbook("pause.yml", sim, {"jobs": ids_of(sim)})
    assert run.rc == 0, run.output
    assert requests_per_route(sim) == {"batch-status": 3, "batch-pause-task": 3}


# -- drs_batch_terminate ---------------------------------------------------------------------------------------

def test_end_and_delete_a_migrated_batch_check_mode_and_diff_first(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "a", "status": "INCRE_TRANSFER_STARTED"}, {"name": "b", "status": "INCRE_TRANSFER_FAILED"},
                            {"name": "c", "status": "RELEASE_RESOURCE_COMPLETE"}, speed=1, transition_seconds=1))
    ids = ids_of(sim)
    check = run_playbook("terminate.yml", sim, {"jobs": ids, "delete": True}, check=True, args=("--diff",))
    assert check.rc == 0, check.output
    assert actions(check) == ["would_delete"] * 3 and writes(sim) == []
    for line in ("+%s: end, then delete" % ids[0], "+%s: end, then delete" % ids[1], "+%s: delete" % ids[2],
                 "-%s: INCRE_TRANSFER_STARTED" % ids[0]):
        assert line in check.output

    run = run_playbook("terminate.yml", sim, {"jobs": ids, "delete": True, "wait": True, "poll_interval": 0.2})
    assert run.rc == 0, run.output
    assert actions(run) == ["deleted"] * 3
    assert [(entry["method"], [job["delete_type"] for job in entry["body"]["jobs"]]) for entry in writes(sim)] == [
        ("DELETE", ["terminate", "terminate"]), ("DELETE", ["delete", "delete", "delete"])]
    assert set(statuses(sim).values()) == {"DELETED"}
    released_reads = [entry for entry in sim.request_log if entry["route"] == "batch-status"]
    assert len(released_reads) >= 3, "read, then polled until the release was complete, then until deleted"

    again = run_playbook("terminate.yml", sim, {"jobs": ids, "delete": True})
    assert again.rc == 0 and again.results["changed"] is False and set(actions(again)) == {"already_deleted"}
    assert len(writes(sim)) == 2


def test_terminate_waits_for_the_end_and_a_rerun_sends_nothing(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "a", "status": "PAUSING"}, {"name": "b", "status": "RELEASE_RESOURCE_STARTED"},
                            speed=1, transition_seconds=1))
    ids = ids_of(sim)
    run = run_playbook("terminate.yml", sim, {"jobs": ids, "force": True, "wait": True, "poll_interval": 0.2})
    assert run.rc == 0, run.output
    assert actions(run) == ["terminated", "already_ended"]
    assert [entry["status"] for entry in run.results["results"]] == ["RELEASE_RESOURCE_COMPLETE"] * 2
    assert [job["delete_type"] for entry in writes(sim) for job in entry["body"]["jobs"]] == ["force_terminate"]
    again = run_playbook("terminate.yml", sim, {"jobs": ids})
    assert again.rc == 0 and again.results["changed"] is False and len(writes(sim)) == 1


def test_terminate_refusals_are_named_before_anything_is_sent(make_sim, run_playbook):
    sim = make_sim(scenario({"name": "ok", "status": "INCRE_TRANSFER_STARTED"}, {"name": "new", "status": "CONFIGURATION"}))
    ok, new = ids_of(sim)
    run = run_playbook("terminate.yml", sim, {"jobs": [ok, new], "delete": True})
    assert run.rc != 0
    assert run.results["msg"] == ("1 of 2 DRS tasks cannot be ended, so none was: 1 task (task is CONFIGURATION, never started, so "
                                  "there is nothing to end (the DRS console deletes it)): %s" % new)
    assert writes(sim) == [] and statuses(sim)[ok] == "INCRE_TRANSFER_STARTED"


def test_terminate_request_floor_at_250_tasks(make_sim, run_playbook):
    """Documented: one status read and one end request per 100 tasks; with delete, one read per 100 per poll until
    released, and one delete request per 100 (6 and 6 when the release is over by the first poll)."""
    sim = make_sim(dict(project_id=PROJECT, speed="instant", generate={"count": 250, "status": "INCRE_TRANSFER_STARTED"}))
    ids = ids_of(sim)
    run = run_playbook("terminate.yml", sim, {"jobs": ids})
    assert run.rc == 0, run.output
    assert requests_per_route(sim) == {"batch-status": 3, "batch-jobs": 3}
    sim.clear_log()
    sim.load_scenario(dict(project_id=PROJECT, speed="instant", generate={"count": 250, "status": "INCRE_TRANSFER_STARTED"}))
    run = run_playbook("terminate.yml", sim, {"jobs": ids_of(sim), "delete": True})
    assert run.rc == 0, run.output
    assert requests_per_route(sim) == {"batch-status": 6, "batch-jobs": 6}
