#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_batch_precheck
short_description: Precheck many DRS tasks before they start, and wait for the result
version_added: 0.2.0
description:
  - Starts the precheck DRS requires before a task starts, for many tasks at once, and waits until every precheck
    has passed. Fails at once when one does not pass, naming each failed check item of each task with its reason.
  - Prechecks only the tasks it is for, read first with batch-status - those in C(CONFIGURATION) with
    O(precheck_mode=forStartJob), those in a failed status with O(precheck_mode=forRetryJob); any other task
    (started already, for example) needs none and is reported as RV(results[].action=not_needed), so a launch
    run again on a running batch prechecks nothing.
  - Reads the latest precheck result of every task with C(POST /v3/{project_id}/jobs/batch-precheck-result)
    (vendor SDK models C(BatchQueryPrecheckResultReq), which takes task IDs, and C(BatchCheckResultsResponse) of
    C(QueryPreCheckResp)), 100 tasks per request. A task whose latest precheck passed is not prechecked again
    (unless O(force)); a task whose precheck is still running is waited for instead of being prechecked twice.
  - Starts the precheck of the other tasks with C(POST /v3/{project_id}/jobs/batch-precheck) (models
    C(BatchPrecheckReq) of C(PreCheckInfo), and C(BatchCheckJobsResponse) of C(PostPreCheckResp)), 100 tasks per
    request, then reads the results again every O(poll_interval) seconds, one line of progress per read.
  - A precheck has passed when its progress (C(process)) is 100% and its C(result) is true or its pass rate
    (C(total_passed_rate)) is 100%. It has failed when it is complete without passing, or as soon as one of its
    check items is C(FAILED), even while other items are still being checked, since it can no longer pass. Items
    with C(ALARM) do not stop a precheck from passing; they are returned and shown as warnings.
  - The results carry no task ID; the API answers them in the order of the task IDs asked for, and this module
    relies on that order. A result whose C(precheck_id) is not the one the start answered is an older precheck's,
    so the module keeps waiting for the new one.
  - A task the API answers an error code for, without a progress (C(process)), or without a C(precheck_id), has
    no precheck result, never having been prechecked.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
attributes:
  check_mode:
    support: full
    description:
      - Reads the latest results and reports the tasks whose precheck would start (RV(results[].action=would_start)),
        starting none. Prechecks already running are waited for, since that only reads.
  diff_mode:
    support: none
    description: A precheck changes no task, so there is no difference to show.
options:
  jobs:
    description:
      - IDs of the DRS tasks to precheck, at least one and any number of them; duplicates are removed.
    type: list
    elements: str
    required: true
  precheck_mode:
    description:
      - What the precheck is for, as DRS asks. V(forStartJob) before the first start of a configured task;
        V(forRetryJob) after objects of an incrementally transferring task were edited, or before a failed task is
        retried. A precheck in the wrong mode may fail.
    type: str
    choices: [forStartJob, forRetryJob]
    default: forStartJob
  force:
    description:
      - Precheck every task again, also those whose latest precheck passed.
      - A precheck still running is waited for even so.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for every precheck to complete before failing with the tasks still being checked.
      - V(0) starts the prechecks (or reads them) once and fails unless every one has already passed.
    type: int
    default: 900
  poll_interval:
    description:
      - Seconds from the start of one read of the results to the start of the next, at least V(0.1).
    type: float
    default: 5
  outage_tolerance:
    description:
      - While waiting, for how many seconds reads may fail with an error that may pass (no connection, a
        timeout, throttling, an HTTP 5xx, an unreadable answer) before the module fails - never past
        O(wait_timeout). The API stopping and coming back is shown once each; reads go on at O(poll_interval),
        backing off to one a minute. Reads change nothing, so repeating them is safe.
      - A first read that fails ends the wait at once - the connection options never worked.
    type: int
    default: 600
  progress_label:
    description:
      - Text that starts every progress line, for example C(Group 1/2).
    type: str
  resume:
    description:
      - Set by this module's action plugin for every read after the first, from the RV(results) of the first;
        there is no need to set it in a playbook.
      - With it, the module starts no precheck, keeps each task's RV(results[].action) and waits for the
        precheck IDs given.
    type: list
    elements: dict
    suboptions:
      job_id:
        description: Task ID, one of O(jobs).
        type: str
        required: true
      action:
        description: What the first read did for the task, RV(results[].action).
        type: str
        required: true
        choices: [started, would_start, already_passed, already_running, not_needed, restarted]
      precheck_id:
        description: The precheck to wait for.
        type: str
      replaced_precheck_id:
        description: RV(results[].replaced_precheck_id) of the first read.
        type: str
notes:
  - The controller runs the module once per read, so O(poll_interval) is at least the time one run takes
    (about half a second on a small controller).
  - Each read makes one request per 100 tasks; starting makes one more per 100 tasks whose precheck starts.
  - A start that fails with an HTTP 5xx or without an answer is read back at the next read, which finds the
    prechecks that did start running, and starts the others.
"""

EXAMPLES = r"""
- name: Precheck every task of the orders migration that is ready to start
  module_defaults:
    group/hwcloud.drs.drs:
      region: eu-de
      project_id: "{{ project_id }}"
      auth_token: "{{ iam_token }}"
  block:
    - name: Find the tasks
      hwcloud.drs.drs_job_info:
        name: orders-*
        status: CONFIGURATION
      register: orders

    - name: Precheck them, waiting up to 30 minutes
      hwcloud.drs.drs_batch_precheck:
        jobs: "{{ orders.job_ids }}"
        wait_timeout: 1800
        poll_interval: 15

