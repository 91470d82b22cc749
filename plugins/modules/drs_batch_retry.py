#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_batch_retry
short_description: Retry many failed DRS tasks and resume paused ones, only those that need it
version_added: 0.2.0
description:
  - Retries DRS tasks that failed while starting or transferring, and resumes paused ones, with the
    batch-retry-task API (C(POST /v3/{project_id}/jobs/batch-retry-task), vendor SDK C(batch_restore_task), models
    C(BatchRetryReq) of C(RetryInfo) and C(RetryTaskResp)), 100 tasks per request. A retried task goes back to the
    phase it failed in.
  - Reads the tasks' statuses first (batch-status). Retries the tasks in C(START_JOB_FAILED), C(FULL_TRANSFER_FAILED),
    C(INCRE_TRANSFER_FAILED) or C(CHILD_TRANSFER_FAILED), and resumes those in C(PAUSING) (or C(PAUSEING), as the
    batch-status page spells it). A task that is starting or transferring already is not sent and is reported as
    V(already_running), so running the module twice changes nothing the second time.
  - A task that cannot be retried fails the module before anything is sent, naming the task and its status - one
    that failed otherwise (C(CREATE_FAILED), C(RELEASE_RESOURCE_FAILED), C(REBUILD_NODE_FAILED), ...), one being
    created, released or deleted, a status this collection does not know, an unknown ID. A task in C(CONFIGURATION)
    was never started; the message points to M(hwcloud.drs.drs_batch_start).
  - Before the retry, runs the precheck DRS asks for (O(precheck)) - C(POST /v3/{project_id}/jobs/batch-precheck) with
    C(precheck_mode) C(forRetryJob) for the failed tasks, then its results with
    C(POST /v3/{project_id}/jobs/batch-precheck-result), as M(hwcloud.drs.drs_batch_precheck) does - and retries
    nothing unless every precheck passed, naming each failed check item of each task otherwise. Paused tasks need
    no precheck.
  - When the service refuses to retry a task, the module reports it per task and fails, after sending every chunk,
    without hiding which tasks were retried. When a request may have reached the service but no usable answer came
    back, the module reads those tasks again and sends the retry only for those still failed or paused.
  - With O(wait), waits until every task transfers again (C(FULL_TRANSFER_STARTED), C(FULL_TRANSFER_COMPLETE) or
    C(INCRE_TRANSFER_STARTED)), failing at once when one fails again, is released or is deleted. A full transfer
    may take hours after that; M(hwcloud.drs.drs_batch_status) with C(wait_for=auto) waits for its end.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
attributes:
  check_mode:
    support: full
    description:
      - Reads the statuses and returns the plan (RV(results[].action=would_retry) or V(would_resume)); starts no
        precheck, sends no retry and waits for nothing.
  diff_mode:
    support: full
    description: Shows each task's status before and the action planned for it.
options:
  jobs:
    description:
      - IDs of the DRS tasks to retry or resume, at least one and any number of them; duplicates are removed.
    type: list
    elements: str
    required: true
  precheck:
    description:
      - Run the C(forRetryJob) precheck of the failed tasks before retrying them, and retry none unless every
        precheck passed.
      - V(false) retries at once; DRS may then refuse the retry of a task that needs a precheck.
    type: bool
    default: true
  precheck_timeout:
    description:
      - Seconds to wait for every precheck to complete before failing with the tasks still being checked (nothing is
        retried then).
    type: int
    default: 900
  is_sync_re_edit:
    description:
      - Send C(is_sync_re_edit=true) for every task (C(RetryInfo.is_sync_re_edit)), which DRS asks for when the tasks
        were edited (objects added or removed) before this retry. Left out of the request otherwise.
    type: bool
    default: false
  wait:
    description:
      - Wait until every task transfers again.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait) before failing with the tasks not transferring yet and their status.
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds from the start of one read to the start of the next, while waiting for the prechecks or for O(wait),
        at least V(0.1).
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
  - "Requests: one batch-status read and one retry per 100 tasks to retry or resume; with O(precheck), one precheck
    start per 100 failed tasks and one result read per 100 of them per poll (at 250 failed tasks: 3 status reads,
    3 precheck starts, 3 result reads for each poll, 3 retries). A re-run on transferring tasks makes the status reads
    only. O(wait) adds one read per 100 tasks per poll."
seealso:
  - module: hwcloud.drs.drs_job_info
    description: Finds the failed tasks by status.
  - module: hwcloud.drs.drs_batch_precheck
    description: Runs a precheck on its own.
  - module: hwcloud.drs.drs_batch_pause
    description: Pauses transferring tasks.
"""

EXAMPLES = r"""
- name: Retry what failed last night
  module_defaults:
    group/hwcloud.drs.drs:
      region: eu-de
      project_id: "{{ project_id }}"
      auth_token: "{{ iam_token }}"
  block:
    - name: Find the tasks whose incremental transfer failed
      hwcloud.drs.drs_job_info:
        status: INCRE_TRANSFER_FAILED
      register: failed

    - name: Precheck and retry them, and wait until they replicate again
      hwcloud.drs.drs_batch_retry:
        jobs: "{{ failed.job_ids }}"
        wait: true
      when: failed.job_ids | length > 0

- name: Resume tasks paused for a maintenance window
  hwcloud.drs.drs_batch_retry:
    endpoint: https://drs.eu-de.otc.t-systems.com
    project_id: 054ba152d480d55b2f5dc0069e7ddef0
    auth_token: "{{ iam_token }}"
    jobs:
      - 9a470239-2308-4bb5-a6bc-1040402fjb21
    wait: true
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
      sample: INCRE_TRANSFER_FAILED
    status_class:
      description:
        - What RV(results[].status_before) means, as in RV(hwcloud.drs.drs_batch_status#module:jobs[].status_class).
      type: str
      sample: failed
    action:
      description:
        - V(retried) when the service accepted the retry of a failed task, V(resumed) of a paused one;
          V(already_running) when the task is starting or transferring already;
          V(would_retry) or V(would_resume) in check mode, or when the module failed before sending anything (a task
          that cannot be retried, a precheck that did not pass); V(failed) when the task could not be retried.
      type: str
      choices: [retried, resumed, already_running, would_retry, would_resume, failed]
      sample: retried
    precheck_id:
      description: ID of the C(forRetryJob) precheck this run started for the task; null when it started none.
      type: str
      sample: 3b4e1c2a-9f0d-4e6b-8a7c-5d2f1e0a9b8c
    status:
      description: The status read last while waiting; null when the API no longer knows the task.
      type: str
      returned: with O(wait), when the module waited
      sample: FULL_TRANSFER_STARTED
    error_code:
      description: Error code of a failed task, from the service when it gave one.
      type: str
      sample: DRS.10060004
    error_msg:
      description: Why the task could not be retried.
      type: str
      sample: "task is CREATE_FAILED, which a retry cannot recover: Failed to create the DRS instance."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._module import execute
from ansible_collections.hwcloud.drs.plugins.module_utils._retry import DrsBatchRetry


def main():
    module = AnsibleModule(argument_spec=DrsBatchRetry.full_argument_spec(), supports_check_mode=True)
    execute(module, DrsBatchRetry, RunContext.from_module(module))


if __name__ == "__main__":
    main()
