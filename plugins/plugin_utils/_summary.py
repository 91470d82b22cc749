# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The summary of a launch of drs_batch_launch (the batch_launch role): what it shows and publishes.

Private to this collection; not a public API.
"""

import re
import time

from ansible_collections.hwcloud.drs.plugins.module_utils._retry import RETRIED
from ansible_collections.hwcloud.drs.plugins.module_utils._start import ACTIONS
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import count_by_status, count_of, status_class

# DRS's refusal to start a backward task before its forward task (the wording of the seed page
# and the vendor's messages: "forward task", "dual-active").
DUAL_ACTIVE_REFUSAL = re.compile(r"forward (task|job)|dual-active", re.IGNORECASE)
STATUS_FIELDS = ("status", "status_class", "target", "reached", "task_mode", "progress", "remaining_time",
                 "incre_trans_delay", "rpo_delay", "rto_delay")
# Every field of a task in the summary's jobs, each there from the task's first mention (null until read).
TASK_FIELDS = ("job_id", "name", "action", "precheck", "retries", "status_before") + STATUS_FIELDS + (
    "start_time", "error_code", "error_msg")


class Ledger:
    """The latest that any step of a launch read of each task, in the order the tasks were first seen.

    Every answer of every step and poll goes through it, a failed one too, so the summary (and
    ``set_stats``) shows where each task stood at the last read, whichever step failed.
    """

    def __init__(self, state=None):
        """An empty ledger, or the one whose ``state()`` a step before this one kept."""
        state = state or dict(fields=TASK_FIELDS, rows=[], read_at={})
        self.tasks = dict((row[0], dict(zip(state["fields"], row))) for row in state["rows"])
        self.read_at = dict(state["read_at"])  # task ID -> time.monotonic() of its last status read

    def state(self):
        """What the ledger holds, as plain data for the launch's next step: one row of values per task, which
        takes a third of the time of one mapping per task to write and read back at 10,000 tasks."""
        return dict(fields=TASK_FIELDS, rows=[[task[field] for field in TASK_FIELDS] for task in self.tasks.values()],
                    read_at=self.read_at)

    def statuses_read_since(self, moment):
        """Task ID -> ``{id, status, error_code, error_message}`` of each task whose status was read at or
        after ``moment`` (``time.monotonic()``)."""
        return dict((job_id, dict(id=job_id, status=task["status"], error_code=task["error_code"],
                                  error_message=task["error_msg"]))
                    for job_id, task in self.tasks.items() if task["status"] and self.read_at.get(job_id, -1) >= moment)

    def task(self, job_id):
        task = self.tasks.get(job_id)
        if task is None:
            task = self.tasks[job_id] = dict.fromkeys(TASK_FIELDS)
            task.update(job_id=job_id, retries=0)
        return task

    def listed(self, jobs):
        """drs_job_info's ``jobs``: names and statuses."""
        for entry in jobs:
            self.task(entry["id"]).update(name=entry.get("name"), status=entry.get("status"),
                                          status_class=entry.get("status_class"))

    def committed(self, job_ids):
        for job_id in job_ids:
            self.task(job_id)

    def read(self, jobs):
        """drs_batch_status's ``jobs``: statuses and, where read, progress, delays and errors."""
        now = time.monotonic()
        for entry in jobs:
            task = self.task(entry["id"])
            task.update((key, entry[key]) for key in STATUS_FIELDS if key in entry)
            task.update(error_code=entry.get("error_code"), error_msg=entry.get("error_message"))
            self.read_at[entry["id"]] = now

    def prechecked(self, results):
        """drs_batch_precheck's ``results``: each task's precheck result (passed, failed, running or none)."""
        for entry in results:
            self.task(entry["job_id"])["precheck"] = entry.get("result")

    def started(self, results):
        """drs_batch_start's ``results``: what the start did, and the status it read just before."""
        for entry in results:
            task = self.task(entry["job_id"])
            self.read_at.pop(entry["job_id"], None)  # a start changes the status: the one read before is stale
            task.update(action=entry.get("action"), status_before=entry.get("status_before"),
                        start_time=entry.get("start_time"), error_code=entry.get("error_code"),
                        error_msg=entry.get("error_msg"))
            if entry.get("status_before"):
                task.update(status=entry["status_before"],
                            status_class=entry.get("status_class") or status_class(entry["status_before"]))

    def retried(self, results):
        """drs_batch_retry's ``results``: each retry counted on its task."""
        for entry in results:
            if entry.get("action") == RETRIED:
                task = self.task(entry["job_id"])
                self.read_at.pop(entry["job_id"], None)
                task["retries"] += 1
                task.update(status=entry.get("status_before") or task["status"], error_code=None, error_msg=None)

    def describe(self, job_id):
        """``orders-eu-1 (3c9e...)`` where the name is known, else the ID."""
        name = (self.tasks.get(job_id) or {}).get("name")
        return "%s (%s)" % (name, job_id) if name else job_id

    def with_names(self, text):
        """``text`` with each task ID whose name is known shown as ``name (ID)``."""
        named = dict((job_id, task["name"]) for job_id, task in self.tasks.items() if task["name"])
        if not named or not text:
            return text
        pattern = re.compile("|".join(re.escape(job_id) for job_id in sorted(named, key=len, reverse=True)))
        return pattern.sub(lambda match: "%s (%s)" % (named[match.group(0)], match.group(0)), text)


