# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The wait of ``hwcloud.drs.drs_batch_precheck``, on the controller: one module run and one line per read.

The first run reads the latest results and starts the prechecks; every later run gets the
first run's plan as ``resume``, so it only reads, and never starts a precheck twice.
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import count_of, first_of
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import PRECHECK_WAIT_SPEC
from ansible_collections.hwcloud.drs.plugins.plugin_utils._polling import PollingAction

# The module's verdicts in ``results[].result``.
RUNNING, PASSED = "running", "passed"


class ActionModule(PollingAction):
    module = "hwcloud.drs.drs_batch_precheck"
    wait_spec = PRECHECK_WAIT_SPEC
    _resume = None

    def waits(self, args):
        return True

    def poll_args(self, args, previous_answer):
        """After a first read that planned every task, each later read resumes that plan.

        A failed read has no plan: the read before it (or none, if the first read failed, which then
        runs again as a first read and finds the prechecks that did start running) is resumed.
        """
        if previous_answer and not previous_answer.get("failed") and "resume" not in args:
            self._resume = [dict(job_id=entry["job_id"], action=entry["action"], precheck_id=entry["precheck_id"])
                            for entry in previous_answer["results"]]
        return args if self._resume is None else dict(args, resume=self._resume)

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
                      % (waiter.timeout, len(running), len(answer["results"]), first_of([describe(entry) for entry in running])))
        return answer


def describe(entry):
    figures = []
    if entry["progress"] is not None:
        figures.append("%s%% done" % entry["progress"])
    if entry["pass_rate"] is not None:
        figures.append("pass rate %s%% so far" % entry["pass_rate"])
    if not figures:
        figures.append("no result yet" + (" for precheck %s" % entry["precheck_id"] if entry["precheck_id"] else ""))
    return "%s (%s)" % (entry["job_id"], ", ".join(figures))
