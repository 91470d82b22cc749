# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The batch_launch role in real ansible-playbook runs: faults, interruptions, two runs at once.

No task may be started twice. Two counts prove it: ``sim.start_counts()`` (starts that took
effect; the simulator, like DRS, refuses to start a task that is not in CONFIGURATION) and the
number of start requests naming a task that the simulator processed (``processed_starts``),
so that even a second start the service would have refused counts as a failure here.
"""

import os
import signal
import time

import pytest

from .conftest import fired, processed_starts, wait_until

TARGET = "INCRE_TRANSFER_STARTED"
# A fault on 20% of the calls of every route, seeded. Each route gets its own rules, one per
# fault kind, with a rate so that together they fire on 20% of that route's calls.
READ_KINDS = [
    dict(kind="status", status=429), dict(kind="status", status=429, retry_after=1), dict(kind="status", status=502),
    dict(kind="status", status=503), dict(kind="status", status=504), dict(kind="html"), dict(kind="reset_before"),
    dict(kind="reset_after"), dict(kind="slow", delay=1.2),
]
# Writes also get a 500 and a truncated body: answers the client cannot read, so it reads the
# state back. (A read is not retried on those two: the module would fail, clearly, and the
# role with it; see the fault matrix.)
WRITE_KINDS = READ_KINDS + [dict(kind="status", status=500), dict(kind="malformed")]
READ_ROUTES = ("batch-status", "batch-progress", "batch-rpo-and-rto", "batch-precheck-result", "async-list", "async-detail")
WRITE_ROUTES = ("batch-starting", "batch-precheck", "commit")
FAULT_RATE = 0.20
# timeout 1 s (the slow faults take 1.2 s), and enough retries for a run of bad luck
CONNECTION = {"timeout": 1, "retries": 6}


def fault_rules(rate=FAULT_RATE):
    rules = []
    for routes, kinds in ((READ_ROUTES, READ_KINDS), (WRITE_ROUTES, WRITE_KINDS)):
        each = 1 - (1 - rate) ** (1.0 / len(kinds))
        for route in routes:
            rules.extend(dict(kind, route=route, rate=round(each, 6)) for kind in kinds)
    return rules


def async_batch(jobs, tasks_per_job, plain=0):
    """``jobs`` validated async jobs of ``tasks_per_job`` tasks, ``plain`` more tasks, instant transitions."""
    scenario = {"speed": "instant",
                "async_jobs": [{"id": "%08x-3d7e-4b8a-9c21-5e0d4f7a8b61" % number, "status": "AUTO_PARAM_VALIDATE_SUCCESS",
                                "generate": {"count": tasks_per_job, "prefix": "async%d" % number}}
                               for number in range(jobs)]}
    if plain:
        scenario["generate"] = {"count": plain, "prefix": "plain"}
    return scenario


def async_ids(sim):
    return [job["async_job_id"] for job in sim.state()["async_jobs"]]


def plain_ids(sim):
    return [task["id"] for task in sim.state()["tasks"] if not task["async_job_id"]]


def launch_vars(sim, **extra):
    variables = {"batch_launch_async_job_ids": async_ids(sim), "batch_launch_jobs": plain_ids(sim),
                 "batch_launch_poll_interval": 1, "batch_launch_wait_timeout": 120,
                 "batch_launch_commit_wait_timeout": 60, "batch_launch_connection": CONNECTION}
    variables.update(extra)
    return variables


def assert_launched_once(sim, count, refused_duplicates_allowed=False):
    counts = sim.start_counts()
    assert len(counts) == count
    double = dict((task_id, number) for task_id, number in counts.items() if number != 1)
    assert not double, "tasks not started exactly once: %s" % double
    if not refused_duplicates_allowed:
        resent = dict((task_id, number) for task_id, number in processed_starts(sim).items() if number != 1)
        assert not resent, "start requests the service processed again for a started task: %s" % resent
    statuses = set(task["status"] for task in sim.state()["tasks"])
    assert statuses == {TARGET}, statuses


def test_500_tasks_launch_under_20_percent_faults_on_every_route(make_sim, run_playbook, record_property):
    sim = make_sim(async_batch(jobs=5, tasks_per_job=100), seed=7)
    # Whatever the seed: the first start request and the first commit act but lose their
    # answer, the first task list of an async job is dropped, the first RPO/RTO read and the
    # first async job read (there are only 5 of each) are refused; then 20% of everything.
    sim.add_fault_rules([dict(route="batch-starting", kind="reset_after", calls=[1]),
                         dict(route="commit", kind="slow", delay=1.2, calls=[1]),
                         dict(route="async-detail", kind="reset_before", calls=[1]),
                         dict(route="batch-rpo-and-rto", kind="status", status=503, calls=[1]),
                         dict(route="async-list", kind="status", status=503, calls=[1])] + fault_rules())

    # A second group of one task, so that the RPO/RTO gate reads under faults too.
    last = [task["id"] for task in sim.state()["tasks"]][-1]
    run = run_playbook("launch.yml", sim, launch_vars(sim, batch_launch_job_groups=[[], [last]]))
    faults, calls = fired(sim), len(sim.request_log)
    record_property("faults_fired", faults)
    record_property("playbook_runs", 1)
    record_property("double_starts", sum(1 for count in sim.start_counts().values() if count > 1))
    record_property("tracebacks", int("Traceback" in run.output or "MODULE FAILURE" in run.output))
    assert run.rc == 0, run.output[-6000:]
    assert "Traceback" not in run.output and "MODULE FAILURE" not in run.output
    assert int(run.results["summary"]["started"]) == 500
    assert_launched_once(sim, 500)
    assert faults >= 0.15 * calls, "faults fired on %d of %d calls" % (faults, calls)
    faulted_routes = set(entry["route"] for entry in sim.request_log if entry["fault"])
    called = set(entry["route"] for entry in sim.request_log)
    # every route the launch used met faults; at speed instant a wait ends at its first poll (or the one after a
    # fault), which reads no progress, so batch-progress may not be called at all
    assert faulted_routes == called & set(READ_ROUTES + WRITE_ROUTES), (faulted_routes, called)
    assert set(READ_ROUTES + WRITE_ROUTES) - called <= {"batch-progress"}, called


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="finds the run's processes through /proc")
@pytest.mark.parametrize("interruption", ["kill-everything", "ctrl-c"])
def test_an_interrupted_launch_converges_when_run_again(make_sim, start_playbook, run_playbook, record_property,
                                                        interruption):
    """``kill-everything``: SIGKILL to ansible-playbook, its workers and the module (a crash).
    ``ctrl-c``: SIGINT to ansible-playbook's process group, as a terminal sends it; ansible and the
    launch's step stop, but the start request on its way still lands at the service - while the run is
    started again at once."""
    sim = make_sim({"speed": "instant", "generate": {"count": 500, "prefix": "bench"}})
    # the second start request is slow, so the run is surely in the middle of the launch
    # (one chunk started, the next one on its way) when it is interrupted
    sim.inject_fault("batch-starting", "slow", delay=1.5, calls=[2])
    launch = start_playbook("launch.yml", sim, launch_vars(sim))

    def first_chunk_started():
        return any(entry["route"] == "batch-starting" and entry["status"] == 202 for entry in sim.request_log) \
            or launch.process.poll() is not None
    assert wait_until(first_chunk_started, timeout=120)
    assert launch.process.poll() is None, "the playbook ended before it could be interrupted"
    if interruption == "kill-everything":
        launch.kill_tree()
    else:
        launch.signal(signal.SIGINT)
    started_at_interruption = sum(sim.start_counts().values())
    interrupted = launch.wait(timeout=30)
    assert interrupted.rc != 0
    assert 0 < started_at_interruption < 500, started_at_interruption

    if interruption == "kill-everything":
        # the request that was on its way lands: the service processes it although its client is gone
        assert wait_until(lambda: sum(1 for entry in sim.request_log if entry["route"] == "batch-starting") >= 2,
                          timeout=10)
        calls = len(sim.request_log)
        time.sleep(2)  # the module's read-back would come 1 s after its timeout of 1 s: it is dead
        assert len(sim.request_log) == calls and sum(sim.start_counts().values()) == 200, "a process survived"
    sim.clear_faults()
    again = run_playbook("launch.yml", sim, launch_vars(sim))
    record_property("playbook_runs", 2)
    record_property("faults_fired", 1)
    record_property("double_starts", sum(1 for count in sim.start_counts().values() if count > 1))
    record_property("refused_duplicate_starts", sum(count - 1 for count in processed_starts(sim).values()))
    assert again.rc == 0, again.output[-6000:]
    summary = again.results["summary"]
    assert int(summary["started"]) + int(summary["already_started"]) == 500
    assert int(summary["already_started"]) >= started_at_interruption
    # ctrl-c: the interrupted run's last start request may land after the new run read the statuses,
    # so both sent a start for the same task; the service takes the first and refuses the other
    assert_launched_once(sim, 500, refused_duplicates_allowed=(interruption == "ctrl-c"))


def test_two_launches_of_the_same_batch_at_once(make_sim, start_playbook, record_property):
    """Both runs succeed: a start (or commit) the service refuses because the other run was
    first is read back and reported as already done. Each task starts once."""
    sim = make_sim(async_batch(jobs=1, tasks_per_job=100, plain=200))
    # The first commit and the first start request are held 4 s at the service, so that the
    # other run reads the state meanwhile and sends the same commit or start: a real race.
    sim.inject_fault("commit", "slow", delay=4, calls=[1])
    sim.inject_fault("batch-starting", "slow", delay=4, calls=[1])
    variables = launch_vars(sim, batch_launch_connection={"timeout": 10, "retries": 2})
    first = start_playbook("launch.yml", sim, variables)
    second = start_playbook("launch.yml", sim, variables)
    runs = [first.wait(), second.wait()]
    record_property("playbook_runs", 2)
    record_property("double_starts", sum(1 for count in sim.start_counts().values() if count > 1))
    # how often one run's start came second and was refused (then read back as already started)
    record_property("refused_duplicate_starts", sum(count - 1 for count in processed_starts(sim).values()))
    for run in runs:
        assert run.rc == 0, run.output[-6000:]
        summary = run.results["summary"]
        assert int(summary["started"]) + int(summary["already_started"]) == 300, summary
    assert sum(int(run.results["summary"]["started"]) for run in runs) == 300
    counts = sim.start_counts()
    assert len(counts) == 300 and set(counts.values()) == {1}, counts
    assert set(task["status"] for task in sim.state()["tasks"]) == {TARGET}
    commits = [entry["status"] for entry in sim.request_log if entry["route"] == "commit"]
    assert commits.count(200) == 1, "the async job was committed once: %s" % commits
    refused = sum(count - 1 for count in processed_starts(sim).values()) + commits.count(400)
    assert refused > 0, "the two runs did not race"
