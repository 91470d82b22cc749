# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The precheck step (drs_batch_precheck): start the prechecks of the tasks that need one, follow them to
their end and judge them; and precheck results (``QueryPreCheckResp`` of batch-precheck-result) read into
one entry per task: which precheck, how far, passed or not, and the check items that failed or raised an
alarm, which ``drs_batch_retry``'s ``forRetryJob`` precheck reads too. Private to this collection; not a
public API.
"""

import math
import time

from ansible_collections.hwcloud.drs.plugins.module_utils._client import PRECHECK_CHUNK_SIZE
from ansible_collections.hwcloud.drs.plugins.module_utils._module import (
    DrsStep, InputError, check_id, unknown_tasks,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import FAILED as FAILED_CLASS
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import NEEDS_START, first_of, status_class
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import PRECHECK_WAIT_SPEC

# results[].result: the verdict on a task's precheck
PASSED = "passed"
FAILED = "failed"
RUNNING = "running"
# results[].action
STARTED = "started"
WOULD_START = "would_start"
ALREADY_PASSED = "already_passed"
ALREADY_RUNNING = "already_running"
NOT_NEEDED = "not_needed"
RESTARTED = "restarted"
# Not an answer's action: marks, within a run, a task whose awaited precheck vanished, to start again.
RESTART = "restart"
REFUSED = "failed"


class DrsBatchPrecheck(DrsStep):
    argument_spec = dict(
        jobs=dict(type="list", elements="str", required=True),
        precheck_mode=dict(type="str", default="forStartJob", choices=["forStartJob", "forRetryJob"]),
        force=dict(type="bool", default=False),
        progress_label=dict(type="str"),
        resume=dict(type="list", elements="dict", options=dict(
            job_id=dict(type="str", required=True),
            action=dict(type="str", required=True,
                        choices=[STARTED, WOULD_START, ALREADY_PASSED, ALREADY_RUNNING, NOT_NEEDED, RESTARTED]),
            precheck_id=dict(type="str"),
            replaced_precheck_id=dict(type="str"),
        )),
        **PRECHECK_WAIT_SPEC
    )
    action = "precheck DRS tasks"

    def run(self):
        started = time.monotonic()
        job_ids = list(dict.fromkeys(check_id(job_id, "jobs[%d]" % index) for index, job_id in enumerate(self.params["jobs"])))
        if not job_ids:
            raise InputError("jobs: give at least one task ID")
        resume = self.resume_plan(job_ids)
        # Results are read only for the tasks the precheck is for: a re-run on a launched batch reads none.
        if resume is None:
            needed = self.needing_a_precheck(job_ids)
            # A task the run's own commit created has no earlier precheck to read.
            latest = self.client.precheck_results([job_id for job_id in job_ids
                                                   if job_id in needed and job_id not in self.context.known.fresh])
            entries = [self.plan(job_id, latest.get(job_id, {})) if job_id in needed else not_needed(job_id)
                       for job_id in job_ids]
            if not self.context.check_mode:
                self.start([entry for entry in entries if entry["action"] == WOULD_START])
        else:
            latest = self.client.precheck_results([job_id for job_id in job_ids if resume[job_id][0] != NOT_NEEDED])
            entries = [resumed(job_id, resume[job_id], latest.get(job_id)) for job_id in job_ids]
            lost = [entry for entry in entries if entry["action"] == RESTART]
            if self.context.check_mode:
                for entry in lost:
                    entry["action"] = WOULD_START
            else:
                self.start(lost, action=RESTARTED)
        return self.judge(entries, started)

    # -- plan ----------------------------------------------------------------------------

    def resume_plan(self, job_ids):
        """Task ID -> (action, precheck ID, replaced precheck ID) from ``resume``, or None for a first read."""
        if self.params["resume"] is None:
            return None
        plan = dict((entry["job_id"], (entry["action"], entry["precheck_id"], entry["replaced_precheck_id"]))
                    for entry in self.params["resume"])
        missing = [job_id for job_id in job_ids if job_id not in plan]
        if missing:
            raise InputError("resume: no entry for %d task(s) of jobs: %s" % (len(missing), first_of(missing)))
        return plan

    def needing_a_precheck(self, job_ids):
        """The tasks the precheck is for: those to start (forStartJob) or to retry after a failure (forRetryJob).

        A task that is started already, or cannot be started, needs none; DRS refuses to precheck it.
        """
        entries, unknown = self.known_or_read_statuses(job_ids)
        if unknown:
            raise InputError("Failed to %s: %s" % (self.action, unknown_tasks(unknown)))
        if self.params["precheck_mode"] == "forRetryJob":
            return set(entry["id"] for entry in entries if status_class(entry["status"]) == FAILED_CLASS)
        return set(entry["id"] for entry in entries if entry["status"] in NEEDS_START)

    def plan(self, job_id, raw):
        entry = dict(read_result(job_id, raw), replaced_precheck_id=None)
        if entry["result"] == PASSED and not self.params["force"]:
            entry["action"] = ALREADY_PASSED
        elif entry["result"] == RUNNING:
            entry["action"] = ALREADY_RUNNING
        else:
            entry["action"] = WOULD_START
        return entry

    # -- act -----------------------------------------------------------------------------

    def start(self, entries, action=STARTED):
        for first in range(0, len(entries), PRECHECK_CHUNK_SIZE):
            chunk = entries[first:first + PRECHECK_CHUNK_SIZE]
            answers = self.client.start_prechecks([dict(job_id=entry["job_id"], precheck_mode=self.params["precheck_mode"])
                                                   for entry in chunk])
            by_id = dict((answer.get("id"), answer) for answer in answers)
            for entry in chunk:
                answer = by_id.get(entry["job_id"]) or {}
                if answer.get("status") == "success":
                    entry.update(waiting_for(entry["job_id"], answer.get("precheck_id")), action=action,
                                 replaced_precheck_id=entry["precheck_id"] if action == STARTED else entry["replaced_precheck_id"])
                else:
                    entry.update(action=REFUSED, error_code=answer.get("error_code"),
                                 error_msg=answer.get("error_msg") or answer.get("error_message") or
                                 ("the service answered %r" % answer["status"] if answer else
                                  "the service's answer does not mention the task"))

    # -- result --------------------------------------------------------------------------

    def judge(self, entries, started):
        refused = [entry for entry in entries if entry["action"] == REFUSED]
        # A task whose precheck would start again is not judged by its latest, older result.
        judged = [entry for entry in entries if entry["action"] not in (REFUSED, WOULD_START, NOT_NEEDED)]
        not_passed = [entry for entry in judged if entry["result"] == FAILED]
        running = [entry for entry in judged if entry["result"] == RUNNING]
        summary = {}
        for entry in entries:
            summary[entry["result"] or "none"] = summary.get(entry["result"] or "none", 0) + 1
        changing = (STARTED, WOULD_START) if self.context.check_mode else (STARTED, RESTARTED)
        result = dict(changed=any(entry["action"] in changing for entry in entries), results=entries, summary=summary,
                      reached=not running, polls=1, elapsed=round(time.monotonic() - started, 1))
        problems = []
        if not_passed:
            problems.append("%d of %d did not pass: %s" % (len(not_passed), len(entries), describe_failures(not_passed)))
        if refused:
            problems.append("%d of %d could not be prechecked: %s" % (len(refused), len(entries), first_of(
                ["%s (%s: %s)" % (entry["job_id"], entry["error_code"] or "-", entry["error_msg"]) for entry in refused])))
        if problems:
            self.fail("The precheck of DRS tasks failed: " + "; and ".join(problems), **result)
        if not running:
            for entry in judged:
                if entry["alarm_items"]:
                    self.context.warn("Task %s passed its precheck with %d alarm(s): %s"
                                      % (entry["job_id"], len(entry["alarm_items"]), describe_items(entry["alarm_items"])))
        return result


def not_needed(job_id):
    return dict(waiting_for(job_id, None), result=None, action=NOT_NEEDED)


def resumed(job_id, plan, raw):
    """A later read: the first read's action, and the result of the precheck it started or found running.

    The task's latest result decides: one about the precheck awaited is judged; one about the precheck
    it replaced, or none yet, means the new one has not shown up; one about any other precheck is a
    newer one, started meanwhile, and is followed. A task the API knows no precheck of any more is
    marked RESTART (once: a restarted precheck is then only awaited).
    """
    action, precheck_id, replaced_precheck_id = plan
    if action == NOT_NEEDED:
        return not_needed(job_id)
    entry = read_result(job_id, raw)
    if action in (STARTED, ALREADY_RUNNING, RESTARTED):
        latest_id = entry["precheck_id"]
        if latest_id is None and entry["error_code"] and precheck_id and action != RESTARTED:
            entry = dict(waiting_for(job_id, precheck_id), action=RESTART)
        elif latest_id is None or (precheck_id and latest_id == replaced_precheck_id):
            entry = waiting_for(job_id, precheck_id)
    entry.setdefault("action", action)
    entry["replaced_precheck_id"] = replaced_precheck_id
    return entry


def waiting_for(job_id, precheck_id):
    return dict(job_id=job_id, precheck_id=precheck_id or None, replaced_precheck_id=None, result=RUNNING, progress=None,
                pass_rate=None, failed_items=[], alarm_items=[], error_code=None, error_msg=None)


# -- reading precheck results ---------------------------------------------------------

ITEM_FIELDS = ("item", "failed_reason", "raw_error_msg", "group", "data", "failed_sub_jobs")


def read_result(job_id, raw):
    """The entry for one ``QueryPreCheckResp``: which precheck, how far, passed or not, and its failed items."""
    items = raw.get("precheck_result") if isinstance(raw.get("precheck_result"), list) else []
    items = [item for item in items if isinstance(item, dict)]
    entry = dict(job_id=job_id, precheck_id=raw.get("precheck_id") or None, progress=percent(raw.get("process")),
                 pass_rate=percent(raw.get("total_passed_rate")),
                 failed_items=[item_entry(item) for item in items if item.get("result") == "FAILED"],
                 alarm_items=[item_entry(item) for item in items if item.get("result") == "ALARM"],
                 error_code=raw.get("error_code") or None, error_msg=raw.get("error_msg") or None)
    passed = raw.get("result") is True or entry["pass_rate"] == 100
    # An error instead of a progress: no precheck has run (the answer may echo the ID asked for as precheck_id).
    if entry["precheck_id"] is None or (entry["error_code"] and raw.get("process") is None):
        entry.update(precheck_id=None, result=None)
    elif entry["failed_items"]:
        entry["result"] = FAILED
    elif entry["progress"] is None:
        # No progress given: only the API's own verdict tells that the precheck is over.
        entry["result"] = PASSED if raw.get("result") is True else RUNNING
    elif entry["progress"] >= 100:
        entry["result"] = PASSED if passed else FAILED
    else:
        entry["result"] = RUNNING
    return entry


def item_entry(item):
    entry = dict((field, item.get(field)) for field in ITEM_FIELDS)
    entry["failed_sub_jobs"] = entry["failed_sub_jobs"] if isinstance(entry["failed_sub_jobs"], list) else []
    return entry


def percent(value):
    """A number from the API's percent strings ("100%", "97.5%", "80"); None for anything else."""
    try:
        number = float(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else round(number, 1)


def describe_items(items):
    # The API often repeats the reason as the raw error message: shown once.
    return ", ".join("%s: %s%s" % (item["item"] or "-", item["failed_reason"] or "no reason given",
                                   " (%s)" % item["raw_error_msg"]
                                   if item["raw_error_msg"] and item["raw_error_msg"] != item["failed_reason"] else "")
                     for item in items)


def describe_failures(entries):
    parts = []
    for entry in entries:
        rate = "" if entry["pass_rate"] is None else "pass rate %s%%, " % entry["pass_rate"]
        if entry["failed_items"]:
            detail = "%d failed item(s): %s" % (len(entry["failed_items"]), describe_items(entry["failed_items"]))
        else:
            detail = "no failed item reported"
            if entry["error_msg"]:
                detail += ": %s: %s" % (entry["error_code"] or "-", entry["error_msg"])
        parts.append("%s (%s%s)" % (entry["job_id"], rate, detail))
    return first_of(parts)
