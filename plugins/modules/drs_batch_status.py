#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_batch_status
short_description: Read the status and progress of many DRS tasks, and optionally wait for them
version_added: 0.2.0
description:
  - Reads the status of DRS tasks with the batch-status API (C(POST /v3/{project_id}/jobs/batch-status)),
    100 task IDs per request, duplicates removed. Every status DRS reports passes through, also one this
    collection does not know yet; each task comes back with its class (RV(jobs[].status_class)).
  - With O(progress) (and whenever O(wait_for=auto)), also reads the transfer progress of the tasks with
    C(POST /v3/{project_id}/jobs/batch-progress), 100 tasks per request.
  - With O(wait_for), polls until every task is at or past its target status in DRS's order, showing one
    progress line per poll, and fails at once when a task fails, is released or is deleted, naming the tasks,
    their status and error. The polling runs on the controller, which runs this module once per poll, so a
    wait of hours costs the same at every poll.
  - Never changes anything.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
  - hwcloud.drs.attributes.read_only
options:
  jobs:
    description:
      - IDs of the DRS tasks, at least one and any number of them.
    type: list
    elements: str
    required: true
  wait_for:
    description:
      - Wait until every task is at or past one of these statuses in DRS's order. A task transferring
        incrementally (C(INCRE_TRANSFER_STARTED)) has reached C(FULL_TRANSFER_COMPLETE), C(STARTJOBING) and
        C(CONFIGURATION); a paused or upgrading task (C(PAUSING), C(NODE_UPGRADE_START), ...) counts as
        started but has not reached a transfer status yet; a failed or unknown status reaches only itself.
      - V(auto) waits for each task's own end of the launch, C(FULL_TRANSFER_COMPLETE) for a full-only task
        (C(task_mode) C(FULL_TRANS)) and C(INCRE_TRANSFER_STARTED) for the others; give it alone.
      - Any status name is accepted, with a warning for a name DRS never used.
      - Without it the module reads once and returns.
    type: list
    elements: str
  wait_timeout:
    description:
      - Seconds to wait for O(wait_for) before failing with the tasks still not there and their status.
      - V(0) reads once and fails unless every task is already there.
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds from the start of one read to the start of the next while waiting, at least V(0.1).
      - Against DRS keep it at several seconds; each poll makes one to three API calls per 100 tasks.
    type: float
    default: 10
  outage_tolerance:
    description:
      - While waiting, for how many seconds reads may fail with an error that may pass (no connection, a
        timeout, throttling, an HTTP 5xx, an unreadable answer) before the module fails - never past
        O(wait_timeout). The API stopping and coming back is shown once each; reads go on at O(poll_interval),
        backing off to one a minute. Reads change nothing, so repeating them is safe.
      - A first read that fails ends the wait at once - the connection options never worked.
    type: int
    default: 600
  fail_on:
    description:
      - Statuses that fail the module at once while waiting.
      - Defaults to every failed status (C(*_FAILED)), C(RELEASE_RESOURCE_STARTED), C(RELEASE_RESOURCE_COMPLETE)
        and C(DELETED), except those in O(wait_for).
      - Ignored without O(wait_for).
    type: list
    elements: str
  progress:
    description:
      - Also read each task's transfer progress (percent, remaining time, incremental delay, task mode).
      - Always on with O(wait_for=auto), which needs the task mode.
      - Not read when every task is at or past any target it could have (the read that ends a wait) - the progress
        cannot change the verdict then, and RV(jobs[].progress) and its siblings are left out.
    type: bool
    default: false
  rpo_rto_max:
    description:
      - While waiting, a task that replicates incrementally (C(INCRE_TRANSFER_STARTED)) counts as there only once
        its RPO and RTO delays (from C(POST /v3/{project_id}/jobs/batch-rpo-and-rto)) are below this many seconds.
        A task at another target (a full-only task at C(FULL_TRANSFER_COMPLETE)) has no RPO or RTO and is not held.
      - The gate before starting the backward tasks of a dual-active pair, which DRS refuses while the
        forward task lags.
    type: int
  progress_label:
    description:
      - Text that starts every progress line while waiting, for example C(Group 1/2).
    type: str
notes:
  - The controller runs the module once per poll, so O(poll_interval) is at least the time one run takes
    (about half a second on a small controller).
"""

EXAMPLES = r"""
- name: Read the status of two tasks
  hwcloud.drs.drs_batch_status:
    endpoint: https://drs.eu-de.otc.t-systems.com
    project_id: 054ba152d480d55b2f5dc0069e7ddef0
    auth_token: "{{ iam_token }}"
    jobs:
      - 9a470239-2308-4bb5-a6bc-1040402fjb21
      - dc67695a-ee3e-49b8-a022-a099bd81jb21
  register: drs_status

- name: Wait up to a day until every task is at the end of its launch, showing progress every minute
  module_defaults:
    group/hwcloud.drs.drs:
      region: eu-de
      project_id: "{{ project_id }}"
      access_key: "{{ ak }}"
      secret_key: "{{ sk }}"
  hwcloud.drs.drs_batch_status:
    jobs: "{{ drs_job_ids }}"
    wait_for: auto
    wait_timeout: 86400
    poll_interval: 60

