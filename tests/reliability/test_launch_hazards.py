# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an operator meets during a long launch: a killed controller, an outage, a throttle, a precheck
someone else started, an interrupted run, two projects at once."""

import json
import os
import re
import signal
import threading
import time

import pytest
import requests

from .conftest import wait_until

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"


def slow_tasks(count=3, transition_seconds=20, **extra):
    """Tasks that stay in each status for ``transition_seconds``: the launch is waiting for a while."""
    return dict(project_id=PROJECT, speed=1, transition_seconds=transition_seconds,
                generate={"count": count, "prefix": "slow"}, **extra)


def task_ids(sim):
    return [task["id"] for task in sim.state()["tasks"]]


def reads_since_start(sim):
    """The wait's reads: batch-status calls after the first start request."""
    log = sim.request_log
    started = [index for index, entry in enumerate(log) if entry["route"] == "batch-starting"]
    return [entry for entry in log[started[0] + 1:] if entry["route"] == "batch-status"] if started else []


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="the test and the launch find processes through /proc")
def test_a_launch_whose_ansible_playbook_was_killed_sends_nothing_more(make_sim, start_playbook):
    """kill -9 of ansible-playbook alone (not its worker): the worker notices before its next request."""
    sim = make_sim(slow_tasks())
    launch = start_playbook("launch.yml", sim, {"batch_launch_jobs": task_ids(sim), "batch_launch_poll_interval": 1,
                                                "batch_launch_precheck": False})
    assert wait_until(lambda: len(reads_since_start(sim)) >= 2 or launch.process.poll() is not None, timeout=120)
    assert launch.process.poll() is None, "the launch ended before it could be killed"
    os.kill(launch.process.pid, signal.SIGKILL)
    launch.process.wait(10)
    # the worker's request in flight, if any, lands within a moment; then nothing for two poll intervals
    time.sleep(1)
    calls = len(sim.request_log)
    time.sleep(2.5)
    assert len(sim.request_log) == calls, "the orphaned launch went on: %s" % sim.request_log[calls:]


def test_a_one_minute_outage_is_ridden_out(make_sim, start_playbook):
    """The simulator stops for 60 s mid-wait and comes back on the same port; the launch goes on."""
    sim = make_sim(slow_tasks(transition_seconds=5))
    launch = start_playbook("launch.yml", sim, {"batch_launch_jobs": task_ids(sim), "batch_launch_poll_interval": 3,
                                                "batch_launch_precheck": False, "batch_launch_wait_timeout": 600})
    assert wait_until(lambda: len(reads_since_start(sim)) >= 1 or launch.process.poll() is not None, timeout=120)
    sim.stop()
    time.sleep(60)
    sim.start()
    run = launch.wait()
    assert run.rc == 0, run.output[-4000:]
    stopped = re.search(r"the DRS API stopped answering \((.*)\); reading again", run.output)
    assert stopped, run.output[-4000:]
    # Refused, or (when the stop caught a request on a kept-alive connection) closed without an answer.
    assert re.search(r"Connection refused|connection failed", stopped.group(1)), stopped.group(0)
    assert "check endpoint/region" not in run.output, "the API answered before: the hint would mislead"
    assert "the DRS API answers again, after 1m" in run.output, run.output[-4000:]
    assert set(job["status"] for job in run.results["summary"]["jobs"]) == {"INCRE_TRANSFER_STARTED"}


def test_a_90_second_throttle_without_retry_after_is_ridden_out(make_sim, start_playbook):
    sim = make_sim(slow_tasks(transition_seconds=5))
    launch = start_playbook("launch.yml", sim, {"batch_launch_jobs": task_ids(sim), "batch_launch_poll_interval": 3,
                                                "batch_launch_precheck": False, "batch_launch_wait_timeout": 600})
    assert wait_until(lambda: len(reads_since_start(sim)) >= 1 or launch.process.poll() is not None, timeout=120)
    throttled = time.monotonic()
    sim.inject_fault(route="batch-status", kind="status", status=429, body={
        "error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached: policy user over ratelimit,"
                                                 "limit:200,time:5 minute"})
    time.sleep(90)
    sim.clear_faults()
    run = launch.wait()
    assert run.rc == 0, run.output[-4000:]
    assert "the DRS API stopped answering" in run.output and "HTTP 429" in run.output
    assert "the DRS API answers again" in run.output
    throttled_reads = [entry for entry in sim.request_log if entry["route"] == "batch-status" and entry["status"] == 429]
    assert throttled_reads and time.monotonic() - throttled >= 90


