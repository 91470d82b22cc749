#!/usr/bin/env python
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Soak test of the batch_launch role's wait: N polls of one DRS task that does not move.

    .venv/bin/python benchmarks/soak.py [--polls 2000] [--json PATH] [--work-dir DIR] [--keep] [--show PATH]

Starts the DRS simulator in this process with one task held in FULL_TRANSFER_STARTED
(``speed: 0``, fixed progress) and runs the role on it with ``batch_launch_poll_interval``
at its minimum (0.1 s), reading ansible-playbook's stdout line by line as it comes. After
the N-th progress line it replaces the simulator's world with the same task in
INCRE_TRANSFER_STARTED, so poll N + 1 finds it there and the role ends normally (rc 0).
To make that exact, poll N + 1's status read is held a few seconds by a ``slow`` fault,
long enough for the world to be replaced first: the fault rule is added at the first
progress line and counts the status reads from there, so poll 2's is its first.

It timestamps each progress line, samples the resident memory of ansible-playbook and of
its forked workers (the wait's step task, with the modules' code it runs, is one of them) at each line, and prints a
table of the figures and the targets of issue 11. See benchmarks/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
from collections import OrderedDict

from launch import (PLAYBOOKS, RESULTS_DIR, Simulator, Workspace, ansible_core_version, loadavg,
                    stop_playbook, table)

JSON_VERSION = 1
TASK_ID = "5a0c1fd6-7d5e-4b51-9bd4-0c3f5d2a50jb21"
POLL_INTERVAL = 0.1
HELD_PROGRESS = 42
HELD_REMAINING_SECONDS = 3600
# How long poll N + 1's status read is held while the world is replaced (the module's read timeout is 30 s).
HOLD_SECONDS = 5
WINDOW = 100
# Targets of issue 11.
TARGET_RATIO = 1.25
TARGET_RSS_GROWTH_MB = 50
TARGET_LINES_PER_POLL = 2
# Every run is bounded: a fixed allowance plus this much per poll (a poll takes about 0.5 s).
RUN_TIMEOUT_BASE = 300
RUN_TIMEOUT_PER_POLL = 3
OUTPUT_KEPT = 40

# A poll that finds tasks still on their way; the wait's closing line ("1 of 1 task at ...") is not one.
PROGRESS_LINE = re.compile(r"^Group \d+/\d+ after \S+: (\d+) of (?!\1 )\d+ tasks? at ")
TASK_BANNER = "TASK ["


def held_world():
    return {
        "description": "soak: one task held in FULL_TRANSFER_STARTED (clock frozen, progress fixed)",
        "speed": 0,
        "tasks": [{"id": TASK_ID, "name": "soak", "status": "FULL_TRANSFER_STARTED",
                   "progress": HELD_PROGRESS, "remaining_time": HELD_REMAINING_SECONDS}],
    }


def final_world():
    return {
        "description": "soak: the same task, now replicating",
        "speed": 0,
        "tasks": [{"id": TASK_ID, "name": "soak", "status": "INCRE_TRANSFER_STARTED"}],
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="soak.py", description="Soak the batch_launch role's wait (see benchmarks/README.md).")
    parser.add_argument("--polls", type=int, default=2000, help="progress lines (polls that find the task still held), "
                                                                "default 2000; then one more poll ends the wait")
    parser.add_argument("--json", dest="json_path", help="where to write the results (default benchmarks/results/soak-<UTC time>.json)")
    parser.add_argument("--work-dir", help="directory for the temporary files (default: a new temp dir, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary files (stdout, stderr) and say where")
    parser.add_argument("--show", metavar="PATH", help="print the table of a results JSON, measure nothing")
    args = parser.parse_args(argv)
    if not 2 <= args.polls <= 100000:
        parser.error("--polls must be between 2 and 100000")
    return args


# --------------------------------------------------------------------------- memory

def rss_kb(pid):
    """VmRSS of a process in kB, None once it is gone."""
    try:
        with open("/proc/%d/status" % pid, encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid):
    """The direct children of a process (from every thread's children list)."""
    found = []
    try:
        threads = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return found
    for thread in threads:
        try:
            with open("/proc/%d/task/%s/children" % (pid, thread), encoding="ascii") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def memory_sample(pid):
    """(ansible-playbook's RSS, the sum of its forked workers' RSS) in kB.

    The workers are its direct children: the wait task's action plugin runs in one of them
    for the whole wait. The module processes the worker starts once per poll are not counted.
    """
    workers = [rss_kb(child) for child in children(pid)]
    return rss_kb(pid), sum(value for value in workers if value)


# --------------------------------------------------------------------------- the run