- name: Wait until the forward tasks replicate with RPO and RTO below a minute
  hwcloud.drs.drs_batch_status:
    jobs: "{{ forward_job_ids }}"
    wait_for: INCRE_TRANSFER_STARTED
    rpo_rto_max: 60
    wait_timeout: 7200
    poll_interval: 30
"""

RETURN = r"""
jobs:
  description: One entry per distinct task ID, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Task ID.
      type: str
      sample: 9a470239-2308-4bb5-a6bc-1040402fjb21
    status:
      description: Task status, as DRS reports it.
      type: str
      sample: INCRE_TRANSFER_STARTED
    status_class:
      description:
        - What the status means, V(creating), V(startable), V(starting), V(transferring), V(maintenance)
          (paused, re-edited, recovering or upgrading), V(failed), V(ended) (released or deleted) or
          V(unknown) (a status this collection does not know).
      type: str
      sample: transferring
    error_code:
      description: Error code the API reports for the task, if any.
      type: str
      sample: DRS.10030033
    error_message:
      description: Error message the API reports for the task, if any.
      type: str
      sample: Full migration failed.
    task_mode:
      description: C(FULL_TRANS), C(INCR_TRANS) or C(FULL_INCR_TRANS); null when unknown.
      returned: with O(progress) or O(wait_for=auto), unless every task is past its target
      type: str
      sample: FULL_INCR_TRANS
    progress:
      description: Percent of the full transfer done; null when DRS gives none.
      returned: with O(progress) or O(wait_for=auto), unless every task is past its target
      type: int
      sample: 64
    remaining_time:
      description: Seconds DRS expects the full transfer still to take; null when it gives none.
      returned: with O(progress) or O(wait_for=auto), unless every task is past its target
      type: int
      sample: 1260
    incre_trans_delay:
      description: Seconds the incremental transfer lags behind the source; null before it runs.
      returned: with O(progress) or O(wait_for=auto), unless every task is past its target
      type: int
      sample: 2
    target:
      description: The status the task waits for (more than one joined by C( or )).
      returned: with O(wait_for)
      type: str
      sample: INCRE_TRANSFER_STARTED
    reached:
      description: Whether the task is at or past its target (and below O(rpo_rto_max) when set).
      returned: with O(wait_for)
      type: bool
      sample: true
    rpo_delay:
      description: RPO delay in seconds; null when DRS gives none (before incremental transfer).
      returned: with O(rpo_rto_max), for tasks in C(INCRE_TRANSFER_STARTED)
      type: int
      sample: 3
    rto_delay:
      description: RTO delay in seconds; null when DRS gives none.
      returned: with O(rpo_rto_max), for tasks in C(INCRE_TRANSFER_STARTED)
      type: int
      sample: 5
status_by_id:
  description: Task status by task ID.
  returned: always
  type: dict
  sample: {"9a470239-2308-4bb5-a6bc-1040402fjb21": "INCRE_TRANSFER_STARTED"}
summary:
  description: Number of tasks in each status.
  returned: always
  type: dict
  sample: {"INCRE_TRANSFER_STARTED": 19, "FULL_TRANSFER_STARTED": 1}
progress_summary:
  description: The figures of the progress line, over the tasks they apply to; each null when no task has one.
  returned: with O(progress), O(wait_for=auto) or O(rpo_rto_max)
  type: dict
  contains:
    full_transfer_lowest:
      description: Lowest percent done of the tasks in C(FULL_TRANSFER_STARTED).
      type: int
      sample: 12
    full_transfer_median:
      description: Median percent done of the tasks in C(FULL_TRANSFER_STARTED).
      type: int
      sample: 57
    longest_remaining_time:
      description: Longest remaining time in seconds of the tasks in C(FULL_TRANSFER_STARTED).
      type: int
      sample: 5400
    largest_incre_delay:
      description: Largest incremental delay in seconds of the tasks in C(INCRE_TRANSFER_STARTED).
      type: int
      sample: 4
    largest_rpo_delay:
      description: Largest RPO delay in seconds read for O(rpo_rto_max).
      type: int
      sample: 3
    largest_rto_delay:
      description: Largest RTO delay in seconds read for O(rpo_rto_max).
      type: int
      sample: 5
  sample: {"full_transfer_lowest": 12, "full_transfer_median": 57, "longest_remaining_time": 5400,
           "largest_incre_delay": 4, "largest_rpo_delay": null, "largest_rto_delay": null}
reached:
  description: Whether every task is at its target.
  returned: with O(wait_for)
  type: bool
  sample: true
waiting:
  description: Number of tasks not at their target yet.
  returned: with O(wait_for)
  type: int
  sample: 0
polls:
  description: Number of times the statuses were read.
  returned: always
  type: int
  sample: 3
elapsed:
  description: Seconds spent reading and waiting.
  returned: always
  type: float
  sample: 61.2
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._module import execute
from ansible_collections.hwcloud.drs.plugins.module_utils._status import DrsBatchStatus


def main():
    module = AnsibleModule(argument_spec=DrsBatchStatus.full_argument_spec(), supports_check_mode=True)
    execute(module, DrsBatchStatus, RunContext.from_module(module))


if __name__ == "__main__":
    main()
