# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller-side wait of drs_batch_status: the module's answers are scripted, the clock is fake."""

import pytest

from ansible_collections.hwcloud.drs.plugins.action import drs_batch_status as action


def answer(statuses, target="INCRE_TRANSFER_STARTED", **extra):
    jobs = [dict(id="job-%d" % number, status=status, target=target, reached=status == target, error_code=None,
                 error_message=None) for number, status in enumerate(statuses)]
    summary = {}
    for status in statuses:
        summary[status] = summary.get(status, 0) + 1
    result = dict(changed=False, jobs=jobs, summary=summary, reached=all(job["reached"] for job in jobs),
                  waiting=sum(1 for job in jobs if not job["reached"]), polls=1)
    result.update(extra)
    return result


def transient_failure(message="POST /v3/p/jobs/batch-status: HTTP 503"):
    return dict(failed=True, msg=message, api_error=dict(status=503, transient=True))


@pytest.fixture
def run_action(action_runner):
    """``run_action(args, answers)`` -> (result, module args of each run, lines displayed)."""
    return action_runner(action, "hwcloud.drs.drs_batch_status")


def test_without_wait_for_the_module_runs_once(run_action):
    result, calls, lines = run_action(dict(jobs=["job-0"]), [answer(["CONFIGURATION"])])
    assert len(calls) == 1 and lines == [] and result["summary"] == {"CONFIGURATION": 1}


def test_polls_with_one_progress_line_each_until_every_task_is_there(run_action, clock):
    answers = [answer(["FULL_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED"],
                      progress_summary=dict(full_transfer_lowest=40, full_transfer_median=40, longest_remaining_time=3700,
                                            largest_incre_delay=2))] * 3 + [answer(["INCRE_TRANSFER_STARTED"] * 2)]
    result, calls, lines = run_action(dict(jobs=["job-0", "job-1"], wait_for="auto", poll_interval=30,
                                           progress_label="Group 1/2"), answers)
    assert not result.get("failed") and result["polls"] == 4
    assert len(calls) == 4 and len(lines) == 4
    assert lines[0] == ("Group 1/2 after 0s: 1 of 2 tasks at INCRE_TRANSFER_STARTED; now FULL_TRANSFER_STARTED=1, "
                        "INCRE_TRANSFER_STARTED=1 | full transfer 40% lowest, 40% median, 1h01m left at most | "
                        "incremental delay 2s at most")
    assert lines[1].startswith("Group 1/2 after 30s: ")
    # and the closing line, for the read that ends the wait
    assert lines[3] == "Group 1/2 after 1m30s: 2 of 2 tasks at INCRE_TRANSFER_STARTED; now INCRE_TRANSFER_STARTED=2"
    # the interval runs from the start of one poll to the start of the next
    assert clock.slept == [29.6, 29.6, 29.6]
    assert result["elapsed"] == 90.4


def test_a_module_failure_ends_the_wait_at_once(run_action):
    failure = dict(answer(["FULL_TRANSFER_FAILED"]), failed=True, msg="1 of 1 DRS tasks failed ...")
    result, calls, _lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED"),
                                       [answer(["FULL_TRANSFER_STARTED"]), failure])
    assert result["failed"] and result["msg"] == "1 of 1 DRS tasks failed ..." and len(calls) == 2
    assert result["polls"] == 2


def connection_failure():
    return dict(failed=True, msg="POST /v3/p/jobs/batch-status: cannot connect to 127.0.0.1:1: Connection refused; "
                "check endpoint/region", api_error=dict(status=None, transient=True, hint="check endpoint/region"))


def test_an_outage_is_ridden_out_with_a_line_when_it_begins_and_one_when_it_ends(run_action, clock):
    waiting, done = answer(["FULL_TRANSFER_STARTED"]), answer(["INCRE_TRANSFER_STARTED"])
    answers = [waiting, connection_failure(), connection_failure(), connection_failure(), waiting, done]
    result, calls, lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED", poll_interval=1,
                                           wait_timeout=3600), answers)
    assert not result.get("failed") and len(calls) == 6
    assert lines[1] == ("Waiting after 1s: the DRS API stopped answering (POST /v3/p/jobs/batch-status: cannot connect to "
                        "127.0.0.1:1: Connection refused); reading again for up to 10m00s")
    assert lines[2] == "Waiting after 8s: the DRS API answers again, after 7s without an answer"
    assert len(lines) == 5 and lines[3].startswith("Waiting after 8s: 0 of 1 task at ")
    # backing off from the poll interval: 1, 2 and 4 seconds from the start of each failed read
    assert clock.slept == [0.6, 0.6, 1.6, 3.6, 0.6]


