#!/usr/bin/env python
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Soak of the event source hwcloud.drs.drs_job_status alone: many DRS tasks watched for a long time.

    .venv/bin/python benchmarks/eda_soak.py [--tasks 10000] [--minutes 15] [--interval 5] [--json PATH] [--show PATH]

Starts the DRS simulator in this process with N tasks (speed 1): all but a few replicate and do
not change (the bulk of a real watch); the others wait in CONFIGURATION, and every
``--starts-every`` seconds this script starts ``--starts`` of them (batch-starting), so that
they walk through the start to INCRE_TRANSFER_STARTED, one in ``--fail-every`` failing with
INCRE_TRANSFER_FAILED instead. From ``--outage-at`` minutes on, for ``--outage`` seconds, the
API answers the source's requests with HTTP 503.

The source runs alone, in its own process, as ``python drs_job_status.py @ARGS`` (its run
without ansible-rulebook: one JSON line per event on stdout), watching the tasks through a
``job_filter`` on their names. This script reads its events as they come, samples its CPU
time, resident memory and threads from /proc every second, counts the requests the
simulator answers per route, and prints per-window figures and a summary. At the end it
stops the source with SIGTERM (as ansible-rulebook cancels it) and checks every task that
moved: its last event must show the status the simulator has. See benchmarks/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, OrderedDict

from launch import RESULTS_DIR, Simulator, Workspace, loadavg, table

JSON_VERSION = 1
PAGE = 100
TICKS = os.sysconf("SC_CLK_TCK")
PREFIX = "soak"
STOP_GRACE = 30
# Route names of the simulator's request log, from the request's method and last path segment.
ROUTES = {("POST", "batch-status"): "batch-status", ("POST", "jobs"): "list-jobs", ("POST", "batch-progress"): "batch-progress",
          ("POST", "batch-starting"): "batch-starting"}
SOURCE_ROUTES = ("batch-status", "list-jobs", "batch-progress")


def task_id(number):
    return "%08d-5a0c-4b51-9bd4-0c3f5d2ajb21" % number


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="eda_soak.py", description="Soak the drs_job_status event source (see benchmarks/README.md).")
    parser.add_argument("--tasks", type=int, default=10000, help="tasks watched (default 10000)")
    parser.add_argument("--minutes", type=float, default=15, help="how long the source runs (default 15)")
    parser.add_argument("--interval", type=float, default=5, help="the source's interval, seconds (default 5)")
    parser.add_argument("--list-every", type=int, default=10, help="the source's list_every (default 10)")
    parser.add_argument("--starts-every", type=float, default=30, help="seconds between two starts of tasks (default 30)")
    parser.add_argument("--starts", type=int, default=20, help="tasks started each time (default 20)")
    parser.add_argument("--fail-every", type=int, default=5, help="one started task in this many fails (default 5)")
    parser.add_argument("--transition", type=float, default=4, help="seconds each status of a started task lasts (default 4)")
    parser.add_argument("--outage-at", type=float, default=7,
                        help="minute at which the API stops answering (default 7; negative: no outage)")
    parser.add_argument("--outage", type=float, default=60, help="how long, seconds (default 60)")
    parser.add_argument("--window", type=float, default=60, help="seconds per row of the table (default 60)")
    parser.add_argument("--json", dest="json_path", help="results file (default benchmarks/results/eda-soak-<time>.json)")
    parser.add_argument("--work-dir", help="temporary files here (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary files")
    parser.add_argument("--show", help="print the table of a results file and exit")
    args = parser.parse_args(argv)
    if args.tasks < 1 or args.minutes <= 0 or args.interval < 1 or args.list_every < 1 or args.window <= 0:
        parser.error("--tasks, --minutes, --list-every and --window must be positive and --interval at least 1")
    return args


def last_start(args):
    """No start after this second: each started task must end its walk (five statuses of about
    ``--transition`` seconds) and be polled before the run ends, for the check of last events."""
    return args.minutes * 60 - 6 * args.transition - 3 * args.interval