def launch_summary(began, check_mode, ledger, commits=(), unplanned=(), failure=None):
    """The summary of a launch: each task as ``ledger`` last saw it, ``commits`` (drs_async_commit answers),
    ``unplanned`` (task IDs check mode could not plan before a commit) and ``failure`` (``task`` and ``msg``)
    when the launch failed or was interrupted."""
    # A task check mode could plan only after a commit is in ``unplanned``, not among the tasks.
    unplanned_ids = set(unplanned)
    tasks = [dict(task) for task in ledger.tasks.values() if task["job_id"] not in unplanned_ids]
    counts = dict((action, sum(1 for task in tasks if task.get("action") == action)) for action in ACTIONS)
    counts["retried"] = sum(task["retries"] for task in tasks)
    summary = dict(
        tasks=len(tasks),
        committed=[commit["job"]["async_job_id"] for commit in commits if commit.get("changed")],
        unplanned=list(unplanned),
        per_status=count_by_status([task for task in tasks if task["status"]]),
        elapsed_seconds=round(time.time() - began, 1),
        check_mode=bool(check_mode),
        failure=dict(failure) if failure else None,
        jobs=tasks,
        **counts
    )
    summary["message"] = message(summary)
    return summary


def message(summary, reason_shown=False):
    """The summary line; ``reason_shown``: the line the role stops with after a failed step, which showed the
    failure's reason itself - the line without it."""
    check_mode = summary["check_mode"]
    actions = ["%d started" % summary["started"], "%d already started" % summary["already_started"]]
    if summary["would_start"] or check_mode:
        actions.append("%d would start" % summary["would_start"])
    if summary["failed"]:
        actions.append("%d failed to start" % summary["failed"])
    if summary["retried"]:
        actions.append("%d %s after a failure" % (summary["retried"], "retry" if summary["retried"] == 1 else "retries"))
    text = "%s (%s)" % (count_of(summary["tasks"], "task"), ", ".join(actions))
    if summary["committed"]:
        text += ", %s %s" % (count_of(len(summary["committed"]), "async job"), "to commit" if check_mode else "committed")
    if summary["unplanned"]:
        text += "; %s to be planned only after the commit" % count_of(len(summary["unplanned"]), "task")
    text += ", in %ss" % summary["elapsed_seconds"]
    statuses = sorted(summary["per_status"].items(), key=lambda item: (-item[1], str(item[0])))
    if statuses:
        text += "; status: " + ", ".join("%s=%d" % item for item in statuses)
    failure = summary["failure"]
    if failure and failure.get("interrupted"):
        return "Launch stopped by %s (ansible-playbook interrupted or cancelled) during '%s' | so far: %s" % (
            failure["interrupted"], failure.get("task"), text)
    if failure:
        reason = str(failure.get("msg"))
        hint = ""
        if DUAL_ACTIVE_REFUSAL.search(reason):
            hint = (" | a dual-active backward task starts only after its forward task replicates in sync: put the "
                    "backward task in a later group of batch_launch_job_groups than its forward task")
        return "Launch failed at '%s'%s%s | so far: %s" % (
            failure.get("task"), " (the reason is above)" if reason_shown else ": " + reason, hint, text)
    return ("Check mode, nothing changed: " if check_mode else "Launched: ") + text
