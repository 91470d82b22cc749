#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_batch_precheck
short_description: Precheck many DRS tasks before they start, and wait for the result
version_added: 0.2.0
description:
  - Starts the precheck DRS requires before a task starts, for many tasks at once, and waits until every precheck
    has passed. Fails at once when one does not pass, naming each failed check item of each task with its reason.
  - Prechecks only the tasks it is for, read first with batch-status - those in C(CONFIGURATION) with
    O(precheck_mode=forStartJob), those in a failed status with O(precheck_mode=forRetryJob); any other task
    (started already, for example) needs none and is reported as RV(results[].action=not_needed), so a launch
    run again on a running batch prechecks nothing.
  - Reads the latest precheck result of every task with C(POST /v3/{project_id}/jobs/batch-precheck-result)
    (vendor SDK models C(BatchQueryPrecheckResultReq), which takes task IDs, and C(BatchCheckResultsResponse) of
    C(QueryPreCheckResp)), 100 tasks per request. A task whose latest precheck passed is not prechecked again
    (unless O(force)); a task whose precheck is still running is waited for instead of being prechecked twice.
  - Starts the precheck of the other tasks with C(POST /v3/{project_id}/jobs/batch-precheck) (models
    C(BatchPrecheckReq) of C(PreCheckInfo), and C(BatchCheckJobsResponse) of C(PostPreCheckResp)), 100 tasks per
    request, then reads the results again every O(poll_interval) seconds, one line of progress per read.
  - A precheck has passed when its progress (C(process)) is 100% and its C(result) is true or its pass rate
    (C(total_passed_rate)) is 100%. It has failed when it is complete without passing, or as soon as one of its
    check items is C(FAILED), even while other items are still being checked, since it can no longer pass. Items
    with C(ALARM) do not stop a precheck from passing; they are returned and shown as warnings.
  - The results carry no task ID; the API answers them in the order of the task IDs asked for, and this module
    relies on that order. A result whose C(precheck_id) is not the one the start answered is an older precheck's,
    so the module keeps waiting for the new one.
  - A task the API answers an error code for, without a progress (C(process)), or without a C(precheck_id), has
    no precheck result, never having been prechecked.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
attributes:
  check_mode:
    support: full
    description:
      - Reads the latest results and reports the tasks whose precheck would start (RV(results[].action=would_start)),
        starting none. Prechecks already running are waited for, since that only reads.
  diff_mode:
    support: none
    description: A precheck changes no task, so there is no difference to show.
options:
  jobs:
    description:
      - IDs of the DRS tasks to precheck, at least one and any number of them; duplicates are removed.
    type: list
    elements: str
    required: true
  precheck_mode:
    description:
      - What the precheck is for, as DRS asks. V(forStartJob) before the first start of a configured task;
        V(forRetryJob) after objects of an incrementally transferring task were edited, or before a failed task is
        retried. A precheck in the wrong mode may fail.
    type: str
    choices: [forStartJob, forRetryJob]
    default: forStartJob
  force:
    description:
      - Precheck every task again, also those whose latest precheck passed.
      - A precheck still running is waited for even so.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for every precheck to complete before failing with the tasks still being checked.
      - V(0) starts the prechecks (or reads them) once and fails unless every one has already passed.
    type: int
    default: 900
  poll_interval:
    description:
      - Seconds from the start of one read of the results to the start of the next, at least V(0.1).
    type: float
    default: 5
  outage_tolerance:
    description:
      - While waiting, for how many seconds reads may fail with an error that may pass (no connection, a
        timeout, throttling, an HTTP 5xx, an unreadable answer) before the module fails - never past
        O(wait_timeout). The API stopping and coming back is shown once each; reads go on at O(poll_interval),
        backing off to one a minute. Reads change nothing, so repeating them is safe.
      - A first read that fails ends the wait at once - the connection options never worked.
    type: int
    default: 600
  progress_label:
    description:
      - Text that starts every progress line, for example C(Group 1/2).
    type: str
  resume:
    description:
      - Set by this module's action plugin for every read after the first, from the RV(results) of the first;
        there is no need to set it in a playbook.
      - With it, the module starts no precheck, keeps each task's RV(results[].action) and waits for the
        precheck IDs given.
    type: list
    elements: dict
    suboptions:
      job_id:
        description: Task ID, one of O(jobs).
        type: str
        required: true
      action:
        description: What the first read did for the task, RV(results[].action).
        type: str
        required: true
        choices: [started, would_start, already_passed, already_running, not_needed, restarted]
      precheck_id:
        description: The precheck to wait for.
        type: str
      replaced_precheck_id:
        description: RV(results[].replaced_precheck_id) of the first read.
        type: str
notes:
  - The controller runs the module once per read, so O(poll_interval) is at least the time one run takes
    (about half a second on a small controller).
  - Each read makes one request per 100 tasks; starting makes one more per 100 tasks whose precheck starts.
  - A start that fails with an HTTP 5xx or without an answer is read back at the next read, which finds the
    prechecks that did start running, and starts the others.
