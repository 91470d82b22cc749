#!/usr/bin/env python
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the batch_launch role, beside a hand-written vendor-SDK script and the naive playbook.

    .venv/bin/python benchmarks/launch.py [--sizes 10,100,1000] [--baseline-sizes ...] [--sdk-sizes ...]
                                          [--quick | --side-by-side] [--json PATH] [--compare PATH]

Starts the DRS simulator in this process (``speed: instant``: every task transition is
immediate, so the figures measure our overhead, not DRS), and for each size N launches N
tasks held by batch async jobs with the role and, run for run, with the SDK script
(sdk_baseline.py), then once with the baseline playbook (one uri call per task).
It counts the HTTP requests per endpoint and per step from the simulator's request log
against the floor the API allows, times the runs, measures the cost of one module task against
``ansible.builtin.ping`` and profiles one module process. See benchmarks/README.md.
"""

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
PLAYBOOKS = os.path.join(HERE, "playbooks")
CALLBACKS = os.path.join(HERE, "callback_plugins")
RESULTS_DIR = os.path.join(HERE, "results")
SDK_SCRIPT = os.path.join(HERE, "sdk_baseline.py")
sys.path.insert(0, os.path.join(REPO_ROOT, "simulator"))

from drs_simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position

JSON_VERSION = 2
# The modules' page and chunk sizes (plugins/module_utils/_client.py).
STATUS_PAGE = 100
START_CHUNK = 100
DETAIL_PAGE = 100
PROGRESS_PAGE = 100
PRECHECK_CHUNK = 100
ROUTES = ("async-list", "async-detail", "commit", "batch-status", "batch-precheck", "batch-precheck-result", "batch-starting",
          "batch-progress", "batch-rpo-and-rto")
TARGET_STATUS = "INCRE_TRANSFER_STARTED"
# The role's batch_launch_poll_interval, and the SDK script's --poll-interval.
POLL_INTERVAL = 1
# Targets of the issue, checked at the largest N measured with both playbooks.
TARGET_REQUEST_RATIO = 20
TARGET_TIME_RATIO = 10
# Issue 19: the role's wall time over the SDK script's, at most, at these N.
TARGET_SDK_TIME_RATIO = {1000: 1.5, 10000: 1.0}
# Every playbook run is bounded: a fixed allowance plus this much per module execution.
RUN_TIMEOUT_BASE = 300
RUN_TIMEOUT_PER_CALL = 3
KILL_GRACE_SECONDS = 5


# --------------------------------------------------------------------------- options

def size_list(text):
    if text.strip().lower() in ("", "none", "0"):
        return []
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError("expected comma-separated task counts, e.g. 10,100,1000, got %r" % text) from exc
    if any(size < 1 or size > 100000 for size in sizes):
        raise argparse.ArgumentTypeError("task counts must be between 1 and 100000, got %r" % text)
    return sorted(set(sizes))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="launch.py", description="Benchmark the batch_launch role against one uri call per task (see benchmarks/README.md).")
    parser.add_argument("--sizes", type=size_list, default=None, help="task counts N (default 10,100,1000)")
    parser.add_argument("--baseline-sizes", type=size_list, default=None,
                        help="the N (among --sizes) at which the baseline playbook runs too (default: every size; "
                             "'none' skips it). It is always measured, never extrapolated.")
    parser.add_argument("--sdk-sizes", type=size_list, default=None,
                        help="the N (among --sizes) at which the hand-written vendor-SDK script (sdk_baseline.py) runs beside "
                             "the role, run for run (default: every size when the SDK is installed; 'none' skips it)")
    parser.add_argument("--quick", action="store_true",
                        help="N=10 only, baseline and SDK script at N=10, --repeat 1, 5 tasks for the per-task cost, 3 profile runs")
    parser.add_argument("--side-by-side", action="store_true",
                        help="the role and the SDK script at N=100,1000,10000, 5 runs each, interleaved; no uri baseline, "
                             "per-task cost or profile")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of the role per N and rounds of the per-task playbooks; medians are reported "
                             "(default 3, 1 with --quick; the baseline runs once)")
    parser.add_argument("--async-jobs", type=int, default=2, help="batch async jobs that hold the N tasks (default 2)")
    parser.add_argument("--overhead-tasks", type=int, default=None,
                        help="K, tasks per playbook for the per-task cost (default 20, 5 with --quick; 0 skips it)")
    parser.add_argument("--profile-runs", type=int, default=None,
                        help="runs of the module process for its profile (default 5, 3 with --quick; 0 skips it)")
    parser.add_argument("--no-pipelining", dest="pipelining", action="store_false",
                        help="run the playbooks with Ansible's default, ANSIBLE_PIPELINING=0 (default: 1, for both playbooks)")
    parser.add_argument("--json", dest="json_path", help="where to write the results (default benchmarks/results/launch-<UTC time>.json)")
    parser.add_argument("--compare", help="a previous results JSON to compare with")
    parser.add_argument("--show", metavar="PATH", help="print the table of a results JSON (and --compare), measure nothing")
    parser.add_argument("--work-dir", help="directory for the temporary files (default: a new temp dir, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary files (playbook logs, timings) and say where")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed (task IDs)")
    args = parser.parse_args(argv)
    if args.quick and args.side_by_side:
        parser.error("--quick and --side-by-side are two different runs: choose one")
    if args.sizes is None:
        args.sizes = [10] if args.quick else [100, 1000, 10000] if args.side_by_side else [10, 100, 1000]
    if not args.sizes:
        parser.error("--sizes needs at least one task count")
    if args.baseline_sizes is None:
        args.baseline_sizes = [] if args.side_by_side else [10] if args.quick and 10 in args.sizes else list(args.sizes)
    if args.sdk_sizes is None:
        args.sdk_sizes = list(args.sizes) if sdk_available() else []
    elif args.sdk_sizes and not sdk_available():
        parser.error("--sdk-sizes needs the vendor SDK: pip install -r requirements/benchmark.txt")
    for option, sizes in (("--baseline-sizes", args.baseline_sizes), ("--sdk-sizes", args.sdk_sizes)):
        extra = sorted(set(sizes) - set(args.sizes))
        if extra:
            parser.error("%s %s are not among --sizes %s" % (option, extra, args.sizes))
    if args.overhead_tasks is None:
        args.overhead_tasks = 5 if args.quick else 0 if args.side_by_side else 20
    if args.repeat is None:
        args.repeat = 1 if args.quick else 5 if args.side_by_side else 3
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    if args.profile_runs is None:
        args.profile_runs = 3 if args.quick else 0 if args.side_by_side else 5
    if not 1 <= args.async_jobs <= 100:
        parser.error("--async-jobs must be between 1 and 100")
    if args.overhead_tasks < 0 or args.profile_runs < 0:
        parser.error("--overhead-tasks and --profile-runs must be 0 or more")
    return args


# --------------------------------------------------------------------------- the floor

def pages(count, size):
    return max(1, int(math.ceil(count / float(size))))


def split(total, parts):
    """``total`` tasks over ``parts`` async jobs, as evenly as possible, none empty."""
    parts = min(parts, total)
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def scenario(n, async_jobs):
    return {
        "description": "benchmark: %d tasks in %d batch async jobs, every transition instant" % (n, async_jobs),
        "speed": "instant",
        "async_jobs": [{"status": "AUTO_PARAM_VALIDATE_SUCCESS", "generate": {"count": count, "prefix": "bench%d" % index}}
                       for index, count in enumerate(split(n, async_jobs), 1)],
    }


# The steps of a launch, each one endpoint at one moment of the run, with its floor (issue 19): what
# any client has to read or write to launch a freshly committed batch, reading nothing twice. The
# moments are cut at the first batch-precheck and at the first batch-starting of the run.
STEPS = OrderedDict([
    ("async job status", "async-list: per async job, its status (only the list endpoint, filtered by ID, gives it)"),
    ("commit", "commit: per async job"),
    ("task IDs", "async-detail: per async job, ceil(tasks/100) pages (only this endpoint lists its task IDs)"),
    ("creation status", "batch-status before the first precheck: ceil(N/100) per poll until no task is CREATING"),
    ("earlier precheck results", "batch-precheck-result before the first precheck: none (the commit just created the tasks)"),
    ("precheck", "batch-precheck (forStartJob): ceil(N/100)"),
    ("precheck results", "batch-precheck-result after it: ceil(N/100) per poll until every precheck is done"),
    ("status before the start", "batch-status between precheck and start: none (the creation wait read it)"),
    ("start", "batch-starting: ceil(N/100)"),
    ("final status", "batch-status after the start: ceil(N/100) per poll until every task is at its target"),
    ("progress", "batch-progress: ceil(N/100) per poll that does not end the wait (the progress line)"),
    ("rpo and rto", "batch-rpo-and-rto: only in the wait of a group another group follows; one group here"),
])
STEP_ROUTES = {"async job status": "async-list", "commit": "commit", "task IDs": "async-detail", "creation status": "batch-status",
               "earlier precheck results": "batch-precheck-result", "precheck": "batch-precheck",
               "precheck results": "batch-precheck-result", "status before the start": "batch-status",
               "start": "batch-starting", "final status": "batch-status", "progress": "batch-progress",
               "rpo and rto": "batch-rpo-and-rto"}


def floor_by_step(n, job_sizes, polls=1, precheck_polls=1, creation_polls=1):
    """The fewest requests per step with which any client can launch a freshly committed batch (issue 19).

    Per async job: one read of its status (the list endpoint, filtered by ID, is the only one that
    gives it; a commit is made only when it is AUTO_PARAM_VALIDATE_SUCCESS), one commit, and
    ceil(tasks/100) reads of its detail (the only endpoint that lists its task IDs). Then, 100 IDs
    a request: the creation wait's status pages (once per poll), the precheck, its results (once per
    poll), the start and the final wait's status pages (once per poll). No step reads what another
    step of the run read already: the precheck and the start decide on the statuses the creation
    wait read, tasks the run's own commit created have no earlier precheck, and the poll that ends a
    wait reads no progress. With the simulator's ``speed: instant`` every wait ends at its first poll.
    At N = 1,000 in 2 async jobs: 2 + 2 + 10 + 10 x 5 = 64.
    """
    chunks = pages(n, STATUS_PAGE)
    return OrderedDict([
        ("async job status", len(job_sizes)),
        ("commit", len(job_sizes)),
        ("task IDs", sum(pages(size, DETAIL_PAGE) for size in job_sizes)),
        ("creation status", chunks * creation_polls),
        ("earlier precheck results", 0),
        ("precheck", pages(n, PRECHECK_CHUNK)),
        ("precheck results", pages(n, PRECHECK_CHUNK) * precheck_polls),
        ("status before the start", 0),
        ("start", pages(n, START_CHUNK)),
        ("final status", chunks * polls),
        ("progress", pages(n, PROGRESS_PAGE) * (polls - 1)),
        ("rpo and rto", 0),
    ])


def floor(n, job_sizes, polls=1, precheck_polls=1, creation_polls=1):
    """The floor per endpoint: the steps' floors added up by the endpoint each one calls."""
    by_route = OrderedDict((route, 0) for route in ROUTES)
    for step, count in floor_by_step(n, job_sizes, polls, precheck_polls, creation_polls).items():
        by_route[STEP_ROUTES[step]] += count
    return by_route