def test_an_outage_longer_than_the_tolerance_ends_the_wait_saying_how_long(run_action, clock):
    answers = [answer(["FULL_TRANSFER_STARTED"])] + [transient_failure()] * 20
    result, calls, lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED", outage_tolerance=60,
                                           poll_interval=10, wait_timeout=3600), answers)
    assert result["failed"] and len(calls) == 8
    assert result["msg"] == ("Waiting: the DRS API did not answer for 1m00s (7 reads failed, backing off up to 60s "
                             "between them), up to the outage tolerance (outage_tolerance 60s); the last error: "
                             "POST /v3/p/jobs/batch-status: HTTP 503")
    assert len([line for line in lines if "stopped answering" in line]) == 1


def test_an_outage_never_outlasts_the_wait(run_action, clock):
    answers = [answer(["FULL_TRANSFER_STARTED"])] + [transient_failure()] * 20
    result, _calls, _lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED", poll_interval=10,
                                             wait_timeout=45), answers)
    assert result["failed"] and "up to the end of the wait (wait_timeout 45s)" in result["msg"], result["msg"]
    assert clock.now - 1000.0 < 46


def test_a_first_read_that_cannot_connect_ends_the_wait_at_once(run_action):
    result, calls, lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED"), [connection_failure()])
    assert result["failed"] and len(calls) == 1 and lines == []
    assert result["msg"].endswith("check endpoint/region")


def test_a_failure_that_will_not_pass_is_not_read_again(run_action):
    bad_request = dict(failed=True, msg="HTTP 400", api_error=dict(status=400, transient=False))
    result, calls, _lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED"), [bad_request])
    assert result["failed"] and len(calls) == 1


def test_times_out_naming_the_tasks_still_waiting(run_action):
    answers = [answer(["FULL_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED"])] * 5
    result, calls, lines = run_action(dict(jobs=["job-0", "job-1"], wait_for="INCRE_TRANSFER_STARTED", wait_timeout=25,
                                           poll_interval=10), answers)
    # reads at 0, 10 and 20 s, and a last one at the deadline
    assert result["failed"] and len(calls) == 4 and len(lines) == 3
    assert result["msg"] == ("Timed out after 25s waiting for 1 of 2 DRS tasks to reach INCRE_TRANSFER_STARTED; "
                             "still waiting: job-0 (FULL_TRANSFER_STARTED)")


def test_a_timeout_names_the_rpo_and_rto_of_the_tasks_the_gate_holds(run_action):
    held = answer(["INCRE_TRANSFER_STARTED"])
    held["jobs"][0].update(reached=False, rpo_delay=100, rto_delay=None)
    held.update(reached=False, waiting=1)
    result, _calls, _lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED", wait_timeout=0,
                                             rpo_rto_max=60), [held])
    assert result["msg"] == ("Timed out after 0s waiting for 1 of 1 DRS task to reach INCRE_TRANSFER_STARTED; still "
                             "waiting: job-0 (INCRE_TRANSFER_STARTED, RPO 100s, RTO unknown)")


def test_wait_timeout_zero_reads_once(run_action):
    result, calls, _lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED", wait_timeout=0),
                                       [answer(["FULL_TRANSFER_STARTED"])])
    assert result["failed"] and len(calls) == 1 and result["msg"].startswith("Timed out after 0s")


def test_wait_options_from_a_survey_are_strings(run_action, clock):
    result, _calls, _lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED", wait_timeout="60",
                                             poll_interval="2.5", outage_tolerance="60"),
                                        [answer(["FULL_TRANSFER_STARTED"]), answer(["INCRE_TRANSFER_STARTED"])])
    assert not result.get("failed") and clock.slept == [2.1]


def test_the_rpo_rto_gate_is_shown(run_action):
    gated = answer(["INCRE_TRANSFER_STARTED"], progress_summary=dict(largest_rpo_delay=75, largest_rto_delay=4))
    gated["jobs"][0]["reached"], gated["reached"], gated["waiting"] = False, False, 1
    _result, _calls, lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED", rpo_rto_max=60),
                                        [gated, answer(["INCRE_TRANSFER_STARTED"])])
    assert lines[0].endswith("| RPO 1m15s, RTO 4s at most (each must be below 60s)")


@pytest.mark.parametrize("args, message", [
    (dict(poll_interval=0), "poll_interval must be between 0.1 and 86400 seconds, got 0.0"),
    (dict(poll_interval="often"), "poll_interval: 'often' is not a number"),
    (dict(poll_interval="inf"), "poll_interval must be between 0.1 and 86400 seconds, got inf"),
    (dict(wait_timeout=-5), "wait_timeout must be between 0 and 2678400 seconds, got -5"),
    (dict(wait_timeout="1" + "0" * 400), "wait_timeout must be between 0 and 2678400 seconds, got 100000000000000000000..."),
    (dict(outage_tolerance=-5), "outage_tolerance must be between 0 and 2678400 seconds, got -5"),
])
def test_bad_wait_options_fail_before_any_read(run_action, args, message):
    result, calls, _lines = run_action(dict(jobs=["job-0"], wait_for="INCRE_TRANSFER_STARTED", **args), [])
    assert result["failed"] and result["msg"] == message and calls == []
