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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._module import execute
from ansible_collections.hwcloud.drs.plugins.module_utils._start import DrsBatchStart


def main():
    module = AnsibleModule(argument_spec=DrsBatchStart.full_argument_spec(), supports_check_mode=True)
    execute(module, DrsBatchStart, RunContext.from_module(module))


if __name__ == "__main__":
    main()