def steps_of(log):
    """The step (see STEPS) of each request of one launch's request log, in order."""
    first = {}
    for index, entry in enumerate(log):
        first.setdefault(entry["route"], index)
    started = first.get("batch-starting", len(log))
    prechecked = min(first.get("batch-precheck", started), started)
    by_route = dict((route, step) for step, route in STEP_ROUTES.items())
    steps = []
    for index, entry in enumerate(log):
        route = entry["route"]
        if route == "batch-status":
            step = "creation status" if index < prechecked else "status before the start" if index < started else "final status"
        elif route == "batch-precheck-result":
            step = "earlier precheck results" if index < prechecked else "precheck results"
        else:
            step = by_route.get(route, "other: %s" % route)
        steps.append(step)
    return steps


def requests_by_step(log):
    counts = OrderedDict((step, 0) for step in STEPS)
    for step in steps_of(log):
        counts[step] = counts.get(step, 0) + 1
    return counts


def time_segments(log, began, seconds):
    """Where a run's wall time went, cut at its first request, first precheck, first start and last request.

    ``began`` is when its process was started (epoch seconds), ``seconds`` its wall time; the log's
    times are when each request arrived. Also the longest pause between two requests, and the steps
    of the requests on either side of it.
    """
    if not log:
        return None
    steps = steps_of(log)
    times = [entry["time"] for entry in log]
    prechecked = next((index for index, step in enumerate(steps) if step in ("precheck", "start")), len(log) - 1)
    started = next((index for index, step in enumerate(steps) if step == "start"), len(log) - 1)
    pauses = [(times[index + 1] - times[index], index) for index in range(len(times) - 1)] or [(0.0, 0)]
    pause, before = max(pauses)
    return OrderedDict([
        ("to the first request", round(times[0] - began, 3)),
        ("commit and creation wait", round(times[prechecked] - times[0], 3)),
        ("precheck", round(times[started] - times[prechecked], 3)),
        ("start and final wait", round(times[-1] - times[started], 3)),
        ("after the last request", round(began + seconds - times[-1], 3)),
        ("longest pause", round(pause, 3)),
        ("longest pause between", "%s / %s" % (steps[before], steps[before + 1]) if len(steps) > 1 else "-"),
    ])


# --------------------------------------------------------------------------- workspace and runs

