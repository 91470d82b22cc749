# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: drs_job_status
short_description: Watch DRS tasks and put one event on the rulebook's queue per change of their status
version_added: 0.2.0
description:
  - An event source of ansible-rulebook (Event-Driven Ansible) that polls the status of DRS tasks with the
    batch-status API (C(POST /v3/{project_id}/jobs/batch-status)), 100 tasks per request, and puts one event
    per change on the queue, a mapping under C(drs_job) (see the notes). A poll that finds nothing changed puts
    nothing.
  - The tasks are those of O(jobs) and those that O(job_filter) selects. The filter is listed again every
    O(list_every) polls, so tasks created (or newly matching) later join the watch, and tasks that no longer
    match leave it.
  - With O(delay_threshold), it also reads the incremental delay of the tasks in C(INCRE_TRANSFER_STARTED)
    (C(POST /v3/{project_id}/jobs/batch-progress), 100 tasks per request) and puts an event when a task's
    delay rises above the threshold and one when it is back at or below it.
  - It never stops on a transient failure (no connection, a timeout, HTTP 429 or 5xx, an unreadable answer).
    It logs one line when the API stops answering, polls again with a growing pause (at most 2 minutes, or
    O(interval) when longer), and logs one line when the API answers again. No change is lost, as each poll
    compares the whole state with the last one.
  - It ends, with a message that says what to fix, on a configuration error (an unknown argument, a bad value,
    no way to authenticate, a task ID the API does not know at the first poll) and when the API refuses the
    credentials or the request (HTTP 401, 403, 400, 404). An ended source ends the rulebook's run.
  - The connection options, their E(HW_*) environment variables and the three ways to authenticate are those
    of the collection's modules.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
options:
  jobs:
    description:
      - IDs of DRS tasks to watch.
      - Give O(jobs), O(job_filter) or both.
    type: list
    elements: str
    default: []
  job_filter:
    description:
      - Watch the tasks that these filters select, the options of M(hwcloud.drs.drs_job_info) - V(name),
        V(name_match), V(status), V(engine_type), V(db_use_type), V(net_type), V(enterprise_project_id) and
        V(tags) - for example a V(name) of V(orders-*). The subtasks of a selected parent task are watched too.
      - A filter on V(status) makes a task leave the watch at the next listing once its status no longer
        matches, after the event for that change.
    type: dict
  interval:
    description:
      - Seconds from the end of one poll to the start of the next, at least V(1).
      - Each poll makes one request per 100 tasks (plus one per 100 replicating tasks with O(delay_threshold)).
    type: float
    default: 60
  list_every:
    description:
      - List O(job_filter) again every this many polls (one request per 100 tasks listed); the first poll
        always lists it.
    type: int
    default: 10
  initial_events:
    description:
      - What the first poll of a task puts on the queue; its events carry C(initial=true).
      - V(failed) - an event for each task that is already in a failed status (and, with O(delay_threshold),
        each task already above it), so that a rule retries what failed while nothing was watching.
      - V(all) - an event for every task, its current status with C(previous_status=null).
      - V(none) - nothing; only changes after the first poll.
      - Tasks that join the watch later (a new task that O(job_filter) selects) always put an event, with
        C(previous_status=null) and C(initial=false).
    type: str
    choices: [failed, all, none]
    default: failed
  delay_threshold:
    description:
      - Seconds of incremental delay (C(incre_trans_delay) of batch-progress) above which a task in
        C(INCRE_TRANSFER_STARTED) puts an event with C(change=delay_above), and at or below which it puts one with
        C(change=delay_below) afterwards.
      - Without it, no delay is read and the events' C(incre_trans_delay) is null.
    type: int
notes:
  - "Each event is C({drs_job: {id, name, status, previous_status, status_class, error_code, error_msg, change,
    initial, parent_id, incre_trans_delay}}): C(status_class) is V(creating), V(startable), V(starting),
    V(transferring), V(maintenance), V(failed), V(ended) or V(unknown) as in M(hwcloud.drs.drs_batch_status);
    C(change) is V(status), V(delay_above) or V(delay_below); C(name) is null where the API did not give one;
    C(parent_id) is the parent of a subtask found through O(job_filter); C(status) is null once the API no
    longer knows the task (deleted), with its error in C(error_code) and C(error_msg)."
  - A rule fires once per event, and by default only the first rule of a ruleset that matches it. Match status
    changes with C(event.drs_job.change == "status").
  - Prefer AK/SK or an IAM user and password to an IAM token for a watch of more than a day, as a token expires
    after 24 hours and the source then ends.
