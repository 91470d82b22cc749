# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real ansible-rulebook (and its JVM) runs the collection's rulebooks against a DRS simulator.

The collection's source hwcloud.drs.drs_job_status watches three tasks; once it has polled
once, the test starts two of them, one scripted to fail in incremental transfer. The failed
task's event makes the rule run the playbook hwcloud.drs.drs_job_retry, whose precheck and
retry of exactly that task (hwcloud.drs.drs_batch_retry) show in the simulator's request log.
Run by ``bash scripts/test.sh eda`` (which checks for Java first); every wait is bounded.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml

from ansible_collections.hwcloud.drs.tests.support import playbooks

REPLICATES = "9a470239-2308-4bb5-a6bc-1040402fjb21"
FAILS = "dc67695a-ee3e-49b8-a022-a099bd81jb21"
STAYS = "3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21"
WORLD = {
    "speed": 1,
    "transition_seconds": 1,
    "tasks": [
        {"id": REPLICATES, "name": "orders-1"},
        {"id": FAILS, "name": "orders-2", "fail_at": "INCRE_TRANSFER_FAILED", "error_code": "DRS.M03075",
         "error_message": "the source purged its binlog"},
        {"id": STAYS, "name": "orders-3"},
    ],
}
# JVM start, the source's polls, the tasks' walk (about 4 s) and one playbook run take about 15 s.
RUN_BOUND = 120
STOP_BOUND = 30
HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def ansible_rulebook():
    path = os.path.join(os.path.dirname(sys.executable), "ansible-rulebook")
    if not os.path.exists(path):
        pytest.fail("ansible-rulebook is not installed beside %s (requirements/test.txt)" % sys.executable)
    if not shutil.which("java"):
        pytest.fail("ansible-rulebook needs Java 17: install OpenJDK 17 (apt-get install openjdk-17-jre-headless, "
                    "dnf install java-17-openjdk-headless) or put its bin/ on PATH")
    return path


class Rulebook:
    """One ansible-rulebook process against a simulator, its output in a file."""

    def __init__(self, command, sim, collections_path, tmp_path, token=None):
        env = playbooks.environment(collections_path, str(tmp_path), sim, "token", {"HW_AUTH_TOKEN": token} if token else None)
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        self.output_path = str(tmp_path / "ansible-rulebook.log")
        self._output = open(self.output_path, "w")
        self.process = subprocess.Popen(command, env=env, cwd=str(tmp_path), stdout=self._output, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    @property
    def output(self):
        with open(self.output_path) as handle:
            return handle.read()

    def wait(self, timeout):
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail("ansible-rulebook did not end within %ds:\n%s" % (timeout, self.output[-4000:]))

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_BOUND)
        self._output.close()


@pytest.fixture
def start_rulebook(ansible_rulebook, collections_path, tmp_path):
    running = []

    def start(rulebook, sim, variables, token=None):
        inventory, vars_file = tmp_path / "inventory.yml", tmp_path / "vars.yml"
        inventory.write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}}))
        vars_file.write_text(yaml.safe_dump(variables))
        command = [ansible_rulebook, "--rulebook", rulebook, "-i", str(inventory), "--vars", str(vars_file), "-v"]
        run = Rulebook(command, sim, collections_path, tmp_path, token)
        running.append(run)
        return run

    yield start
    for run in running:
        run.stop()


def wait_for(condition, run, what):
    """Poll ``condition()`` until it is true; fail (with the rulebook's output) after RUN_BOUND seconds."""
    deadline = time.monotonic() + RUN_BOUND
    while time.monotonic() < deadline:
        if condition():
            return
        if run.process.poll() is not None:
            pytest.fail("ansible-rulebook ended (rc %s) before %s:\n%s" % (run.process.returncode, what, run.output[-4000:]))
        time.sleep(0.2)
    pytest.fail("no %s within %ds:\n%s" % (what, RUN_BOUND, run.output[-4000:]))


def status_reads(sim):
    return [entry["body"]["jobs"] for entry in sim.request_log if entry["route"] == "batch-status"]


# The body of the source's polls.
SOURCE_POLL = {"jobs": [REPLICATES, FAILS, STAYS], "page_req": {"cur_page": 1, "per_page": 3}}


