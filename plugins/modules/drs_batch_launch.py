#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_batch_launch
short_description: One step of the launch of the batch_launch role - plan, find, commit, precheck, start, wait, summary
version_added: 0.2.0
description:
  - The engine of the C(hwcloud.drs.batch_launch) role, whose tasks are its steps; use the role. Each task runs one
    O(step) - C(plan) checks the role's variables, C(find) finds the tasks the job filter selects
    (M(hwcloud.drs.drs_job_info)) and reads those named by ID, C(commit) commits the batch async jobs
    (M(hwcloud.drs.drs_async_commit)) and waits until DRS has created their tasks (M(hwcloud.drs.drs_batch_status)),
    and for each launch group C(precheck) (M(hwcloud.drs.drs_batch_precheck)), C(start)
    (M(hwcloud.drs.drs_batch_start)) and C(wait) until its tasks reach their target (retrying failed ones with
    M(hwcloud.drs.drs_batch_retry) when the role's C(retry_failed) says so); C(summary) returns and publishes the
    summary.
  - Each step runs its module's code in the controller's process with the task's connection options, and prints one
    line, each wait one line per poll. What the steps read of each DRS task goes from one step to the next in the
    launch's file (RV(launch), in Ansible's local temporary directory, removed when C(ansible-playbook) ends), so
    that a batch of 10,000 tasks goes through Ansible's result handling only once, in the summary. The file holds no
    connection option and no IAM token; each step authenticates itself.
  - A failed step fails the task with its reason and records it in the launch's file, for the summary.
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
        planned only after the commit (RV(summary.unplanned)). The role skips the C(wait) step.
  diff_mode:
    support: full
    description:
      - The C(start) step shows each task of its group that would start (in check mode) or started, with its status
        before and its start time (ISO 8601 and epoch milliseconds), as M(hwcloud.drs.drs_batch_start) does - as
        lines of the step.
options:
  step:
    description:
      - The step to run. C(plan) first, then the others with the RV(launch) it returned; C(precheck), C(start) and
        C(wait) once per group (O(group)), in that order; C(summary) last, which removes the launch's file.
    type: str
    required: true
    choices: [plan, find, commit, precheck, start, wait, summary]
    version_added: 0.3.0
  variables:
    description:
      - For O(step=plan), the variables of the C(hwcloud.drs.batch_launch) role without their C(batch_launch_)
        prefix, as the role documents them; the role passes every C(batch_launch_*) variable its task sees. A name
        that is not a variable of the role is refused with the closest one; strings as AWX surveys and C(-e) give
        them are converted; a variable left out has the role's default.
      - The connection options are each step's own options; C(connection) in O(variables) is only checked.
    type: dict
  launch:
    description:
      - The launch's file, RV(launch) of the C(plan) step; required by every other step.
    type: str
    version_added: 0.3.0
  group:
    description:
      - The group's number (from 1, as RV(groups) of the C(commit) step lists them), for C(precheck), C(start) and
        C(wait).
    type: int
    version_added: 0.3.0
  stopped:
    description:
      - For O(step=summary) after a failure, the task the launch stopped at (C(task), its name, and C(msg), its
        message) - for a task that is not one of the launch's steps (a task file of the operator's), whose failure the
        launch's file does not record.
    type: dict
    version_added: 0.3.0
seealso:
  - module: hwcloud.drs.drs_batch_start
  - module: hwcloud.drs.drs_batch_status
"""

EXAMPLES = r"""
- name: Check the variables of a launch, as the role does (use the role)
  hwcloud.drs.drs_batch_launch:
    step: plan
    variables:
      async_job_ids:
        - 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
      poll_interval: 30
  register: launch_plan

- name: Commit its batch async jobs
  hwcloud.drs.drs_batch_launch:
    step: commit
    launch: "{{ launch_plan.launch }}"
"""

RETURN = r"""
launch:
  description: The launch's file, for the steps that follow.
  returned: O(step=plan)
  type: str
  sample: /home/ops/.ansible/tmp/ansible-local-4242abcd/drs-launch-x1y2z3.json
  version_added: 0.3.0
precheck:
  description: Whether the launch prechecks its tasks before it starts them (the role's C(precheck)).
  returned: O(step=plan)
  type: bool
  version_added: 0.3.0
groups:
  description: The launch groups once the tasks of the async jobs and the job filter joined them.
  returned: O(step=commit)
  type: list
  elements: dict
  version_added: 0.3.0
  contains:
    number:
      description: The group's number, from 1.
      type: int
    count:
      description: How many groups the launch has.
      type: int
    tasks:
      description: How many tasks the group has.
      type: int
    label:
      description: The group as its lines name it.
      type: str
      sample: Group 1/2
msg:
  description: The summary line of the launch, as the role shows it; for a failed step, the failure's reason.
  returned: O(step=summary), or a failed step
  type: str
  sample: "Launched: 20 tasks (18 started, 2 already started), 2 async jobs committed, in 41.2s; status: INCRE_TRANSFER_STARTED=20"
stop_msg:
  description: The summary line without the failure's reason, which the failed step showed - the role stops with it.
  returned: O(step=summary) when the launch failed
  type: str
  version_added: 0.3.0
summary:
  description:
    - What the launch did and where each task stands, also when it failed; published with C(set_stats) as
      C(batch_launch.<inventory host>) unless the role's C(set_stats) is false. Its fields are those of the role's
      documentation.
  returned: O(step=summary)
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
