# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The batch_launch role's variables as an operator types them: plain -e key=value strings, mistakes."""

import datetime

from .conftest import writes
from .test_role import ASYNC_A, ASYNC_B, BACKWARD, FORWARD, batch


def extra_vars(**variables):
    args = []
    for name, value in variables.items():
        args += ["-e", "batch_launch_%s=%s" % (name, value)]
    return args


def test_every_variable_as_a_plain_string(make_sim, run_playbook):
    sim = make_sim(batch())
    run = run_playbook("launch.yml", sim, args=extra_vars(
        async_job_ids="%s,%s" % (ASYNC_A, ASYNC_B), job_groups="%s;%s" % (FORWARD, BACKWARD), poll_interval="0.5",
        wait_timeout="120", commit_wait_timeout="60", outage_tolerance="120", rpo_rto_max="30", target_status="auto",
        set_stats="false", precheck="yes", precheck_timeout="300", retry_failed="1", after_commit_tasks="hooks/mark.yml",
        before_start_tasks="hooks/mark.yml", after_group_tasks="hooks/mark.yml") + ["-e", "hook_point=plain"])
    assert run.rc == 0, run.output
    assert run.output.count("HOOK plain") == 5, run.output
    summary = run.results["summary"]
    assert summary["started"] == 8 and summary["committed"] == [ASYNC_A, ASYNC_B]
    assert [job["job_id"] for entry in writes(sim) if entry["route"] == "batch-starting"
            for job in entry["body"]["jobs"]][-1] == BACKWARD


def test_jobs_and_a_start_time_as_strings(make_sim, run_playbook):
    sim = make_sim(dict(project_id=batch()["project_id"], speed="instant", generate={"count": 3, "prefix": "s"}))
    ids = [task["id"] for task in sim.state()["tasks"]]
    tomorrow = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    # -e key=value splits at spaces: an AWX survey's text area (one ID a line) is where spaces come from
    run = run_playbook("launch.yml", sim, check=True, args=extra_vars(jobs=",".join(ids), start_time=tomorrow))
    assert run.rc == 0, run.output
    assert [job["action"] for job in run.results["summary"]["jobs"]] == ["would_start"] * 3
    assert all(job["start_time"] for job in run.results["summary"]["jobs"])


def test_bad_inputs_stop_the_role_before_the_commit_naming_each_variable(make_sim, run_playbook):
    sim = make_sim(batch())
    run = run_playbook("launch.yml", sim, args=extra_vars(
        async_job_ids=ASYNC_A, start_time="2030-06-01T02:00:00", poll_interval="0", wait_timeout="-5",
        jobs="not/an/id"))
    assert run.rc != 0
    for text in ("batch_launch_start_time: '2030-06-01T02:00:00' is not epoch milliseconds",
                 "batch_launch_poll_interval: must be between 0.1 and 86400, got 0",
                 "batch_launch_wait_timeout: must be between 1 and 2678400, got -5",
                 "batch_launch_jobs[0]: 'not/an/id' is not a valid DRS ID"):
        assert text in run.output, run.output
    assert writes(sim) == [] and [entry for entry in sim.request_log if entry["route"] != "any"] == [], \
        "nothing was read or written"


def test_a_misspelt_variable_stops_the_role_naming_the_closest_one(make_sim, run_playbook):
    sim = make_sim(dict(project_id=batch()["project_id"], speed="instant", generate={"count": 2, "prefix": "t"}))
    first, second = [task["id"] for task in sim.state()["tasks"]]
    run = run_playbook("launch.yml", sim, args=[
        "-e", "batch_launch_jobs=%s" % first, "-e", "batch_launch_job_group=%s" % second,
        "-e", "batch_launch_poll_intervall=5"])
    assert run.rc != 0
    assert ("batch_launch_job_group: not a variable of this role; did you mean batch_launch_job_groups?; "
            "batch_launch_poll_intervall: not a variable of this role; did you mean batch_launch_poll_interval?") in run.output
    assert sim.request_log == [], "nothing was read or written"
    # the typo as the only input: named, not "Nothing to launch"
    alone = run_playbook("launch.yml", sim, args=["-e", "batch_launch_job=%s" % first])
    assert alone.rc != 0 and "batch_launch_job: not a variable of this role; did you mean batch_launch_jobs?" in alone.output
    assert "Nothing to launch" not in alone.output


def test_a_value_that_is_not_a_number_gets_the_roles_own_message(make_sim, run_playbook):
    sim = make_sim(batch())
    run = run_playbook("launch.yml", sim, args=extra_vars(jobs=FORWARD, poll_interval="abc", precheck="maybe"))
    assert run.rc != 0
    assert "batch_launch_poll_interval: 'abc' is not a number of seconds" in run.output
    assert "batch_launch_precheck: 'maybe' is not true or false" in run.output
    assert "_AnsibleTaggedStr" not in run.output and "argument_spec_data" not in run.output
    assert len(run.output) < 6000, "no dump of the argument spec"


def test_an_empty_launch_is_a_mistake(make_sim, run_playbook):
    sim = make_sim(batch())
    run = run_playbook("launch.yml", sim, args=extra_vars(jobs="", async_job_ids=""))
    assert run.rc != 0
    assert ("Nothing to launch: set batch_launch_async_job_ids, batch_launch_jobs, batch_launch_job_groups or "
            "batch_launch_job_filter") in run.output
