# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The wait of ``hwcloud.drs.drs_batch_status``, on the controller.

Without ``wait_for`` the module runs once. With it, the module runs once per poll (each run
reads the statuses, judges them and fails at once on a failed task), and this plugin keeps the
deadline, the interval and the tolerance for failed reads, and prints one progress line per poll.
A wait of a day is one task: nothing is included or templated per poll, so each poll costs
the same, and the job log holds one line per poll.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.validation import check_type_float, check_type_int
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import describe_tasks
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import (
    STATUS_WAIT_SPEC, Waiter, WaitOptionError, check_wait_options,
)

display = Display()

MODULE = "hwcloud.drs.drs_batch_status"


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if not args.get("wait_for"):
            result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
            return result
        try:
            waiter = Waiter(*wait_options(args))
        except WaitOptionError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        result.update(self.wait(waiter, args, task_vars))
        return result

    def wait(self, waiter, args, task_vars):
        label = args.get("progress_label") or "Waiting"
        while True:
            waiter.begin_poll()
            answer = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
            answer.update(polls=waiter.polls, elapsed=round(waiter.elapsed(), 1))
            if answer.get("failed"):
                if not (answer.get("api_error") or {}).get("transient") or not waiter.read_failed():
                    return answer
                display.display("%s after %s: reading the statuses failed (%d of %d failed reads in a row allowed), "
                                "reading again: %s" % (label, duration(waiter.elapsed()), waiter.failed_reads,
                                                       waiter.read_retries, answer.get("msg")))
                waiter.pause()
                continue
            waiter.read_succeeded()
            if answer.get("reached"):
                return answer
            if not waiter.another_poll_fits():
                return timed_out(answer, waiter)
            display.display(progress_line(label, waiter.elapsed(), answer, args.get("rpo_rto_max")))
            waiter.pause()


def wait_options(args):
    """wait_timeout, poll_interval and read_retries as numbers (a survey or ``-e`` gives strings)."""
    values = []
    for name, convert in (("wait_timeout", check_type_int), ("poll_interval", check_type_float),
                          ("read_retries", check_type_int)):
        value = args.get(name)
        if value is None:
            value = STATUS_WAIT_SPEC[name]["default"]
        try:
            values.append(convert(value))
        except TypeError:
            raise WaitOptionError("%s: %r is not a number" % (name, value))
    check_wait_options(*values)
    return values


def timed_out(answer, waiter):
    waiting = [entry for entry in answer["jobs"] if not entry.get("reached")]
    targets = sorted(set(entry["target"] for entry in waiting))
    answer.update(failed=True, msg="Timed out after %ds waiting for %d of %d DRS tasks to reach %s; still waiting: %s"
                  % (waiter.timeout, len(waiting), len(answer["jobs"]), " or ".join(targets), describe_tasks(waiting)))
    return answer


def progress_line(label, elapsed, answer, rpo_rto_max=None):
    """``Group 1/2 after 4m10s: 12 of 19 tasks at INCRE_TRANSFER_STARTED (...) | full transfer ...``"""
    jobs = answer["jobs"]
    targets = sorted(set(entry["target"] for entry in jobs))
    counts = sorted(answer["summary"].items(), key=lambda item: (-item[1], item[0]))
    parts = ["%s after %s: %d of %d %s at %s (%s)" % (
        label, duration(elapsed), len(jobs) - answer["waiting"], len(jobs), plural(len(jobs), "task"),
        " or ".join(targets), ", ".join("%s=%d" % item for item in counts))]
    figures = answer.get("progress_summary") or {}
    if figures.get("full_transfer_lowest") is not None:
        text = "full transfer %d%% lowest, %d%% median" % (figures["full_transfer_lowest"], figures["full_transfer_median"])
        if figures.get("longest_remaining_time") is not None:
            text += ", %s left at most" % duration(figures["longest_remaining_time"])
        parts.append(text)
    if figures.get("largest_incre_delay") is not None:
        parts.append("incremental delay %s at most" % duration(figures["largest_incre_delay"]))
    if rpo_rto_max is not None:
        parts.append("RPO %s, RTO %s at most (each must be below %ss)" % (
            unknown_or_duration(figures.get("largest_rpo_delay")), unknown_or_duration(figures.get("largest_rto_delay")),
            rpo_rto_max))
    return " | ".join(parts)


def plural(count, word):
    return word if count == 1 else word + "s"


def unknown_or_duration(seconds):
    return "unknown" if seconds is None else duration(seconds)


def duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return "%ds" % seconds
    if seconds < 3600:
        return "%dm%02ds" % divmod(seconds, 60)
    return "%dh%02dm" % (seconds // 3600, seconds % 3600 // 60)
