#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: drs_batch_status
short_description: Read the status of many DRS tasks, and optionally wait for them
version_added: 0.1.0
description:
  - Reads the status of DRS tasks with the batch-status API (C(POST /v3/{project_id}/jobs/batch-status)),
    100 task IDs per request, duplicates removed.
  - With O(wait_for), polls until every task is in one of those statuses, and fails at once when a task
    enters a status of O(fail_on), naming the tasks, their status and error.
  - Never changes anything.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
attributes:
  check_mode:
    support: full
    description: The module only reads, so check mode runs it as usual.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no difference to show.
  action_group:
    support: full
    membership:
      - hwcloud.drs.drs
    description: Use C(group/hwcloud.drs.drs) in C(module_defaults) to set the connection options.
options:
  jobs:
    description:
      - IDs of the DRS tasks, any number of them.
    type: list
    elements: str
    required: true
  wait_for:
    description:
      - Wait until every task is in one of these statuses.
      - Without it the module reads once and returns.
    type: list
    elements: str
    choices: &statuses
      - CREATING
      - CREATE_FAILED
      - CONFIGURATION
      - STARTJOBING
      - WAITING_FOR_START
      - START_JOB_FAILED
      - PAUSEING
      - FULL_TRANSFER_STARTED
      - FULL_TRANSFER_FAILED
      - FULL_TRANSFER_COMPLETE
      - INCRE_TRANSFER_STARTED
      - INCRE_TRANSFER_FAILED
      - RELEASE_RESOURCE_STARTED
      - RELEASE_RESOURCE_FAILED
      - RELEASE_RESOURCE_COMPLETE
      - CHANGE_JOB_STARTED
      - CHANGE_JOB_FAILED
      - CHILD_TRANSFER_STARTING
      - CHILD_TRANSFER_STARTED
      - CHILD_TRANSFER_COMPLETE
      - CHILD_TRANSFER_FAILED
      - RELEASE_CHILD_TRANSFER_STARTED
      - RELEASE_CHILD_TRANSFER_COMPLETE
  wait_timeout:
    description:
      - Seconds to wait for O(wait_for) before failing with the tasks still not there and their status.
      - V(0) reads once and fails unless every task is already in O(wait_for).
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds between two reads while waiting.
    type: int
    default: 10
  fail_on:
    description:
      - Statuses that fail the module at once while waiting.
      - Defaults to every C(*_FAILED) status, C(CREATE_FAILED) included.
      - Ignored without O(wait_for); a status in O(wait_for) is never a failure.
    type: list
    elements: str
    choices: *statuses
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

- name: Wait up to an hour until every task replicates incrementally
  module_defaults:
    group/hwcloud.drs.drs:
      region: eu-de
      project_id: "{{ project_id }}"
      access_key: "{{ ak }}"
      secret_key: "{{ sk }}"
  hwcloud.drs.drs_batch_status:
    jobs: "{{ drs_job_ids }}"
    wait_for: INCRE_TRANSFER_STARTED
    wait_timeout: 3600
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
      description: Task status.
      type: str
      sample: INCRE_TRANSFER_STARTED
    error_code:
      description: Error code the API reports for the task, if any.
      type: str
      sample: DRS.10030033
    error_message:
      description: Error message the API reports for the task, if any.
      type: str
      sample: Full migration failed.
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
polls:
  description: Number of times the statuses were read.
  returned: always
  type: int
  sample: 3
elapsed:
  description: Seconds the module spent reading and waiting.
  returned: always
  type: float
  sample: 61.2
"""

import time

from ansible_collections.hwcloud.drs.plugins.module_utils._module import (
    FAILED_STATUSES, TASK_STATUSES, DrsModule, InputError, check_id, count_by_status, first_of, task_statuses,
)


class DrsBatchStatus(DrsModule):
    argument_spec = dict(
        jobs=dict(type="list", elements="str", required=True),
        wait_for=dict(type="list", elements="str", choices=list(TASK_STATUSES)),
        wait_timeout=dict(type="int", default=600),
        poll_interval=dict(type="int", default=10),
        fail_on=dict(type="list", elements="str", choices=list(TASK_STATUSES)),
    )
    action = "read the status of DRS tasks"

    def run(self):
        job_ids = [check_id(job_id, "jobs[%d]" % index) for index, job_id in enumerate(self.params["jobs"])]
        job_ids = list(dict.fromkeys(job_ids))
        wait_for = set(self.params["wait_for"] or [])
        if self.params["wait_timeout"] < 0:
            raise InputError("wait_timeout must be 0 or more seconds, got %s" % self.params["wait_timeout"])
        if self.params["poll_interval"] < 1:
            raise InputError("poll_interval must be at least 1 second, got %s" % self.params["poll_interval"])
        fail_on = set(self.params["fail_on"] if self.params["fail_on"] is not None else FAILED_STATUSES) - wait_for

        started = time.monotonic()
        deadline = started + self.params["wait_timeout"]
        polls = 0
        while True:
            entries = task_statuses(self.client, job_ids, self.action)
            polls += 1
            result = self.result(entries, polls, time.monotonic() - started)
            if not wait_for:
                return result
            failed = [entry for entry in entries if entry["status"] in fail_on]
            if failed:
                self.fail("%d of %d DRS tasks failed: %s" % (len(failed), len(entries), describe(failed)), **result)
            waiting = [entry for entry in entries if entry["status"] not in wait_for]
            if not waiting:
                return result
            if time.monotonic() + self.params["poll_interval"] > deadline:
                self.fail("Timed out after %ds waiting for %d of %d DRS tasks to reach %s; still waiting: %s"
                          % (self.params["wait_timeout"], len(waiting), len(entries), " or ".join(sorted(wait_for)),
                             describe(waiting)), **result)
            time.sleep(self.params["poll_interval"])

    @staticmethod
    def result(entries, polls, elapsed):
        return dict(
            changed=False,
            jobs=entries,
            status_by_id=dict((entry["id"], entry["status"]) for entry in entries),
            summary=count_by_status(entries),
            polls=polls,
            elapsed=round(elapsed, 1),
        )


def describe(entries):
    """``id (STATUS, CODE: message)`` for each entry, the first 20 of them."""
    parts = []
    for entry in entries:
        detail = entry["status"]
        if entry.get("error_code") or entry.get("error_message"):
            detail += ", %s: %s" % (entry.get("error_code") or "-", entry.get("error_message") or "-")
        parts.append("%s (%s)" % (entry["id"], detail))
    return first_of(parts)


def main():
    DrsBatchStatus().execute()


if __name__ == "__main__":
    main()
