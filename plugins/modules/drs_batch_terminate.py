#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_batch_terminate
short_description: End many DRS tasks at once, and optionally delete them (destructive)
version_added: 0.2.0
description:
  - B(Destructive) - ends DRS tasks, which stops their replication for good and releases their DRS instances; a task
    that was ended cannot be started, retried or resumed again. With O(delete) the tasks are deleted as well. Run it
    in check mode with diff first (C(--check --diff)) to see exactly which tasks would end.
  - Ends and deletes tasks with the batch-jobs API (C(DELETE /v3/{project_id}/jobs/batch-jobs), a DELETE with a JSON
    body; vendor SDK C(batch_delete_jobs), models C(BatchDeleteJobReq) of C(DeleteJobReq) and C(DeleteJobResp)),
    100 tasks per request, C(delete_type) V(terminate) (or V(force_terminate) with O(force)) to end a task and
    V(delete) to delete it.
  - Reads the tasks' statuses first (batch-status) and ends only the tasks that run or ran - starting, waiting for
    their start time, transferring, paused or under maintenance, or failed (C(RELEASE_RESOURCE_FAILED) included,
    which ends it again). A task that is ending or ended already (C(RELEASE_RESOURCE_STARTED),
    C(RELEASE_RESOURCE_COMPLETE), the same for a child transfer, C(CREATE_FAILED)) is not ended again and is reported
    as V(already_ended); a deleted one (C(DELETED)) is never sent again and is reported as V(already_deleted). So
    running the module twice changes nothing the second time.
  - A task that cannot be ended (C(CREATING), C(CONFIGURATION) - never started, a status this collection does not
    know, an unknown ID) fails the module before anything is sent, naming the task and its status.
  - With O(delete), the API deletes only a task in C(CREATE_FAILED), C(RELEASE_RESOURCE_COMPLETE) or
    C(RELEASE_CHILD_TRANSFER_COMPLETE); so the module ends the tasks that need it, waits (up to O(wait_timeout)) until
    the release of every task is complete, and then deletes them.
  - When the service refuses a task, the module reports it per task and fails, after sending every chunk, without
    hiding which tasks were ended. When a request may have reached the service but no usable answer came back, the
    module reads those tasks again and sends the request only for those without its effect.
  - With O(wait), waits until every task is ended (C(RELEASE_RESOURCE_COMPLETE)), or with O(delete) deleted, failing at
    once when the release of one fails (C(RELEASE_RESOURCE_FAILED)).
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
attributes:
  check_mode:
    support: full
    description:
      - Reads the statuses and returns the plan (RV(results[].action=would_terminate) or V(would_delete)); ends,
        deletes and waits for nothing.
  diff_mode:
    support: full
    description: Shows each task's status before and what would happen to it (end, end then delete, delete, nothing).
options:
  jobs:
    description:
      - IDs of the DRS tasks to end, at least one and any number of them; duplicates are removed.
    type: list
    elements: str
    required: true
  force:
    description:
      - End the tasks with C(delete_type=force_terminate) instead of V(terminate), for tasks a normal end cannot finish
        (the source or destination database is unreachable, for example).
    type: bool
    default: false
  delete:
    description:
      - Delete the tasks once they are ended (C(delete_type=delete)). Tasks being released are waited for, up to
        O(wait_timeout), before the deletion, whatever O(wait) says.
    type: bool
    default: false
  wait:
    description:
      - Wait until every task is ended (C(RELEASE_RESOURCE_COMPLETE)), or with O(delete) deleted.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait, with O(wait) or O(delete), before failing with the tasks not there yet and their status.
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds from the start of one read of the statuses to the start of the next while waiting, at least V(0.1).
    type: float
    default: 5
  outage_tolerance:
    description:
      - While waiting, for how many seconds reads may fail with an error that may pass (no connection, a
        timeout, throttling, an HTTP 5xx, an unreadable answer) before the module fails - never past the wait's
        timeout. Reads go on at O(poll_interval), backing off to one a minute. Reads change nothing, so repeating
        them is safe.
    type: int
    default: 600