- name: Precheck an edited, incrementally transferring task again, even if its last precheck passed
  hwcloud.drs.drs_batch_precheck:
    endpoint: https://drs.eu-de.otc.t-systems.com
    project_id: 054ba152d480d55b2f5dc0069e7ddef0
    auth_token: "{{ iam_token }}"
    jobs:
      - 9a470239-2308-4bb5-a6bc-1040402fjb21
    precheck_mode: forRetryJob
    force: true
"""

RETURN = r"""
changed:
  description: Whether a precheck was started (in check mode, would be).
  returned: always
  type: bool
  sample: true
results:
  description: One entry per distinct task ID, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: Task ID.
      type: str
      sample: 9a470239-2308-4bb5-a6bc-1040402fjb21
    action:
      description:
        - V(started) - this run started the task's precheck.
        - V(would_start) - check mode, the precheck would start.
        - V(already_passed) - the latest precheck passed, so none was started.
        - V(already_running) - a precheck was running already; this run waited for it.
        - V(restarted) - the precheck this run waited for vanished from the API (it knew no precheck of the task
          any more), so it was started again, once.
        - V(not_needed) - the task is not one the precheck is for (it is started already, for example), so it was
          not prechecked.
        - V(failed) - the API refused to start the precheck (see RV(results[].error_code), RV(results[].error_msg)).
      type: str
      sample: started
    precheck_id:
      description:
        - ID of the precheck the result is about; null when the task has none.
        - While waiting, a newer precheck of the task (started by someone else meanwhile) replaces the one this
          run started or found. Its result is the task's latest, which DRS judges at the start, so it is followed.
      type: str
      sample: 3b4e1c2a-9f0d-4e6b-8a7c-5d2f1e0a9b8c
    replaced_precheck_id:
      description:
        - With RV(results[].action=started), the ID of the task's latest precheck before this run started one (a
          result still about it means the new precheck has not shown up yet); null otherwise.
      type: str
      sample: 0d2c4b6a-1e3f-4a5b-9c7d-8e6f5a4b3c2d
    result:
      description:
        - V(passed), V(failed) or V(running); null when the task has no precheck result.
        - With RV(results[].action=would_start), the result of the latest precheck, which is why it would run
          again.
      type: str
      sample: passed
    progress:
      description: Percent of the precheck done (C(process)); null when unknown.
      type: float
      sample: 100
    pass_rate:
      description: Percent of the check items passed (C(total_passed_rate)); null when unknown.
      type: float
      sample: 100
    failed_items:
      description: The check items that failed (C(PrecheckResult) with C(result) C(FAILED)).
      type: list
      elements: dict
      contains:
        item:
          description: Name of the check item.
          type: str
          sample: source_db_connection
        failed_reason:
          description: Why it failed.
          type: str
          sample: The source database cannot be connected.
        raw_error_msg:
          description: The underlying error, as the database or DRS gave it.
          type: str
          sample: "Access denied for user 'drs'@'192.168.0.5'"
        group:
          description: Group of the check item.
          type: str
          sample: database_connection
        data:
          description: The item's detail data, as the API gives it (encrypted JSON text).
          type: str
          sample: null
        failed_sub_jobs:
          description: Subtasks that failed the item (C(PrecheckFailSubJobVO) - C(id), C(name), C(check_result)).
          type: list
          elements: dict
          sample: []
      sample: []
    alarm_items:
      description: The check items that passed with an alarm (C(result) C(ALARM)), with the fields of RV(results[].failed_items).
      type: list
      elements: dict
      sample: []
    error_code:
      description: Error code of a refused start, or of the result read.
      type: str
      sample: DRS.10040011
    error_msg:
      description: Error message of a refused start, or of the result read.
      type: str
      sample: The job status does not allow this operation.
summary:
  description: Number of tasks per RV(results[].result) (V(none) for no result).
  returned: always
  type: dict
  sample: {"passed": 18, "running": 2}
reached:
  description: Whether none of the prechecks waited for is still running.
  returned: always
  type: bool
  sample: true
polls:
  description: Number of times the results were read.
  returned: always
  type: int
  sample: 4
elapsed:
  description: Seconds spent starting, reading and waiting.
  returned: always
  type: float
  sample: 61.2
"""

import time

from ansible_collections.hwcloud.drs.plugins.module_utils._client import PRECHECK_CHUNK_SIZE
from ansible_collections.hwcloud.drs.plugins.module_utils._module import (
    DrsModule, InputError, check_id, task_statuses, unknown_tasks,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._precheck import (
    FAILED, PASSED, RUNNING, describe_failures, describe_items, read_result,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import FAILED as FAILED_CLASS
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import NEEDS_START, first_of, status_class
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import PRECHECK_WAIT_SPEC

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


class DrsBatchPrecheck(DrsModule):
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
            latest = self.client.precheck_results([job_id for job_id in job_ids if job_id in needed])
            entries = [self.plan(job_id, latest[job_id]) if job_id in needed else not_needed(job_id) for job_id in job_ids]
            if not self.module.check_mode:
                self.start([entry for entry in entries if entry["action"] == WOULD_START])
        else:
            latest = self.client.precheck_results([job_id for job_id in job_ids if resume[job_id][0] != NOT_NEEDED])
            entries = [resumed(job_id, resume[job_id], latest.get(job_id)) for job_id in job_ids]
            lost = [entry for entry in entries if entry["action"] == RESTART]
            if self.module.check_mode:
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
        entries, unknown = task_statuses(self.client, job_ids)
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
        changing = (STARTED, WOULD_START) if self.module.check_mode else (STARTED, RESTARTED)
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
                    self.module.warn("Task %s passed its precheck with %d alarm(s): %s"
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


def main():
    DrsBatchPrecheck().execute()


if __name__ == "__main__":
    main()
