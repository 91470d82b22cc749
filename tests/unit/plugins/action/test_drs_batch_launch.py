# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""drs_batch_launch against the fake DRS endpoints: its steps, its lines, its result and its failures."""

import os
import time
from unittest import mock

import pytest
from werkzeug import Response

from ansible_collections.hwcloud.drs.plugins.action import drs_batch_launch as action
from ansible_collections.hwcloud.drs.plugins.plugin_utils import _polling

from ..modules.fake_drs import ASYNC_URI, START_URI, FakeDrs

TOKEN = "tok-SECRET-0123456789"
ASYNC = "6f1c9a52-3d7e-4b8a-9c21-5e0d4f7a8b61"


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


@pytest.fixture
def launch(token_args, monkeypatch, tmp_path):
    """``launch(variables, check_mode=False, ...)`` -> (result, lines displayed): the role's steps in its order, each
    a task of its own; the result is the plan's when it fails, else the summary's, failed when a step failed and
    changed when a step changed something."""
    lines = []
    for module in (action, _polling):
        monkeypatch.setattr(module.display, "display", lambda text, *args, **kwargs: lines.append(text))
    monkeypatch.setattr(action.display, "warning", lambda text, *args, **kwargs: lines.append("WARNING: " + text))
    monkeypatch.setattr(action.C, "DEFAULT_LOCAL_TMP", str(tmp_path))

    def run(variables, check_mode=False, connection=None, diff=False, environment=None, transport="local"):
        changed = []

        def step(name, **args):
            result = run_step_task(dict(connection or token_args, step=name, **args), check_mode, diff, environment, transport)
            changed.append(result.get("changed"))
            return result

        plan = step("plan", variables=dict(dict(poll_interval=1, precheck=False), **variables))
        if plan.get("failed"):
            return plan, lines
        failed = run_steps(step, plan, check_mode)
        summary = step("summary", launch=plan["launch"])
        assert not os.path.exists(plan["launch"])
        summary.update(changed=any(changed), failed=bool(failed))
        return summary, lines

    return run


def run_step_task(args, check_mode=False, diff=False, environment=None, transport="local"):
    """One task of drs_batch_launch with ``args``, as Ansible runs it on the controller."""
    task = mock.MagicMock(args=args, async_val=0, check_mode=check_mode, diff=diff)
    plugin = action.ActionModule(task, mock.MagicMock(transport=transport), mock.MagicMock(), loader=None, templar=None,
                                 shared_loader_obj=None)
    # the task's environment, as Ansible templates it
    plugin._compute_environment_string = lambda raw_environment_out: raw_environment_out.update(environment or {})
    return plugin.run(task_vars={"inventory_hostname": "project-a"})


def run_steps(step, plan, check_mode):
    """The failed step's result, or None."""
    for name in ("find", "commit"):
        result = step(name, launch=plan["launch"])
        if result.get("failed"):
            return result
    for group in result["groups"]:
        for name in ("precheck", "start", "wait"):
            if (name == "precheck" and not plan["precheck"]) or (name == "wait" and check_mode):
                continue
            answer = step(name, launch=plan["launch"], group=group["number"])
            if answer.get("failed"):
                return answer
    return None


def test_a_launched_batch_is_read_and_left_alone(drs, launch):
    ids = drs.add("INCRE_TRANSFER_STARTED", 3)
    result, lines = launch(dict(jobs=ids))
    assert not result.get("failed") and result["changed"] is False, result
    assert result["msg"].startswith("Launched: 3 tasks (0 started, 3 already started), in ")
    assert [job["action"] for job in result["summary"]["jobs"]] == ["already_started"] * 3
    assert result["ansible_stats"] == {"data": {"batch_launch": {"project-a": result["summary"]}}, "per_host": False,
                                       "aggregate": True}
    assert lines == ["Group 1/1: already started 3 tasks",
                     "Group 1/1 after 0s: 3 of 3 tasks at INCRE_TRANSFER_STARTED; now INCRE_TRANSFER_STARTED=3"]
    assert not drs.requests(START_URI)


