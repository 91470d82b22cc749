# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller-side wait of drs_batch_precheck: the module's answers are scripted, the clock is fake."""

import pytest

from ansible_collections.hwcloud.drs.plugins.action import drs_batch_precheck as action

from .test_drs_batch_status import transient_failure


def entry(number, action_taken="started", result="running", progress=None, pass_rate=None):
    return dict(job_id="job-%d" % number, action=action_taken, precheck_id="pc-%d" % number, replaced_precheck_id=None,
                result=result,
                progress=progress, pass_rate=pass_rate, failed_items=[], alarm_items=[], error_code=None, error_msg=None)


def answer(*entries):
    return dict(changed=True, results=list(entries), reached=all(e["result"] != "running" for e in entries), polls=1)


@pytest.fixture
def run_action(action_runner):
    """``run_action(args, answers)`` -> (result, module args of each run, lines displayed)."""
    return action_runner(action, "hwcloud.drs.drs_batch_precheck")


def test_later_reads_resume_the_first_plan_until_every_precheck_passed(run_action, clock):
    answers = [answer(entry(0), entry(1, "already_passed", "passed", 100, 100)),
               answer(entry(0, progress=40, pass_rate=100), entry(1, "already_passed", "passed", 100, 100)),
               answer(entry(0, result="passed", progress=100, pass_rate=100), entry(1, "already_passed", "passed", 100, 100))]
    result, calls, lines = run_action(dict(jobs=["job-0", "job-1"], poll_interval=5), answers)
    assert not result.get("failed") and result["polls"] == 3 and len(calls) == 3
    assert "resume" not in calls[0]
    assert calls[1]["resume"] == calls[2]["resume"] == [
        dict(job_id="job-0", action="started", precheck_id="pc-0", replaced_precheck_id=None),
        dict(job_id="job-1", action="already_passed", precheck_id="pc-1", replaced_precheck_id=None)]
    # the read after the one that started a precheck comes at once (a quick precheck is over by then),
    # the later ones an interval apart
    assert lines == ["Waiting after 0s: precheck 1 of 2 tasks passed, 1 running | pass rate 100% lowest",
                     "Waiting after 1s: precheck 1 of 2 tasks passed, 1 running (40% done at least) | pass rate 100% lowest"]
    assert clock.slept == [4.6]


def test_a_failed_precheck_ends_the_wait_at_once(run_action):
    failure = dict(answer(entry(0, result="failed", progress=70, pass_rate=50)), failed=True, msg="The precheck ... failed")
    result, calls, _lines = run_action(dict(jobs=["job-0"]), [answer(entry(0)), failure])
    assert result["failed"] and result["msg"] == "The precheck ... failed" and len(calls) == 2


def test_a_failed_first_read_runs_again_as_a_first_read(run_action):
    answers = [transient_failure(), answer(entry(0)), answer(entry(0, result="passed", progress=100, pass_rate=100))]
    result, calls, lines = run_action(dict(jobs=["job-0"], poll_interval=1), answers)
    assert not result.get("failed") and len(calls) == 3
    assert "resume" not in calls[0] and "resume" not in calls[1] and calls[2]["resume"][0]["precheck_id"] == "pc-0"
    assert lines[0].startswith("Waiting after 0s: the DRS API stopped answering (")


def test_a_failed_later_read_keeps_the_plan(run_action):
    answers = [answer(entry(0)), transient_failure(), answer(entry(0, result="passed", progress=100, pass_rate=100))]
    result, calls, _lines = run_action(dict(jobs=["job-0"], poll_interval=1), answers)
    assert not result.get("failed") and calls[1]["resume"] == calls[2]["resume"]


def test_times_out_naming_the_prechecks_still_running(run_action):
    answers = [answer(entry(0), entry(1, progress=80, pass_rate=95))] * 5
    result, calls, lines = run_action(dict(jobs=["job-0", "job-1"], wait_timeout=12, poll_interval=5,
                                           progress_label="Group 1/2"), answers)
    # reads at 0 s and at once after the start, at 5 and 10 s, and a last one at the deadline
    assert result["failed"] and len(calls) == 5 and len(lines) == 4
    assert lines[0].startswith("Group 1/2 after 0s: precheck 0 of 2 tasks passed, 2 running (80% done at least)")
    assert result["msg"] == ("Timed out after 12s waiting for the precheck of 2 of 2 DRS tasks; still running: job-0 (no "
                             "result yet for precheck pc-0); job-1 (80% done, pass rate 95% so far)")


def test_an_answer_with_nothing_to_wait_for_returns_at_once(run_action):
    result, calls, lines = run_action(dict(jobs=["job-0"], wait_timeout=0),
                                      [answer(entry(0, "would_start", None))])
    assert not result.get("failed") and len(calls) == 1 and lines == []