notes:
  - "Requests: one batch-status read and one end request per 100 tasks to end (at 250 tasks: 3 reads and 3 requests).
    With O(delete), also one read per 100 tasks per poll until the releases are complete, and one delete request per
    100 tasks to delete (at 250 running tasks whose release completes by the first poll: 6 reads and 6 requests). A
    re-run on ended (or deleted) tasks makes the first reads only. O(wait) adds one read per 100 tasks per poll."
  - A deleted task is answered as C(DELETED) by batch-status, or not at all; both count as deleted.
seealso:
  - module: hwcloud.drs.drs_batch_pause
    description: Pauses tasks instead, so that they can be resumed.
  - module: hwcloud.drs.drs_job_info
    description: Finds the tasks of a migration by name, status or tags.
"""

EXAMPLES = r"""
- name: End and delete a migrated batch, after checking what would end
  module_defaults:
    group/hwcloud.drs.drs:
      region: eu-de
      project_id: "{{ project_id }}"
      auth_token: "{{ iam_token }}"
  block:
    - name: Find the tasks of the orders migration
      hwcloud.drs.drs_job_info:
        name: orders-*
      register: orders

    - name: Show what would end (no request but reads)
      hwcloud.drs.drs_batch_terminate:
        jobs: "{{ orders.job_ids }}"
        delete: true
      check_mode: true
      diff: true

    - name: End them, wait for the release, delete them
      hwcloud.drs.drs_batch_terminate:
        jobs: "{{ orders.job_ids }}"
        delete: true
        wait: true

- name: Force the end of a task whose source database is gone
  hwcloud.drs.drs_batch_terminate:
    endpoint: https://drs.eu-de.otc.t-systems.com
    project_id: 054ba152d480d55b2f5dc0069e7ddef0
    auth_token: "{{ iam_token }}"
    jobs:
      - 9a470239-2308-4bb5-a6bc-1040402fjb21
    force: true
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
      sample: INCRE_TRANSFER_STARTED
    status_class:
      description:
        - What RV(results[].status_before) means, as in RV(hwcloud.drs.drs_batch_status#module:jobs[].status_class).
      type: str
      sample: transferring
    action:
      description:
        - V(terminated) when the service accepted the end of the task (with O(delete), only when the module failed
          before the deletion); V(deleted) when it deleted the task (which this run ended first when it was still
          running, see RV(results[].status_before));
          V(already_ended) when the task was ending or ended already; V(already_deleted) when it was deleted already;
          V(would_terminate) or V(would_delete) in check mode, or when the module failed before that step;
          V(failed) when the task could not be ended or deleted.
      type: str
      choices: [terminated, deleted, already_ended, already_deleted, would_terminate, would_delete, failed]
      sample: terminated
    status:
      description: The status read last while waiting; null when the API no longer knows the task (deleted).
      type: str
      returned: when the module waited (O(wait), or O(delete) for tasks being released)
      sample: RELEASE_RESOURCE_COMPLETE
    error_code:
      description: Error code of a failed task, from the service when it gave one.
      type: str
      sample: DRS.10040021
    error_msg:
      description: Why the task could not be ended or deleted.
      type: str
      sample: task is CONFIGURATION, never started, so there is nothing to end
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._batch_action import FAILED, BatchActionModule, Operation
from ansible_collections.hwcloud.drs.plugins.module_utils._client import BATCH_JOBS_PATH
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import DELETABLE, DELETED, ENDABLE, ENDING

TERMINATED = "terminated"
DELETED_ACTION = "deleted"
ALREADY_ENDED = "already_ended"
ALREADY_DELETED = "already_deleted"
WOULD_TERMINATE = "would_terminate"
WOULD_DELETE = "would_delete"
RELEASE_COMPLETE = "RELEASE_RESOURCE_COMPLETE"
RELEASE_FAILED = "RELEASE_RESOURCE_FAILED"


class DrsBatchTerminate(BatchActionModule):
    argument_spec = dict(
        BatchActionModule.argument_spec,
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
        if self.module.check_mode:
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


def main():
    DrsBatchTerminate().execute()


if __name__ == "__main__":
    main()
