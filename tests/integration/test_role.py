# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The batch_launch role in real playbooks against the simulator."""

import json
import re

from .conftest import writes

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
FORWARD = "3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21"
BACKWARD = "8d2a6c4e-1f9b-4a7d-b3e5-0c8f5a2djb21"
ASYNC_A = "6f1c9a52-3d7e-4b8a-9c21-5e0d4f7a8b61"
ASYNC_B = "b2e47d10-8a5c-4f3e-a6d9-0c1b7e2f9a34"


def batch(transition_seconds=0.3, extra_tasks=(), **task_overrides):
    """Two async jobs, eight tasks, a dual-active pair in the second one."""
    pair = [dict({"id": FORWARD}, **task_overrides.get(FORWARD, {})),
            dict({"id": BACKWARD, "forward_job_id": FORWARD}, **task_overrides.get(BACKWARD, {}))]
    return dict(project_id=PROJECT, speed=1, transition_seconds=transition_seconds, validate_seconds=0.5,
                commit_seconds=0.5, async_jobs=[
                    {"id": ASYNC_A, "generate": {"count": 6, "prefix": "orders"}},
                    {"id": ASYNC_B, "tasks": pair + list(extra_tasks)}])


LAUNCH_VARS = {
    "batch_launch_async_job_ids": [ASYNC_A, ASYNC_B],
    "batch_launch_job_groups": [[FORWARD], [BACKWARD]],
    "batch_launch_poll_interval": 1,
    "batch_launch_wait_timeout": 120,
}


def statuses(run):
    return dict((job["job_id"], job["status"]) for job in run.results["summary"]["jobs"])


def started_ids(sim):
    return [job["job_id"] for entry in writes(sim) if entry["route"] == "batch-starting" for job in entry["body"]["jobs"]]


def test_launch_rerun_and_check_mode(make_sim, run_playbook):
    sim = make_sim(batch())
    run = run_playbook("launch.yml", sim, LAUNCH_VARS)
    assert run.rc == 0, run.output
    assert set(statuses(run).values()) == {"INCRE_TRANSFER_STARTED"}
    assert len(statuses(run)) == 8
    assert run.results["summary"]["started"] == 8
    assert re.search(r"Group [12]/2 after \d+s: ", run.output), "progress is shown at each poll"
    assert sim.start_counts() == dict((task_id, 1) for task_id in statuses(run))
    # the backward task of the dual-active pair started after its forward task replicated
    starts = [entry for entry in writes(sim) if entry["route"] == "batch-starting"]
    assert [job["job_id"] for job in starts[-1]["body"]["jobs"]] == [BACKWARD]

    written = len(writes(sim))
    sim.clear_log()
    again = run_playbook("launch.yml", sim, LAUNCH_VARS)
    assert again.rc == 0, again.output
    assert "changed=0" in again.output
    assert not re.search(r"after \d+s: \d+ of \d+ tasks? at INCRE_TRANSFER_STARTED; now [A-Z_]+=\d+, ", again.output) and \
        len(re.findall(r"Group \d/2 after ", again.output)) == 2, "a replicating batch is there at the first read: one line"
    check = run_playbook("launch.yml", sim, LAUNCH_VARS, check=True)
    assert check.rc == 0 and "changed=0" in check.output
    assert writes(sim) == [] and written == 4, "a re-run and a check run send no write"


def test_check_mode_on_a_fresh_batch_plans_what_exists_and_writes_nothing(make_sim, run_playbook):
    existing = {"id": "a1b2c3d4-0000-4000-8000-00000000jb01"}
    sim = make_sim(dict(batch(), tasks=[existing]))
    groups = [[FORWARD, existing["id"]], [BACKWARD]]
    run = run_playbook("launch.yml", sim, dict(LAUNCH_VARS, batch_launch_job_groups=groups), check=True)
    assert run.rc == 0, run.output
    assert "changed=3" in run.output, "the commit, precheck and start steps: they would commit, precheck and start"
    summary = run.results["summary"]
    assert "2 async jobs to commit; 8 tasks to be planned only after the commit" in summary["message"]
    assert [(job["job_id"], job["action"]) for job in summary["jobs"]] == [(existing["id"], "would_start")]
    assert writes(sim) == []


