# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The start step (drs_batch_start): read the tasks' statuses, start those in CONFIGURATION 100 a request,
leave the started ones alone, refuse the plan as a whole when a task cannot start, and read back a start
whose answer was lost before sending it again (the writes of ``_batch_action``). Private to this collection;
not a public API.
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._batch_action import FAILED, ChunkedWrites, Operation
from ansible_collections.hwcloud.drs.plugins.module_utils._client import START_CHUNK_SIZE, START_PATH
from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import (
    InputError, check_id, check_number, epoch_millis, iso_utc, refuse_past,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._module import DrsStep, task_statuses, unknown_tasks
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import (
    NEEDS_START, UNKNOWN, by_reason, count_of, status_class,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import ALREADY_STARTED as STARTED_STATUSES

# results[].action
STARTED = "started"
ALREADY_STARTED = "already_started"
WOULD_START = "would_start"
ACTIONS = (STARTED, ALREADY_STARTED, WOULD_START, FAILED)


class DrsBatchStart(ChunkedWrites, DrsStep):
    argument_spec = dict(
        jobs=dict(type="list", elements="raw", required=True),
        start_time=dict(type="raw"),
        chunk_size=dict(type="int", default=START_CHUNK_SIZE),
    )
    action = "start DRS tasks"

    def run(self):
        requests = self.requested_starts()
        check_number(self.params["chunk_size"], "chunk_size", 1, START_CHUNK_SIZE)

        # The plan's statuses may be what the run read moments ago; read-backs after a refusal always read.
        statuses = self.read_statuses(list(requests), known=True)
        results = dict((job_id, self.plan(job_id, statuses[job_id], start_time)) for job_id, start_time in requests.items())
        blocked = [entry for entry in results.values() if entry["action"] == FAILED]
        if blocked:
            self.fail("%d of %s cannot be started, so none was: %s"
                      % (len(blocked), count_of(len(results), "DRS task"), describe(blocked)), **self.result(results, refused=True))
        if not self.context.check_mode:
            self.start(results)

        outcome = self.result(results)
        failed = [entry for entry in results.values() if entry["action"] == FAILED]
        if failed:
            started = sum(1 for entry in results.values() if entry["action"] == STARTED)
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

    def read_statuses(self, job_ids, known=False):
        entries, unknown = self.known_or_read_statuses(job_ids) if known else task_statuses(self.client, job_ids)
        if unknown:
            raise InputError("Failed to %s: %s" % (self.action, unknown_tasks(unknown)))
        return dict((entry["id"], entry) for entry in entries)

    def plan(self, job_id, record, start_time):
        status = record.get("status")
        entry = dict(job_id=job_id, status_before=status, status_class=status_class(status), start_time=start_time,
                     action=WOULD_START, error_code=None, error_msg=None)
        if status in STARTED_STATUSES:
            entry.update(action=ALREADY_STARTED, start_time=None)
        elif status not in NEEDS_START:
            reason = "which this collection does not know, so it does not start it" if entry["status_class"] == UNKNOWN \
                else "which cannot be started"
            entry.update(action=FAILED, error_code=record.get("error_code"),
                         error_msg="task is %s, %s%s" % (
                             status, reason, ": " + record["error_message"] if record.get("error_message") else ""))
        elif start_time is not None:
            try:
                refuse_past(start_time, "start_time")
            except InputError as exc:
                entry.update(action=FAILED, error_msg=str(exc))
        return entry

    # -- act -----------------------------------------------------------------------------

    def start(self, results):
        self.act([entry for entry in results.values() if entry["action"] == WOULD_START], Operation(
            "start", self.send_starts, "POST", START_PATH, STARTED, ALREADY_STARTED,
            took_effect=lambda status: status in STARTED_STATUSES, sendable=lambda status: status in NEEDS_START),
            size=self.params["chunk_size"])

    def send_starts(self, entries):
        return self.client.start_jobs([dict(job_id=entry["job_id"], **({"start_time": entry["start_time"]} if entry["start_time"] else {}))
                                       for entry in entries])

    # -- result --------------------------------------------------------------------------

    def result(self, results, refused=False):
        """``refused``: a task cannot start, so the plan is refused as a whole and nothing would change."""
        entries = list(results.values())
        changing = (STARTED, WOULD_START) if self.context.check_mode and not refused else (STARTED,)
        outcome = dict(changed=any(entry["action"] in changing for entry in entries), results=entries)
        if self.context.diff:
            outcome["diff"] = dict(
                before="".join("%s: %s\n" % (e["job_id"], e["status_before"]) for e in entries),
                after="".join("%s: %s\n" % (e["job_id"], planned(e)) for e in entries),
            )
        return outcome


def planned(entry):
    if entry["action"] in (STARTED, WOULD_START):
        return "start" + (" at %s (%s)" % (iso_utc(entry["start_time"]), entry["start_time"]) if entry["start_time"] else "")
    if entry["action"] == ALREADY_STARTED:
        return entry["status_before"]
    return "%s (cannot start)" % entry["status_before"]


def describe(entries):
    return by_reason([(entry["job_id"], entry["error_code"], entry["error_msg"]) for entry in entries])
