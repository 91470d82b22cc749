# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The commit step (drs_async_commit): wait while a batch async job validates, commit it once, read back a
commit whose answer was lost, and name its tasks. Private to this collection; not a public API.
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._client import DrsApiError
from ansible_collections.hwcloud.drs.plugins.module_utils._module import DrsStep, InputError, check_id
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import by_reason
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import (
    Waiter, WaitOptionError, check_wait_options, resend_pause, wait_argument_spec,
)

VALIDATING = "ASYNC_JOB_VALIDATING"
VALIDATE_FAILED = "ASYNC_JOB_VALIDATE_FAILED"
READY = "AUTO_PARAM_VALIDATE_SUCCESS"
COMMITTED = "COMMIT_SUCCESS"


class DrsAsyncCommit(DrsStep):
    argument_spec = dict(
        async_job_id=dict(type="str", required=True),
        **wait_argument_spec(wait_timeout=300, poll_interval=5)
    )

    @property
    def action(self):
        """As in "Failed to <action>": names the async job (checked before any request)."""
        return "commit the DRS batch async job %s" % self.params["async_job_id"]

    def run(self):
        async_job_id = check_id(self.params["async_job_id"], "async_job_id")
        try:
            check_wait_options(self.params["wait_timeout"], self.params["poll_interval"], self.params["outage_tolerance"])
        except WaitOptionError as exc:
            raise InputError(str(exc))
        read = self.read_job(async_job_id)
        status_before = read.get("status")
        read = self.wait_while_validating(async_job_id, read)
        status = read.get("status")
        if status == VALIDATE_FAILED:
            self.fail("Batch async job %s failed parameter validation (%s): %s. Fix the tasks' parameters and let it "
                      "validate again" % (async_job_id, status, self.why_invalid(async_job_id, read)),
                      changed=False, status_before=status_before)
        if status not in (READY, COMMITTED):
            self.fail("Batch async job %s is %s, which cannot be committed" % (async_job_id, status),
                      changed=False, status_before=status_before)

        job = dict(async_job_id=async_job_id, status=status, msg=None)
        changed = status == READY
        if changed and not self.context.check_mode:
            committed, changed = self.commit(async_job_id)
            job.update(committed)
        result = dict(changed=changed, job=job, job_ids=self.task_ids(async_job_id), status_before=status_before)
        if self.context.diff:
            result["diff"] = dict(before="status: %s\n" % status_before,
                                  after="status: %s\n" % (COMMITTED if changed else job["status"]))
        return result

    def read_status(self, async_job_id):
        return self.read_job(async_job_id).get("status")

    def read_job(self, async_job_id):
        try:
            job = self.client.find_async_job(async_job_id)
        except DrsApiError as exc:
            if exc.status == 404 and not (exc.error_code or "").startswith("DRS."):
                raise InputError("Failed to %s: this endpoint (region) does not offer the DRS batch async API (v5 "
                                 "batch-async-jobs answered HTTP 404 %s); it exists only in some Huawei Cloud regions "
                                 "and not on Open Telekom Cloud. Commit the tasks in the console and give their IDs to "
                                 "drs_batch_start instead." % (self.action, exc.error_code or ""))
            raise
        if job is None:
            raise InputError("Failed to %s: no batch async job has this ID in project %s"
                             % (self.action, self.params["project_id"]))
        return job

    def wait_while_validating(self, async_job_id, job):
        """The async job as read once it is no longer validating."""
        waiter = Waiter(self.params["wait_timeout"], self.params["poll_interval"], self.params["outage_tolerance"])
        while job.get("status") == VALIDATING:
            if not waiter.another_poll_fits():
                self.fail("Timed out after %ds waiting for batch async job %s to finish validating (still %s)"
                          % (self.params["wait_timeout"], async_job_id, VALIDATING), changed=False, status_before=VALIDATING)
            waiter.pause()
            job = waiter.read(lambda: self.read_job(async_job_id))
        return job

    def why_invalid(self, async_job_id, job):
        """The API's own reasons for a failed validation: the async job's error and its tasks' errors.

        The vendor SDK's models (AsyncJobResp, JobDetailResp) name no error field, so these are read
        where the API sends them (``error_code`` with ``error_msg`` or ``error_message``), and the
        message says so when it sends none.
        """
        reasons = []
        if error_text(job):
            reasons.append("%s: %s" % (job.get("error_code"), error_text(job)) if job.get("error_code") else error_text(job))
        try:
            tasks = self.client.async_job_tasks(async_job_id)
        except DrsApiError as exc:
            # The failed validation is what the operator must know; a failed read only hides the details.
            reasons.append("its tasks could not be read (%s)" % exc)
            tasks = []
        failures = [(task.get("id"), task.get("error_code"), error_text(task)) for task in tasks if error_text(task)]
        if failures:
            reasons.append(by_reason(failures))
        return "; ".join(reasons) or "the API gives no reason (the DRS console shows it for each task)"

    def commit(self, async_job_id):
        """Commit; returns the job's new fields and whether this run committed it.

        When the answer is lost, the job's status (read after a pause, so that a request still
        on its way lands first) says whether the commit happened; if not, it is sent again, at
        most ``retries`` times. A refused commit is read back too: a job committed meanwhile (by a lost
        request of this run, or by another run) is no failure.
        """
        resends = self.params["retries"]
        for attempt in range(resends + 1):
            try:
                answer = self.client.commit_async_job(async_job_id)
            except DrsApiError as exc:
                if not exc.outcome_unknown and exc.status != 400:
                    raise
                if exc.outcome_unknown:
                    resend_pause(attempt)
                status = self.read_status(async_job_id)
                if status == COMMITTED:
                    return dict(status=COMMITTED, msg=None), attempt > 0 or exc.outcome_unknown
                if not exc.outcome_unknown or status != READY or attempt == resends:
                    raise
                continue
            return dict(status=answer.get("status") or COMMITTED, msg=answer.get("msg")), True

    def task_ids(self, async_job_id):
        return [task.get("id") for task in self.client.async_job_tasks(async_job_id)]


def error_text(record):
    return record.get("error_msg") or record.get("error_message")