class Watcher:
    """Reads ansible-playbook's stdout line by line: timestamps, memory, and the end of the hold after N lines."""

    def __init__(self, process, sim, polls):
        self.process = process
        self.sim = sim
        self.polls = polls
        self.line_count = 0
        self.wait_began = None
        self.poll_times = []
        self.main_rss = []
        self.worker_rss = []
        self.load = {}
        self.first_poll_line = None
        self.last_poll_line = None
        self.released_at_line = None
        self.held_polls = 0
        self.other_lines_during_wait = []
        self.recursion_lines = 0
        self.head = []
        self.tail = []

    def read(self):
        for raw in self.process.stdout:
            self.line(time.monotonic(), raw.decode("utf-8", "replace").rstrip("\n"))

    def line(self, when, text):
        self.line_count += 1
        if "recursion" in text.lower():
            self.recursion_lines += 1
        if len(self.head) < OUTPUT_KEPT:
            self.head.append(text)
        self.tail = (self.tail + [text])[-OUTPUT_KEPT:]
        if PROGRESS_LINE.match(text):
            self.poll_times.append(when)
            main, workers = memory_sample(self.process.pid)
            self.main_rss.append(main)
            self.worker_rss.append(workers)
            if len(self.poll_times) in (min(WINDOW, self.polls // 2), self.polls):
                self.load[len(self.poll_times)] = loadavg()
            if self.first_poll_line is None:
                self.first_poll_line = self.line_count
                # poll 2's status read is the rule's first matching call, poll N + 1's its N-th
                self.sim.inject_fault(route="batch-status", kind="slow", delay=HOLD_SECONDS, calls=[self.polls])
            self.last_poll_line = self.line_count
            if len(self.poll_times) == self.polls:
                self.sim.load_scenario(final_world())
                self.released_at_line = self.line_count
            return
        if text.startswith(TASK_BANNER) and not self.poll_times:
            self.wait_began = when  # the last banner before the first progress line: the wait task's
        elif self.first_poll_line is not None and self.released_at_line is None \
                and len(self.other_lines_during_wait) < OUTPUT_KEPT:
            self.other_lines_during_wait.append(text)


def run_soak(args, workspace, sim, progress):
    sim.load_scenario(held_world())
    run_dir = workspace.run_dir("soak-%d" % args.polls)
    vars_file = os.path.join(run_dir, "vars.json")
    with open(vars_file, "w", encoding="utf-8") as handle:
        json.dump({"batch_launch_jobs": [TASK_ID], "batch_launch_poll_interval": POLL_INTERVAL,
                   "batch_launch_wait_timeout": 86400}, handle)
    environment = dict(workspace.env, HW_DRS_ENDPOINT=sim.url, HW_PROJECT_ID=sim.project_id, HW_AUTH_TOKEN=sim.auth_token,
                       PYTHONUNBUFFERED="1")  # unbuffered: each line arrives when it is written
    for name in ("ANSIBLE_CALLBACKS_ENABLED", "ANSIBLE_CALLBACK_PLUGINS"):  # the default stdout callback alone
        environment.pop(name)
    command = [workspace.ansible_playbook, "-i", "localhost,", "-c", "local", os.path.join(PLAYBOOKS, "launch_role.yml"),
               "-e", "@" + vars_file]
    timeout = RUN_TIMEOUT_BASE + RUN_TIMEOUT_PER_POLL * args.polls
    stderr_path = os.path.join(run_dir, "stderr.log")
    progress("running the role: %d polls of one held task, at most %d s" % (args.polls, timeout))
    with open(stderr_path, "wb") as stderr:
        began = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=environment, cwd=run_dir,
                                   start_new_session=True)
        watcher = Watcher(process, sim, args.polls)
        reader = threading.Thread(target=watcher.read, name="soak-stdout", daemon=True)
        reader.start()
        try:
            rc = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        finally:
            stop_playbook(process)
            reader.join(timeout=30)
        seconds = time.monotonic() - began
    watcher.held_polls = sum(rule["fired"] for rule in sim.faults)
    with open(stderr_path, "rb") as handle:
        stderr_text = handle.read(1 << 20).decode("utf-8", "replace")
    return watcher, rc, seconds, stderr_text


# --------------------------------------------------------------------------- figures

def mean_poll_seconds(times, first, last, began):
    """Mean seconds per poll of polls first..last (1-based): poll k ends at its line, begins at the line before."""
    if last > len(times):
        return None
    start = times[first - 2] if first >= 2 else began
    if start is None:
        return None
    return (times[last - 1] - start) / float(last - first + 1)


def megabytes(kb):
    return None if kb is None else round(kb / 1024.0, 1)


def figures(args, watcher, rc, seconds, stderr_text):
    times, polls = watcher.poll_times, len(watcher.poll_times)
    window = min(WINDOW, args.polls // 2)
    first_window, last_window = (1, window), (args.polls - window + 1, args.polls)
    early = mean_poll_seconds(times, first_window[0], first_window[1], watcher.wait_began)
    late = mean_poll_seconds(times, last_window[0], last_window[1], watcher.wait_began)
    ratio = round(late / early, 3) if early and late else None

    def rss_at(series, poll):
        return series[poll - 1] if poll <= len(series) else None

    main_early, main_late = rss_at(watcher.main_rss, window), rss_at(watcher.main_rss, args.polls)
    workers_early, workers_late = rss_at(watcher.worker_rss, window), rss_at(watcher.worker_rss, args.polls)
    growth = None
    if None not in (main_early, main_late, workers_early, workers_late):
        growth = megabytes(main_late + workers_late - main_early - workers_early)
    wait_lines = (watcher.last_poll_line - watcher.first_poll_line + 1) if polls else 0
    lines_per_poll = round(wait_lines / float(polls), 3) if polls else None
    recursion = watcher.recursion_lines + stderr_text.lower().count("recursion")
    checks = OrderedDict([
        ("completed", rc == 0 and polls == args.polls),
        ("ratio", ratio is not None and ratio <= TARGET_RATIO),
        ("rss_growth", growth is not None and growth < TARGET_RSS_GROWTH_MB),
        ("lines_per_poll", lines_per_poll is not None and lines_per_poll <= TARGET_LINES_PER_POLL),
        ("no_recursion", recursion == 0),
    ])
    return OrderedDict([
        ("polls_asked", args.polls), ("progress_lines", polls), ("rc", rc), ("timed_out", rc is None),
        ("wall_seconds", round(seconds, 1)),
        ("window", window), ("first_window", first_window), ("last_window", last_window),
        ("mean_seconds_per_poll_first", round(early, 4) if early else None),
        ("mean_seconds_per_poll_last", round(late, 4) if late else None),
        ("ratio", ratio),
        ("main_rss_mb_first", megabytes(main_early)), ("main_rss_mb_last", megabytes(main_late)),
        ("workers_rss_mb_first", megabytes(workers_early)), ("workers_rss_mb_last", megabytes(workers_late)),
        ("rss_growth_mb", growth),
        ("loadavg_at_polls", OrderedDict((str(poll), load) for poll, load in sorted(watcher.load.items()))),
        ("stdout_lines", watcher.line_count), ("stdout_lines_during_wait", wait_lines),
        ("stdout_lines_per_poll", lines_per_poll),
        ("stdout_lines_per_poll_whole_run", round(watcher.line_count / float(polls), 3) if polls else None),
        ("other_lines_during_wait", watcher.other_lines_during_wait),
        ("recursion_mentions", recursion),
        ("held_polls", watcher.held_polls),
        ("checks", checks), ("passed", all(checks.values())),
        ("poll_seconds", [round(b - a, 4) for a, b in zip([watcher.wait_began] + times[:-1], times)]
         if watcher.wait_began is not None else []),
        ("main_rss_kb", watcher.main_rss), ("workers_rss_kb", watcher.worker_rss),
        ("stdout_head", watcher.head), ("stdout_tail", watcher.tail), ("stderr_tail", stderr_text[-3000:]),
    ])


def tenth_percentile(poll_seconds, window):
    """The 10th percentile of the polls in ``window`` (first, last; 1-based): the polls other work slowed least."""
    polls = sorted(poll_seconds[window[0] - 1:window[1]])
    return polls[len(polls) // 10] if polls else None


def verdict(ok):
    return "PASS" if ok else "FAIL"


def fmt(value, digits=3):
    if value is None:
        return "-"
    if isinstance(value, float):
        return "%.*f" % (digits, value)
    return str(value)


def render(results):
    soak, host = results["soak"], results["host"]
    checks = soak["checks"]
    first = "polls %d-%d" % tuple(soak["first_window"])
    last = "polls %d-%d" % tuple(soak["last_window"])
    out = ["hwcloud.drs soak of the batch_launch wait  %s  (%d CPUs, Python %s, ansible-core %s, load %s -> %s)" % (
        results["when"], host["cpus"], host["python"], host["ansible_core"], host["loadavg_before"], host["loadavg_after"]),
        "%d polls at batch_launch_poll_interval %s of one task held in FULL_TRANSFER_STARTED (simulator speed 0), "
        "then one poll that finds it replicating" % (soak["polls_asked"], POLL_INTERVAL), ""]
    rows = [
        ["progress lines (polls still waiting)", soak["progress_lines"], soak["polls_asked"], verdict(checks["completed"])],
        ["rc of ansible-playbook", fmt(soak["rc"]), 0, ""],
        ["mean s/poll, %s" % first, fmt(soak["mean_seconds_per_poll_first"]), "", ""],
        ["mean s/poll, %s" % last, fmt(soak["mean_seconds_per_poll_last"]), "", ""],
        ["ratio last/first", fmt(soak["ratio"], 2), "<= %s" % TARGET_RATIO, verdict(checks["ratio"])],
        ["10th percentile s/poll, %s / %s" % (first, last), "%s / %s" % (
            fmt(tenth_percentile(soak["poll_seconds"], soak["first_window"])),
            fmt(tenth_percentile(soak["poll_seconds"], soak["last_window"]))), "", ""],
        ["RSS ansible-playbook MB, poll %d / %d" % (soak["window"], soak["polls_asked"]),
         "%s / %s" % (fmt(soak["main_rss_mb_first"], 1), fmt(soak["main_rss_mb_last"], 1)), "", ""],
        ["RSS forked workers MB, poll %d / %d" % (soak["window"], soak["polls_asked"]),
         "%s / %s" % (fmt(soak["workers_rss_mb_first"], 1), fmt(soak["workers_rss_mb_last"], 1)), "", ""],
        ["RSS growth MB (ansible-playbook + workers)", fmt(soak["rss_growth_mb"], 1), "< %d" % TARGET_RSS_GROWTH_MB,
         verdict(checks["rss_growth"])],
        ["stdout lines per poll during the wait", fmt(soak["stdout_lines_per_poll"], 2), "<= %d" % TARGET_LINES_PER_POLL,
         verdict(checks["lines_per_poll"])],
        ["stdout lines of the whole run", soak["stdout_lines"], "", ""],
        ["'recursion' in stdout/stderr", soak["recursion_mentions"], 0, verdict(checks["no_recursion"])],
        ["wall time s", fmt(soak["wall_seconds"], 1), "", ""],
        ["1-min load average at poll %s" % " / ".join(soak["loadavg_at_polls"]),
         " / ".join(fmt(load[0], 2) if load else "-" for load in soak["loadavg_at_polls"].values()), "", ""],
    ]
    out.append(table(["measure", "value", "target", "result"], rows))
    out.append("s/poll: from one progress line to the next (poll 1 from the wait task's banner); RSS: VmRSS from /proc,")
    out.append("sampled at each progress line; workers: ansible-playbook's forked children (the wait's step task, which")
    out.append("runs the modules' code in its own process, runs in one). Default stdout callback, pipelining on.")
    out.append("soak: %s" % ("PASS" if soak["passed"] else "FAIL"))
    return "\n".join(out)


# --------------------------------------------------------------------------- main

def terminate(signum, _frame):
    """SIGTERM ends the run like Ctrl-C: the playbook is stopped, the simulator and temp files cleaned up."""
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(argv)
    if args.show:
        with open(args.show, encoding="utf-8") as handle:
            print(render(json.load(handle)))
        return 0
    signal.signal(signal.SIGTERM, terminate)
    began = time.time()

    def progress(message):
        print("... [%5.0f s] %s" % (time.time() - began, message), file=sys.stderr, flush=True)

    results = OrderedDict([
        ("version", JSON_VERSION),
        ("when", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("host", OrderedDict([("cpus", os.cpu_count()), ("python", platform.python_version()),
                              ("ansible_core", ansible_core_version()), ("loadavg_before", loadavg()),
                              ("loadavg_after", None)])),
        ("settings", OrderedDict([("polls", args.polls), ("poll_interval", POLL_INTERVAL), ("pipelining", True)])),
    ])
    workspace = Workspace(args.work_dir, keep=args.keep, pipelining=True)
    try:
        sim = Simulator(scenario=held_world(), host="127.0.0.1", port=0, log_limit=0)
        sim.start()
        try:
            watcher, rc, seconds, stderr_text = run_soak(args, workspace, sim, progress)
        finally:
            sim.stop()
    finally:
        workspace.close()
    results["host"]["loadavg_after"] = loadavg()
    results["soak"] = figures(args, watcher, rc, seconds, stderr_text)
    path = args.json_path or os.path.join(RESULTS_DIR, "soak-%s.json" % results["when"].replace(":", "").replace("-", ""))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)
        handle.write("\n")
    print(render(results))
    print("\nsoak took %.0f s; results written to %s" % (time.time() - began, os.path.relpath(path)))
    if rc != 0:
        print("ansible-playbook ended with rc %s; its last lines:\n%s\n%s" % (
            rc, "\n".join(watcher.tail), stderr_text[-3000:]), file=sys.stderr)
    # like launch.py: the exit code says whether the run did its job; the targets are figures, read by people
    return 0 if results["soak"]["checks"]["completed"] else 1


if __name__ == "__main__":
    sys.exit(main())