def test_check_mode_plans_what_exists_and_leaves_the_async_job_for_later(drs, launch):
    existing = drs.add("CONFIGURATION", 1, start=50)
    inside = drs.add_async_job(ASYNC, "AUTO_PARAM_VALIDATE_SUCCESS", task_count=2)
    result, lines = launch(dict(async_job_ids=[ASYNC], jobs=existing), check_mode=True)
    assert not result.get("failed") and result["changed"] is True, result
    assert result["summary"]["committed"] == [ASYNC] and result["summary"]["unplanned"] == inside
    assert [(job["job_id"], job["action"]) for job in result["summary"]["jobs"]] == [(existing[0], "would_start")]
    assert lines == ["Batch async job %s: to commit (2 tasks)" % ASYNC, "Group 1/1: would start 1 task"]
    assert not drs.requests(ASYNC_URI + "/" + ASYNC + "/commit") and not drs.requests(START_URI)


def test_a_failed_step_ends_the_launch_with_its_name_and_reason(drs, launch):
    ids = drs.add("CONFIGURATION", 2)
    drs.refuse_start[ids[1]] = {"error_code": "DRS.10040012", "error_msg": "token %s is not allowed here" % TOKEN}
    result, _lines = launch(dict(jobs=ids))
    # set_stats has the summary on a failure too, for an AWX workflow's failure branch
    assert result["failed"] and result["ansible_stats"]["data"]["batch_launch"]["project-a"] == result["summary"]
    assert result["summary"]["failure"]["task"] == "Start the tasks of Group 1/1"
    assert result["msg"].startswith("Launch failed at 'Start the tasks of Group 1/1': 1 of 2 DRS tasks failed to start")
    assert (result["summary"]["started"], result["summary"]["failed"]) == (1, 1)
    assert TOKEN not in repr(result) and "token ******** is not allowed here" in result["msg"]


def test_inputs_that_cannot_be_used_stop_it_before_any_request(drs, launch):
    result, lines = launch(dict(jobs=["not a task id"], poll_interval="often"))
    assert result["failed"] and result["msg"].startswith("The batch_launch role cannot start: ")
    assert "batch_launch_jobs" in result["msg"] and "batch_launch_poll_interval" in result["msg"], result["msg"]
    assert lines == [] and drs.server.log == []


def test_the_polls_of_a_step_share_one_client_and_one_iam_token(drs, httpserver, launch, token_args):
    ids = drs.add("CONFIGURATION", 2)
    httpserver.expect_request("/v3/auth/tokens", method="POST").respond_with_response(
        Response("{}", status=201, headers={"X-Subject-Token": "iam-ISSUED-token"}))
    connection = dict(endpoint=token_args["endpoint"], project_id=token_args["project_id"], username="ops",
                      password="pw-SECRET", domain_name="acme", auth_url=httpserver.url_for("/v3"), retries=0)
    # A started task replicates by the next read: the wait polls once more.
    drs.after_read = lambda fake: fake.tasks.update(dict((task_id, "INCRE_TRANSFER_STARTED")
                                                         for task_id, status in fake.tasks.items() if status == "STARTJOBING"))
    result, lines = launch(dict(jobs=ids, precheck=True), connection=connection)
    assert not result.get("failed"), result["msg"]
    assert "Group 1/1: precheck passed for 2 tasks" in lines and "Group 1/1: started 2 tasks" in lines, lines
    # one token per step that talks to the API (read the named tasks, precheck, start, wait), not one per poll or
    # request; the token stays in the step's process, never in the launch's file
    assert [req.path for req, _response in httpserver.log].count("/v3/auth/tokens") == 4
    assert len(drs.requests("/v3/%s/jobs/batch-status" % token_args["project_id"])) == 3  # the named tasks, two polls
    assert len(drs.requests(START_URI)) == 1


def test_connection_options_that_cannot_be_used_are_the_first_failed_step(drs, launch, token_args):
    result, _lines = launch(dict(jobs=drs.add("CONFIGURATION", 1)), connection=dict(token_args, auth_token=None))
    assert result["failed"] and result["summary"]["failure"]["task"] == "Connect to the DRS API"
    assert result["msg"].startswith("Launch failed at 'Connect to the DRS API': No credentials for the DRS API: set auth_token")
    assert drs.server.log == []


def test_a_warning_is_shown_once_for_the_whole_launch(drs, launch, token_args):
    result, lines = launch(dict(jobs=drs.add("INCRE_TRANSFER_STARTED", 1)), connection=dict(token_args, validate_certs=False))
    assert not result.get("failed") and "warnings" not in result
    assert [line for line in lines if line.startswith("WARNING: ")] == [
        "WARNING: validate_certs is false: the DRS endpoint's TLS certificate is not verified"]