def test_a_precheck_someone_else_started_meanwhile_is_followed(make_sim, run_playbook):
    """A second precheck of a task replaces the one the launch started (DRS keeps the newest); the launch
    follows the task's latest result instead of waiting for its own until the precheck timeout."""
    sim = make_sim(dict(project_id=PROJECT, speed=1, transition_seconds=0.5, tasks=[{"name": "orders-1",
                                                                                     "precheck_seconds": 3}]))
    task = task_ids(sim)[0]
    url = "%s/v3/%s/jobs/batch-precheck" % (sim.url, sim.project_id)

    def precheck_again_once_the_launch_started_one():
        if wait_until(lambda: any(entry["route"] == "batch-precheck" for entry in sim.request_log), timeout=60):
            requests.post(url, json={"jobs": [{"job_id": task, "precheck_mode": "forStartJob"}]},
                          headers={"X-Auth-Token": sim.auth_token}, timeout=10)

    meddler = threading.Thread(target=precheck_again_once_the_launch_started_one)
    meddler.start()
    run = run_playbook("launch.yml", sim, {"batch_launch_jobs": [task], "batch_launch_poll_interval": 1,
                                           "batch_launch_precheck_timeout": 30})
    meddler.join(70)
    assert run.rc == 0, run.output[-4000:]
    prechecks = [entry for entry in sim.request_log if entry["route"] == "batch-precheck"]
    assert len(prechecks) == 2, "the launch's precheck and the one started meanwhile"


def test_the_summary_shows_the_last_status_read_when_the_api_goes_away(make_sim, run_playbook):
    sim = make_sim(slow_tasks(transition_seconds=30))
    # batch-status calls: 1 reads the named tasks, 2 is the start's own read, 3 the wait's first poll;
    # from the 4th on the API fails, and an outage tolerance of 0 ends the launch at once
    sim.inject_fault(route="batch-status", kind="status", status=503, calls=list(range(4, 40)))
    run = run_playbook("launch.yml", sim, {"batch_launch_jobs": task_ids(sim), "batch_launch_poll_interval": 1,
                                           "batch_launch_precheck": False, "batch_launch_outage_tolerance": 0,
                                           "batch_launch_connection": {"retries": 0}})
    assert run.rc != 0
    summary = run.results["summary"]
    assert summary["failure"]["task"] == "Wait until the tasks reach their target, Group 1/1"
    assert "the DRS API did not answer" in summary["failure"]["msg"]
    assert [job["status"] for job in summary["jobs"]] == ["STARTJOBING"] * 3, "the wait's last read, not the start's"
    assert summary["per_status"] == {"STARTJOBING": 3}
    assert run.output.count("the DRS API did not answer") == 2, "once in [ERROR], once in fatal - the same failure"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="the launch writes its last line through /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_launch_says_how_far_it_got(make_sim, start_playbook, signum):
    """Ctrl-C (SIGINT) and SIGTERM (an AWX cancel) to ansible-playbook: the launch stops and prints its summary."""
    sim = make_sim(slow_tasks())
    launch = start_playbook("launch.yml", sim, {"batch_launch_jobs": task_ids(sim), "batch_launch_poll_interval": 1,
                                                "batch_launch_precheck": False})
    assert wait_until(lambda: len(reads_since_start(sim)) >= 2 or launch.process.poll() is not None, timeout=120)
    os.kill(launch.process.pid, signum)
    run = launch.wait(timeout=60)
    assert run.rc != 0
    # ansible-playbook may end before the launch has written its line (SIGTERM ends it at once)
    assert wait_until(lambda: "Launch stopped by SIG" in launch.output_so_far(), timeout=10), launch.output_so_far()[-3000:]
    assert ("during 'Wait until the tasks reach their target, Group 1/1' | so far: 3 tasks (3 started, 0 already started)"
            in launch.output_so_far())
    calls = len(sim.request_log)
    time.sleep(2.5)
    assert len(sim.request_log) == calls, "the launch went on after the interruption"


def test_two_projects_at_once_label_each_line_with_the_host(make_sim, run_playbook, tmp_path):
    inventory = {"all": {"hosts": {}}}
    sims = []
    for number, host in enumerate(["orders-eu", "orders-us"]):
        project = "%032x" % (number + 1)
        sim = make_sim(dict(project_id=project, speed=1, transition_seconds=1, generate={"count": 2, "prefix": host}),
                       seed=number)
        sims.append(sim)
        inventory["all"]["hosts"][host] = {
            "ansible_connection": "local", "batch_launch_jobs": task_ids(sim), "batch_launch_poll_interval": 1,
            "batch_launch_precheck": False,
            "batch_launch_connection": {"endpoint": sim.url, "project_id": project, "auth_token": sim.auth_token}}
    inventory_file = tmp_path / "projects.json"
    inventory_file.write_text(json.dumps(inventory))
    run = run_playbook("launch.yml", sims[0], inventory=str(inventory_file), args=["--forks", "2"],
                       env={"HW_DRS_ENDPOINT": None, "HW_PROJECT_ID": None, "HW_AUTH_TOKEN": None})
    assert run.rc == 0, run.output[-4000:]
    for host in ("orders-eu", "orders-us"):
        assert "[%s] Group 1/1: started 2 tasks" % host in run.output, run.output[-4000:]
        assert "[%s] Group 1/1 after " % host in run.output
    assert "\nGroup 1/1" not in run.output, "every line of the launch names its host"
