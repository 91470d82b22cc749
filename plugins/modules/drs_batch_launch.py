#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_batch_launch
short_description: The launch of the batch_launch role in one task - commit, precheck, start and wait
version_added: 0.2.0
description:
  - The engine of the C(hwcloud.drs.batch_launch) role; use the role. It takes the role's variables and
    runs the role's steps in order - find the tasks the job filter selects (M(hwcloud.drs.drs_job_info)),
    commit the batch async jobs (M(hwcloud.drs.drs_async_commit)), wait until DRS has created their tasks
    (M(hwcloud.drs.drs_batch_status)), and for each launch group precheck (M(hwcloud.drs.drs_batch_precheck)),
    start (M(hwcloud.drs.drs_batch_start)) and wait until its tasks reach their target.
  - Runs on the controller, as an action plugin, which runs each step's module code in its own (the controller's) process
    with this task's connection options, so that the per-task data of a large batch is handed from step to
    step in Python and through Ansible's result handling only once. Each step prints one line, each wait one
    line per poll.
  - A failed step ends the launch; the result then says which step failed and why, with the summary so far.
  - Where it runs - the host's connection must be C(local) (the play's hosts C(localhost), or one inventory host per
    DRS project with C(ansible_connection=local)); any other connection fails the task before any request, saying so.
    C(delegate_to) and C(become) have no effect, nor has C(ansible_python_interpreter) - the controller's own Python
    (the one C(ansible-playbook) runs in) needs C(requests).
  - The connection options not set as options of the task come from the C(HW_*) variables of the task's
    C(environment) (a play's C(environment:) included), then from the controller's environment, as for a module.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
attributes:
  check_mode:
    support: full
    description:
      - Reads and plans every step, writes nothing; tasks inside an async job that is not committed yet can be
        planned only after the commit (RV(summary.unplanned)), and nothing is waited for.
  diff_mode:
    support: full
    description:
      - Shows, per group, each task that would start (in check mode) or started, with its status before and its
        start time (ISO 8601 and epoch milliseconds), as M(hwcloud.drs.drs_batch_start) does - as lines of the
        launch, since the role hides the task's result from the job log.
options:
  variables:
    description:
      - The variables of the C(hwcloud.drs.batch_launch) role without their C(batch_launch_) prefix, as the role
        documents them; the role passes every C(batch_launch_*) variable its task sees. A name that is not a
        variable of the role is refused with the closest one; strings as AWX surveys and C(-e) give them are
        converted; a variable left out has the role's default.
      - The connection options are this task's own options; C(connection) in O(variables) is only checked.
    type: dict
    required: true
seealso:
  - module: hwcloud.drs.drs_batch_start
  - module: hwcloud.drs.drs_batch_status
"""

EXAMPLES = r"""
- name: Launch two async jobs' tasks, as the role does (use the role)
  hwcloud.drs.drs_batch_launch:
    variables:
      async_job_ids:
        - 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
      poll_interval: 30
"""

RETURN = r"""
msg:
  description: The closing line of the launch, as the role shows it.
  returned: always
  type: str
  sample: "Launched: 20 tasks (18 started, 2 already started), 2 async jobs committed, in 41.2s; status: INCRE_TRANSFER_STARTED=20"
summary:
  description:
    - What the launch did and where each task stands, also when it failed; the role publishes it with
      C(set_stats) as C(batch_launch.<inventory host>). Its fields are those of the role's documentation.
  returned: always
  type: dict
  contains:
    tasks:
      description: The number of tasks launched.
      type: int
    started:
      description: Tasks started by this run.
      type: int
    already_started:
      description: Tasks that were started before.
      type: int
    would_start:
      description: Tasks check mode would start.
      type: int
    failed:
      description: Tasks that failed to start.
      type: int
    retried:
      description: Retries sent for tasks that failed during a wait (C(retry_failed)).
      type: int
    committed:
      description: IDs of the async jobs committed (in check mode, to commit).
      type: list
      elements: str
    unplanned:
      description: IDs of the tasks check mode could plan only after a commit.
      type: list
      elements: str
    per_status:
      description: The count of tasks per status at the last read.
      type: dict
    elapsed_seconds:
      description: How long the launch took.
      type: float
    check_mode:
      description: Whether this was a check mode run.
      type: bool
    failure:
      description:
        - The failed step (C(task)) and its message (C(msg)); null when the launch succeeded.
        - For a launch stopped by SIGINT or SIGTERM, also C(interrupted), the signal's name; the launch then prints
          the summary line itself, since Ansible ends the run without its result.
      type: dict
    message:
      description: The same as RV(msg).
      type: str
    jobs:
      description:
        - Per task, every task known so far, as the last read of any step saw it - C(job_id), C(name) (where a job
          filter found the task, else null), C(action), C(precheck) (the task's precheck result, or null), C(retries),
          C(status_before), C(status), C(status_class), C(target), C(reached), C(task_mode), C(progress),
          C(remaining_time), C(incre_trans_delay), C(rpo_delay), C(rto_delay), C(start_time), C(error_code),
          C(error_msg).
      type: list
      elements: dict
"""
