# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The wait of ``hwcloud.drs.drs_batch_status``, on the controller: one module run and one line per poll."""

from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import count_of, describe_tasks
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import STATUS_WAIT_SPEC
from ansible_collections.hwcloud.drs.plugins.plugin_utils._polling import PollingAction, duration


class ActionModule(PollingAction):
    module = "hwcloud.drs.drs_batch_status"
    wait_spec = STATUS_WAIT_SPEC

    def progress_line(self, answer, args):
        """``12 of 19 tasks at INCRE_TRANSFER_STARTED (...) | full transfer 34% lowest, ... | ...``"""
        jobs = answer["jobs"]
        counts = sorted(answer["summary"].items(), key=lambda item: (-item[1], item[0]))
        parts = ["%d of %s at %s (%s)" % (
            len(jobs) - answer["waiting"], count_of(len(jobs), "task"), describe_targets(jobs),
            ", ".join("%s=%d" % item for item in counts))]
        figures = answer.get("progress_summary") or {}
        if figures.get("full_transfer_lowest") is not None:
            text = "full transfer %d%% lowest, %d%% median" % (
                figures["full_transfer_lowest"], figures["full_transfer_median"])
            if figures.get("longest_remaining_time") is not None:
                text += ", %s left at most" % duration(figures["longest_remaining_time"])
            parts.append(text)
        if figures.get("largest_incre_delay") is not None:
            parts.append("incremental delay %s at most" % duration(figures["largest_incre_delay"]))
        if args.get("rpo_rto_max") is not None:
            if figures.get("largest_rpo_delay") is None and figures.get("largest_rto_delay") is None:
                parts.append("RPO and RTO not reported yet (each must be below %ss)" % args["rpo_rto_max"])
            else:
                parts.append("RPO %s, RTO %s at most (each must be below %ss)" % (
                    unknown_or_duration(figures.get("largest_rpo_delay")),
                    unknown_or_duration(figures.get("largest_rto_delay")), args["rpo_rto_max"]))
        return " | ".join(parts)

    def timed_out(self, answer, waiter):
        waiting = [entry for entry in answer["jobs"] if not entry.get("reached")]
        answer.update(failed=True, msg="Timed out after %ds waiting for %d of %s to reach %s; still waiting: %s"
                      % (waiter.timeout, len(waiting), count_of(len(answer["jobs"]), "DRS task"), targets_of(waiting),
                         describe_tasks(waiting)))
        return answer


def targets_of(jobs):
    return " or ".join(sorted(set(entry["target"] for entry in jobs)))


def describe_targets(jobs):
    """``INCRE_TRANSFER_STARTED``, or with several targets (auto) ``their targets (1 FULL_TRANSFER_COMPLETE, ...)``."""
    counts = {}
    for entry in jobs:
        counts[entry["target"]] = counts.get(entry["target"], 0) + 1
    if len(counts) == 1:
        return list(counts)[0]
    return "their targets (%s)" % ", ".join("%d %s" % (count, target) for target, count in sorted(counts.items()))


def unknown_or_duration(seconds):
    return "unknown" if seconds is None else duration(seconds)