def test_check_mode_fails_on_what_a_real_run_fails_on(make_sim, run_playbook):
    failed = {"id": "a1b2c3d4-0000-4000-8000-00000000jb02", "status": "FULL_TRANSFER_FAILED"}
    sim = make_sim(dict(batch(), tasks=[failed]))
    run = run_playbook("launch.yml", sim, dict(LAUNCH_VARS, batch_launch_job_groups=[[FORWARD, failed["id"]], [BACKWARD]]),
                       check=True)
    assert run.rc != 0
    assert "DRS.10060003: task is FULL_TRANSFER_FAILED, which cannot be started" in run.output, run.output
    assert failed["id"] in run.output
    assert writes(sim) == []


def test_a_failing_task_fails_fast_naming_it_and_publishes_the_summary(make_sim, run_playbook):
    failing = {"fail_at": "FULL_TRANSFER_FAILED", "error_code": "DRS.10030033", "error_message": "Full migration failed."}
    sim = make_sim(batch(**{FORWARD: failing}))
    run = run_playbook("launch.yml", sim, LAUNCH_VARS)
    assert run.rc != 0
    assert ("1 of 7 DRS tasks cannot reach INCRE_TRANSFER_STARTED (failed, released or deleted): "
            "%s (FULL_TRANSFER_FAILED, DRS.10030033: Full migration failed.)" % FORWARD) in run.output, run.output
    assert BACKWARD not in started_ids(sim), "the second group never starts"
    summary = run.results["summary"]
    assert summary["failure"]["task"] == "Wait until the tasks reach their target, Group 1/2"
    assert summary["message"].startswith("Launch failed at 'Wait until the tasks reach their target, Group 1/2': 1 of 7 DRS tasks")
    by_id = dict((job["job_id"], job) for job in summary["jobs"])
    assert by_id[FORWARD]["status"] == "FULL_TRANSFER_FAILED" and by_id[FORWARD]["error_code"] == "DRS.10030033"
    assert by_id[FORWARD]["action"] == "started"


def test_a_released_task_inside_a_committed_async_job_fails_at_once(make_sim, run_playbook):
    sim = make_sim(batch(**{BACKWARD: {"after_commit": "RELEASE_RESOURCE_COMPLETE"}}))
    run = run_playbook("launch.yml", sim, dict(LAUNCH_VARS, batch_launch_commit_wait_timeout=600))
    assert run.rc != 0
    assert "cannot reach CONFIGURATION (failed, released or deleted): %s (RELEASE_RESOURCE_COMPLETE)" % BACKWARD in run.output
    assert run.results["summary"]["elapsed_seconds"] < 60, "no wait until the commit wait timeout"
    assert started_ids(sim) == []


def test_a_slow_batch_times_out_naming_the_tasks(make_sim, run_playbook):
    sim = make_sim(batch(transition_seconds=600))
    run = run_playbook("launch.yml", sim, dict(LAUNCH_VARS, batch_launch_wait_timeout=2, batch_launch_precheck=False))
    assert run.rc != 0
    assert "Timed out after 2s waiting for 7 of 7 DRS tasks to reach INCRE_TRANSFER_STARTED" in run.output
    assert FORWARD in run.output


def test_auto_target_ends_full_only_tasks_at_full_transfer_complete(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed=1, transition_seconds=0.2, tasks=[
        {"name": "full-1", "task_mode": "FULL_TRANS"}, {"name": "full-2", "task_mode": "FULL_TRANS"},
        {"name": "both", "task_mode": "FULL_INCR_TRANS"}, {"name": "incremental", "task_mode": "INCR_TRANS"}]))
    ids = [task["id"] for task in sim.state()["tasks"]]
    run = run_playbook("launch.yml", sim, {"batch_launch_jobs": ids, "batch_launch_poll_interval": 1,
                                           "batch_launch_wait_timeout": 60})
    assert run.rc == 0, run.output
    assert [(job["status"], job["target"], job["task_mode"]) for job in run.results["summary"]["jobs"]] == [
        ("FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE", "FULL_TRANS"),
        ("FULL_TRANSFER_COMPLETE", "FULL_TRANSFER_COMPLETE", "FULL_TRANS"),
        ("INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", "FULL_INCR_TRANS"),
        ("INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", "INCR_TRANS")]


