#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_batch_pause
short_description: Pause many transferring DRS tasks at once, only those that need it
version_added: 0.2.0
description:
  - Pauses DRS tasks with the batch-pause-task API (C(POST /v3/{project_id}/jobs/batch-pause-task), vendor SDK
    C(batch_stop_jobs), models C(BatchPauseJobReq) of C(PauseInfo) and C(PauseJobResp)), 100 tasks per request.
    Not the v5 C(batch-stop), which ends tasks; to end tasks use M(hwcloud.drs.drs_batch_terminate).
  - Reads the tasks' statuses first (batch-status) and pauses only those transferring - in C(FULL_TRANSFER_STARTED),
    C(FULL_TRANSFER_COMPLETE) or C(INCRE_TRANSFER_STARTED). A task already paused (C(PAUSING), or C(PAUSEING) as the
    batch-status page spells it) is not sent and is reported as V(already_paused), so running the module twice
    changes nothing the second time.
  - A task in any other status (configured, still starting, failed, ended, a status this collection does not know,
    an unknown ID) fails the module before anything is sent, naming the task and its status. A failed task is
    retried with M(hwcloud.drs.drs_batch_retry), not paused.
  - When the service refuses to pause a task, the module reports it per task and fails, after sending every chunk,
    without hiding which tasks were paused. When a request may have reached the service but no usable answer came
    back, the module reads those tasks again and sends the pause only for those not paused yet.
  - With O(wait), waits until every task is paused, failing at once when one fails, is released or is deleted.
  - M(hwcloud.drs.drs_batch_retry) resumes the tasks.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
attributes:
  check_mode:
    support: full
    description: Reads the statuses and returns the plan (RV(results[].action=would_pause)); sends no pause and waits for nothing.
  diff_mode:
    support: full
    description: Shows each task's status before and the action planned for it.
options:
  jobs:
    description:
      - IDs of the DRS tasks to pause, at least one and any number of them; duplicates are removed.
    type: list
    elements: str
    required: true
  pause_mode:
    description:
      - What the pause stops, as the API asks (C(PauseInfo.pause_mode), required by the API).
      - V(target) stops replaying into the destination database and goes on reading the source's log, so that the
        task catches up quickly when resumed; the usual choice for maintenance of the destination.
      - V(all) stops both reading the source's log and replaying; the choice for maintenance of the source.
    type: str
    choices: [target, all]
    default: target
  wait:
    description:
      - Wait until every task is paused (C(PAUSING)).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait) before failing with the tasks not paused yet and their status.
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
  - "Requests: one batch-status read and one pause per 100 tasks to pause (at 250 tasks: 3 reads and 3 pauses); a
    re-run on paused tasks makes the reads only. O(wait) adds one read per 100 tasks per poll."
seealso:
  - module: hwcloud.drs.drs_batch_retry
    description: Resumes paused tasks.
  - module: hwcloud.drs.drs_batch_status
    description: Reads and waits for statuses without changing anything.
"""

EXAMPLES = r"""
- name: Pause the orders migration for a maintenance window of the destination database
  hwcloud.drs.drs_batch_pause:
    region: eu-de
    project_id: "{{ project_id }}"
    auth_token: "{{ iam_token }}"
    jobs: "{{ orders_task_ids }}"
    wait: true
  register: paused

- name: Pause reading the source too, with the connection set once for the group
  module_defaults:
    group/hwcloud.drs.drs:
      endpoint: https://drs.eu-de.otc.t-systems.com
      project_id: "{{ project_id }}"
      access_key: "{{ ak }}"
      secret_key: "{{ sk }}"
  hwcloud.drs.drs_batch_pause:
    jobs:
      - 9a470239-2308-4bb5-a6bc-1040402fjb21
    pause_mode: all
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
        - V(paused) when the service accepted the pause; V(already_paused) when the task was paused already;
          V(would_pause) in check mode, or when the module failed before sending anything;
          V(failed) when the task could not be paused.
      type: str
      choices: [paused, already_paused, would_pause, failed]
      sample: paused
    status:
      description: The status read last while waiting; null when the API no longer knows the task.
      type: str
      returned: with O(wait), when the module waited
      sample: PAUSING
    error_code:
      description: Error code of a failed task, from the service when it gave one.
      type: str
      sample: DRS.10040020
    error_msg:
      description: Why the task could not be paused.
      type: str
      sample: task is CONFIGURATION, which cannot be paused (only a transferring task can)
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._module import execute
from ansible_collections.hwcloud.drs.plugins.module_utils._pause import DrsBatchPause


def main():
    module = AnsibleModule(argument_spec=DrsBatchPause.full_argument_spec(), supports_check_mode=True)
    execute(module, DrsBatchPause, RunContext.from_module(module))


if __name__ == "__main__":
    main()
