# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The status step (drs_batch_status): read the tasks' statuses once, with their progress or RPO/RTO when
asked, and judge a wait (``wait_for``): which task reached its target, which never can. The wait's polls
and lines are on the controller (plugin_utils/_waits.py). Private to this collection; not a public API.
"""

import statistics
import time

from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import check_number
from ansible_collections.hwcloud.drs.plugins.module_utils._module import (
    DrsStep, InputError, check_id, task_statuses, unknown_tasks,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import (
    AUTO, ENDED, FAILED, FULL_ONLY_TARGET, INCREMENTAL_TARGET, auto_target, count_by_status, count_of, describe_tasks, reached, status_class, unknown_names,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import STATUS_WAIT_SPEC, WaitOptionError, check_wait_options


class DrsBatchStatus(DrsStep):
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
        # The poll that ends a wait needs no progress: every task is past any target it could have.
        if with_progress and not (wait_for and all(past_every_target(entry["status"], wait_for) for entry in entries)):
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
                self.context.warn("%s: %s is not a status DRS is known to report; check its spelling" % (option, name))
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

def past_every_target(status, wait_for):
    """Whether a task in ``status`` is at or past every target it may have (with ``auto``, the target of either
    task mode), so that its progress cannot change the verdict."""
    targets = [FULL_ONLY_TARGET, INCREMENTAL_TARGET] if wait_for == [AUTO] else wait_for
    return all(reached(status, target) for target in targets)


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