def test_an_explicit_target_is_reached_by_tasks_past_it(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed=1, tasks=[{"name": "done", "status": "INCRE_TRANSFER_STARTED"}]))
    ids = [task["id"] for task in sim.state()["tasks"]]
    run = run_playbook("launch.yml", sim, {"batch_launch_jobs": ids, "batch_launch_poll_interval": 1,
                                           "batch_launch_target_status": "FULL_TRANSFER_COMPLETE",
                                           "batch_launch_wait_timeout": 30})
    assert run.rc == 0, run.output
    assert run.results["summary"]["already_started"] == 1
    assert "Group 1/1 after 0s: 1 of 1 task at FULL_TRANSFER_COMPLETE; now INCRE_TRANSFER_STARTED=1" in run.output, \
        "the first read ends the wait: its closing line only"


def test_the_next_group_waits_for_rpo_and_rto_below_the_maximum(make_sim, run_playbook):
    sim = make_sim(batch(**{FORWARD: {"settle_seconds": 8, "rpo_start": 600, "rto_start": 600}}))
    run = run_playbook("launch.yml", sim, dict(LAUNCH_VARS, batch_launch_rpo_rto_max=30))
    assert run.rc == 0, run.output
    assert re.search(r"RPO \d+m\d+s, RTO \d+m\d+s at most \(each must be below 30s\)", run.output), run.output
    forward = [job for job in run.results["summary"]["jobs"] if job["job_id"] == FORWARD][0]
    assert forward["rpo_delay"] < 30 and forward["rto_delay"] < 30
    assert started_ids(sim)[-1] == BACKWARD


def test_a_failed_read_while_waiting_is_read_again(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed=1, transition_seconds=0.5, generate={"count": 3, "prefix": "r"}))
    ids = [task["id"] for task in sim.state()["tasks"]]
    # batch-status calls: 1 reads the named tasks before anything is written, 2 is the start's own
    # read, then the wait's reads; the wait's first two fail.
    sim.inject_fault(route="batch-status", kind="status", status=500, calls=[3, 4])
    run = run_playbook("launch.yml", sim, {"batch_launch_jobs": ids, "batch_launch_poll_interval": 1,
                                           "batch_launch_precheck": False, "batch_launch_connection": {"retries": 0}})
    assert run.rc == 0, run.output
    assert run.output.count("the DRS API stopped answering (Failed to read the status of DRS tasks: POST ") == 1, run.output
    assert run.output.count("the DRS API answers again, after ") == 1
    assert set(statuses(run).values()) == {"INCRE_TRANSFER_STARTED"}


def test_three_projects_launch_in_parallel(make_sim, run_playbook, tmp_path):
    """Each inventory host stands for one DRS project, with its own endpoint in host vars."""
    sims = []
    inventory = {"all": {"hosts": {}}}
    for number in range(3):
        project = "%032x" % (number + 1)
        sim = make_sim(dict(project_id=project, speed="instant", generate={"count": 5, "prefix": "p%d" % number}),
                       seed=number)
        sims.append(sim)
        inventory["all"]["hosts"]["project-%d" % number] = {
            "ansible_connection": "local",
            "batch_launch_jobs": [task["id"] for task in sim.state()["tasks"]],
            "batch_launch_poll_interval": 1,
            "batch_launch_connection": {"endpoint": sim.url, "project_id": project, "auth_token": sim.auth_token},
        }
    inventory_file = tmp_path / "projects.json"
    inventory_file.write_text(json.dumps(inventory))
    run = run_playbook("launch.yml", sims[0], inventory=str(inventory_file), args=["--forks", "3"],
                       env={"HW_DRS_ENDPOINT": None, "HW_PROJECT_ID": None, "HW_AUTH_TOKEN": None})
    assert run.rc == 0, run.output
    for number, sim in enumerate(sims):
        assert "project-%d                  : ok=" % number in run.output
        assert set(sim.start_counts().values()) == {1} and len(sim.start_counts()) == 5