def test_a_step_that_deprecates_something_is_shown_not_broken(drs, launch, monkeypatch):
    """A step's RunContext.deprecate() reaches Ansible's deprecation display on the controller too."""
    deprecated = []

    class DeprecatingStart(action.DrsBatchStart):
        def run(self):
            self.context.deprecate("the option chunk_size goes away", "9.0.0")
            return super(DeprecatingStart, self).run()

    monkeypatch.setattr(action, "DrsBatchStart", DeprecatingStart)
    monkeypatch.setattr(action.display, "deprecated", lambda msg, **kwargs: deprecated.append((msg, kwargs)))
    result, _lines = launch(dict(jobs=drs.add("INCRE_TRANSFER_STARTED", 1)))
    assert not result.get("failed"), result
    assert deprecated == [("the option chunk_size goes away", dict(version="9.0.0", collection_name="hwcloud.drs"))]


def test_a_task_id_the_api_does_not_know_stops_the_launch_before_the_commit(drs, launch):
    drs.add_async_job(ASYNC, "AUTO_PARAM_VALIDATE_SUCCESS", task_count=2)
    known = drs.add("CONFIGURATION", 1, start=50)
    result, _lines = launch(dict(async_job_ids=[ASYNC], jobs=known + ["0badc0de-0000-4000-8000-00000000jb21"]))
    assert result["failed"] and result["summary"]["failure"]["task"] == "Read the tasks named by ID"
    assert "the API knows no status for 1 task" in result["msg"] and "0badc0de-0000-4000-8000-00000000jb21" in result["msg"]
    assert not drs.requests(ASYNC_URI + "/" + ASYNC + "/commit") and not drs.requests(START_URI)


def test_the_tasks_environment_gives_the_connection_options_it_leaves_out(drs, launch, token_args, monkeypatch):
    monkeypatch.delenv("HW_AUTH_TOKEN", raising=False)
    connection = dict(token_args, auth_token=None)
    result, _lines = launch(dict(jobs=drs.add("INCRE_TRANSFER_STARTED", 1)), connection=connection,
                            environment={"HW_AUTH_TOKEN": token_args["auth_token"]})
    assert not result.get("failed"), result["msg"]
    assert token_args["auth_token"] not in repr(result)


def test_a_host_reached_over_another_connection_is_refused_before_any_request(drs, launch):
    result, lines = launch(dict(jobs=drs.add("CONFIGURATION", 1)), transport="ssh")
    assert result["failed"] and "runs on the controller" in result["msg"] and "'ssh'" in result["msg"]
    assert "ansible_connection: local" in result["msg"]
    assert drs.server.log == [] and lines == []


def test_diff_mode_shows_each_task_that_would_start_and_when(drs, launch):
    started, waiting = drs.add("INCRE_TRANSFER_STARTED", 1), drs.add("CONFIGURATION", 1, start=50)
    tomorrow = int(time.time() * 1000) + 86400000
    result, lines = launch(dict(jobs=started + waiting, start_time=str(tomorrow)), check_mode=True, diff=True)
    assert not result.get("failed"), result["msg"]
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(tomorrow // 1000))
    assert lines[1:] == ["--- Group 1/1: before", "+++ Group 1/1: after", "-%s: CONFIGURATION" % waiting[0],
                         "+%s: start at %s (%d)" % (waiting[0], iso, tomorrow)]


def test_a_step_after_a_failed_one_sends_nothing(drs, launch, token_args):
    """Should the role's failure be ignored (ignore_errors), the steps after the failed one still send nothing.
    (``launch``: its display and temporary directory.)"""
    ids = drs.add("CONFIGURATION", 1)
    drs.refuse_start[ids[0]] = {"error_code": "DRS.10040012", "error_msg": "refused"}

    def step(name, **args):
        return run_step_task(dict(token_args, step=name, **args))

    plan = step("plan", variables=dict(jobs=ids, precheck=False))
    step("find", launch=plan["launch"])
    step("commit", launch=plan["launch"])
    assert step("start", launch=plan["launch"], group=1)["failed"]
    requests = len(drs.server.log)
    for name in ("start", "wait"):
        answer = step(name, launch=plan["launch"], group=1)
        assert answer["failed"] and answer["msg"].startswith("The launch stopped at 'Start the tasks of Group 1/1' before this step: ")
    assert len(drs.server.log) == requests
