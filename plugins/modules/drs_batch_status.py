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
      returned: with O(progress) or O(wait_for=auto)
      type: str
      sample: FULL_INCR_TRANS
    progress:
      description: Percent of the full transfer done; null when DRS gives none.
      returned: with O(progress) or O(wait_for=auto)
      type: int
      sample: 64
    remaining_time:
      description: Seconds DRS expects the full transfer still to take; null when it gives none.
      returned: with O(progress) or O(wait_for=auto)
      type: int
      sample: 1260
    incre_trans_delay:
      description: Seconds the incremental transfer lags behind the source; null before it runs.
      returned: with O(progress) or O(wait_for=auto)
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

import statistics
import time

from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import check_number
from ansible_collections.hwcloud.drs.plugins.module_utils._module import (
    DrsModule, InputError, check_id, task_statuses, unknown_tasks,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import (
    AUTO, ENDED, FAILED, INCREMENTAL_TARGET, auto_target, count_by_status, count_of, describe_tasks, reached, status_class, unknown_names,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import STATUS_WAIT_SPEC, WaitOptionError, check_wait_options


class DrsBatchStatus(DrsModule):
    argument_spec = dict(
        jobs=dict(type="list", elements="str", required=True),
        wait_for=dict(type="list", elements="str"),
        fail_on=dict(type="list", elements="str"),
        progress=dict(type="bool", default=False),
        rpo_rto_max=dict(type="int"),
        progress_label=dict(type="str"),
        **STATUS_WAIT_SPEC
    )
    action = "read the status of DRS tasks"

    def run(self):
        started = time.monotonic()
        job_ids = list(dict.fromkeys(check_id(job_id, "jobs[%d]" % index)
                                     for index, job_id in enumerate(self.params["jobs"])))
        if not job_ids:
            raise InputError("jobs: give at least one task ID")
        wait_for = self.wait_targets()
        rpo_rto_max = self.params["rpo_rto_max"]
        if rpo_rto_max is not None:
            check_number(rpo_rto_max, "rpo_rto_max", 1, unit="second")
            if not wait_for:
                raise InputError("rpo_rto_max holds a wait until RPO and RTO are below it: give wait_for too")
        # The action plugin checks them before a wait; without one they are checked all the same,
        # so that a value is refused (or not) whatever else the task says.
        try:
            check_wait_options(self.params["wait_timeout"], self.params["poll_interval"], self.params["outage_tolerance"])
        except WaitOptionError as exc:
            raise InputError(str(exc))

        entries, unknown = task_statuses(self.client, job_ids)
        if unknown:
            raise InputError("Failed to %s: %s" % (self.action, unknown_tasks(unknown)))
        for entry in entries:
            entry["status_class"] = status_class(entry["status"])
        with_progress = self.params["progress"] or wait_for == [AUTO]
        if with_progress:
            self.add_progress(entries)
        result = dict(changed=False, jobs=entries, status_by_id=dict((e["id"], e["status"]) for e in entries),
                      summary=count_by_status(entries), polls=1)
        stopped = []
        if wait_for:
            stopped = self.judge(entries, wait_for, rpo_rto_max)
            result.update(reached=all(entry["reached"] for entry in entries),
                          waiting=sum(1 for entry in entries if not entry["reached"]))
        if with_progress or rpo_rto_max is not None:
            result["progress_summary"] = progress_summary(entries)
        result["elapsed"] = round(time.monotonic() - started, 1)
        if stopped:
            targets = " or ".join(sorted(set(entry["target"] for entry in stopped)))
            self.fail("%d of %s cannot reach %s (failed, released or deleted): %s"
                      % (len(stopped), count_of(len(entries), "DRS task"), targets, describe_tasks(stopped)), **result)
        return result

    # -- plan ----------------------------------------------------------------------------

    def wait_targets(self):
        wait_for = list(dict.fromkeys(self.params["wait_for"] or []))
        if AUTO in wait_for and len(wait_for) > 1:
            raise InputError("wait_for: auto picks each task's target by itself; give it alone, not with %s"
                             % ", ".join(name for name in wait_for if name != AUTO))
        for option in ("wait_for", "fail_on"):
            for name in unknown_names(self.params[option] or []):
                self.module.warn("%s: %s is not a status DRS is known to report; check its spelling" % (option, name))
        return wait_for

    def judge(self, entries, wait_for, rpo_rto_max):
        """Mark each task's target and whether it reached it; return the tasks that stop the wait."""
        fail_on = self.params["fail_on"]
        stopped = []
        for entry in entries:
            targets = [auto_target(entry.get("task_mode"))] if wait_for == [AUTO] else wait_for
            entry["target"] = " or ".join(targets)
            entry["reached"] = any(reached(entry["status"], target) for target in targets)
            if entry["reached"]:
                continue
            if fail_on is not None:
                stops = entry["status"] in fail_on
            else:
                stops = entry["status_class"] in (FAILED, ENDED)
            if stops:
                stopped.append(entry)
        if rpo_rto_max is not None:
            # Only a task that replicates has a lag: a full-only task done with its full transfer has none.
            self.add_rpo_rto([entry for entry in entries if entry["reached"] and entry["status"] == INCREMENTAL_TARGET],
                             rpo_rto_max)
        return stopped

    # -- act -----------------------------------------------------------------------------

    def add_progress(self, entries):
        by_id = dict((record.get("job_id"), record) for record in self.client.batch_progress([e["id"] for e in entries]))
        for entry in entries:
            record = by_id.get(entry["id"]) or {}
            entry.update(task_mode=record.get("task_mode") or None, progress=seconds_or_percent(record.get("progress")),
                         remaining_time=seconds_or_percent(record.get("remaining_time")),
                         incre_trans_delay=seconds_or_percent(record.get("incre_trans_delay")))

    def add_rpo_rto(self, entries, rpo_rto_max):
        if not entries:
            return
        by_id = dict((record.get("job_id"), record) for record in self.client.batch_rpo_rto([e["id"] for e in entries]))
        for entry in entries:
            record = by_id.get(entry["id"]) or {}
            entry["rpo_delay"] = seconds_or_percent((record.get("rpo_info") or {}).get("delay"))
            entry["rto_delay"] = seconds_or_percent((record.get("rto_info") or {}).get("delay"))
            entry["reached"] = all(delay is not None and delay < rpo_rto_max
                                   for delay in (entry["rpo_delay"], entry["rto_delay"]))


# -- result ------------------------------------------------------------------------------

def seconds_or_percent(value):
    """A whole number from the API's numeric strings ("64", "64%", "12.5"); None for anything else."""
    try:
        return int(float(str(value).strip().rstrip("%")))
    except (TypeError, ValueError, OverflowError):
        return None


def progress_summary(entries):
    def values(key, status):
        return [entry[key] for entry in entries if entry["status"] == status and entry.get(key) is not None]

    full = values("progress", "FULL_TRANSFER_STARTED")
    remaining = values("remaining_time", "FULL_TRANSFER_STARTED")
    delays = values("incre_trans_delay", "INCRE_TRANSFER_STARTED")
    rpo = [entry["rpo_delay"] for entry in entries if entry.get("rpo_delay") is not None]
    rto = [entry["rto_delay"] for entry in entries if entry.get("rto_delay") is not None]
    return dict(
        full_transfer_lowest=min(full) if full else None,
        full_transfer_median=statistics.median_low(full) if full else None,
        longest_remaining_time=max(remaining) if remaining else None,
        largest_incre_delay=max(delays) if delays else None,
        largest_rpo_delay=max(rpo) if rpo else None,
        largest_rto_delay=max(rto) if rto else None,
    )


def main():
    DrsBatchStatus().execute()


if __name__ == "__main__":
    main()