def test_the_connection_variable_is_merged_over_module_defaults(make_sim, run_playbook):
    """project_id from module_defaults, endpoint and token from batch_launch_connection."""
    sim = make_sim(dict(project_id=PROJECT, speed="instant", generate={"count": 2, "prefix": "m"}))
    ids = [task["id"] for task in sim.state()["tasks"]]
    run = run_playbook("launch_module_defaults.yml", sim, {
        "batch_launch_jobs": ids, "batch_launch_poll_interval": 1, "drs_project_id": PROJECT,
        "batch_launch_connection": {"endpoint": sim.url, "auth_token": sim.auth_token}},
        env={"HW_DRS_ENDPOINT": None, "HW_PROJECT_ID": None, "HW_AUTH_TOKEN": None})
    assert run.rc == 0, run.output
    assert set(sim.start_counts().values()) == {1}


def test_tasks_selected_by_name_are_prechecked_and_launched(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed=1, transition_seconds=0.2, tasks=[
        {"name": "orders-eu-1"}, {"name": "orders-eu-2"}, {"name": "orders-us-1", "status": "INCRE_TRANSFER_STARTED"},
        {"name": "billing-1"}]))
    by_name = dict((task["name"], task["id"]) for task in sim.state()["tasks"])
    run = run_playbook("launch.yml", sim, {"batch_launch_job_filter": {"name": "orders-*"}, "batch_launch_poll_interval": 1,
                                           "batch_launch_wait_timeout": 60})
    assert run.rc == 0, run.output
    launched = dict((job["job_id"], job["action"]) for job in run.results["summary"]["jobs"])
    assert launched == {by_name["orders-eu-1"]: "started", by_name["orders-eu-2"]: "started",
                        by_name["orders-us-1"]: "already_started"}
    prechecked = [job["job_id"] for entry in sim.request_log if entry["route"] == "batch-precheck"
                  for job in entry["body"]["jobs"]]
    assert sorted(prechecked) == sorted([by_name["orders-eu-1"], by_name["orders-eu-2"]]), "only the tasks to start"
    assert "precheck 0 of 3 tasks passed" in run.output or "precheck" in run.output

    sim.clear_log()
    again = run_playbook("launch.yml", sim, {"batch_launch_job_filter": {"name": "orders-*"}, "batch_launch_poll_interval": 1})
    assert again.rc == 0 and "changed=0" in again.output, again.output
    assert writes(sim) == [] and not [entry for entry in sim.request_log if entry["route"] == "batch-precheck"]


def test_a_failed_precheck_stops_the_group_naming_each_item(make_sim, run_playbook):
    failing = {"name": "orders-1", "precheck_items": [{"item": "source_db_connection",
                                                       "failed_reason": "The source database cannot be connected."}]}
    sim = make_sim(dict(project_id=PROJECT, speed=1, transition_seconds=0.2, tasks=[failing, {"name": "orders-2"}]))
    run = run_playbook("launch.yml", sim, {"batch_launch_job_filter": {"name": "orders-*", "status": ["CONFIGURATION"]},
                                           "batch_launch_poll_interval": 1})
    assert run.rc != 0
    assert "source_db_connection: The source database cannot be connected." in run.output, run.output
    assert started_ids(sim) == [], "nothing starts before every precheck passed"
    assert run.results["summary"]["failure"]["task"] == "Precheck the tasks of Group 1/1"


def test_a_filter_that_selects_nothing_is_a_mistake(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed="instant", tasks=[{"name": "billing-1"}]))
    run = run_playbook("launch.yml", sim, {"batch_launch_job_filter": {"name": "orders-*"}})
    assert run.rc != 0
    assert 'batch_launch_job_filter selects no DRS task: {"name": "orders-*"}' in run.output, run.output