def startable(args):
    """How many tasks wait to be started during the run."""
    if last_start(args) < 0:
        return 0
    rounds = int(last_start(args) // args.starts_every) + 1
    return min(args.tasks, rounds * args.starts)


def world(args):
    waiting = startable(args)
    tasks = []
    for number in range(args.tasks):
        entry = {"id": task_id(number), "name": "%s-%05d" % (PREFIX, number)}
        if number < waiting:
            entry["status"] = "CONFIGURATION"
            if number % args.fail_every == args.fail_every - 1:
                entry.update(fail_at="INCRE_TRANSFER_FAILED", error_message="soak: scripted failure")
        else:
            entry["status"] = "INCRE_TRANSFER_STARTED"
        tasks.append(entry)
    return {"description": "soak of the event source", "speed": 1, "transition_seconds": args.transition, "jitter": 0.2,
            "tasks": tasks}


class CountingSimulator(Simulator):
    """The simulator, counting the requests it answers per route and how many of those failed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.counts = Counter()
        self.failed = Counter()
        self.count_lock = threading.Lock()

    def handle_api(self, request):
        delivery = super().handle_api(request)
        route = ROUTES.get((request.method, request.raw_path.rstrip("/").rsplit("/", 1)[-1]), "other")
        with self.count_lock:
            self.counts[route] += 1
            if delivery.drop or not 200 <= delivery.reply.status < 300:
                self.failed[route] += 1
        return delivery

    def snapshot(self):
        with self.count_lock:
            return Counter(self.counts), Counter(self.failed)


def proc_sample(pid):
    """(CPU seconds, RSS kB, threads) of a process from /proc, or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/%d/status" % pid, encoding="ascii") as handle:
            status = dict(line.split(":", 1) for line in handle if ":" in line)
    except OSError:
        return None
    cpu = (int(fields[11]) + int(fields[12])) / float(TICKS)
    return cpu, int(status["VmRSS"].split()[0]), int(status["Threads"])


class EventReader(threading.Thread):
    """Reads the source's stdout: one JSON event per line."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.lock = threading.Lock()
        self.count = 0
        self.kinds = Counter()
        self.last = {}
        self.bad_lines = []

    def run(self):
        for line in self.stream:
            try:
                event = json.loads(line)["drs_job"]
            except (ValueError, KeyError, TypeError):
                self.bad_lines.append(line.rstrip()[:200])
                continue
            with self.lock:
                self.count += 1
                self.kinds[event["change"]] += 1
                self.last[event["id"]] = event["status"]


class LineReader(threading.Thread):
    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.lines = []

    def run(self):
        for line in self.stream:
            self.lines.append(line.rstrip())


def start_tasks(sim, ids):
    body = json.dumps({"jobs": [{"job_id": one} for one in ids]}).encode()
    request = urllib.request.Request("%s/v3/%s/jobs/batch-starting" % (sim.url, sim.project_id), data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Auth-Token": sim.auth_token})
    with urllib.request.urlopen(request, timeout=30) as answer:
        results = json.loads(answer.read())["results"]
    return sum(1 for result in results if result["status"] == "success")


def run_soak(args, workspace, progress):
    sim = CountingSimulator(world(args), host="127.0.0.1", port=0, log_limit=0).start()
    source = None
    try:
        args_file = os.path.join(workspace.path, "source-args.json")
        with open(args_file, "w", encoding="utf-8") as handle:
            json.dump({"job_filter": {"name": PREFIX + "-*"}, "interval": args.interval, "list_every": args.list_every}, handle)
        script = os.path.join(workspace.collections, "ansible_collections", "hwcloud", "drs", "extensions", "eda", "plugins",
                              "event_source", "drs_job_status.py")
        env = dict(workspace.env, HW_DRS_ENDPOINT=sim.url, HW_PROJECT_ID=sim.project_id, HW_AUTH_TOKEN=sim.auth_token)
        load_before = loadavg()
        began = time.monotonic()
        source = subprocess.Popen([sys.executable, script, "@" + args_file], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        events, logs = EventReader(source.stdout), LineReader(source.stderr)
        events.start()
        logs.start()
        windows, samples = [], []
        # The first start waits for the source's first poll: a task that moved before it would be
        # part of its first snapshot, which puts no event for a task that has not failed.
        next_start, started, outage = None, 0, None
        outage_at = args.outage_at * 60 if args.outage_at >= 0 else None
        window_end = args.window
        previous = {"counts": Counter(), "failed": Counter(), "events": 0, "cpu": 0.0, "at": 0.0}
        end = args.minutes * 60
        while True:
            now = time.monotonic() - began
            if source.poll() is not None:
                progress("the source ended by itself (rc %s)" % source.returncode)
                break
            if next_start is None and sim.snapshot()[0]["batch-status"] >= -(-args.tasks // PAGE):
                next_start = now
            if next_start is not None and now >= next_start and started < startable(args) and now <= last_start(args):
                ids = [task_id(number) for number in range(started, min(started + args.starts, startable(args)))]
                start_tasks(sim, ids)
                started += len(ids)
                next_start += args.starts_every
            if outage_at is not None and outage is None and now >= outage_at:
                sim.add_fault_rules([{"route": route, "kind": "status", "status": 503} for route in SOURCE_ROUTES])
                outage = now
                progress("outage: the API answers 503 for %gs" % args.outage)
            if outage is not None and outage_at is not None and now >= outage + args.outage:
                sim.clear_faults()
                outage_at = None
                progress("outage over")
            sample = proc_sample(source.pid)
            if sample:
                samples.append((round(now, 1),) + sample)
            if now >= window_end or now >= end:
                windows.append(window_row(args, previous, sim, events, samples, now))
                row = windows[-1]
                progress("minute %.1f: %d polls, %d events, %.1f requests/poll, CPU %.0f ms/poll, RSS %.1f MB, %d threads"
                         % (now / 60, row["polls"], row["events"], row["requests_per_poll"] or 0,
                            row["cpu_ms_per_poll"] or 0, row["rss_mb"], row["threads"]))
                window_end += args.window
            if now >= end:
                break
            time.sleep(1)
        source.send_signal(signal.SIGTERM)
        try:
            rc = source.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            source.kill()
            rc = source.wait()
        events.join(STOP_GRACE)
        logs.join(STOP_GRACE)
        state = dict((entry["id"], entry["status"]) for entry in sim.state()["tasks"])
        counts, failed = sim.snapshot()
        return summary(args, windows, samples, events, logs, state, counts, failed, rc, started, load_before,
                       time.monotonic() - began)
    finally:
        if source is not None and source.poll() is None:
            source.kill()
            source.wait()
        sim.stop()


def window_row(args, previous, sim, events, samples, now):
    counts, failed = sim.snapshot()
    pages = -(-args.tasks // PAGE)
    answered = (counts["batch-status"] - failed["batch-status"]) - (previous["counts"]["batch-status"] - previous["failed"]["batch-status"])
    polls = answered / float(pages)
    requests = sum(counts[route] - previous["counts"][route] for route in SOURCE_ROUTES)
    with events.lock:
        event_count = events.count
    cpu, rss_kb, threads = samples[-1][1:] if samples else (previous["cpu"], 0, 0)
    row = OrderedDict([
        ("minute", round(now / 60, 1)),
        ("polls", round(polls, 1)),
        ("events", event_count - previous["events"]),
        ("requests", requests),
        ("failed_requests", sum(failed[route] - previous["failed"][route] for route in SOURCE_ROUTES)),
        ("requests_per_poll", round(requests / polls, 1) if polls else None),
        ("seconds_per_poll", round((now - previous["at"]) / polls, 1) if polls else None),
        ("cpu_seconds", round(cpu - previous["cpu"], 2)),
        ("cpu_ms_per_poll", round((cpu - previous["cpu"]) * 1000 / polls) if polls else None),
        ("cpu_percent", round((cpu - previous["cpu"]) * 100 / (now - previous["at"]), 1) if now > previous["at"] else None),
        ("rss_mb", round(rss_kb / 1024.0, 1)),
        ("threads", threads),
    ])
    previous.update(counts=counts, failed=failed, events=event_count, cpu=cpu, at=now)
    return row


def summary(args, windows, samples, events, logs, state, counts, failed, rc, started, load_before, seconds):
    moved = [task_id(number) for number in range(started)]
    wrong = ["%s: last event %s, simulator %s" % (one, events.last.get(one), state.get(one)) for one in moved
             if events.last.get(one) != state.get(one)]
    unmoved_events = sorted(set(events.last) - set(moved))
    pages = -(-args.tasks // PAGE)
    polls = (counts["batch-status"] - failed["batch-status"]) / float(pages)
    steady = [row for row in windows if not row["failed_requests"] and row["polls"]]
    rss = [sample[2] for sample in samples]
    return OrderedDict([
        ("version", JSON_VERSION),
        ("when", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("host", OrderedDict([("cpus", os.cpu_count()), ("python", platform.python_version()),
                              ("loadavg_before", load_before), ("loadavg_after", loadavg())])),
        ("settings", OrderedDict((key, value) for key, value in vars(args).items()
                                 if key not in ("json_path", "work_dir", "keep", "show"))),
        ("seconds", round(seconds, 1)),
        ("rc", rc),
        ("windows", windows),
        ("polls", round(polls, 1)),
        ("events", events.count),
        ("events_by_change", dict(events.kinds)),
        ("bad_lines", events.bad_lines[:20]),
        ("started", started),
        ("wrong_last_status", wrong[:20]),
        ("wrong_count", len(wrong)),
        ("events_for_tasks_that_did_not_move", unmoved_events[:20]),
        ("requests", dict(counts)),
        ("failed_requests", dict(failed)),
        ("requests_per_poll", OrderedDict((route, round(counts[route] / polls, 2) if polls else None)
                                          for route in SOURCE_ROUTES)),
        ("rss_mb_first_last", [windows[0]["rss_mb"], windows[-1]["rss_mb"]] if windows else None),
        ("rss_mb_max", round(max(rss) / 1024.0, 1) if rss else None),
        ("cpu_ms_per_poll_first_last", [steady[0]["cpu_ms_per_poll"], steady[-1]["cpu_ms_per_poll"]] if steady else None),
        ("outage_lines", [line for line in logs.lines if "stopped answering" in line or "answers again" in line]),
        ("stderr_tail", logs.lines[-10:]),
        ("stopped_cleanly", rc == 0 and any("Stopped watching the DRS tasks" in line for line in logs.lines)),
    ])


def render(results):
    settings = results["settings"]
    host = results["host"]
    out = ["hwcloud.drs event source soak  %s  (%d CPUs, Python %s, load %s -> %s)" % (
        results["when"], host["cpus"], host["python"], host["loadavg_before"], host["loadavg_after"])]
    outage = ("API down (HTTP 503) from minute %g for %gs" % (settings["outage_at"], settings["outage"])
              if settings["outage_at"] >= 0 else "no outage")
    out.append("%d tasks watched through job_filter {name: %s-*}, interval %gs, list_every %d; %d tasks started during the run "
               "(%d at a time, every %gs, one in %d fails); %s" % (
                   settings["tasks"], PREFIX, settings["interval"], settings["list_every"], results["started"], settings["starts"],
                   settings["starts_every"], settings["fail_every"], outage))
    out.append("")
    headers = ["minute", "polls", "s/poll", "events", "requests", "failed", "req/poll", "CPU s", "CPU ms/poll", "CPU %", "RSS MB",
               "threads"]
    rows = [[row["minute"], row["polls"], dash(row["seconds_per_poll"]), row["events"], row["requests"], row["failed_requests"],
             dash(row["requests_per_poll"]),
             row["cpu_seconds"], dash(row["cpu_ms_per_poll"]), dash(row["cpu_percent"]), row["rss_mb"], row["threads"]]
            for row in results["windows"]]
    out.append(table(headers, rows))
    out.append("polls: answered batch-status requests / ceil(tasks/100); s/poll: the window over its polls (the interval, the "
               "poll and its requests);")
    out.append("requests and failed: the source's (batch-status, list-jobs, batch-progress);")
    out.append("CPU: user + system time of the source's process in the window; RSS and threads at the window's end.")
    out.append("")
    rows = [
        ["run", "%.0f s, rc %s, %s" % (
            results["seconds"], results["rc"], "stopped cleanly on SIGTERM" if results["stopped_cleanly"] else "NOT stopped cleanly")],
        ["polls", results["polls"]],
        ["events", "%d (%s)" % (results["events"], ", ".join("%s %d" % item for item in sorted(results["events_by_change"].items())))],
        ["last event = simulator's status", "%d of %d started tasks" % (
            results["started"] - results["wrong_count"], results["started"])],
        ["events of tasks that never moved", len(results["events_for_tasks_that_did_not_move"])],
        ["requests per poll", ", ".join("%s %s" % (route, dash(value)) for route, value in results["requests_per_poll"].items())],
        ["RSS MB first / last window, max", "%s / %s, %s" % (tuple(results["rss_mb_first_last"] or ["-", "-"]) + (results["rss_mb_max"],))],
        ["CPU ms/poll first / last window", "%s / %s" % tuple(results["cpu_ms_per_poll_first_last"] or ["-", "-"])],
        ["outage log lines", len(results["outage_lines"])],
    ]
    out.append(table(["measure", "value"], rows))
    for line in results["outage_lines"]:
        out.append("  " + line[:220])
    for line in results["wrong_last_status"][:5]:
        out.append("  wrong: " + line)
    return "\n".join(out)


def dash(value):
    return "-" if value is None else value


def terminate(signum, _frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, terminate)
    if args.show:
        with open(args.show, encoding="utf-8") as handle:
            print(render(json.load(handle)))
        return 0
    began = time.time()

    def progress(message):
        print("... [%5.0f s] %s" % (time.time() - began, message), file=sys.stderr, flush=True)

    workspace = Workspace(args.work_dir, args.keep)
    try:
        results = run_soak(args, workspace, progress)
    finally:
        workspace.close()
    path = args.json_path or os.path.join(RESULTS_DIR, "eda-soak-%s.json" % results["when"].replace(":", "").replace("-", ""))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)
        handle.write("\n")
    print(render(results))
    print("\nresults written to %s" % os.path.relpath(path))
    ok = results["stopped_cleanly"] and not results["wrong_last_status"] and not results["events_for_tasks_that_did_not_move"] \
        and not results["bad_lines"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
