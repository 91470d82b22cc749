# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The summary of a launch of drs_batch_launch (the batch_launch role): what it shows and publishes.

Private to this collection; not a public API.
"""

import re
import time

from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import count_by_status, count_of, status_class

# DRS's refusal to start a backward task before its forward task (the wording of the seed page
# and the vendor's messages: "forward task", "dual-active").
DUAL_ACTIVE_REFUSAL = re.compile(r"forward (task|job)|dual-active", re.IGNORECASE)
ACTIONS = ("started", "already_started", "would_start", "failed")
TASK_FIELDS = ("status", "status_class", "target", "reached", "task_mode", "progress", "remaining_time",
               "incre_trans_delay", "rpo_delay", "rto_delay")


def launch_summary(began, check_mode, commits=(), starts=(), waits=(), unplanned=(), failure=None):
    """The summary of a launch: ``commits`` (drs_async_commit answers), ``starts`` (each group's
    drs_batch_start ``results``), ``waits`` (each group's last drs_batch_status answer), ``unplanned``
    (task IDs check mode could not plan before a commit) and ``failure`` (``task``, ``msg`` and the
    failed step's answer as ``result``) when the launch failed."""
    starts, waits = list(starts), list(waits)
    if failure:
        failure = dict(failure)
        # The failed step's own answer: a start that failed part way, or the last read of a wait.
        failed_answer = failure.pop("result", None) or {}
        results = failed_answer.get("results") or []
        # A start's per-task results (they have status_before; a precheck's do not).
        if results and all("status_before" in entry for entry in results):
            starts.append(results)
        if "jobs" in failed_answer:
            waits.append(failed_answer)
    jobs = {}
    for results in starts:
        for entry in results:
            jobs[entry["job_id"]] = dict(job_id=entry["job_id"], action=entry.get("action"),
                                         status_before=entry.get("status_before"), status=entry.get("status_before"),
                                         status_class=entry.get("status_class") or status_class(entry.get("status_before")),
                                         start_time=entry.get("start_time"), error_code=entry.get("error_code"),
                                         error_msg=entry.get("error_msg"))
    for answer in waits:
        for entry in answer["jobs"]:
            task = jobs.setdefault(entry["id"], dict(job_id=entry["id"], action=None, status_before=None))
            task.update((key, entry[key]) for key in TASK_FIELDS if key in entry)
            if entry.get("error_code") or entry.get("error_message"):
                task.update(error_code=entry.get("error_code"), error_msg=entry.get("error_message"))
    tasks = list(jobs.values())
    counts = dict((action, sum(1 for task in tasks if task.get("action") == action)) for action in ACTIONS)
    per_status = count_by_status(tasks)
    summary = dict(
        tasks=len(tasks),
        committed=[commit["job"]["async_job_id"] for commit in commits if commit.get("changed")],
        unplanned=list(unplanned),
        per_status=per_status,
        elapsed_seconds=round(time.time() - began, 1),
        check_mode=bool(check_mode),
        failure=failure,
        jobs=tasks,
        **counts
    )
    summary["message"] = message(summary)
    return summary


def message(summary):
    check_mode = summary["check_mode"]
    actions = ["%d started" % summary["started"], "%d already started" % summary["already_started"]]
    if summary["would_start"] or check_mode:
        actions.append("%d would start" % summary["would_start"])
    if summary["failed"]:
        actions.append("%d failed to start" % summary["failed"])
    text = "%s (%s)" % (count_of(summary["tasks"], "task"), ", ".join(actions))
    if summary["committed"]:
        text += ", %s %s" % (count_of(len(summary["committed"]), "async job"), "to commit" if check_mode else "committed")
    if summary["unplanned"]:
        text += "; %s to be planned only after the commit" % count_of(len(summary["unplanned"]), "task")
    text += ", in %ss" % summary["elapsed_seconds"]
    statuses = sorted(summary["per_status"].items(), key=lambda item: (-item[1], str(item[0])))
    if statuses:
        text += "; status: " + ", ".join("%s=%d" % item for item in statuses)
    if summary["failure"]:
        reason = str(summary["failure"].get("msg"))
        if DUAL_ACTIVE_REFUSAL.search(reason):
            reason += (" | a dual-active backward task starts only after its forward task replicates in sync: put the "
                       "backward task in a later group of batch_launch_job_groups than its forward task")
        return "Launch failed at '%s': %s | so far: %s" % (summary["failure"].get("task"), reason, text)
    return ("Check mode, nothing changed: " if check_mode else "Launched: ") + text
