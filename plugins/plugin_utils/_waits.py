# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The waits of drs_batch_status and drs_batch_precheck: their progress lines and timeouts.

Used by both modules' action plugins and by drs_batch_launch. Private to this collection; not a public API.
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._precheck import PASSED, RUNNING, STARTED
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import count_of, describe_tasks, first_of
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import PRECHECK_WAIT_SPEC, STATUS_WAIT_SPEC
from ansible_collections.hwcloud.drs.plugins.plugin_utils._polling import Wait, duration


class StatusWait(Wait):
    """The wait of drs_batch_status: until every task is at or past its target."""

    module = "hwcloud.drs.drs_batch_status"
    wait_spec = STATUS_WAIT_SPEC

    def progress_line(self, answer, args):
        """``12 of 19 tasks at INCRE_TRANSFER_STARTED; now INCRE_TRANSFER_STARTED=12, ... | full transfer 34% lowest, ... | ...``"""
        jobs = answer["jobs"]
        counts = sorted(answer["summary"].items(), key=lambda item: (-item[1], item[0]))
        parts = ["%d of %s at %s; now %s" % (
            len(jobs) - answer["waiting"], count_of(len(jobs), "task"), describe_targets(jobs),
            ", ".join("%s=%d" % item for item in counts))]
        figures = answer.get("progress_summary") or {}
        if figures.get("full_transfer_lowest") is not None:
            text = "full transfer %d%% lowest, %d%% median" % (
                figures["full_transfer_lowest"], figures["full_transfer_median"])
            if figures.get("longest_remaining_time") is not None:
                text += ", %s left at most" % duration(figures["longest_remaining_time"])
            parts.append(text)
        if figures.get("largest_incre_delay") is not None:
            parts.append("incremental delay %s at most" % duration(figures["largest_incre_delay"]))
        if args.get("rpo_rto_max") is not None:
            if figures.get("largest_rpo_delay") is None and figures.get("largest_rto_delay") is None:
                parts.append("RPO and RTO not reported yet (each must be below %ss)" % args["rpo_rto_max"])
            else:
                parts.append("RPO %s, RTO %s at most (each must be below %ss)" % (
                    unknown_or_duration(figures.get("largest_rpo_delay")),
                    unknown_or_duration(figures.get("largest_rto_delay")), args["rpo_rto_max"]))
        return " | ".join(parts)

    def closing_line(self, answer, args):
        """The wait's end shown as its polls are (``19 of 19 tasks at ...``), not only the poll before it."""
        return self.progress_line(answer, args)

    def timed_out(self, answer, waiter):
        waiting = [entry for entry in answer["jobs"] if not entry.get("reached")]
        answer.update(failed=True, msg="Timed out after %ds waiting for %d of %s to reach %s; still waiting: %s"
                      % (waiter.timeout, len(waiting), count_of(len(answer["jobs"]), "DRS task"), targets_of(waiting),
                         describe_tasks(waiting)))
        return answer


def targets_of(jobs):
    return " or ".join(sorted(set(entry["target"] for entry in jobs)))


def describe_targets(jobs):
    """``INCRE_TRANSFER_STARTED``, or with several targets (auto) ``their targets (1 FULL_TRANSFER_COMPLETE, ...)``."""
    counts = {}
    for entry in jobs:
        counts[entry["target"]] = counts.get(entry["target"], 0) + 1
    if len(counts) == 1:
        return list(counts)[0]
    return "their targets (%s)" % ", ".join("%d %s" % (count, target) for target, count in sorted(counts.items()))


def unknown_or_duration(seconds):
    return "unknown" if seconds is None else duration(seconds)


class PrecheckWait(Wait):
    """The wait of drs_batch_precheck: the first run reads the latest results and starts the prechecks;
    every later run gets the first run's plan as ``resume``, so it only reads, and never starts a
    precheck twice."""

    module = "hwcloud.drs.drs_batch_precheck"
    wait_spec = PRECHECK_WAIT_SPEC

    def __init__(self):
        self._resume = None

    def waits(self, args):
        return True

    def poll_args(self, args, previous_answer):
        """After a first read that planned every task, each later read resumes that plan.

        A failed read has no plan: the read before it (or none, if the first read failed, which then
        runs again as a first read and finds the prechecks that did start running) is resumed.
        """
        if previous_answer and not previous_answer.get("failed") and "resume" not in args:
            self._resume = [dict(job_id=entry["job_id"], action=entry["action"], precheck_id=entry["precheck_id"],
                                 replaced_precheck_id=entry["replaced_precheck_id"])
                            for entry in previous_answer["results"]]
        return args if self._resume is None else dict(args, resume=self._resume)

    def read_again_at_once(self, answer):
        """Right after the first read started prechecks: a quick precheck (a small task, a simulator) is over by
        the next read, which then ends the wait a whole interval sooner; a slow one costs this one read."""
        first_read = self._resume is None  # the plan is resumed from the read after it
        return first_read and any(entry["action"] == STARTED for entry in answer["results"])

    def progress_line(self, answer, args):
        """``precheck 3 of 5 tasks passed, 2 running (40% done at least) | pass rate 96% lowest``"""
        results = answer["results"]
        running = [entry for entry in results if entry["result"] == RUNNING]
        passed = sum(1 for entry in results if entry["result"] == PASSED)
        text = "precheck %d of %s passed" % (passed, count_of(len(results), "task"))
        if running:
            progress = [entry["progress"] for entry in running if entry["progress"] is not None]
            text += ", %d running" % len(running)
            if progress:
                text += " (%s%% done at least)" % min(progress)
        rates = [entry["pass_rate"] for entry in results if entry["pass_rate"] is not None]
        if rates:
            text += " | pass rate %s%% lowest" % min(rates)
        return text

    def timed_out(self, answer, waiter):
        running = [entry for entry in answer["results"] if entry["result"] == RUNNING]
        answer.update(failed=True, msg="Timed out after %ds waiting for the precheck of %d of %d DRS tasks; still running: %s"
                      % (waiter.timeout, len(running), len(answer["results"]), first_of([describe_precheck(entry) for entry in running])))
        return answer


def describe_precheck(entry):
    figures = []
    if entry["progress"] is not None:
        figures.append("%s%% done" % entry["progress"])
    if entry["pass_rate"] is not None:
        figures.append("pass rate %s%% so far" % entry["pass_rate"])
    if not figures:
        figures.append("no result yet" + (" for precheck %s" % entry["precheck_id"] if entry["precheck_id"] else ""))
    return "%s (%s)" % (entry["job_id"], ", ".join(figures))