class Workspace:
    """Temp dir with a collections tree that points at this checkout, and the env for every run."""

    def __init__(self, work_dir=None, keep=False, pipelining=False):
        self.ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        if not os.path.exists(self.ansible_playbook):
            self.ansible_playbook = shutil.which("ansible-playbook")
        if not self.ansible_playbook:
            raise SystemExit("ansible-playbook not found: run this script with the project's venv python (.venv/bin/python)")
        self.own_dir = work_dir is None
        self.path = tempfile.mkdtemp(prefix="hwcloud-drs-bench-") if work_dir is None else os.path.abspath(work_dir)
        os.makedirs(self.path, exist_ok=True)
        self.keep = keep
        self.collections = self._collections_base()
        cfg = os.path.join(self.path, "ansible.cfg")
        with open(cfg, "w", encoding="utf-8") as handle:
            handle.write("# the benchmark's settings are environment variables (benchmarks/launch.py)\n[defaults]\n")
        self.env = dict((key, value) for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "HW_")))
        self.env.update({
            "ANSIBLE_CONFIG": cfg,
            "ANSIBLE_HOME": os.path.join(self.path, "ansible-home"),
            "ANSIBLE_COLLECTIONS_PATH": self.collections,
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCAL_TEMP": os.path.join(self.path, "tmp-local"),
            "ANSIBLE_REMOTE_TEMP": os.path.join(self.path, "tmp-remote"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
            "ANSIBLE_CALLBACKS_ENABLED": "bench_timing",
            "ANSIBLE_PIPELINING": "1" if pipelining else "0",
        })
        self._runs = 0

    def _collections_base(self):
        parent = os.path.dirname(REPO_ROOT)
        if os.path.basename(REPO_ROOT) == "drs" and os.path.basename(parent) == "hwcloud" \
                and os.path.basename(os.path.dirname(parent)) == "ansible_collections":
            return os.path.dirname(os.path.dirname(parent))
        base = os.path.join(self.path, "collections")
        os.makedirs(os.path.join(base, "ansible_collections", "hwcloud"), exist_ok=True)
        link = os.path.join(base, "ansible_collections", "hwcloud", "drs")
        if not os.path.islink(link):
            os.symlink(REPO_ROOT, link)
        return base

    def close(self):
        if self.keep:
            print("temporary files kept in %s" % self.path)
        elif self.own_dir:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            for name in ("collections", "runs", "tmp-local", "tmp-remote", "ansible-home", "ansible.cfg"):
                target = os.path.join(self.path, name)
                if os.path.isdir(target) and not os.path.islink(target):
                    shutil.rmtree(target, ignore_errors=True)
                elif os.path.lexists(target):
                    os.remove(target)

    def run_dir(self, label):
        self._runs += 1
        path = os.path.join(self.path, "runs", "%02d-%s" % (self._runs, label))
        os.makedirs(path)
        return path

    def playbook(self, label, playbook, extra_vars, sim, calls, env=None):
        """Run ``playbook`` against ``sim``; returns rc, wall seconds and the per-task timings."""
        run_dir = self.run_dir(label)
        vars_file = os.path.join(run_dir, "vars.json")
        with open(vars_file, "w", encoding="utf-8") as handle:
            json.dump(extra_vars, handle)
        timing_file = os.path.join(run_dir, "timing.json")
        environment = dict(self.env, DRS_BENCH_TIMING_FILE=timing_file)
        if sim is not None:
            environment.update(HW_DRS_ENDPOINT=sim.url, HW_PROJECT_ID=sim.project_id, HW_AUTH_TOKEN=sim.auth_token)
        environment.update(env or {})
        command = [self.ansible_playbook, "-i", "localhost,", "-c", "local", playbook, "-e", "@" + vars_file]
        timeout = RUN_TIMEOUT_BASE + RUN_TIMEOUT_PER_CALL * calls
        log_path = os.path.join(run_dir, "output.log")
        load_before = loadavg()
        with open(log_path, "wb") as log:
            began = time.time()
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=run_dir,
                                       start_new_session=True)
            try:
                rc = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                rc = None
            finally:
                stop_playbook(process)
            seconds = time.time() - began
        timing = None
        if os.path.exists(timing_file):
            with open(timing_file, encoding="utf-8") as handle:
                timing = json.load(handle)
            timing["process_began"] = began
        with open(log_path, "rb") as handle:
            tail = handle.read()[-3000:].decode("utf-8", "replace")
        load = [load_before[0] if load_before else None, (loadavg() or [None])[0]]
        return {"rc": rc, "timed_out": rc is None, "timeout": timeout, "began": began, "seconds": seconds, "timing": timing,
                "load": load, "output_tail": tail, "log": log_path}


def stop_playbook(process):
    """Stop a playbook run that did not end by itself (timeout, Ctrl-C, SIGTERM).

    ansible-playbook passes SIGTERM on to its workers (they run in sessions of their own,
    out of reach of a signal to its process group), so it gets SIGTERM first; SIGKILL to its
    group only if it is still there after a grace period. Only while it is alive and not yet
    reaped, so the process and group IDs are still ours.
    """
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=KILL_GRACE_SECONDS)
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    process.wait(timeout=KILL_GRACE_SECONDS)


# --------------------------------------------------------------------------- measurements

def world(sim):
    state = sim.state()
    return state["tasks"], state["async_jobs"]


def outcome(sim, run):
    """Did the run do the job: every task in the target status, started exactly once?"""
    tasks, _jobs = world(sim)
    statuses = Counter(task["status"] for task in tasks)
    counts = sim.start_counts()
    started_once = all(counts.get(task["id"], 0) == 1 for task in tasks)
    ok = run["rc"] == 0 and statuses.get(TARGET_STATUS, 0) == len(tasks) and started_once
    return ok, dict(statuses), started_once


def requests_by_route(log):
    counts = Counter(entry["route"] for entry in log)
    by_route = OrderedDict((route, counts.get(route, 0)) for route in ROUTES)
    for route in sorted(set(counts) - set(ROUTES), key=str):
        by_route[str(route)] = counts[route]
    errors = sum(1 for entry in log if entry["status"] is None or not 200 <= entry["status"] < 300)
    return by_route, errors


def task_walls(timing):
    """Each task's wall time, from its start to the next task's start (the last: to the end of the run)."""
    tasks = timing["tasks"]
    walls = []
    for index, task in enumerate(tasks):
        until = tasks[index + 1]["start"] if index + 1 < len(tasks) else timing["ended"]
        walls.append(dict(task, wall=until - task["start"]))
    return walls


def timing_summary(timing, polls=None, top=12):
    """Per-task costs; ``polls``: how many polls the groups' waits made (from the request log)."""
    if not timing or not timing.get("tasks"):
        return None
    walls = task_walls(timing)
    by_task = OrderedDict()
    for task in walls:
        key = task["name"]
        entry = by_task.setdefault(key, {"task": key, "action": task["action"], "runs": 0, "seconds": 0.0})
        entry["runs"] += 1
        entry["seconds"] += task["wall"]
    ranked = sorted(by_task.values(), key=lambda entry: -entry["seconds"])
    for entry in ranked:
        entry["seconds"] = round(entry["seconds"], 3)
    modules = [task for task in walls if task["action"].startswith("hwcloud.drs.") and task["status"] != "skipped"]
    return {
        "startup_seconds": round(timing["began"] - timing["process_began"], 3),
        "tasks_seconds": round(timing["ended"] - timing["began"], 3),
        "tasks_run": len(walls),
        "tasks_skipped": sum(1 for task in walls if task["status"] == "skipped"),
        "module_tasks": len(modules),
        "module_seconds": round(sum(task["wall"] for task in modules), 3),
        "other_tasks_seconds": round(sum(task["wall"] for task in walls) - sum(task["wall"] for task in modules), 3),
        "polls": polls,
        "top_tasks": ranked[:top],
    }