def test_a_task_that_fails_once_is_retried_and_the_launch_goes_on(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed=1, transition_seconds=0.3, tasks=[
        {"name": "orders-1"}, {"name": "orders-2", "fail_at": "INCRE_TRANSFER_FAILED"}]))
    by_name = dict((task["name"], task["id"]) for task in sim.state()["tasks"])
    run = run_playbook("launch.yml", sim, {"batch_launch_job_filter": {"name": "orders-*"}, "batch_launch_poll_interval": 0.5,
                                           "batch_launch_retry_failed": 1, "batch_launch_wait_timeout": 60})
    assert run.rc == 0, run.output[-4000:]
    assert ("Group 1/1: retrying 1 task that failed (orders-2 (%s): INCRE_TRANSFER_FAILED), retry 1 of at most 1"
            % by_name["orders-2"]) in run.output, run.output[-4000:]
    summary = run.results["summary"]
    assert summary["retried"] == 1 and "1 retry after a failure" in summary["message"]
    assert dict((job["name"], job["retries"]) for job in summary["jobs"]) == {"orders-1": 0, "orders-2": 1}
    assert set(statuses(run).values()) == {"INCRE_TRANSFER_STARTED"}
    retried = [job["job_id"] for entry in sim.request_log if entry["route"] == "batch-retry-task" for job in entry["body"]["jobs"]]
    assert retried == [by_name["orders-2"]]
    prechecks = [job for entry in sim.request_log if entry["route"] == "batch-precheck" for job in entry["body"]["jobs"]]
    assert {"job_id": by_name["orders-2"], "precheck_mode": "forRetryJob"} in prechecks


def test_a_task_that_keeps_failing_fails_the_launch_after_its_retries(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed=1, transition_seconds=0.3, tasks=[
        {"name": "orders-1", "fail_at": "FULL_TRANSFER_FAILED", "failed_retries": 5}]))
    run = run_playbook("launch.yml", sim, {"batch_launch_job_filter": {"name": "orders-*"}, "batch_launch_poll_interval": 0.5,
                                           "batch_launch_retry_failed": 2, "batch_launch_wait_timeout": 60})
    assert run.rc != 0
    summary = run.results["summary"]
    assert summary["retried"] == 2 and summary["jobs"][0]["status"] == "FULL_TRANSFER_FAILED"
    assert "(retried orders-1 (%s), batch_launch_retry_failed: 2 retries)" % summary["jobs"][0]["job_id"] in \
        summary["failure"]["msg"]
    assert len([entry for entry in sim.request_log if entry["route"] == "batch-retry-task"]) == 2


def test_the_plays_environment_gives_the_launch_its_credentials(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed="instant", generate={"count": 2, "prefix": "e"}))
    run = run_playbook("launch_environment.yml", sim, {"batch_launch_jobs": [task["id"] for task in sim.state()["tasks"]],
                                                       "batch_launch_poll_interval": 1, "drs_token": sim.auth_token},
                       auth=None)
    assert run.rc == 0, run.output[-3000:]
    assert set(sim.start_counts().values()) == {1}


def test_a_host_that_is_not_local_is_refused_saying_where_the_launch_runs(make_sim, run_playbook, tmp_path):
    sim = make_sim(dict(project_id=PROJECT, speed="instant", generate={"count": 1, "prefix": "n"}))
    inventory = tmp_path / "remote.json"
    inventory.write_text(json.dumps({"all": {"hosts": {"db-jump": {
        "ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 1,
        "batch_launch_jobs": [task["id"] for task in sim.state()["tasks"]]}}}}))
    run = run_playbook("launch.yml", sim, inventory=str(inventory))
    assert run.rc != 0
    # (the test playbook's own task after the role, which keeps the summary, does try to reach the host)
    assert "hwcloud.drs.batch_launch : Check the variables of the launch" in run.output
    assert "runs on the controller" in run.output and "ansible_connection: local" in run.output, run.output[-3000:]
    assert sim.request_log == []


