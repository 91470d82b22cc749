#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_job_info
short_description: List the DRS tasks of a project, selected by name, status, engine, type, network or tags
version_added: 0.2.0
description:
  - Lists DRS tasks with the task list API (C(POST /v3/{project_id}/jobs), vendor SDK models C(QueryJobsReq) and
    C(ShowJobListResponse)), 100 tasks per page, every page of them.
  - Filters the API can apply are sent to it, so only the matching tasks cross the network - O(status) (one
    listing per status), O(engine_type), O(db_use_type), O(net_type), O(enterprise_project_id), O(tags), and
    O(name) when it is matched exactly.
  - A name matched as a glob or a regular expression is matched here, on the tasks the other filters selected,
    because the API takes a plain name only. Its vendor documentation does not say whether that name must match
    exactly or is searched for in the names, so this module sends it only when it wants an exact match and then
    keeps the tasks whose name is exactly that.
  - Never changes anything.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
  - hwcloud.drs.attributes.read_only
options:
  name:
    description:
      - Select the tasks whose name matches, as O(name_match) says. Case matters.
      - Without it, every task that the other filters select.
    type: str
  name_match:
    description:
      - How O(name) matches a task's name.
      - V(glob) - shell-style wildcards, C(*) for any text, C(?) for one character, C([abc]) for one of these
        characters (Python's C(fnmatch.fnmatchcase)); C(orders-*) selects C(orders-eu-1) but not C(old-orders-1).
        A glob without wildcards matches the whole name exactly.
      - V(exact) - the whole name, character for character.
      - V(regex) - a Python regular expression searched for in the name; anchor it with C(^) and C($) to match the
        whole name.
    type: str
    choices: [glob, exact, regex]
    default: glob
  status:
    description:
      - Select the tasks in one of these statuses, for example V(CONFIGURATION) for the tasks ready to start.
      - The API filters one status per listing, so each status costs its own listing.
      - Any status name is accepted, with a warning for a name DRS never used.
    type: list
    elements: str
  engine_type:
    description:
      - Select the tasks of this engine type, for example V(mysql), V(mongodb) or V(cloudDataGuard-mysql).
    type: str
  db_use_type:
    description:
      - Select the tasks of this kind, V(migration) (real-time migration), V(sync) (real-time synchronization)
        or V(cloudDataGuard) (real-time disaster recovery).
    type: str
    aliases: [job_type]
  net_type:
    description:
      - Select the tasks that use this network type, V(vpn), V(vpc) or V(eip).
    type: str
  enterprise_project_id:
    description:
      - Select the tasks of this enterprise project (when enterprise projects are enabled for the account).
    type: str
  tags:
    description:
      - Select the tasks that carry these tags, key to value.
    type: dict
notes:
  - A task created or deleted while the pages are read can shift the pages; a task seen twice is returned once.
  - The listing stops with an error after 1000 pages (100,000 tasks) or when a page repeats the one before it
    (an API that ignores the page number).
"""

EXAMPLES = r"""
- name: Find every task of the orders migration that is ready to start
  hwcloud.drs.drs_job_info:
    endpoint: https://drs.eu-de.otc.t-systems.com
    project_id: 054ba152d480d55b2f5dc0069e7ddef0
    auth_token: "{{ iam_token }}"
    name: orders-*
    status: CONFIGURATION
  register: orders

- name: Start them
  hwcloud.drs.drs_batch_start:
    jobs: "{{ orders.job_ids }}"

- name: List the MySQL disaster recovery tasks that replicate or failed, by a regular expression on the name
  module_defaults:
    group/hwcloud.drs.drs:
      region: eu-de
      project_id: "{{ project_id }}"
      access_key: "{{ ak }}"
      secret_key: "{{ sk }}"
  hwcloud.drs.drs_job_info:
    name: "^dr-(eu|us)-[0-9]+$"
    name_match: regex
    db_use_type: cloudDataGuard
    engine_type: cloudDataGuard-mysql
    status:
      - INCRE_TRANSFER_STARTED
      - INCRE_TRANSFER_FAILED
    tags:
      team: payments
"""

RETURN = r"""
jobs:
  description:
    - The matching tasks, in the order the API lists them (for several O(status), status by status).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Task ID.
      type: str
      sample: 9a470239-2308-4bb5-a6bc-1040402fjb21
    name:
      description: Task name.
      type: str
      sample: orders-eu-1
    status:
      description: Task status, as DRS reports it.
      type: str
      sample: CONFIGURATION
    status_class:
      description:
        - What the status means, V(creating), V(startable), V(starting), V(transferring), V(maintenance),
          V(failed), V(ended) or V(unknown), as in M(hwcloud.drs.drs_batch_status).
      type: str
      sample: startable
    description:
      description: Task description; null when it has none.
      type: str
      sample: Orders database, EU shard 1
    create_time:
      description: When the task was created, as the API gives it (epoch milliseconds as a string).
      type: str
      sample: "1764558000000"
    engine_type:
      description: Engine type.
      type: str
      sample: mysql
    db_use_type:
      description: Kind of task, C(migration), C(sync) or C(cloudDataGuard).
      type: str
      sample: migration
    net_type:
      description: Network type, C(vpn), C(vpc) or C(eip).
      type: str
      sample: vpc
    task_type:
      description: What the task transfers, C(FULL_TRANS), C(INCR_TRANS) or C(FULL_INCR_TRANS).
      type: str
      sample: FULL_INCR_TRANS
    job_direction:
      description: Direction, C(up) (into the cloud; the standby side for disaster recovery) or C(down).
      type: str
      sample: up
    children:
      description:
        - The subtasks of a parent task (for example the forward and backward tasks of a dual-active pair),
          with the same fields as a task except C(children) and C(description), plus C(error_msg).
        - An empty list for a task without subtasks.
      type: list
      elements: dict
      sample:
        - id: 3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21
          name: orders-dr-forward
          status: INCRE_TRANSFER_STARTED
          status_class: transferring
          create_time: "1764558000000"
          engine_type: cloudDataGuard-mysql
          db_use_type: cloudDataGuard
          net_type: vpc
          task_type: FULL_INCR_TRANS
          job_direction: up
          error_msg: null
job_ids:
  description: The IDs of RV(jobs), in the same order (parent tasks only, not their subtasks).
  returned: always
  type: list
  elements: str
  sample: ["9a470239-2308-4bb5-a6bc-1040402fjb21", "dc67695a-ee3e-49b8-a022-a099bd81jb21"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._job_list import DrsJobInfo
from ansible_collections.hwcloud.drs.plugins.module_utils._module import execute


def main():
    module = AnsibleModule(argument_spec=DrsJobInfo.full_argument_spec(), supports_check_mode=True)
    execute(module, DrsJobInfo, RunContext.from_module(module))


if __name__ == "__main__":
    main()
