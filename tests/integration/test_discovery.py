# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""drs_job_info and drs_batch_precheck in real playbooks against the simulator."""

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"


def scenario(tasks, **extra):
    return dict(dict(project_id=PROJECT, speed="instant", tasks=tasks), **extra)


def calls(sim, route):
    return [entry for entry in sim.request_log if entry["route"] == route]


def ids_named(sim, prefix):
    return [task["id"] for task in sim.state()["tasks"] if task["name"].startswith(prefix)]


def test_job_info_selects_by_glob_across_pages(make_sim, run_playbook):
    sim = make_sim(scenario([{"name": "orders-eu-%03d" % number} for number in range(130)] +
                            [{"name": "old-orders-1"}, {"name": "billing-1"}]))
    run = run_playbook("job_info.yml", sim, {"name": "orders-*"})
    assert run.rc == 0, run.output
    assert run.results["changed"] is False
    assert sorted(job["name"] for job in run.results["jobs"]) == ["orders-eu-%03d" % number for number in range(130)]
    assert sorted(run.results["job_ids"]) == sorted(ids_named(sim, "orders-"))
    # a glob is matched on the controller: every task is listed, 100 a page
    assert [(entry["body"]["cur_page"], entry["body"]["per_page"], entry["body"].get("name"))
            for entry in calls(sim, "list-jobs")] == [(1, 100, None), (2, 100, None)]


def test_job_info_selects_by_status_and_exact_name_on_the_server(make_sim, run_playbook):
    sim = make_sim(scenario([{"name": "orders-1"}, {"name": "orders-10"},
                             {"name": "orders-2", "status": "START_JOB_FAILED"},
                             {"name": "orders-3", "status": "INCRE_TRANSFER_STARTED", "tags": {"env": "prod"}},
                             {"name": "orders-parent", "children": [{"name": "orders-part-1"},
                                                                    {"name": "orders-part-2", "status": "FULL_TRANSFER_FAILED"}]}]))
    by_status = run_playbook("job_info.yml", sim, {"status": ["START_JOB_FAILED", "INCRE_TRANSFER_STARTED"]})
    assert by_status.rc == 0, by_status.output
    assert [job["name"] for job in by_status.results["jobs"]] == ["orders-2", "orders-3"]
    assert [entry["body"]["status"] for entry in calls(sim, "list-jobs")] == ["START_JOB_FAILED", "INCRE_TRANSFER_STARTED"]

    exact = run_playbook("job_info.yml", sim, {"name": "orders-1", "name_match": "exact"})
    assert [job["name"] for job in exact.results["jobs"]] == ["orders-1"]
    assert calls(sim, "list-jobs")[-1]["body"]["name"] == "orders-1"

    tagged = run_playbook("job_info.yml", sim, {"tags": {"env": "prod"}})
    assert [job["name"] for job in tagged.results["jobs"]] == ["orders-3"]

    parent = run_playbook("job_info.yml", sim, {"name": "orders-parent"})
    [job] = parent.results["jobs"]
    assert [(child["name"], child["status_class"]) for child in job["children"]] == [
        ("orders-part-1", "startable"), ("orders-part-2", "failed")]


def test_precheck_passes_then_a_rerun_and_check_mode_start_none(make_sim, run_playbook):
    sim = make_sim(scenario([{"name": "orders-%d" % number, "precheck_seconds": 1} for number in range(3)], speed=4))
    ids = ids_named(sim, "orders-")
    check = run_playbook("precheck.yml", sim, {"jobs": ids}, check=True)
    assert check.rc == 0, check.output
    assert check.results["changed"] is True
    assert [entry["action"] for entry in check.results["results"]] == ["would_start"] * 3
    assert calls(sim, "batch-precheck") == []

    first = run_playbook("precheck.yml", sim, {"jobs": ids, "wait_timeout": 60})
    assert first.rc == 0, first.output
    assert first.results["changed"] is True and first.results["summary"] == {"passed": 3}
    assert [(entry["action"], entry["result"], entry["pass_rate"]) for entry in first.results["results"]] == [
        ("started", "passed", 100)] * 3
    assert "precheck 0 of 3 tasks passed, 3 running" in first.output
    assert len(calls(sim, "batch-precheck")) == 1

    second = run_playbook("precheck.yml", sim, {"jobs": ids})
    assert second.rc == 0, second.output
    assert second.results["changed"] is False
    assert [entry["action"] for entry in second.results["results"]] == ["already_passed"] * 3
    assert len(calls(sim, "batch-precheck")) == 1


def test_precheck_fails_naming_each_failed_item(make_sim, run_playbook):
    sim = make_sim(scenario([
        {"name": "orders-ok"},
        {"name": "orders-bad", "precheck_items": [
            {"item": "Source database binlog format", "failed_reason": "binlog_format is not ROW"},
            {"item": "Source database timezone", "result": "ALARM", "failed_reason": "time zones differ"}]}]))
    ok, bad = ids_named(sim, "orders-ok") + ids_named(sim, "orders-bad")
    run = run_playbook("precheck.yml", sim, {"jobs": [ok, bad], "wait_timeout": 60})
    assert run.rc != 0
    assert run.results["msg"].startswith("The precheck of DRS tasks failed: 1 of 2 did not pass: %s (" % bad)
    assert "Source database binlog format: binlog_format is not ROW" in run.results["msg"]
    by_id = dict((entry["job_id"], entry) for entry in run.results["results"])
    assert by_id[ok]["result"] == "passed" and by_id[bad]["result"] == "failed"
    assert [item["item"] for item in by_id[bad]["alarm_items"]] == ["Source database timezone"]


def test_precheck_times_out_naming_the_tasks_still_running(make_sim, run_playbook):
    sim = make_sim(scenario([{"name": "orders-slow", "precheck_seconds": 3600}], speed=1))
    run = run_playbook("precheck.yml", sim, {"jobs": ids_named(sim, "orders-"), "wait_timeout": 2, "poll_interval": 0.5})
    assert run.rc != 0
    assert run.results["msg"].startswith("Timed out after 2s waiting for the precheck of 1 of 1 DRS tasks; still running: ")
    assert len(calls(sim, "batch-precheck")) == 1
    # the first read before the start, then one read per poll, never more than the wait allows
    assert 1 <= len(calls(sim, "batch-precheck-result")) <= 6  # a loaded machine may fit one read in 2 s
