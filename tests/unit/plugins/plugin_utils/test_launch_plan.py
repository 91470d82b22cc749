# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The batch_launch role's input check and plan."""

import time

import pytest

import os

import yaml

from ansible_collections.hwcloud.drs.plugins.plugin_utils._launch_plan import PREFIX, VARIABLES, arranged, launch_plan

A = "3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21"
B = "8d2a6c4e-1f9b-4a7d-b3e5-0c8f5a2djb21"
C = "9a470239-2308-4bb5-a6bc-1040402fjb21"
ASYNC = "6f1c9a52-3d7e-4b8a-9c21-5e0d4f7a8b61"
FUTURE_MS = str(int((time.time() + 86400) * 1000))

DEFAULTS = VARIABLES


def plan(**variables):
    return launch_plan(dict(DEFAULTS, **variables))


def test_defaults_with_jobs_plan_one_group():
    result = plan(jobs=[A, {"job_id": B, "start_time": FUTURE_MS}])
    assert result["errors"] == []
    assert result["groups"] == [{"jobs": [A, {"job_id": B, "start_time": FUTURE_MS}], "ids": [A, B]}]
    assert (result["wait_timeout"], result["poll_interval"], result["outage_tolerance"], result["rpo_rto_max"]) == \
        (86400, 60.0, 600, 60)
    assert result["target_status"] == "auto" and result["set_stats"] is True


@pytest.mark.parametrize("variables, expected", [
    (dict(jobs="%s,%s" % (A, B)), dict(groups=[{"jobs": [A, B], "ids": [A, B]}])),
    (dict(jobs=" %s  %s " % (A, B)), dict(groups=[{"jobs": [A, B], "ids": [A, B]}])),
    (dict(jobs='["%s", "%s"]' % (A, B)), dict(groups=[{"jobs": [A, B], "ids": [A, B]}])),
    (dict(async_job_ids=ASYNC), dict(async_job_ids=[ASYNC], groups=[{"jobs": [], "ids": []}])),
    (dict(job_groups="%s; %s,%s" % (A, B, C)), dict(groups=[{"jobs": [A], "ids": [A]}, {"jobs": [B, C], "ids": [B, C]}])),
    (dict(job_groups='[["%s"], ["%s"]]' % (A, B)), dict(groups=[{"jobs": [A], "ids": [A]}, {"jobs": [B], "ids": [B]}])),
    (dict(jobs=A, poll_interval="2.5", wait_timeout="3600", outage_tolerance="0", rpo_rto_max="30", commit_wait_timeout="60"),
     dict(poll_interval=2.5, wait_timeout=3600, outage_tolerance=0, rpo_rto_max=30, commit_wait_timeout=60)),
    (dict(jobs=A, set_stats="false"), dict(set_stats=False)),
    (dict(jobs=A, set_stats="yes"), dict(set_stats=True)),
    (dict(job_filter={"name": "orders-*", "status": "CONFIGURATION", "tags": None}),
     dict(job_filter={"name": "orders-*", "status": "CONFIGURATION"}, groups=[{"jobs": [], "ids": []}])),
    (dict(jobs=A, precheck="false", precheck_timeout="60"), dict(precheck=False, precheck_timeout=60)),
    (dict(job_filter="name=orders-*"), dict(job_filter={"name": "orders-*"})),
    (dict(jobs=A, start_time=" %s " % FUTURE_MS), dict(start_time=FUTURE_MS)),
    (dict(jobs=A, start_time=""), dict(start_time=None)),
    (dict(jobs=A, target_status=" FULL_TRANSFER_COMPLETE"), dict(target_status="FULL_TRANSFER_COMPLETE")),
])
def test_survey_and_command_line_strings_work(variables, expected):
    result = plan(**variables)
    assert result["errors"] == []
    for key, value in expected.items():
        assert result[key] == value


