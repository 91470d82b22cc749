# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The terminate step (drs_batch_terminate): end tasks and, with ``delete``, wait for their release and
delete them, on the shape of ``_batch_action``. Private to this collection; not a public API.
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._batch_action import FAILED, BatchActionStep, Operation
from ansible_collections.hwcloud.drs.plugins.module_utils._client import BATCH_JOBS_PATH
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import DELETABLE, DELETED, ENDABLE, ENDING

# results[].action (and FAILED of _batch_action)
TERMINATED = "terminated"
DELETED_ACTION = "deleted"
ALREADY_ENDED = "already_ended"
ALREADY_DELETED = "already_deleted"
WOULD_TERMINATE = "would_terminate"
WOULD_DELETE = "would_delete"
# task statuses of an end
RELEASE_COMPLETE = "RELEASE_RESOURCE_COMPLETE"
RELEASE_FAILED = "RELEASE_RESOURCE_FAILED"


class DrsBatchTerminate(BatchActionStep):
    argument_spec = dict(
        BatchActionStep.argument_spec,
        force=dict(type="bool", default=False),
        delete=dict(type="bool", default=False),
    )
    action = "end DRS tasks"
    participle = "ended"
    done_actions = (TERMINATED, DELETED_ACTION)
    planned_actions = (WOULD_TERMINATE, WOULD_DELETE)

    def run(self):
        entries = [self.plan(record) for record in self.read_records(self.job_ids())]
        self.refuse_blocked(entries)
        if self.context.check_mode:
            return self.result(entries)
        delete = self.params["delete"]
        self.act([entry for entry in entries if entry["action"] in self.planned_actions and entry["status_before"] in ENDABLE],
                 Operation("end", self.end, "DELETE", BATCH_JOBS_PATH, TERMINATED, ALREADY_ENDED, ended))
        self.fail_refused(entries, "end", "ended")
        if delete:
            # ended by this run, by someone else meanwhile, or planned for deletion from the start
            to_delete = [entry for entry in entries if entry["action"] in (TERMINATED, ALREADY_ENDED, WOULD_DELETE)]
            if to_delete:
                self.wait_for(to_delete, "released (%s) before the deletion" % RELEASE_COMPLETE, deletable, release_failed,
                              "failed to be released, so none was deleted")
                self.act(to_delete, Operation("delete", self.remove, "DELETE", BATCH_JOBS_PATH, DELETED_ACTION, ALREADY_DELETED,
                                              gone))
                self.fail_refused(entries, "be deleted", "deleted")
        if self.params["wait"]:
            if delete:
                self.wait_for(entries, "deleted", gone, lambda status: False, "")
            else:
                self.wait_for(entries, "ended (%s)" % RELEASE_COMPLETE, deletable, release_failed, "failed to be released")
        return self.result(entries)

    def plan(self, record):
        status = record["status"]
        delete = self.params["delete"]
        if status == DELETED:
            return self.entry(record, ALREADY_DELETED if delete else ALREADY_ENDED)
        if status in ENDING or status in DELETABLE:
            return self.entry(record, WOULD_DELETE if delete else ALREADY_ENDED)
        if status in ENDABLE:
            return self.entry(record, WOULD_DELETE if delete else WOULD_TERMINATE)
        if status in ("CREATING", "CONFIGURATION"):
            return self.entry(record, FAILED, "never started, so there is nothing to end (the DRS console deletes it)")
        return self.entry(record, FAILED, "which this collection does not know, so it does not end it")

    def end(self, chunk):
        delete_type = "force_terminate" if self.params["force"] else "terminate"
        return self.client.delete_jobs([dict(job_id=entry["job_id"], delete_type=delete_type) for entry in chunk])

    def remove(self, chunk):
        return self.client.delete_jobs([dict(job_id=entry["job_id"], delete_type="delete") for entry in chunk])

    def planned(self, entry):
        end = "force end" if self.params["force"] else "end"
        action, before = entry["action"], entry["status_before"]
        if action == FAILED:
            return "%s (cannot end)" % before
        if action in (ALREADY_ENDED, ALREADY_DELETED):
            return before
        if not self.params["delete"]:
            return end
        if before in DELETABLE:
            return "delete"
        if before in ENDING:
            return "delete once released"
        return "%s, then delete" % end


def ended(status):
    """An end shows: the task is being released, released, or deleted (also: no longer known)."""
    return status is None or status in ENDING or status in DELETABLE or status == DELETED


def deletable(status):
    """Released (or deleted, or never created): the end is over and the API can delete the task."""
    return status is None or status in DELETABLE or status == DELETED


def release_failed(status):
    """The end itself failed (a task that was failed before its end is read as released or releasing)."""
    return status == RELEASE_FAILED


def gone(status):
    return status is None or status == DELETED
