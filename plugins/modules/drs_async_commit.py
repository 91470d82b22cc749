#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: drs_async_commit
short_description: Submit DRS tasks created asynchronously in a batch
version_added: 0.2.0
description:
  - Submits a batch async job (C(POST /v5/{project_id}/batch-async-jobs/{async_job_id}/commit)) so that DRS
    creates its tasks, and returns the IDs of those tasks.
  - Reads the async job first. It commits only when the job is C(AUTO_PARAM_VALIDATE_SUCCESS), reports no change
    when it is already C(COMMIT_SUCCESS), waits (up to O(wait_timeout)) while it is C(ASYNC_JOB_VALIDATING), and
    fails when validation failed, with the error the API gives for the async job and for each of its tasks
    (each distinct reason once, with the IDs of its tasks).
  - When a commit may have reached the service but no usable answer came back (timeout, reset connection, HTTP 5xx),
    the module reads the async job again after a pause and sends the commit again (at most O(retries) times) only if
    the job is still not committed. A commit refused because the job is committed already (by another run at the same time) is no
    failure.
  - The v5 batch async API exists only in some Huawei Cloud regions and is not documented for Open Telekom Cloud;
    where the endpoint does not serve it, the module says so.
author:
  - hwcloud.drs maintainers (@hwcloud-drs)
extends_documentation_fragment:
  - hwcloud.drs.connection
  - hwcloud.drs.attributes
attributes:
  check_mode:
    support: full
    description: Reads the async job and its tasks and reports whether it would commit; never commits.
  diff_mode:
    support: full
    description: Shows the async job's status before and after.
options:
  async_job_id:
    description:
      - ID of the batch async job, as returned by the API that created the tasks asynchronously.
    type: str
    required: true
  wait_timeout:
    description:
      - Seconds to wait while the async job's parameters are still being validated.
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds from the start of one read to the start of the next while waiting, at least V(0.1).
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
"""

EXAMPLES = r"""
- name: Commit a batch of asynchronously created tasks
  hwcloud.drs.drs_async_commit:
    region: cn-north-4
    project_id: 054ba152d480d55b2f5dc0069e7ddef0
    auth_token: "{{ iam_token }}"
    async_job_id: bd4193aa-072d-4ce6-beec-adffc7252341
  register: drs_commit

- name: Start the tasks the commit created
  hwcloud.drs.drs_batch_start:
    region: cn-north-4
    project_id: 054ba152d480d55b2f5dc0069e7ddef0
    auth_token: "{{ iam_token }}"
    jobs: "{{ drs_commit.job_ids }}"
"""

RETURN = r"""
job:
  description: The batch async job.
  returned: always
  type: dict
  contains:
    async_job_id:
      description: ID of the batch async job.
      type: str
      sample: bd4193aa-072d-4ce6-beec-adffc7252341
    status:
      description:
        - Status of the batch async job after the module ran; V(COMMIT_SUCCESS) once committed
          (also when the commit answer does not state a status).
        - In check mode, the status read.
      type: str
      sample: COMMIT_SUCCESS
    msg:
      description: Message of the commit answer, if the module committed and the service gave one.
      type: str
      sample: success
job_ids:
  description: IDs of the DRS tasks inside the batch async job.
  returned: always
  type: list
  elements: str
  sample: ["9a470239-2308-4bb5-a6bc-1040402fjb21", "dc67695a-ee3e-49b8-a022-a099bd81jb21"]
status_before:
  description: Status of the batch async job when the module first read it.
  returned: always
  type: str
  sample: AUTO_PARAM_VALIDATE_SUCCESS
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.drs.plugins.module_utils._commit import DrsAsyncCommit
from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._module import execute


def main():
    module = AnsibleModule(argument_spec=DrsAsyncCommit.full_argument_spec(), supports_check_mode=True)
    execute(module, DrsAsyncCommit, RunContext.from_module(module))


if __name__ == "__main__":
    main()