@pytest.mark.parametrize("variables, error", [
    (dict(), "Nothing to launch: set batch_launch_async_job_ids, batch_launch_jobs, batch_launch_job_groups or "
             "batch_launch_job_filter"),
    (dict(job_filter={"name": "orders-*", "state": "x"}), "batch_launch_job_filter: unknown filter state"),
    (dict(job_filter={"name": ["orders-*"]}), "batch_launch_job_filter: name: ['orders-*'] is not a string"),
    (dict(job_filter="orders-*"), "batch_launch_job_filter: must be a mapping of drs_job_info filters"),
    (dict(job_filter=["orders-*"]), "batch_launch_job_filter: must be a mapping of drs_job_info filters"),
    (dict(jobs=A, precheck="sometimes"), "batch_launch_precheck: 'sometimes' is not true or false"),
    (dict(jobs=A, precheck_timeout=0), "batch_launch_precheck_timeout: must be between 1 and 2678400, got 0"),
    (dict(jobs=""), "Nothing to launch"),
    (dict(jobs=["not a valid id"]), "batch_launch_jobs[0]: 'not a valid id' is not a valid DRS ID"),
    (dict(async_job_ids=["../x"]), "batch_launch_async_job_ids[0]: '../x' is not a valid DRS ID"),
    (dict(jobs=[{"job_id": A, "when": 1}]), "batch_launch_jobs[0]: unknown key(s) when"),
    (dict(job_groups=[[A], [A]]), "batch_launch_job_groups: task %s is in group 1 and in group 2" % A),
    (dict(job_groups=[[A], []]), "batch_launch_job_groups[1]: a group is empty"),
    (dict(job_groups=[A]), "batch_launch_job_groups[0]: '%s' is not a list of task IDs" % A),
    (dict(jobs=A, start_time="2030-06-01T02:00:00"), "batch_launch_start_time: '2030-06-01T02:00:00' is not epoch "
     "milliseconds nor an ISO 8601 date-time with a UTC offset"),
    (dict(jobs=A, start_time="1906504200"), "batch_launch_start_time: 1906504200 looks like epoch seconds"),
    (dict(jobs=A, start_time="99999999999999999999"), "batch_launch_start_time: 99999999999999999999 is after the year 2100"),
    (dict(jobs=A, start_time="2020-01-01T00:00:00Z"), "batch_launch_start_time: 1577836800000 (2020-01-01T00:00:00Z) is "
     "more than 5 minutes in the past; leave start_time out to start now"),
    (dict(jobs=[{"job_id": A, "start_time": 1577836800000}]), "batch_launch_jobs[0].start_time: 1577836800000"),
    (dict(jobs=A, poll_interval=0), "batch_launch_poll_interval: must be between 0.1 and 86400, got 0"),
    (dict(jobs=A, poll_interval="often"), "batch_launch_poll_interval: 'often' is not a number of seconds"),
    (dict(jobs=A, wait_timeout=-5), "batch_launch_wait_timeout: must be between 1 and 2678400, got -5"),
    (dict(jobs=A, wait_timeout=True), "batch_launch_wait_timeout: True is not a number of seconds"),
    (dict(jobs=A, commit_wait_timeout="0"), "batch_launch_commit_wait_timeout: must be between 1 and 2678400, got 0"),
    (dict(jobs=A, outage_tolerance=-1), "batch_launch_outage_tolerance: must be between 0 and 2678400, got -1"),
    (dict(jobs=A, outage_tolerance="1.5"), "batch_launch_outage_tolerance: '1.5' is not a number of seconds"),
    (dict(jobs=A, wait_timeout="1" + "0" * 400), "batch_launch_wait_timeout: '100000000000000000000...' is not a number"),
    (dict(jobs=A, poll_interval="inf"), "batch_launch_poll_interval: must be between 0.1 and 86400, got inf"),
    (dict(jobs=[A, {"job_id": A, "start_time": FUTURE_MS}]), "batch_launch_jobs[1]: task %s is listed twice with "
     "different start times" % A),
    (dict(job_filter={"status": []}), "batch_launch_job_filter: selects by nothing (every criterion is empty)"),
    (dict(job_filter={"tags": {}, "name": ""}), "batch_launch_job_filter: selects by nothing"),
    (dict(job_filter={"name_match": "regex"}), "batch_launch_job_filter: name_match needs a name to match"),
    (dict(jobs=A, connection={1: "x"}), "batch_launch_connection: unknown option(s) 1"),
    (dict(jobs=A, rpo_rto_max=0), "batch_launch_rpo_rto_max: must be between 1 and 2678400, got 0"),
    (dict(jobs=A, target_status="INCRE_STARTED"), "batch_launch_target_status: 'INCRE_STARTED' is not auto nor a status"),
    (dict(jobs=A, target_status="PAUSING"), "batch_launch_target_status: 'PAUSING' is not auto nor a status"),
    (dict(jobs=A, set_stats="maybe"), "batch_launch_set_stats: 'maybe' is not true or false"),
    (dict(jobs=A, connection="endpoint=x"), "batch_launch_connection: must be a mapping of connection options"),
    (dict(jobs=A, connection={"endpoint": "x", "projectid": "y"}), "batch_launch_connection: unknown option(s) projectid"),
    (dict(jobs=A, before_start_tasks=["approve.yml"]), "batch_launch_before_start_tasks: must be the path of a task file, "
     "not a list"),
    (dict(jobs=A, before_start_task="approve.yml"), "batch_launch_before_start_task: not a variable of this role; did you "
     "mean batch_launch_before_start_tasks?"),
])
def test_each_bad_input_is_named_by_its_variable(variables, error):
    errors = plan(**variables)["errors"]
    assert any(error in message for message in errors), errors


