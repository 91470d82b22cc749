# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The retry step (drs_batch_retry): a forRetryJob precheck of the failed tasks, then one retry request for
the failed and the paused (which it resumes), on the shape of ``_batch_action``. Private to this
collection; not a public API.
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._batch_action import FAILED, BatchActionStep, Operation
from ansible_collections.hwcloud.drs.plugins.module_utils._client import PRECHECK_CHUNK_SIZE, RETRY_PATH
from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import check_number
from ansible_collections.hwcloud.drs.plugins.module_utils._precheck import FAILED as PRECHECK_FAILED
from ansible_collections.hwcloud.drs.plugins.module_utils._precheck import PASSED, describe_failures, describe_items, read_result
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import (
    ENDED, MAINTENANCE, PAUSED, RETRYABLE, STARTING, TRANSFERRING, by_reason, count_of, first_of, status_class,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import FAILED as FAILED_CLASS
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import MAX_WAIT_TIMEOUT, Waiter

# results[].action (and FAILED of _batch_action)
RETRIED = "retried"
RESUMED = "resumed"
WOULD_RETRY = "would_retry"
WOULD_RESUME = "would_resume"
ALREADY_RUNNING = "already_running"


class DrsBatchRetry(BatchActionStep):
    argument_spec = dict(
        BatchActionStep.argument_spec,
        precheck=dict(type="bool", default=True),
        precheck_timeout=dict(type="int", default=900),
        is_sync_re_edit=dict(type="bool", default=False),
    )
    action = "retry DRS tasks"
    participle = "retried"
    done_actions = (RETRIED, RESUMED)
    planned_actions = (WOULD_RETRY, WOULD_RESUME)

    def run(self):
        job_ids = self.job_ids()
        check_number(self.params["precheck_timeout"], "precheck_timeout", 0, MAX_WAIT_TIMEOUT)
        entries = [self.plan(record) for record in self.read_records(job_ids)]
        self.refuse_blocked(entries)
        if self.context.check_mode:
            return self.result(entries)
        to_retry = [entry for entry in entries if entry["action"] == WOULD_RETRY]
        if self.params["precheck"] and to_retry:
            self.precheck(entries, to_retry)
        self.act([entry for entry in entries if entry["action"] in (WOULD_RETRY, WOULD_RESUME)], Operation(
            "retry", self.send, "POST", RETRY_PATH, RETRIED, ALREADY_RUNNING, running))
        for entry in entries:
            # one request serves both; a paused task the service accepted was resumed
            if entry["action"] == RETRIED and entry["status_before"] in PAUSED:
                entry["action"] = RESUMED
        self.fail_refused(entries, "retry", "retried or resumed")
        if self.params["wait"]:
            self.wait_for(entries, "transferring again", lambda status: status_class(status) == TRANSFERRING,
                          lambda status: status is None or status_class(status) in (FAILED_CLASS, ENDED),
                          "failed again, ended or vanished after the retry")
        return self.result(entries)

    def plan(self, record):
        status = record["status"]
        if status in RETRYABLE:
            entry = self.entry(record, WOULD_RETRY)
        elif status in PAUSED:
            entry = self.entry(record, WOULD_RESUME)
        elif status_class(status) in (STARTING, TRANSFERRING, MAINTENANCE):
            entry = self.entry(record, ALREADY_RUNNING)
        elif status == "CONFIGURATION":
            entry = self.entry(record, FAILED, "never started: start it with hwcloud.drs.drs_batch_start")
        elif status_class(status) == FAILED_CLASS:
            entry = self.entry(record, FAILED, "which a retry cannot recover")
        else:
            entry = self.entry(record, FAILED, "which cannot be retried")
        entry["precheck_id"] = None
        return entry

    def send(self, chunk):
        extra = dict(is_sync_re_edit=True) if self.params["is_sync_re_edit"] else {}
        return self.client.retry_jobs([dict(job_id=entry["job_id"], **extra) for entry in chunk])

    # -- the forRetryJob precheck --------------------------------------------------------

    def precheck(self, entries, to_check):
        """Start the forRetryJob precheck of ``to_check`` and wait for it; fail, retrying nothing, unless every one passed."""
        refused = []
        for first in range(0, len(to_check), PRECHECK_CHUNK_SIZE):
            chunk = to_check[first:first + PRECHECK_CHUNK_SIZE]
            answers = dict((answer.get("id"), answer) for answer in self.client.start_prechecks(
                [dict(job_id=entry["job_id"], precheck_mode="forRetryJob") for entry in chunk]))
            for entry in chunk:
                answer = answers.get(entry["job_id"]) or {}
                if answer.get("status") == "success" and answer.get("precheck_id"):
                    entry["precheck_id"] = answer["precheck_id"]
                else:
                    refused.append((entry["job_id"], answer.get("error_code"), answer.get("error_msg") or answer.get("error_message") or
                                    ("the service answered %r" % answer["status"] if answer else "the service's answer does not mention the task")))
        if refused:
            self.fail("The forRetryJob precheck could not start for %d of %s, so none was retried: %s"
                      % (len(refused), count_of(len(to_check), "DRS task"), by_reason(refused)), **self.result(entries))
        waiter = Waiter(self.params["precheck_timeout"], self.params["poll_interval"], self.params["outage_tolerance"])
        while True:
            raw = waiter.read(lambda: self.client.precheck_results([entry["job_id"] for entry in to_check]))
            results = [read_result(entry["job_id"], raw[entry["job_id"]]) for entry in to_check]
            pending, failed = [], []
            for entry, result in zip(to_check, results):
                # Another precheck's result (an older one), or none yet: the one started has not shown up.
                if result["precheck_id"] != entry["precheck_id"] or result["result"] not in (PASSED, PRECHECK_FAILED):
                    pending.append(result)
                elif result["result"] == PRECHECK_FAILED:
                    failed.append(result)
            if failed:
                self.fail("The forRetryJob precheck of %d of %s did not pass, so none was retried: %s"
                          % (len(failed), count_of(len(to_check), "DRS task"), describe_failures(failed)), **self.result(entries))
            if not pending:
                break
            if not waiter.another_poll_fits():
                self.fail("Timed out after %ds waiting for the forRetryJob precheck of %d of %s, so none was retried; still "
                          "running: %s" % (self.params["precheck_timeout"], len(pending), count_of(len(to_check), "DRS task"),
                                           first_of([result["job_id"] for result in pending])), **self.result(entries))
            waiter.pause()
        for result in results:
            if result["alarm_items"]:
                self.context.warn("Task %s passed its forRetryJob precheck with %d alarm(s): %s"
                                  % (result["job_id"], len(result["alarm_items"]), describe_items(result["alarm_items"])))

    # -- result --------------------------------------------------------------------------

    def planned(self, entry):
        if entry["action"] in (RETRIED, WOULD_RETRY):
            return "retry" + (" after a forRetryJob precheck" if self.params["precheck"] else "")
        if entry["action"] in (RESUMED, WOULD_RESUME):
            return "resume"
        if entry["action"] == ALREADY_RUNNING:
            return entry["status_before"]
        return "%s (cannot retry)" % entry["status_before"]


def running(status):
    """A retry or resume shows: the task is starting, transferring or in maintenance again, not failed nor paused."""
    return status_class(status) in (STARTING, TRANSFERRING, MAINTENANCE) and status not in PAUSED