"""

EXAMPLES = r"""
- name: React to DRS tasks
  hosts: localhost
  sources:
    - name: Watch the orders tasks every 30 seconds
      hwcloud.drs.drs_job_status:
        job_filter:
          name: orders-*
        interval: 30
        delay_threshold: 300
  rules:
    - name: Retry a failed task
      condition: event.drs_job.change == "status" and event.drs_job.status_class == "failed"
      action:
        run_playbook:
          name: hwcloud.drs.drs_job_retry

- name: Watch two tasks by ID, with the connection in the rulebook (HW_* variables work too)
  hosts: localhost
  sources:
    - hwcloud.drs.drs_job_status:
        jobs:
          - 9a470239-2308-4bb5-a6bc-1040402fjb21
          - dc67695a-ee3e-49b8-a022-a099bd81jb21
        region: eu-de
        project_id: 054ba152d480d55b2f5dc0069e7ddef0
        access_key: "{{ drs_access_key }}"
        secret_key: "{{ drs_secret_key }}"
        initial_events: all
  rules:
    - name: Show every change
      condition: event.drs_job is defined
      action:
        debug:
"""

# ansible-rulebook runs this file with runpy, without Ansible's collection loader: the directory
# that holds ansible_collections/hwcloud/drs (this file's collection) goes on sys.path, so the
# collection's own client and option checks import as in the modules.
# pylint: disable=wrong-import-position
import os  # noqa: E402
import sys  # noqa: E402

_COLLECTIONS_BASE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 7))
if os.path.isdir(os.path.join(_COLLECTIONS_BASE, "ansible_collections", "hwcloud", "drs")) \
        and _COLLECTIONS_BASE not in sys.path:
    sys.path.insert(0, _COLLECTIONS_BASE)

import asyncio  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from ansible_collections.hwcloud.drs.plugins.module_utils._client import (  # noqa: E402
    HAS_REQUESTS, STATUS_PAGE_SIZE, DrsApiError,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext  # noqa: E402
from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import InputError, check_id, check_number  # noqa: E402
from ansible_collections.hwcloud.drs.plugins.module_utils._job_list import (  # noqa: E402
    FILTER_ARGUMENT_SPEC, list_tasks, name_filter,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._module import (  # noqa: E402
    AUTH_HELP, CONNECTION_ARGUMENT_SPEC, build_client, checked_options,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import (  # noqa: E402
    FAILED, INCREMENTAL_TARGET, first_of, status_class,
)
# pylint: enable=wrong-import-position

LOGGER = logging.getLogger("hwcloud.drs.drs_job_status")

ARGUMENT_SPEC = dict(
    CONNECTION_ARGUMENT_SPEC,
    jobs=dict(type="list", elements="str", default=[]),
    job_filter=dict(type="dict"),
    interval=dict(type="float", default=60),
    list_every=dict(type="int", default=10),
    initial_events=dict(type="str", default="failed", choices=["failed", "all", "none"]),
    delay_threshold=dict(type="int"),
)
# What ansible-rulebook may add to a source's arguments itself.
RULEBOOK_ARGUMENTS = ("eda_feedback_queue",)
# The pause after a failed poll doubles up to this (or the interval, when that is longer).
MAX_BACKOFF_SECONDS = 120
# What a failure that polling again cannot mend says, by HTTP status.
REFUSALS = {
    401: "the DRS API refused the credentials (an IAM token lasts 24 hours: for a long watch use AK/SK or an "
         "IAM user and password): ",
    403: "the DRS API refused the request (the project ID, or the permissions of the credentials): ",
}


class SourceError(Exception):
    """What ends the source: a configuration or a refusal that polling again cannot mend."""


class Stopped(Exception):
    """The source was cancelled while a poll ran in its thread: the poll stops before its next request."""


class Watch:
    """The state of the watch (each task's last status) and one poll of the API.

    ``poll()`` blocks on HTTP: ``run()`` calls it in a thread of its own and awaits it.
    """

    def __init__(self, args):
        if not isinstance(args, dict):
            raise SourceError("the arguments must be a mapping, got %s" % type(args).__name__)
        args = dict((key, value) for key, value in args.items() if key not in RULEBOOK_ARGUMENTS)
        self.warned = set()
        try:
            params, secrets = checked_options(ARGUMENT_SPEC, args)
            self.jobs = list(dict.fromkeys(check_id(job, "jobs") for job in params["jobs"]))
            self.job_set = set(self.jobs)
            self.job_filter = None
            if params["job_filter"] is not None:
                self.job_filter = job_filter_params(params["job_filter"])
            if not self.jobs and self.job_filter is None:
                raise InputError("give jobs (task IDs), job_filter (the filters of hwcloud.drs.drs_job_info) or both")
            self.interval = check_number(params["interval"], "interval", 1, unit="second")
            self.list_every = check_number(params["list_every"], "list_every", 1, unit="poll")
            self.initial_events = params["initial_events"]
            self.delay_threshold = params["delay_threshold"]
            if self.delay_threshold is not None:
                check_number(self.delay_threshold, "delay_threshold", 0, unit="second")
            context = RunContext.for_controller(no_log_values=secrets)
            self.client = build_client(params, context)
            for warning in context.warnings:
                self.warn_once(warning)
        except InputError as exc:
            raise SourceError(str(exc))
        self.stopped = False
        self.polls = 0
        self.events = 0
        # task ID -> (status, above the delay threshold) at the last poll
        self.known = {}
        self.names = {}
        self.parents = {}
        # task ID -> parent ID (or None) of the tasks the filter selected at its last listing
        self.listed = {}
        self.names_looked_up = not self.jobs

    def warn_once(self, message):
        if message not in self.warned:
            self.warned.add(message)
            LOGGER.warning("%s", message)

    def close(self):
        """Stop: a poll still running in its thread sends no further request; close the connections."""
        self.stopped = True
        self.client.close()

    def describe(self):
        parts = []
        if self.jobs:
            parts.append("%d task ID%s" % (len(self.jobs), "" if len(self.jobs) == 1 else "s"))
        if self.job_filter is not None:
            given = dict((key, value) for key, value in self.job_filter.items() if value is not None)
            parts.append("job_filter %s" % json.dumps(given, sort_keys=True))
        return " and ".join(parts)

    # -- the loop -----------------------------------------------------------------------

    # The pause between polls (a test replaces it).
    sleep = staticmethod(asyncio.sleep)

    async def run(self, queue):
        """Poll, put the events, pause; again and again. Returns only by an exception."""
        LOGGER.info("Watching the DRS tasks of %s, every %gs", self.describe(), self.interval)
        failures, failing_since = 0, None
        while True:
            try:
                events = await in_thread(self.poll)
            except DrsApiError as exc:
                if not exc.transient:
                    raise SourceError("Cannot watch DRS tasks: %s%s" % (REFUSALS.get(exc.status, ""), exc))
                failures += 1
                pause = backoff(self.interval, failures)
                if failing_since is None:
                    failing_since = time.monotonic()
                    LOGGER.warning("The DRS API stopped answering: %s; polling again with a growing pause (now %gs)",
                                   exc, pause)
                else:
                    LOGGER.debug("Poll failed again (%d in a row): %s", failures, exc)
                release(exc)
            else:
                if failing_since is not None:
                    LOGGER.warning("The DRS API answers again, after %ds and %d failed poll%s",
                                   round(time.monotonic() - failing_since), failures, "" if failures == 1 else "s")
                    failures, failing_since = 0, None
                for event in events:
                    await queue.put(event)
                self.events += len(events)
                pause = self.interval
            await self.sleep(pause)

    # -- one poll (in its own thread) ---------------------------------------------------

    def poll(self):
        """Read the watched tasks' statuses (and delays); return the events of what changed since the last poll."""
        first = self.polls == 0
        if self.job_filter is not None and self.polls % self.list_every == 0:
            self.list_filter()
        if not self.names_looked_up:
            self.look_up_names()
        task_ids = self.jobs + [task_id for task_id in self.listed if task_id not in self.job_set]
        records = {}
        for page in pages(task_ids):
            self.check_stopped()
            for record in self.client.batch_status(page):
                records[record.get("id")] = record
        if first:
            self.check_known(records)
        delays = self.read_delays(task_ids, records) if self.delay_threshold is not None else {}
        events = self.changes(task_ids, records, delays, first)
        self.polls += 1
        return events

    def check_stopped(self):
        if self.stopped:
            raise Stopped()

    def list_filter(self):
        """The tasks (and their subtasks) the filter selects now; their names and parents."""
        self.check_stopped()
        listed = {}
        for task in list_tasks(self.client, self.job_filter, self.warn_once):
            listed[task["id"]] = None
            self.names[task["id"]] = task["name"]
            for child in task["children"]:
                listed.setdefault(child["id"], task["id"])
                self.names[child["id"]] = child["name"]
        self.listed = listed
        self.parents.update((task_id, parent) for task_id, parent in listed.items() if parent)
        # Forget the names of tasks that left the watch, so that a long watch does not grow.
        watched = set(self.jobs) | set(listed)
        for task_id in [task_id for task_id in self.names if task_id not in watched]:
            del self.names[task_id]
            self.parents.pop(task_id, None)

    def look_up_names(self):
        """The names of the tasks of ``jobs``, once: the task list API takes up to 100 task IDs, comma-separated,
        as its name filter (vendor SDK model QueryJobsReq). A name it does not give stays null."""
        wanted = [task_id for task_id in self.jobs if task_id not in self.names]
        for page in pages(wanted):
            self.check_stopped()
            try:
                records = self.client.list_jobs({"name": ",".join(page)})
            except DrsApiError as exc:
                if exc.transient or exc.status in REFUSALS:
                    raise
                # An API that refuses IDs as a name filter costs only the names.
                self.warn_once("The task names stay unknown: the task list refused to look up task IDs: %s" % exc)
                break
            asked = set(page)
            self.names.update((record.get("id"), record.get("name")) for record in records if record.get("id") in asked)
        self.names_looked_up = True

    def check_known(self, records):
        """At the first poll, each ID of ``jobs`` must be a task the API knows: a typo would be watched for ever."""
        unknown = []
        for task_id in self.jobs:
            record = records.get(task_id)
            if not record or not record.get("status"):
                unknown.append("%s (%s)" % (task_id, describe_error(record)))
        if unknown:
            raise SourceError("jobs: the DRS API knows no status for %d of the tasks, unknown IDs?: %s"
                              % (len(unknown), first_of(unknown)))

    def read_delays(self, task_ids, records):
        """Task ID -> incremental delay in seconds (None when the API gives none), for the replicating tasks."""
        replicating = [task_id for task_id in task_ids if (records.get(task_id) or {}).get("status") == INCREMENTAL_TARGET]
        delays = {}
        for page in pages(replicating):
            self.check_stopped()
            for entry in self.client.batch_progress(page):
                delays[entry.get("job_id")] = seconds(entry.get("incre_trans_delay"))
        return delays

    def changes(self, task_ids, records, delays, first):
        """The events of this poll, and the new state: a task's status changed, or its delay crossed the threshold."""
        events = []
        known = {}
        for task_id in task_ids:
            record = records.get(task_id) or {}
            status = record.get("status") or None
            new = task_id not in self.known
            before, was_above = self.known.get(task_id, (None, False))
            status_changed = new or before != status
            if status_changed:
                was_above = False
            # Which side of the threshold the delay is on; a poll that gives no delay keeps the side.
            delay = delays.get(task_id)
            above = status == INCREMENTAL_TARGET and (was_above if delay is None else delay > self.delay_threshold)
            known[task_id] = (status, above)
            event = dict(id=task_id, name=self.names.get(task_id), status=status, previous_status=before,
                         status_class=status_class(status), error_code=record.get("error_code"),
                         error_msg=record.get("error_message") or record.get("error_msg"),
                         initial=first, parent_id=self.parents.get(task_id), incre_trans_delay=delay)
            if new and first:
                report_status = self.initial_events == "all" or (
                    self.initial_events == "failed" and event["status_class"] == FAILED)
                report_delay = above and self.initial_events != "none"
            else:
                report_status, report_delay = status_changed, above != was_above
            if report_status:
                events.append({"drs_job": dict(event, change="status")})
            if report_delay:
                events.append({"drs_job": dict(event, change="delay_above" if above else "delay_below")})
        # Tasks that left the watch (no longer selected) are forgotten.
        self.known = known
        return events


def job_filter_params(job_filter):
    """``job_filter`` checked as drs_job_info checks its options."""
    try:
        params = checked_options(FILTER_ARGUMENT_SPEC, job_filter)[0]
        name_filter(params["name"], params["name_match"])
    except InputError as exc:
        raise InputError("job_filter: %s" % exc)
    return params


def release(exc):
    """Drop the tracebacks of a failed poll's exceptions, which hold the poll's frames and with them
    what it read before it failed (part of a listing of thousands of tasks), in reference cycles
    that only the garbage collector frees, after the next poll has read its own: measured at 10,000
    tasks, one listing that failed halfway left the process 14 MB larger for good."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = None
        exc = exc.__context__


def backoff(interval, failures):
    """The pause after ``failures`` failed polls in a row: the interval doubled each time, up to
    MAX_BACKOFF_SECONDS (or the interval, when that is longer) - for an outage of days too."""
    ceiling = max(interval, MAX_BACKOFF_SECONDS)
    return min(interval * 2 ** min(failures, 16), ceiling)


def pages(task_ids):
    """``task_ids`` in pages of the API's 100, so that a cancelled poll stops between two requests."""
    return [task_ids[first:first + STATUS_PAGE_SIZE] for first in range(0, len(task_ids), STATUS_PAGE_SIZE)]


def seconds(text):
    """A delay the API gives as a string of seconds ("" when it has none) as an int, or None."""
    try:
        return int(float(text))
    except (TypeError, ValueError):
        return None


def describe_error(record):
    if not record:
        return "no answer"
    return "%s: %s" % (record.get("error_code") or "-", record.get("error_message") or record.get("error_msg") or "no status")


async def in_thread(function):
    """``function()`` in a daemon thread of its own, awaited without blocking the event loop.

    Cancelled, the wait ends at once: the thread finishes its request (bounded by the client's
    timeout) and its answer is dropped; being a daemon, it never holds up the process's exit.
    """
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(outcome, value):
        if not future.done():
            if outcome:
                future.set_result(value)
            else:
                future.set_exception(value)

    def target():
        try:
            outcome = (True, function())
        except Exception as exc:  # pylint: disable=broad-exception-caught  # handed over to the awaiting coroutine
            outcome = (False, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the event loop is closed: nobody waits any more
            pass

    threading.Thread(target=target, name="drs_job_status-poll", daemon=True).start()
    return await future


async def main(queue, args):
    """The event source: one event on ``queue`` per change of a watched DRS task (see DOCUMENTATION).

    Returns only by an exception: SourceError when the configuration or the credentials cannot
    work, CancelledError when ansible-rulebook stops it.
    """
    if not HAS_REQUESTS:
        raise SourceError("hwcloud.drs.drs_job_status needs the Python library requests where ansible-rulebook runs "
                          "(pip install requests)")
    watch = Watch(args)
    try:
        await watch.run(queue)
    finally:
        watch.close()
        LOGGER.info("Stopped watching the DRS tasks after %d polls and %d events", watch.polls, watch.events)


class PrintQueue:
    """Stands in for the rulebook's queue when the source runs alone: one JSON line per event."""

    async def put(self, event):
        print(json.dumps(event, sort_keys=True), flush=True)


def run_alone(argv):
    """``python drs_job_status.py ARGS``: the source without ansible-rulebook, its events on stdout.

    ARGS is the source's arguments as a JSON object, or @FILE for a file holding one; the
    connection comes from them or from the HW_* environment variables.
    """
    if len(argv) != 1:
        sys.exit("usage: drs_job_status.py '{\"jobs\": [\"<task ID>\"], \"interval\": 30}' | @ARGS.json\n"
                 "(with the connection in HW_DRS_ENDPOINT or HW_REGION_NAME, HW_PROJECT_ID and the credentials: "
                 + AUTH_HELP + ")")
    text = argv[0]
    if text.startswith("@"):
        with open(text[1:]) as handle:
            text = handle.read()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    try:
        asyncio.run(until_signal(main(PrintQueue(), json.loads(text))))
    except (SourceError, ValueError) as exc:
        sys.exit("drs_job_status: %s" % exc)


async def until_signal(coroutine):
    """``coroutine``, cancelled (as ansible-rulebook cancels a source) by SIGTERM or SIGINT; returns then."""
    task = asyncio.ensure_future(coroutine)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        pass


if __name__ == "__main__":
    run_alone(sys.argv[1:])