def test_every_problem_is_reported_at_once():
    errors = plan(jobs=["bad id"], poll_interval=0, wait_timeout=-1, target_status="NOPE")["errors"]
    assert len(errors) == 4


def test_an_empty_first_group_is_for_the_committed_tasks():
    result = plan(async_job_ids=[ASYNC], job_groups=[[], [B]])
    assert result["errors"] == [] and [group["ids"] for group in arranged(result["groups"], [A, B])] == [[A], [B]]


def test_committed_tasks_join_the_first_group_unless_a_group_names_them():
    result = plan(async_job_ids=[ASYNC], job_groups=[[A], [B]])
    assert [group["ids"] for group in arranged(result["groups"], [A, B, C, C])] == [[A, C], [B]]


def test_check_mode_leaves_out_tasks_that_exist_only_after_a_commit():
    result = plan(async_job_ids=[ASYNC], job_groups=[[A, {"job_id": C, "start_time": FUTURE_MS}], [B]])
    assert arranged(result["groups"], [A, B], unplanned=[B, C]) == [{"jobs": [A], "ids": [A]}]


def test_a_name_that_is_not_a_variable_of_the_role_is_refused_with_the_closest_one():
    errors = plan(jobs=A, job_group=B, poll_intervall="5", read_retries="3")["errors"]
    assert "batch_launch_job_group: not a variable of this role; did you mean batch_launch_job_groups?" in errors
    assert "batch_launch_poll_intervall: not a variable of this role; did you mean batch_launch_poll_interval?" in errors
    assert any(error.startswith("batch_launch_read_retries: not a variable of this role (its variables: batch_launch_")
               for error in errors), errors
    # a typo as the only input is named, not "Nothing to launch"
    assert launch_plan(dict(job=A))["errors"] == [
        "batch_launch_job: not a variable of this role; did you mean batch_launch_jobs?"]


ROLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "batch_launch")


def test_the_roles_defaults_and_argument_specs_are_the_variables_declared_here():
    """One list of the role's variables: its defaults file and argument specs agree with VARIABLES."""
    with open(os.path.join(ROLE, "defaults", "main.yml")) as handle:
        defaults = yaml.safe_load(handle)
    with open(os.path.join(ROLE, "meta", "argument_specs.yml")) as handle:
        options = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    declared = dict((PREFIX + name, default) for name, default in VARIABLES.items())
    assert defaults == declared
    assert sorted(options) == sorted(declared)
    assert dict((name, option.get("default")) for name, option in options.items()) == declared
