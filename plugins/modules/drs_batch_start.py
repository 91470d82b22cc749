#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_batch_start
short_description: Start many DRS tasks at once, only those that need it
version_added: 0.2.0
description:
  - Starts DRS tasks with the batch-starting API (C(POST /v3/{project_id}/jobs/batch-starting)), in chunks.
  - Reads the tasks' statuses first and starts only the tasks in C(CONFIGURATION). A task that is already
    starting, waiting for its start time, transferring, or running under maintenance (paused, re-edited, recovering
    a node or upgrading, for example C(PAUSING), C(CHILD_TRANSFER_STARTED), C(REBUILD_NODE_STARTED) or
    C(NODE_UPGRADE_START)) is left alone and reported as V(already_started), so running the module twice changes nothing the second time.
  - A task that cannot be started (C(CREATING), any C(*_FAILED) status, released, deleted, a status this
    collection does not know, an unknown ID) fails the module before anything is sent, naming the task and its status.
  - When the service answers a start with C(failed) for a task, the module reports it per task and fails, after
    sending every chunk, without hiding which tasks did start.
  - When a start request may have reached the service but no usable answer came back (timeout, reset connection,
    HTTP 500, 502, 503 or 504), the module reads the statuses of that chunk again and sends a start only for the tasks
    still in C(CONFIGURATION), so that no task is started twice. It waits a little before that read, so that a
    request still on its way can land first, and sends a chunk at most O(retries) more times.
  - When the service refuses to start a task and a read shows the task started after all (by a request of this run
    whose answer was lost, or by another run at the same time), the task is reported as V(started) or
    V(already_started), not as a failure.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
attributes:
  check_mode:
    support: full
    description: Reads the statuses and returns the plan (RV(results[].action=would_start)); sends no start request.
  diff_mode:
    support: full
    description: Shows each task's status before and the action planned for it.
options:
  jobs:
    description:
      - The tasks to start. Each element is a task ID, or a dictionary with the keys C(job_id) and,
        optionally, C(start_time).
      - A task listed twice is started once.
    type: list
    elements: raw
    required: true
  start_time:
    description:
      - When the tasks start, unless an element of O(jobs) sets its own C(start_time).
      - Epoch milliseconds (for example V(1906504200000)) or an ISO 8601 date and time with a UTC offset
        (for example V(2030-06-01T02:00:00+02:00)). It is sent to the API as a string of epoch milliseconds.
      - Without it the tasks start at once. A start time more than 5 minutes in the past is refused for a task
        that needs a start (leave it out to start now), and so is one after the year 2100.
      - A task already waiting for its start time keeps the start time it has.
    type: raw
  chunk_size:
    description:
      - Most tasks in one start request, at most 100.
    type: int
    default: 100
"""

EXAMPLES = r"""
- name: Start two tasks now
  hwcloud.drs.drs_batch_start:
    endpoint: https://drs.eu-de.otc.t-systems.com
    project_id: 054ba152d480d55b2f5dc0069e7ddef0
    auth_token: "{{ iam_token }}"
    jobs:
      - 9a470239-2308-4bb5-a6bc-1040402fjb21
      - dbb8127c-b093-4b94-b764-7161e151jb2s

- name: Start tasks at night, one of them later still
  module_defaults:
    group/hwcloud.drs.drs:
      region: cn-north-4
      project_id: "{{ project_id }}"
      access_key: "{{ ak }}"
      secret_key: "{{ sk }}"
  hwcloud.drs.drs_batch_start:
    start_time: "2030-06-01T02:00:00+02:00"
    jobs:
      - 9a470239-2308-4bb5-a6bc-1040402fjb21
      - job_id: dbb8127c-b093-4b94-b764-7161e151jb2s
        start_time: 1906504200000
  register: drs_start