def median_run(measured):
    """Of several runs of one side, the run with the median wall time, with every run's wall time."""
    chosen = dict(sorted(measured, key=lambda result: result["seconds"])[(len(measured) - 1) // 2])
    chosen["seconds_of_runs"] = [result["seconds"] for result in measured]
    chosen["ok"] = all(result["ok"] for result in measured)
    chosen["at_floor"] = all(result["at_floor"] for result in measured)
    return chosen


def measure_side_by_side(workspace, sim, n, async_jobs, runs, sdk, progress=None):
    """The role, and the SDK script if ``sdk``, ``runs`` times each, interleaved on a fresh world each time.

    The two take turns, the one that goes first alternating from run to run, so that a machine that
    speeds up or slows down during the runs weighs on both alike. Returns (role, SDK or None).
    """
    role_runs, sdk_runs = [], []
    for run in range(runs):
        order = ("role", "sdk") if run % 2 == 0 else ("sdk", "role")
        for side in order:
            if side == "role":
                role_runs.append(measure_role_once(workspace, sim, n, async_jobs))
            elif sdk:
                sdk_runs.append(measure_sdk_once(workspace, sim, n, async_jobs))
        if progress:
            progress("N=%d: run %d/%d: role %.2f s, %d requests%s" % (
                n, run + 1, runs, role_runs[-1]["seconds"], role_runs[-1]["total"],
                "; SDK %.2f s, %d requests" % (sdk_runs[-1]["seconds"], sdk_runs[-1]["total"]) if sdk else ""))
    return median_run(role_runs), (median_run(sdk_runs) if sdk else None)


def launch_world(sim, n, async_jobs):
    """A fresh world of N tasks in batch async jobs ready to commit, and an empty request log."""
    sim.load_scenario(scenario(n, async_jobs))
    sim.clear_log()
    _tasks, jobs = world(sim)
    return [job["async_job_id"] for job in jobs], [len(job["job_ids"]) for job in jobs]


def launch_figures(sim, run, n, job_sizes):
    """What every launch reports: outcome, requests per endpoint and per step against the floor, time segments."""
    log = sim.request_log
    ok, statuses, started_once = outcome(sim, run)
    by_route, errors = requests_by_route(log)
    by_step = requests_by_step(log)
    expected = floor(n, job_sizes)
    total = sum(by_route.values())
    return OrderedDict([
        ("ok", ok), ("rc", run["rc"]), ("timed_out", run["timed_out"]), ("seconds", round(run["seconds"], 3)),
        ("load", run["load"]), ("requests", by_route), ("total", total), ("http_errors", errors),
        ("floor", expected), ("floor_total", sum(expected.values())),
        ("at_floor", all(by_route.get(route, 0) == count for route, count in expected.items()) and total == sum(expected.values())),
        ("requests_by_step", by_step), ("floor_by_step", floor_by_step(n, job_sizes)),
        ("time_segments", time_segments(log, run["began"], run["seconds"])),
        ("async_job_sizes", job_sizes), ("final_statuses", statuses), ("each_started_once", started_once),
    ]), log


def measure_role_once(workspace, sim, n, async_jobs):
    async_job_ids, job_sizes = launch_world(sim, n, async_jobs)
    extra_vars = {
        "batch_launch_async_job_ids": async_job_ids,
        "batch_launch_poll_interval": POLL_INTERVAL,
        "batch_launch_wait_timeout": 600,
        "batch_launch_commit_wait_timeout": 120,
    }
    run = workspace.playbook("role-%d" % n, os.path.join(PLAYBOOKS, "launch_role.yml"), extra_vars, sim, calls=20)
    result, log = launch_figures(sim, run, n, job_sizes)
    first_start = next((index for index, entry in enumerate(log) if entry["route"] == "batch-starting"), len(log))
    status_before = sum(1 for entry in log[:first_start] if entry["route"] == "batch-status")
    status_after = sum(1 for entry in log[first_start:] if entry["route"] == "batch-status")
    polls_seen = status_after / float(pages(n, STATUS_PAGE))
    result.update([("batch_status_before_start", status_before), ("batch_status_polling", status_after),
                   ("polls", round(polls_seen, 2)), ("timing", timing_summary(run["timing"], polls=polls_seen)),
                   ("launch_task", launch_task_segments(run["timing"], log))])
    if not result["ok"]:
        result["output_tail"] = run["output_tail"]
    return result


def launch_task_segments(timing, log):
    """The role's step tasks (drs_batch_launch) around the requests: the one that sends the first request, from its
    start to that request; the one that sends the last, from that request to its end; and the summary step.

    A task's end is the next task's start (bench_timing records starts only), so it includes Ansible's
    handling of the task's result.
    """
    if not timing or not log:
        return None
    steps = [task for task in task_walls(timing) if task["action"].endswith("drs_batch_launch")]

    def step_at(moment):
        return next((task for task in steps if task["start"] <= moment < task["start"] + task["wall"]), None)

    first, last = step_at(log[0]["time"]), step_at(log[-1]["time"])
    if first is None or last is None:
        return None
    return OrderedDict([
        ("seconds", round(sum(task["wall"] for task in steps), 3)),
        ("to its first request", round(log[0]["time"] - first["start"], 3)),
        ("after its last request", round(last["start"] + last["wall"] - log[-1]["time"], 3)),
        ("summary step", round(sum(task["wall"] for task in steps if task["start"] > log[-1]["time"]), 3)),
    ])


def sdk_available():
    return importlib.util.find_spec("huaweicloudsdkdrs") is not None and importlib.util.find_spec("huaweicloudsdkcore") is not None


def measure_sdk_once(workspace, sim, n, async_jobs):
    """One run of benchmarks/sdk_baseline.py, the hand-written launch over the vendor SDK, in its own process."""
    async_job_ids, job_sizes = launch_world(sim, n, async_jobs)
    credential = sim.credentials[0]
    env = dict((key, value) for key, value in workspace.env.items() if not key.startswith("HW_"))
    env.update(HW_ACCESS_KEY=credential["ak"], HW_SECRET_KEY=credential["sk"])
    command = [sys.executable, SDK_SCRIPT, "--endpoint", sim.url, "--project-id", sim.project_id,
               "--poll-interval", str(POLL_INTERVAL), "--timeout", "600"]
    for async_job_id in async_job_ids:
        command += ["--async-job-id", async_job_id]
    timeout = RUN_TIMEOUT_BASE + RUN_TIMEOUT_PER_CALL * 20
    load_before = loadavg()
    began = time.time()
    try:
        # run() kills the script when the timeout passes (or on Ctrl-C) before it raises
        done = subprocess.run(command, env=env, cwd=workspace.path, capture_output=True, text=True, timeout=timeout, check=False)
        rc, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        # what the script wrote before it was stopped (bytes, whatever text=True says)
        rc = None
        stdout, stderr = [value.decode("utf-8", "replace") if isinstance(value, bytes) else value or ""
                          for value in (exc.stdout, exc.stderr)]
    seconds = time.time() - began
    run = {"rc": rc, "timed_out": rc is None, "began": began, "seconds": seconds,
           "load": [load_before[0] if load_before else None, (loadavg() or [None])[0]]}
    result, _log = launch_figures(sim, run, n, job_sizes)
    try:
        report = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}
    except ValueError:
        report = {}
    result.update([("import_seconds", report.get("import_seconds")), ("in_process_seconds", report.get("seconds")),
                   ("steps", report.get("steps"))])
    if not result["ok"]:
        result["output_tail"] = ("%s\n%s" % (stdout, stderr))[-3000:]
    return result


def measure_baseline(workspace, sim, n, async_jobs):
    sim.load_scenario(scenario(n, async_jobs))
    sim.clear_log()
    tasks, jobs = world(sim)
    extra_vars = {
        "baseline_async_job_ids": [job["async_job_id"] for job in jobs],
        "baseline_job_ids": [task["id"] for task in tasks],
    }
    calls = len(jobs) + 2 * len(tasks)
    run = workspace.playbook("baseline-%d" % n, os.path.join(PLAYBOOKS, "launch_baseline.yml"), extra_vars, sim, calls=calls)
    log = sim.request_log
    ok, statuses, started_once = outcome(sim, run)
    by_route, errors = requests_by_route(log)
    uri_calls = len(log)
    result = OrderedDict([
        ("ok", ok), ("rc", run["rc"]), ("timed_out", run["timed_out"]), ("seconds", round(run["seconds"], 3)),
        ("load", run["load"]), ("requests", by_route), ("total", sum(by_route.values())), ("http_errors", errors),
        ("uri_calls", uri_calls), ("final_statuses", statuses), ("each_started_once", started_once),
    ])
    timing = timing_summary(run["timing"])
    if timing:
        result["startup_seconds"] = timing["startup_seconds"]
        result["seconds_per_uri_call"] = round(timing["tasks_seconds"] / uri_calls, 4) if uri_calls else None
    if not ok:
        result["output_tail"] = run["output_tail"]
    return result


def write_playbook(path, tasks):
    lines = ["---", "- name: Per-task cost", "  hosts: all", "  gather_facts: false", "  tasks:"]
    if not tasks:
        lines[-1] += " []"
    for index, (module, args) in enumerate(tasks, 1):
        lines.append("    - name: Task %d" % index)
        lines.append("      %s: %s" % (module, json.dumps(args)))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def measure_overhead(workspace, sim, k, rounds=1):
    """Per-task cost: a playbook of K tasks of each kind, minus an empty playbook, over K.

    The three playbooks run in turn, ``rounds`` times; each one's median wall time is used.
    """
    sim.load_scenario(scenario(1, 1))
    tasks, _jobs = world(sim)
    job_id = tasks[0]["id"]
    kinds = OrderedDict([
        ("empty", ("ansible.builtin.ping", {}, 0)),
        ("ansible.builtin.ping", ("ansible.builtin.ping", {}, k)),
        ("hwcloud.drs.drs_batch_status", ("hwcloud.drs.drs_batch_status", {"jobs": [job_id]}, k)),
    ])
    playbooks = OrderedDict()
    for label, (module, args, count) in kinds.items():
        run_dir = workspace.run_dir("playbook-of-%d-%s" % (count, label.rsplit(".", 1)[-1]))
        playbooks[label] = write_playbook(os.path.join(run_dir, "tasks.yml"), [(module, args)] * count)
    walls = OrderedDict((label, []) for label in kinds)
    for _round in range(rounds):
        for label, (_module, _args, count) in kinds.items():
            run = workspace.playbook("overhead-%s" % label.rsplit(".", 1)[-1], playbooks[label], {}, sim, calls=count)
            if run["rc"] != 0:
                raise RuntimeError("the %s playbook failed (rc %s): %s" % (label, run["rc"], run["output_tail"]))
            walls[label].append(run["seconds"])
    seconds = OrderedDict((label, statistics.median(values)) for label, values in walls.items())
    per_task = OrderedDict((label, round((seconds[label] - seconds["empty"]) / k, 4)) for label in list(kinds)[1:])
    return OrderedDict([
        ("tasks_per_playbook", k),
        ("rounds", rounds),
        ("empty_playbook_seconds", round(seconds["empty"], 3)),
        ("playbook_seconds", OrderedDict((label, round(value, 3)) for label, value in seconds.items() if label != "empty")),
        ("seconds_per_task", per_task),
        ("module_over_ping_seconds", round(per_task["hwcloud.drs.drs_batch_status"] - per_task["ansible.builtin.ping"], 4)),
    ])


IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
WATCHED_IMPORTS = ("ansible.module_utils.basic", "requests", "urllib3", "charset_normalizer", "idna",
                   "ansible_collections.hwcloud.drs.plugins.module_utils._client",
                   "ansible_collections.hwcloud.drs.plugins.module_utils._module")


def parse_importtime(text):
    """Cumulative milliseconds of the watched modules and of all top-level imports."""
    found = {}
    top_level = 0.0
    for line in text.splitlines():
        match = IMPORT_LINE.match(line)
        if not match:
            continue
        cumulative, indent, name = int(match.group(2)), len(match.group(3)), match.group(4)
        if indent <= 1:
            top_level += cumulative
        if name in WATCHED_IMPORTS and name not in found:
            found[name] = round(cumulative / 1000.0, 1)
    return round(top_level / 1000.0, 1), found


def import_times(payload, env, runs, cwd):
    """``-X importtime`` of the payload, ``runs`` times: the median of each figure."""
    totals, watched = [], {}
    for _run in range(runs):
        traced = subprocess.run([sys.executable, "-X", "importtime", payload], env=env, cwd=cwd, capture_output=True,
                                text=True, timeout=120, check=False)
        total, found = parse_importtime(traced.stderr)
        totals.append(total)
        for name, value in found.items():
            watched.setdefault(name, []).append(value)
    return (round(statistics.median(totals), 1),
            OrderedDict((name, round(statistics.median(values), 1)) for name, values in sorted(watched.items())))


def timed_runs(command, env, runs, cwd):
    seconds = []
    for _run in range(runs):
        began = time.time()
        subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
        seconds.append(time.time() - began)
    return round(statistics.median(seconds) * 1000.0, 1)


# Runs an AnsiballZ payload under cProfile (``runpy`` gives it the ``__main__.__file__`` it expects).
PROFILE_DRIVER = ("import cProfile, runpy, sys\n"
                  "payload, out = sys.argv[1], sys.argv[2]\n"
                  "sys.argv = [payload]\n"
                  "cProfile.run('runpy.run_path(payload, run_name=\"__main__\")', out)\n")


def profile_phases(payload, env, cwd, module):
    """Where one module process spends its time, by cProfile (which inflates Python-heavy parts a little)."""
    out = os.path.join(cwd, "%s.prof" % os.path.basename(os.path.dirname(payload)))
    subprocess.run([sys.executable, "-c", PROFILE_DRIVER, payload, out], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120, check=False)
    if not os.path.exists(out):
        return None
    stats = pstats.Stats(out).stats  # {(file, line, function): (calls, primitive calls, own, cumulative, callers)}

    def cumulative(file_suffix, function):
        return sum(value[3] for key, value in stats.items() if key[0].endswith(file_suffix) and key[2] == function)

    total = max(value[3] for value in stats.values())
    compiled = sum(value[2] for key, value in stats.items() if key[2] == "<built-in method builtins.compile>")
    module_main = cumulative("/%s.py" % module, "main")
    phases = OrderedDict([
        ("total_ms", total),
        ("before_main_ms", total - module_main),
        ("compile_zipped_sources_ms", compiled),
        ("main_ms", module_main),
        ("http_ms", cumulative("module_utils/_client.py", "send")),
        ("exit_json_ms", cumulative("module_utils/basic.py", "exit_json")),
        ("remove_values_ms", cumulative("module_utils/common/parameters.py", "remove_values")),
    ])
    return OrderedDict((key, round(value * 1000.0, 1)) for key, value in phases.items())


def profile_module(workspace, sim, runs, big):
    """Run the AnsiballZ payloads of ping and drs_batch_status (1 and ``big`` tasks) directly.

    One playbook runs the three tasks with ANSIBLE_KEEP_REMOTE_FILES; each payload kept is
    then run ``runs`` times: wall time (median), import times (``-X importtime``, median) and,
    for drs_batch_status, a cProfile breakdown into phases (one run).
    """
    sim.load_scenario(scenario(big, 1))
    tasks, _jobs = world(sim)
    ids = [task["id"] for task in tasks]
    cases = [("ping", ("ansible.builtin.ping", {})), ("drs_batch_status", ("hwcloud.drs.drs_batch_status", {"jobs": ids[:1]}))]
    if big > 1:
        cases.append(("drs_batch_status %d tasks" % big, ("hwcloud.drs.drs_batch_status", {"jobs": ids})))
    env = dict(workspace.env, HW_DRS_ENDPOINT=sim.url, HW_PROJECT_ID=sim.project_id, HW_AUTH_TOKEN=sim.auth_token)
    run_dir = workspace.run_dir("module-profile")
    remote_tmp = os.path.join(run_dir, "remote-tmp")
    playbook = write_playbook(os.path.join(run_dir, "profile.yml"), [case for _label, case in cases])
    run = workspace.playbook("module-profile", playbook, {}, sim, calls=len(cases), env={
        "ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_PIPELINING": "0", "ANSIBLE_REMOTE_TEMP": remote_tmp})
    if run["rc"] != 0:
        raise RuntimeError("the profile playbook failed (rc %s): %s" % (run["rc"], run["output_tail"]))
    kept = {}
    for folder, _dirs, files in os.walk(remote_tmp):
        for name in files:
            if name.startswith("AnsiballZ_") and name.endswith(".py"):
                kept.setdefault(name[len("AnsiballZ_"):-3], []).append(os.path.join(folder, name))
    # the payload embeds the task's arguments: of two drs_batch_status payloads, the larger has more IDs
    for paths in kept.values():
        paths.sort(key=os.path.getsize)
    result = OrderedDict([("runs", runs), ("python_startup_ms", timed_runs([sys.executable, "-c", "pass"], env, runs, run_dir))])
    for label, (module, _args) in cases:
        short = module.rsplit(".", 1)[-1]
        if not kept.get(short):
            raise RuntimeError("no AnsiballZ payload of %s was kept in %s" % (module, remote_tmp))
        payload = kept[short].pop(0)
        wall = timed_runs([sys.executable, payload], env, runs, run_dir)
        imports_ms, watched = import_times(payload, env, runs, run_dir)
        entry = OrderedDict([("process_ms", wall), ("imports_ms", imports_ms), ("imports", watched)])
        if short != "ping":
            entry["phases"] = profile_phases(payload, env, run_dir, short)
        result[label] = entry
    return result


# --------------------------------------------------------------------------- report

def ratio(numerator, denominator):
    return round(numerator / float(denominator), 1) if numerator and denominator else None


def comparisons(launches):
    for launch in launches:
        role, baseline, sdk = launch["role"], launch.get("baseline"), launch.get("sdk")
        if baseline and baseline["ok"] and role["ok"]:
            launch["request_ratio"] = ratio(baseline["total"], role["total"])
            launch["time_ratio"] = ratio(baseline["seconds"], role["seconds"])
        if sdk and sdk["ok"] and role["ok"]:
            launch["sdk_time_ratio"] = round(role["seconds"] / sdk["seconds"], 2)


def sdk_targets(launches):
    """Issue 19: the role at the floor, and at most 1.5x the SDK script's wall time at N=1,000, 1.0x at 10,000."""
    rows = []
    for launch in launches:
        target = TARGET_SDK_TIME_RATIO.get(launch["n"])
        ratio_now = launch.get("sdk_time_ratio")
        rows.append(OrderedDict([
            ("n", launch["n"]), ("requests_at_floor", launch["role"]["at_floor"]),
            ("role_requests", launch["role"]["total"]), ("floor", launch["role"]["floor_total"]),
            ("sdk_requests", launch["sdk"]["total"] if launch.get("sdk") else None),
            ("sdk_time_ratio", ratio_now), ("sdk_time_ratio_target", target),
            ("met", launch["role"]["at_floor"] and (target is None or (ratio_now is not None and ratio_now <= target))),
        ]))
    return rows


def targets(launches):
    measured = [launch for launch in launches if launch.get("request_ratio")]
    if not measured:
        return None
    launch = measured[-1]
    return OrderedDict([
        ("n", launch["n"]),
        ("requests_at_floor", launch["role"]["at_floor"]),
        ("request_ratio", launch["request_ratio"]),
        ("request_ratio_target", TARGET_REQUEST_RATIO),
        ("time_ratio", launch["time_ratio"]),
        ("time_ratio_target", TARGET_TIME_RATIO),
        ("met", launch["role"]["at_floor"] and launch["request_ratio"] >= TARGET_REQUEST_RATIO
         and launch["time_ratio"] >= TARGET_TIME_RATIO),
    ])


def peak(load):
    values = [value for value in (load or []) if value is not None]
    return max(values) if values else None


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return "%.*f" % (digits, value)
    return str(value)


def table(headers, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(cell).rjust(width) for cell, width in zip(headers, widths))]
    lines.append("  ".join("-" * width for width in widths))
    lines.extend("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths)) for row in rows)
    return "\n".join(lines)


def render(results):
    out = []
    settings = results["settings"]
    host = results["host"]
    out.append("hwcloud.drs launch benchmark  %s  (%d CPUs, Python %s, ansible-core %s, load %s -> %s, pipelining %s)" % (
        results["when"], host["cpus"], host["python"], host["ansible_core"], host["loadavg_before"], host["loadavg_after"],
        "on" if settings["pipelining"] else "off"))
    out.append("Simulator speed instant; N tasks in %d batch async jobs; pages/chunks of %d." % (settings["async_jobs"], STATUS_PAGE))
    out.append("")
    out.append("HTTP requests of the role per endpoint, measured/floor (simulator request log)")
    rows = []
    for launch in results["launches"]:
        role, baseline, sdk = launch["role"], launch.get("baseline"), launch.get("sdk")
        rows.append([launch["n"]] + ["%d/%d" % (role["requests"].get(route, 0), role["floor"][route]) for route in ROUTES] + [
            role["total"], role["floor_total"], "yes" if role["at_floor"] else "NO", fmt(role["polls"], 0),
            sdk["total"] if sdk else "-", baseline["total"] if baseline else "-",
            "%sx" % fmt(launch.get("request_ratio")) if launch.get("request_ratio") else "-"])
    out.append(table(["N"] + list(ROUTES) + ["total", "floor", "at floor", "polls", "sdk", "baseline", "fewer"], rows))
    out.append("floor (issue 19, a freshly committed batch): per async job 1 async-list + 1 commit + ceil(tasks/100)")
    out.append("       async-detail; then ceil(N/100) each: batch-status until no task is CREATING, batch-precheck,")
    out.append("       batch-precheck-result, batch-starting, batch-status until every task is at its target (every wait")
    out.append("       ends at its first poll at speed instant); no batch-progress on the poll that ends a wait.")
    out.append("       sdk = the SDK script's total; baseline = the uri playbook's, fewer = baseline/role.")
    by_step = [launch for launch in results["launches"] if launch["role"].get("requests_by_step")]
    if by_step:
        out.append("")
        out.append("Requests per step, role/floor/SDK script (steps cut at the first batch-precheck and the first batch-starting)")
        steps = list(STEPS)
        for launch in by_step:
            steps.extend(step for step in launch["role"]["requests_by_step"] if step not in steps)
        rows = []
        for step in steps + ["total", "over the floor"]:
            row = [step]
            for launch in by_step:
                role, sdk = launch["role"], launch.get("sdk")
                if step == "total":
                    counts = (role["total"], role["floor_total"], sdk["total"] if sdk else None)
                elif step == "over the floor":
                    counts = (role["total"] - role["floor_total"], 0, sdk["total"] - sdk["floor_total"] if sdk else None)
                else:
                    counts = (role["requests_by_step"].get(step, 0), role["floor_by_step"].get(step, 0),
                              sdk["requests_by_step"].get(step, 0) if sdk else None)
                row.append("%d/%d/%s" % (counts[0], counts[1], "-" if counts[2] is None else counts[2]))
            rows.append(row)
        out.append(table(["step"] + ["N=%d" % launch["n"] for launch in by_step], rows))
    sided = [launch for launch in results["launches"] if launch.get("sdk")]
    if sided:
        out.append("")
        out.append("Wall time (s), role vs hand-written vendor-SDK script (sdk_baseline.py), interleaved run for run")
        rows = []
        for launch in sided:
            role, sdk = launch["role"], launch["sdk"]
            rows.append([launch["n"], fmt(role["seconds"], 2), fmt(sdk["seconds"], 2),
                         "%sx" % fmt(launch.get("sdk_time_ratio"), 2) if launch.get("sdk_time_ratio") else "-",
                         fmt(sdk.get("import_seconds"), 2), fmt(sdk.get("in_process_seconds"), 2),
                         " ".join(fmt(value, 2) for value in role["seconds_of_runs"]),
                         " ".join(fmt(value, 2) for value in sdk["seconds_of_runs"]),
                         "%s/%s" % ("ok" if role["ok"] else "FAILED", "ok" if sdk["ok"] else "FAILED"),
                         "%d/%d/%d" % (role["total"], role["floor_total"], sdk["total"]),
                         "%s/%s" % (fmt(peak(role.get("load")), 1), fmt(peak(sdk.get("load")), 1))])
        out.append(table(["N", "role", "SDK", "role/SDK", "SDK imports", "SDK steps", "role runs", "SDK runs", "ok",
                          "requests role/floor/SDK", "load"], rows))
        out.append("role, SDK = median of %s run(s) of the whole process (ansible-playbook; python sdk_baseline.py), the two"
                   % settings.get("repeat", 1))
        out.append("taking turns; SDK imports = its import of huaweicloudsdkcore and huaweicloudsdkdrs v3 and v5, SDK steps = its")
        out.append("steps after them (its own clocks); both wait with a poll interval of %s s." % settings.get("poll_interval", POLL_INTERVAL))
        out.append("")
        out.append("Where the median run's time goes (s), role/SDK, cut at requests of the simulator's log")
        segments = [key for key in (sided[0]["role"].get("time_segments") or {}) if key != "longest pause between"]
        role_segments = [launch["role"].get("time_segments") or {} for launch in sided]
        sdk_segments = [launch["sdk"].get("time_segments") or {} for launch in sided]
        rows = [[key] + ["%s/%s" % (fmt(role.get(key), 2), fmt(sdk.get(key), 2)) for role, sdk in zip(role_segments, sdk_segments)]
                for key in segments]
        rows.append(["longest pause between (role)"] + [role.get("longest pause between", "-") for role in role_segments])
        launch_tasks = [launch["role"].get("launch_task") or {} for launch in sided]
        for key in ("to its first request", "after its last request"):
            rows.append(["role's step: %s" % key] + [fmt(task.get(key), 2) for task in launch_tasks])
        rows.append(["role's summary step"] + [fmt(task.get("summary step"), 2) for task in launch_tasks])
        out.append(table(["segment"] + ["N=%d" % launch["n"] for launch in sided], rows))
        out.append("to the first request: process start, imports, the role's input checks; precheck: from the first")
        out.append("batch-precheck to the first batch-starting (the reads of the results, and any pause between them);")
        out.append("role's step: the step task (drs_batch_launch) that sends the first request, from its start, and the one that")
        out.append("sends the last, to its end, which is where the next task starts, its result handed over; summary: its task.")
    goals = results.get("sdk_targets")
    if goals:
        out.append("")
        out.append("issue 19 targets: " + "; ".join(
            "N=%d requests %d (floor %d%s)%s" % (
                goal["n"], goal["role_requests"], goal["floor"], ", SDK %d" % goal["sdk_requests"] if goal["sdk_requests"] is not None else "",
                ", role/SDK %sx (target <= %sx)" % (fmt(goal["sdk_time_ratio"], 2), fmt(goal["sdk_time_ratio_target"], 1))
                if goal["sdk_time_ratio_target"] else "")
            for goal in goals) + ": %s" % ("MET" if all(goal["met"] for goal in goals) else "NOT MET"))
    out.append("")
    out.append("Wall time (s) of the whole ansible-playbook run, role vs baseline (one uri call per task)")
    rows = []
    for launch in results["launches"]:
        role, baseline = launch["role"], launch.get("baseline")
        timing = role.get("timing") or {}
        rows.append([launch["n"], fmt(role["seconds"], 2), "ok" if role["ok"] else "FAILED", fmt(timing.get("startup_seconds"), 2),
                     fmt(timing.get("module_seconds"), 2),
                     fmt(timing.get("other_tasks_seconds", timing.get("tasks_seconds", 0) - timing.get("module_seconds", 0)), 2),
                     fmt(baseline["seconds"], 1) if baseline else "-",
                     ("ok" if baseline["ok"] else "FAILED") if baseline else "-",
                     baseline["uri_calls"] if baseline else "-",
                     fmt(baseline.get("seconds_per_uri_call"), 3) if baseline else "-",
                     "%sx" % fmt(launch.get("time_ratio")) if launch.get("time_ratio") else "-",
                     "%s/%s" % (fmt(peak(role.get("load")), 1), fmt(peak(baseline.get("load")), 1) if baseline else "-")])
    out.append(table(["N", "role", "role ok", "startup", "module tasks", "other tasks", "baseline", "base ok",
                      "uri calls", "s/uri call", "faster", "load"], rows))
    out.append("role = median of %s run(s): ansible-playbook startup + its tasks (each from its start to the next task's start);"
               % settings.get("repeat", 1))
    out.append("module tasks = the hwcloud.drs tasks (the role's steps: drs_batch_launch); per poll: benchmarks/soak.py;")
    out.append("load = 1-min load average (the higher of before/after) during the role / the baseline run: other work on")
    out.append("the machine slows both.")
    goal = results.get("targets")
    if goal:
        out.append("targets at N=%d: requests at floor %s; %sx fewer requests (target >= %dx); %sx faster (target >= %dx): %s" % (
            goal["n"], "yes" if goal["requests_at_floor"] else "NO", fmt(goal["request_ratio"]), goal["request_ratio_target"],
            fmt(goal["time_ratio"]), goal["time_ratio_target"], "MET" if goal["met"] else "NOT MET"))
    overhead = results.get("overhead")
    if overhead:
        per_task = overhead["seconds_per_task"]
        out.append("")
        out.append("Per-task cost: playbooks of K=%d tasks minus an empty playbook (%.2f s), over K (median of %d rounds)" % (
            overhead["tasks_per_playbook"], overhead["empty_playbook_seconds"], overhead.get("rounds", 1)))
        out.append(table(["task", "s/task"], [[label, fmt(value, 3)] for label, value in per_task.items()] + [
            ["drs_batch_status over ping", fmt(overhead["module_over_ping_seconds"], 3)]]))
    profile = results.get("module_profile")
    if profile:
        out.append("")
        out.append("Module process run directly (AnsiballZ payload, median of %d; python -c pass: %s ms); imports by -X importtime"
                   % (profile["runs"], fmt(profile["python_startup_ms"], 0)))
        rows = []
        modules = [label for label, entry in profile.items() if isinstance(entry, dict)]
        for module in modules:
            entry = profile[module]
            imports = entry["imports"]
            phases = entry.get("phases") or {}
            rows.append([module, fmt(entry["process_ms"], 0), fmt(entry["imports_ms"], 0),
                         fmt(imports.get("ansible.module_utils.basic"), 0), fmt(imports.get("requests"), 0),
                         fmt(phases.get("compile_zipped_sources_ms"), 0), fmt(phases.get("main_ms"), 0),
                         fmt(phases.get("http_ms"), 0), fmt(phases.get("exit_json_ms"), 0)])
        out.append(table(["module", "process ms", "imports ms", "ansible basic ms", "requests ms",
                          "compile ms*", "main() ms*", "HTTP ms*", "exit_json ms*"], rows))
        out.append("* cProfile of one run: compile() of the module_utils sources zipped in the payload (zipimport caches no")
        out.append("  bytecode, so every run compiles them again), the module's main(), its HTTP exchanges, exit_json.")
    biggest = results["launches"][-1]
    timing = biggest["role"].get("timing")
    if timing:
        out.append("")
        out.append("Where the role's time goes at N=%d: startup %.2f s, %d tasks (%d skipped) in %.2f s, %d module tasks %.2f s"
                   % (biggest["n"], timing["startup_seconds"], timing["tasks_run"], timing["tasks_skipped"],
                      timing["tasks_seconds"], timing["module_tasks"], timing["module_seconds"]))
        out.append(table(["task (start to next start)", "runs", "s"],
                         [[entry["task"][-60:], entry["runs"], fmt(entry["seconds"], 2)] for entry in timing["top_tasks"]]))
    return "\n".join(out)


def compare(results, previous):
    out = ["", "Comparison with %s (%s, load %s; now load %s)" % (
        previous.get("_path", "previous run"), previous.get("when", "?"), previous.get("host", {}).get("loadavg_before"),
        results["host"]["loadavg_before"])]
    old = dict((launch["n"], launch) for launch in previous.get("launches", []))
    rows = []
    for launch in results["launches"]:
        before = old.get(launch["n"])
        if not before:
            continue
        role, was = launch["role"], before["role"]
        base, base_was = launch.get("baseline"), before.get("baseline")
        sdk, sdk_was = launch.get("sdk"), before.get("sdk")
        rows.append([launch["n"], "%d -> %d" % (was["total"], role["total"]),
                     "%s -> %s" % (fmt(was["seconds"], 2), fmt(role["seconds"], 2)), change(was["seconds"], role["seconds"]),
                     "%s -> %s" % (fmt(sdk_was["seconds"], 2), fmt(sdk["seconds"], 2)) if sdk and sdk_was else "-",
                     "%s -> %s" % (fmt(before.get("sdk_time_ratio"), 2), fmt(launch.get("sdk_time_ratio"), 2)),
                     "%s -> %s" % (fmt(base_was["seconds"], 1), fmt(base["seconds"], 1)) if base and base_was else "-",
                     "%s -> %s" % (fmt(before.get("time_ratio")), fmt(launch.get("time_ratio")))])
    if rows:
        out.append(table(["N", "role requests", "role s", "change", "SDK s", "role/SDK", "baseline s", "faster (x)"], rows))
    else:
        out.append("no size in common")
    now, then = results.get("overhead"), previous.get("overhead")
    if now and then:
        for label, value in now["seconds_per_task"].items():
            was = then.get("seconds_per_task", {}).get(label)
            if was is not None:
                out.append("%s s/task: %s -> %s (%s)" % (label, fmt(was, 3), fmt(value, 3), change(was, value)))
    now, then = results.get("module_profile"), previous.get("module_profile")
    if now and then and "drs_batch_status" in then:
        out.append("drs_batch_status process ms: %s -> %s (%s)" % (
            fmt(then["drs_batch_status"]["process_ms"], 0), fmt(now["drs_batch_status"]["process_ms"], 0),
            change(then["drs_batch_status"]["process_ms"], now["drs_batch_status"]["process_ms"])))
    return "\n".join(out)


def change(before, after):
    if not before:
        return "-"
    return "%+.0f%%" % ((after - before) * 100.0 / before)


# --------------------------------------------------------------------------- main

def loadavg():
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def ansible_core_version():
    try:
        from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    return __version__


def run_benchmark(args, progress=print):
    """Measure everything the options ask for; returns the results (the JSON document)."""
    results = OrderedDict([
        ("version", JSON_VERSION),
        ("when", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("host", OrderedDict([("cpus", os.cpu_count()), ("python", platform.python_version()),
                              ("ansible_core", ansible_core_version()), ("loadavg_before", loadavg()),
                              ("loadavg_after", None)])),
        ("settings", OrderedDict([("sizes", args.sizes), ("baseline_sizes", args.baseline_sizes), ("sdk_sizes", args.sdk_sizes),
                                  ("async_jobs", args.async_jobs), ("status_page", STATUS_PAGE), ("start_chunk", START_CHUNK),
                                  ("repeat", args.repeat), ("overhead_tasks", args.overhead_tasks), ("profile_runs", args.profile_runs),
                                  ("pipelining", args.pipelining), ("poll_interval", POLL_INTERVAL), ("seed", args.seed)])),
        ("launches", []),
    ])
    workspace = Workspace(args.work_dir, keep=args.keep, pipelining=args.pipelining)
    try:
        sim = Simulator(scenario=scenario(1, 1), host="127.0.0.1", port=0, seed=args.seed)
        sim.start()
        try:
            measure_all(args, workspace, sim, results, progress)
        finally:
            sim.stop()
    finally:
        workspace.close()
    results["host"]["loadavg_after"] = loadavg()
    comparisons(results["launches"])
    results["targets"] = targets(results["launches"])
    results["sdk_targets"] = sdk_targets(results["launches"])
    return results


def measure_all(args, workspace, sim, results, progress):
    progress("warming up (an empty playbook, not timed)")
    warm = workspace.playbook("warm-up", write_playbook(os.path.join(workspace.run_dir("warm-up-playbook"), "empty.yml"), []),
                              {}, sim, calls=0)
    if warm["rc"] != 0:
        raise RuntimeError("ansible-playbook does not run (rc %s): %s" % (warm["rc"], warm["output_tail"]))
    if args.sdk_sizes:
        # the SDK's 17 MB of modules into the page cache, as the empty playbook does for Ansible's
        subprocess.run([sys.executable, "-c", "import huaweicloudsdkdrs.v3, huaweicloudsdkdrs.v5"], env=workspace.env,
                       cwd=workspace.path, capture_output=True, timeout=RUN_TIMEOUT_BASE, check=True)
    for n in args.sizes:
        sdk = n in args.sdk_sizes
        progress("N=%d: role%s, %d run(s)%s" % (n, " and SDK script" if sdk else "", args.repeat, " each, interleaved" if sdk else ""))
        role, sdk_result = measure_side_by_side(workspace, sim, n, args.async_jobs, args.repeat, sdk, progress)
        launch = OrderedDict([("n", n), ("role", role)])
        if sdk_result:
            launch["sdk"] = sdk_result
        progress("N=%d: role %.2f s (median), %d requests (floor %d)%s" % (
            n, role["seconds"], role["total"], role["floor_total"],
            "; SDK script %.2f s, %d requests" % (sdk_result["seconds"], sdk_result["total"]) if sdk_result else ""))
        if n in args.baseline_sizes:
            progress("N=%d: baseline, %d uri calls" % (n, min(args.async_jobs, n) + 2 * n))
            launch["baseline"] = measure_baseline(workspace, sim, n, args.async_jobs)
            progress("N=%d: baseline %.1f s, %d requests" % (n, launch["baseline"]["seconds"], launch["baseline"]["total"]))
        results["launches"].append(launch)
    if args.overhead_tasks:
        progress("per-task cost, K=%d" % args.overhead_tasks)
        results["overhead"] = measure_overhead(workspace, sim, args.overhead_tasks, args.repeat)
    if args.profile_runs:
        progress("module process profile, %d runs" % args.profile_runs)
        results["module_profile"] = profile_module(workspace, sim, args.profile_runs, max(args.sizes))


def terminate(signum, _frame):
    """SIGTERM ends the run like Ctrl-C: the running playbook is stopped, the simulator and temp files cleaned up."""
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, terminate)
    previous = None
    if args.compare:
        with open(args.compare, encoding="utf-8") as handle:
            previous = json.load(handle)
        previous["_path"] = args.compare
    if args.show:
        with open(args.show, encoding="utf-8") as handle:
            print(render(json.load(handle)))
        if previous is not None:
            with open(args.show, encoding="utf-8") as handle:
                print(compare(json.load(handle), previous))
        return 0
    began = time.time()

    def progress(message):
        print("... [%5.0f s] %s" % (time.time() - began, message), file=sys.stderr, flush=True)

    results = run_benchmark(args, progress=progress)
    results["seconds"] = round(time.time() - began, 1)
    path = args.json_path or os.path.join(RESULTS_DIR, "launch-%s.json" % results["when"].replace(":", "").replace("-", ""))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)
        handle.write("\n")
    print(render(results))
    if previous is not None:
        print(compare(results, previous))
    print("\nbenchmark run took %.0f s; results written to %s" % (results["seconds"], os.path.relpath(path)))
    failed = [launch["n"] for launch in results["launches"]
              if not launch["role"]["ok"] or any(launch.get(side) and not launch[side]["ok"] for side in ("baseline", "sdk"))]
    if failed:
        print("a run did not launch every task at N=%s: see output_tail in the JSON" % failed, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
