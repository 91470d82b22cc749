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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._module import execute
from ansible_collections.hwcloud.drs.plugins.module_utils._terminate import DrsBatchTerminate


def main():
    module = AnsibleModule(argument_spec=DrsBatchTerminate.full_argument_spec(), supports_check_mode=True)
    execute(module, DrsBatchTerminate, RunContext.from_module(module))


if __name__ == "__main__":
    main()