def test_check_and_diff_show_what_would_start_and_when(make_sim, run_playbook):
    sim = make_sim(dict(project_id=PROJECT, speed="instant", generate={"count": 2, "prefix": "d"}))
    ids = [task["id"] for task in sim.state()["tasks"]]
    run = run_playbook("launch.yml", sim, {"batch_launch_jobs": ids, "batch_launch_start_time": "2099-06-01T02:00:00+00:00"},
                       check=True, args=["--diff"])
    assert run.rc == 0, run.output[-3000:]
    assert "--- Group 1/1: before" in run.output and "+++ Group 1/1: after" in run.output
    for job_id in ids:
        assert "-%s: CONFIGURATION" % job_id in run.output
        assert "+%s: start at 2099-06-01T02:00:00Z (4083962400000)" % job_id in run.output
    assert [entry for entry in sim.request_log if entry["route"] in ("batch-starting", "batch-precheck")] == []


def test_the_operators_task_files_run_where_the_role_says(make_sim, run_playbook):
    sim = make_sim(batch())
    hooks = dict((name, "hooks/mark.yml") for name in (
        "batch_launch_after_commit_tasks", "batch_launch_before_start_tasks", "batch_launch_after_group_tasks"))
    run = run_playbook("launch.yml", sim, dict(LAUNCH_VARS, hook_point="here", **hooks))
    assert run.rc == 0, run.output
    marks = [match.start() for match in re.finditer(r"HOOK here", run.output)]
    assert len(marks) == 5, run.output  # after the commit, and twice for each of the two groups

    def at(text):
        return run.output.index(text)

    assert at("Batch async job %s: committed" % ASYNC_B) < marks[0] < at("Group 1/2: precheck passed")
    assert "HOOK here   7+1" in run.output, "after the commit: every group, with its tasks"
    assert at("Group 1/2: precheck passed") < at("HOOK here Group 1/2 7") < at("Group 1/2: started 7 tasks")
    assert at("7 of 7 tasks at INCRE_TRANSFER_STARTED") < marks[2] < at("Group 2/2: precheck passed")
    assert at("Group 2/2: started 1 task") < at("1 of 1 task at INCRE_TRANSFER_STARTED") < marks[4]


def test_a_task_file_that_fails_stops_the_launch_with_the_summary(make_sim, run_playbook):
    sim = make_sim(batch())
    run = run_playbook("launch.yml", sim, dict(LAUNCH_VARS, batch_launch_before_start_tasks="hooks/refuse.yml"))
    assert run.rc != 0
    assert not started_ids(sim), "nothing starts once the hook refused"
    failure = run.results["summary"]["failure"]
    assert failure == {"task": "Ask for the change's approval", "msg": "change CHG-1 is not approved for Group 1/2"}
    assert "Launch failed at 'Ask for the change's approval' (the reason is above) | so far: 8 tasks (0 started" \
        in run.output, run.output
    assert "rescued=1" in run.output and "failed=1" in run.output


def test_check_mode_runs_the_operators_task_files_too_and_writes_nothing(make_sim, run_playbook):
    existing = {"id": "a1b2c3d4-0000-4000-8000-00000000jb01"}
    sim = make_sim(dict(batch(), tasks=[existing]))
    hooks = dict((name, "hooks/mark.yml") for name in (
        "batch_launch_after_commit_tasks", "batch_launch_before_start_tasks", "batch_launch_after_group_tasks"))
    # the async jobs' tasks can be planned only after the commit: one group is left, the existing task's
    groups = [[FORWARD, existing["id"]], [BACKWARD]]
    run = run_playbook("launch.yml", sim, dict(LAUNCH_VARS, batch_launch_job_groups=groups, hook_point="checked", **hooks),
                       check=True)
    assert run.rc == 0, run.output
    assert run.output.count("HOOK checked") == 3, run.output  # after the commit, before the start, after the group
    assert "HOOK checked Group 1/1 1" in run.output
    assert writes(sim) == []