"""

EXAMPLES = r"""
- name: Precheck every task of the orders migration that is ready to start
  module_defaults:
    group/hwcloud.drs.drs:
      region: eu-de
      project_id: "{{ project_id }}"
      auth_token: "{{ iam_token }}"
  block:
    - name: Find the tasks
      hwcloud.drs.drs_job_info:
        name: orders-*
        status: CONFIGURATION
      register: orders

    - name: Precheck them, waiting up to 30 minutes
      hwcloud.drs.drs_batch_precheck:
        jobs: "{{ orders.job_ids }}"
        wait_timeout: 1800
        poll_interval: 15

- name: Precheck an edited, incrementally transferring task again, even if its last precheck passed
  hwcloud.drs.drs_batch_precheck:
    endpoint: https://drs.eu-de.otc.t-systems.com
    project_id: 054ba152d480d55b2f5dc0069e7ddef0
    auth_token: "{{ iam_token }}"
    jobs:
      - 9a470239-2308-4bb5-a6bc-1040402fjb21
    precheck_mode: forRetryJob
    force: true
"""

RETURN = r"""
changed:
  description: Whether a precheck was started (in check mode, would be).
  returned: always
  type: bool
  sample: true
results:
  description: One entry per distinct task ID, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: Task ID.
      type: str
      sample: 9a470239-2308-4bb5-a6bc-1040402fjb21
    action:
      description:
        - V(started) - this run started the task's precheck.
        - V(would_start) - check mode, the precheck would start.
        - V(already_passed) - the latest precheck passed, so none was started.
        - V(already_running) - a precheck was running already; this run waited for it.
        - V(restarted) - the precheck this run waited for vanished from the API (it knew no precheck of the task
          any more), so it was started again, once.
        - V(not_needed) - the task is not one the precheck is for (it is started already, for example), so it was
          not prechecked.
        - V(failed) - the API refused to start the precheck (see RV(results[].error_code), RV(results[].error_msg)).
      type: str
      sample: started
    precheck_id:
      description:
        - ID of the precheck the result is about; null when the task has none.
        - While waiting, a newer precheck of the task (started by someone else meanwhile) replaces the one this
          run started or found. Its result is the task's latest, which DRS judges at the start, so it is followed.
      type: str
      sample: 3b4e1c2a-9f0d-4e6b-8a7c-5d2f1e0a9b8c
    replaced_precheck_id:
      description:
        - With RV(results[].action=started), the ID of the task's latest precheck before this run started one (a
          result still about it means the new precheck has not shown up yet); null otherwise.
      type: str
      sample: 0d2c4b6a-1e3f-4a5b-9c7d-8e6f5a4b3c2d
    result:
      description:
        - V(passed), V(failed) or V(running); null when the task has no precheck result.
        - With RV(results[].action=would_start), the result of the latest precheck, which is why it would run
          again.
      type: str
      sample: passed
    progress:
      description: Percent of the precheck done (C(process)); null when unknown.
      type: float
      sample: 100
    pass_rate:
      description: Percent of the check items passed (C(total_passed_rate)); null when unknown.
      type: float
      sample: 100
    failed_items:
      description: The check items that failed (C(PrecheckResult) with C(result) C(FAILED)).
      type: list
      elements: dict
      contains:
        item:
          description: Name of the check item.
          type: str
          sample: source_db_connection
        failed_reason:
          description: Why it failed.
          type: str
          sample: The source database cannot be connected.
        raw_error_msg:
          description: The underlying error, as the database or DRS gave it.
          type: str
          sample: "Access denied for user 'drs'@'192.168.0.5'"
        group:
          description: Group of the check item.
          type: str
          sample: database_connection
        data:
          description: The item's detail data, as the API gives it (encrypted JSON text).
          type: str
          sample: null
        failed_sub_jobs:
          description: Subtasks that failed the item (C(PrecheckFailSubJobVO) - C(id), C(name), C(check_result)).
          type: list
          elements: dict
          sample: []
      sample: []
    alarm_items:
      description: The check items that passed with an alarm (C(result) C(ALARM)), with the fields of RV(results[].failed_items).
      type: list
      elements: dict
      sample: []
    error_code:
      description: Error code of a refused start, or of the result read.
      type: str
      sample: DRS.10040011
    error_msg:
      description: Error message of a refused start, or of the result read.
      type: str
      sample: The job status does not allow this operation.
summary:
  description: Number of tasks per RV(results[].result) (V(none) for no result).
  returned: always
  type: dict
  sample: {"passed": 18, "running": 2}
reached:
  description: Whether none of the prechecks waited for is still running.
  returned: always
  type: bool
  sample: true
polls:
  description: Number of times the results were read.
  returned: always
  type: int
  sample: 4
elapsed:
  description: Seconds spent starting, reading and waiting.
  returned: always
  type: float
  sample: 61.2
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._module import execute
from ansible_collections.hwcloud.drs.plugins.module_utils._precheck import DrsBatchPrecheck


def main():
    module = AnsibleModule(argument_spec=DrsBatchPrecheck.full_argument_spec(), supports_check_mode=True)
    execute(module, DrsBatchPrecheck, RunContext.from_module(module))


if __name__ == "__main__":
    main()