def playbook_requests(sim):
    """(route, task IDs named in the body) of every request but the source's polls."""
    found = []
    for entry in sim.request_log:
        if entry["route"] in ("list-jobs", "batch-starting") or entry["body"] == SOURCE_POLL:
            continue
        text = json.dumps(entry["body"])
        found.append((entry["route"], tuple(task_id for task_id in (REPLICATES, FAILS, STAYS) if task_id in text)))
    return found


def retries(sim):
    return [entry["body"] for entry in sim.request_log if entry["route"] == "batch-retry-task"]


def start_tasks(sim, *task_ids):
    body = json.dumps({"jobs": [{"job_id": task_id} for task_id in task_ids]}).encode()
    request = urllib.request.Request("%s/v3/%s/jobs/batch-starting" % (sim.url, sim.project_id), data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Auth-Token": sim.auth_token})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert [result["status"] for result in json.loads(answer.read())["results"]] == ["success"] * len(task_ids)


def watch_and_start(run, sim):
    """Once the source polled, start two tasks: one will replicate, one fail."""
    wait_for(lambda: status_reads(sim), run, "first poll of the source")
    start_tasks(sim, REPLICATES, FAILS)


def test_a_failed_task_is_retried_by_the_playbook(make_sim, start_rulebook):
    """The shipped rulebook hwcloud.drs.drs_watch, from the collection: the failed task's playbook
    retries exactly that task, which then replicates like the other; ansible-rulebook is then
    stopped by a signal."""
    sim = make_sim(WORLD)
    run = start_rulebook("hwcloud.drs.drs_watch", sim, {"drs_jobs": [REPLICATES, FAILS, STAYS], "drs_interval": 1})
    watch_and_start(run, sim)
    wait_for(lambda: retries(sim), run, "retry of the failed task by the playbook")
    wait_for(lambda: "DRS task orders-2 (%s) replicates" % FAILS in run.output, run, "the retried task replicating")

    # The playbook acted on exactly the failed task: its status read, precheck, precheck result
    # and retry name it alone; the source read all three at every poll.
    assert retries(sim) == [{"jobs": [{"job_id": FAILS}]}]
    assert sorted(set(playbook_requests(sim))) == sorted(set([
        ("batch-status", (FAILS,)), ("batch-precheck", (FAILS,)), ("batch-precheck-result", (FAILS,)),
        ("batch-retry-task", (FAILS,))]))
    output = run.output
    assert "DRS task orders-2 (%s) retried: it was INCRE_TRANSFER_FAILED (DRS.M03075 the source purged its binlog)" \
        % FAILS in output
    assert "failed=0" in output
    assert "DRS task orders-1 (%s) replicates (INCRE_TRANSFER_STARTED, was " % REPLICATES in output
    assert "DRS task orders-2 (%s) replicates (INCRE_TRANSFER_STARTED, was " % FAILS in output
    assert "Traceback" not in output
    # ansible-rulebook's JVM ends the process on SIGTERM (exit 143), as an EDA controller stops an activation
    run.process.send_signal(signal.SIGTERM)
    run.wait(STOP_BOUND)


def test_the_rulebook_shuts_down_after_the_retry(make_sim, start_rulebook):
    """A shutdown action after the playbook: ansible-rulebook cancels the source, which stops
    cleanly, and ends with exit code 0."""
    sim = make_sim(WORLD)
    rulebook = os.path.join(HERE, "rulebooks", "shutdown_after_retry.yml")
    run = start_rulebook(rulebook, sim, {"drs_jobs": [REPLICATES, FAILS, STAYS], "drs_interval": 1})
    watch_and_start(run, sim)
    assert run.wait(RUN_BOUND) == 0, run.output[-4000:]
    output = run.output
    assert retries(sim) == [{"jobs": [{"job_id": FAILS}]}]
    assert "Stopped watching the DRS tasks after " in output
    assert "a DRS task failed and was retried" in output
    assert "Traceback" not in output


def test_refused_credentials_end_the_run_with_the_reason(make_sim, start_rulebook):
    sim = make_sim(WORLD)
    rulebook = os.path.join(HERE, "rulebooks", "shutdown_after_retry.yml")
    run = start_rulebook(rulebook, sim, {"drs_jobs": [REPLICATES], "drs_interval": 1}, token="expired-or-wrong")
    assert run.wait(RUN_BOUND) != 0
    output = run.output
    assert "SourceError: Source plugin failed with error message: 'Cannot watch DRS tasks: the DRS API refused the " \
           "credentials" in output
    assert "expired-or-wrong" not in output