"""

RETURN = r"""
results:
  description: One entry per distinct task, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: Task ID.
      type: str
      sample: 9a470239-2308-4bb5-a6bc-1040402fjb21
    status_before:
      description: Task status read before anything was sent.
      type: str
      sample: CONFIGURATION
    status_class:
      description:
        - What RV(results[].status_before) means, as in RV(hwcloud.drs.drs_batch_status#module:jobs[].status_class).
      type: str
      sample: startable
    action:
      description:
        - V(started) when the service accepted the start; V(already_started) when the task needed no start;
          V(would_start) in check mode, or when the module failed before sending anything;
          V(failed) when the task could not be started.
      type: str
      choices: [started, already_started, would_start, failed]
      sample: started
    start_time:
      description: Start time sent for the task, in epoch milliseconds, or null to start at once.
      type: str
      sample: "1764554400000"
    error_code:
      description: Error code of a failed task, from the service when it gave one.
      type: str
      sample: DRS.10030011
    error_msg:
      description: Why the task could not be started.
      type: str
      sample: Task status does not allow the operation.
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._client import START_CHUNK_SIZE, START_PATH, DrsApiError
from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import (
    InputError, check_id, check_number, epoch_millis, iso_utc, refuse_past,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._module import DrsModule, task_statuses, unknown_tasks
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import (
    ALREADY_STARTED, NEEDS_START, UNKNOWN, by_reason, count_of, status_class,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import resend_pause


class DrsBatchStart(DrsModule):
    argument_spec = dict(
        jobs=dict(type="list", elements="raw", required=True),
        start_time=dict(type="raw"),
        chunk_size=dict(type="int", default=START_CHUNK_SIZE),
    )
    action = "start DRS tasks"

    def run(self):
        requests = self.requested_starts()
        check_number(self.params["chunk_size"], "chunk_size", 1, START_CHUNK_SIZE)

        statuses = self.read_statuses(list(requests))
        results = dict((job_id, self.plan(job_id, statuses[job_id], start_time)) for job_id, start_time in requests.items())
        blocked = [entry for entry in results.values() if entry["action"] == "failed"]
        if blocked:
            self.fail("%d of %s cannot be started, so none was: %s"
                      % (len(blocked), count_of(len(results), "DRS task"), describe(blocked)), **self.result(results, refused=True))
        if not self.module.check_mode:
            self.start(results)

        outcome = self.result(results)
        failed = [entry for entry in results.values() if entry["action"] == "failed"]
        if failed:
            started = sum(1 for entry in results.values() if entry["action"] == "started")
            self.fail("%d of %s failed to start (%d started): %s"
                      % (len(failed), count_of(len(results), "DRS task"), started, describe(failed)), **outcome)
        return outcome

    # -- plan ----------------------------------------------------------------------------

    def requested_starts(self):
        """Task ID -> start time (epoch ms string or None), validated, duplicates merged."""
        default_start = None
        if self.params["start_time"] is not None:
            default_start = epoch_millis(self.params["start_time"], "start_time")
        requested = {}
        for index, item in enumerate(self.params["jobs"]):
            field = "jobs[%d]" % index
            if isinstance(item, dict):
                unknown = sorted(set(item) - set(["job_id", "start_time"]))
                if unknown:
                    raise InputError("%s: unknown key(s) %s; an element has job_id and optionally start_time"
                                     % (field, ", ".join(unknown)))
                if "job_id" not in item:
                    raise InputError("%s: job_id is required" % field)
                job_id = check_id(item["job_id"], field + ".job_id")
                start_time = default_start
                if item.get("start_time") is not None:
                    start_time = epoch_millis(item["start_time"], field + ".start_time")
            else:
                job_id, start_time = check_id(item, field), default_start
            if job_id in requested and requested[job_id] != start_time:
                raise InputError("%s: task %s is listed twice with different start times" % (field, job_id))
            requested[job_id] = start_time
        if not requested:
            raise InputError("jobs: give at least one task ID")
        return requested

    def read_statuses(self, job_ids):
        entries, unknown = task_statuses(self.client, job_ids)
        if unknown:
            raise InputError("Failed to %s: %s" % (self.action, unknown_tasks(unknown)))
        return dict((entry["id"], entry) for entry in entries)

    def plan(self, job_id, record, start_time):
        status = record.get("status")
        entry = dict(job_id=job_id, status_before=status, status_class=status_class(status), start_time=start_time,
                     action="would_start", error_code=None, error_msg=None)
        if status in ALREADY_STARTED:
            entry.update(action="already_started", start_time=None)
        elif status not in NEEDS_START:
            reason = "which this collection does not know, so it does not start it" if entry["status_class"] == UNKNOWN \
                else "which cannot be started"
            entry.update(action="failed", error_code=record.get("error_code"),
                         error_msg="task is %s, %s%s" % (
                             status, reason, ": " + record["error_message"] if record.get("error_message") else ""))
        elif start_time is not None:
            try:
                refuse_past(start_time, "start_time")
            except InputError as exc:
                entry.update(action="failed", error_msg=str(exc))
        return entry

    # -- act -----------------------------------------------------------------------------

    def start(self, results):
        pending = [entry for entry in results.values() if entry["action"] == "would_start"]
        size = self.params["chunk_size"]
        chunks = -(-len(pending) // size)
        for first in range(0, len(pending), size):
            chunk = pending[first:first + size]
            try:
                self.start_chunk(chunk)
            except DrsApiError as exc:
                # One reason per chunk, and one for the chunks never sent, so that the message
                # names each once (with its tasks) instead of repeating it for every task.
                which = "chunk %d of %d" % (first // size + 1, chunks)
                if exc.outcome_unknown:
                    reason = "start outcome unknown, it may have taken effect (run again to find out): %s" % exc
                    not_sent = "not sent, because %s had no answer" % which
                else:
                    reason = "start refused, %s: %s" % (which, exc)
                    not_sent = "not sent, because %s was refused" % which
                for entry in chunk:
                    if entry["action"] == "would_start":
                        entry.update(action="failed", error_code=exc.error_code, error_msg=reason)
                for entry in pending[first + size:]:
                    entry.update(action="failed", error_msg=not_sent)
                return

    def start_chunk(self, chunk):
        """Start one chunk; where the outcome is unknown, read it back before sending again."""
        # A start whose outcome is unknown is followed by a read of the chunk and, for the tasks
        # still not started, at most ``retries`` further requests.
        resends = self.params["retries"]
        to_send = chunk
        for attempt in range(resends + 1):
            body = [dict(job_id=entry["job_id"], **({"start_time": entry["start_time"]} if entry["start_time"] else {}))
                    for entry in to_send]
            try:
                answers = dict((answer.get("id"), answer) for answer in self.client.start_jobs(body))
            except DrsApiError as exc:
                if not exc.outcome_unknown or attempt == resends:
                    raise
                answers = {}
            refused = []
            for entry in to_send:
                answer = answers.get(entry["job_id"])
                if answer is None:
                    continue
                if answer.get("status") == "success":
                    entry["action"] = "started"
                else:
                    entry.update(action="failed", error_code=answer.get("error_code"),
                                 error_msg=answer.get("error_msg") or answer.get("error_message") or
                                 "the service answered %r" % answer.get("status"))
                    refused.append(entry)
            if refused:
                self.started_meanwhile(refused, resent=attempt > 0)
            unanswered = [entry for entry in to_send if entry["job_id"] not in answers]
            if not unanswered:
                return
            # A request without an answer may still be on its way to the service: let it land
            # before reading back, or the read shows CONFIGURATION and the start goes out twice.
            resend_pause(attempt)
            to_send = self.still_unstarted(unanswered)
            if not to_send:
                return
        raise DrsApiError("no answer for %s after %d attempts" % (count_of(len(to_send), "task"), resends + 1),
                          "POST", START_PATH, outcome_unknown=True)

    def started_meanwhile(self, entries, resent):
        """Read back tasks whose start was refused: one that is started now was not started twice.

        Its start came from an earlier request of this run whose answer was lost (``resent``),
        or from someone else between the first read and the start; either way it is not a failure.
        """
        statuses = self.read_statuses([entry["job_id"] for entry in entries])
        for entry in entries:
            if statuses[entry["job_id"]].get("status") in ALREADY_STARTED:
                entry.update(action="started" if resent else "already_started", error_code=None, error_msg=None)

    def still_unstarted(self, entries):
        """Read back tasks whose start has no answer: mark the started ones, return the others."""
        statuses = self.read_statuses([entry["job_id"] for entry in entries])
        unstarted = []
        for entry in entries:
            status = statuses[entry["job_id"]].get("status")
            if status in NEEDS_START:
                unstarted.append(entry)
            elif status in ALREADY_STARTED:
                entry["action"] = "started"
            else:
                entry.update(action="failed", error_code=statuses[entry["job_id"]].get("error_code"),
                             error_msg="task is %s after the start request" % status)
        return unstarted

    # -- result --------------------------------------------------------------------------

    def result(self, results, refused=False):
        """``refused``: a task cannot start, so the plan is refused as a whole and nothing would change."""
        entries = list(results.values())
        changing = ("started", "would_start") if self.module.check_mode and not refused else ("started",)
        outcome = dict(changed=any(entry["action"] in changing for entry in entries), results=entries)
        if self.module._diff:
            outcome["diff"] = dict(
                before="".join("%s: %s\n" % (e["job_id"], e["status_before"]) for e in entries),
                after="".join("%s: %s\n" % (e["job_id"], planned(e)) for e in entries),
            )
        return outcome


def planned(entry):
    if entry["action"] in ("started", "would_start"):
        return "start" + (" at %s (%s)" % (iso_utc(entry["start_time"]), entry["start_time"]) if entry["start_time"] else "")
    if entry["action"] == "already_started":
        return entry["status_before"]
    return "%s (cannot start)" % entry["status_before"]


def describe(entries):
    return by_reason([(entry["job_id"], entry["error_code"], entry["error_msg"]) for entry in entries])


def main():
    DrsBatchStart().execute()


if __name__ == "__main__":
    main()
