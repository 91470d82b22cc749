# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Waits on the controller: an action plugin that runs its module once per poll.

Each run of the module reads (and judges) the state once and answers ``reached: true`` when
the wait is over, or fails at once when it can never be; this base keeps the deadline, the
interval and the tolerance for failed reads, and prints one progress line per poll through
Ansible's display. A wait of a day is one task: nothing is included or templated per poll,
so every poll costs the same and the job log holds one line per poll.
Private to this collection; not a public API.
"""

from ansible.module_utils.common.validation import check_type_float, check_type_int
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import Waiter, WaitOptionError, check_wait_options

display = Display()


class PollingAction(ActionBase):
    """Subclasses set ``wait_class``: a ``Wait`` whose ``module`` the plugin runs once per poll."""

    _supports_check_mode = True
    _supports_async = False
    wait_class = None

    def run(self, tmp=None, task_vars=None):
        result = super(PollingAction, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        wait = self.wait_class()

        def read(module_args):
            return self._execute_module(module_name=wait.module, module_args=module_args, task_vars=task_vars)

        result.update(poll(wait, args, read))
        return result


class Wait:
    """How one module's wait reads, shows and ends; subclasses set ``module`` and ``wait_spec``."""

    module = None
    wait_spec = {}

    def waits(self, args):
        return bool(args.get("wait_for"))

    def poll_args(self, args, previous_answer):
        """The module's arguments for the next poll, given the answer of the poll before (None at first)."""
        return args

    def progress_line(self, answer, args):
        raise NotImplementedError

    def timed_out(self, answer, waiter):
        raise NotImplementedError


def poll(wait, args, read):
    """The module's answer once ``wait`` is over: ``read(module_args)`` runs the module once.

    Without a wait the module runs once. A failed read that is transient is read again, up to
    ``read_retries`` in a row; any other failure ends the wait with the module's answer.
    """
    if not wait.waits(args):
        return read(args)
    try:
        waiter = Waiter(*wait_options(args, wait.wait_spec))
    except WaitOptionError as exc:
        return dict(failed=True, msg=str(exc))
    label = args.get("progress_label") or "Waiting"
    answer = None
    while True:
        waiter.begin_poll()
        answer = dict(read(wait.poll_args(args, answer)), polls=waiter.polls)
        answer["elapsed"] = round(waiter.elapsed(), 1)
        if answer.get("failed"):
            if not (answer.get("api_error") or {}).get("transient") or not waiter.read_failed():
                return answer
            display.display("%s after %s: a read failed (%d of %d failed reads in a row allowed), reading again: %s"
                            % (label, duration(waiter.elapsed()), waiter.failed_reads, waiter.read_retries,
                               answer.get("msg")))
            waiter.pause()
            continue
        waiter.read_succeeded()
        if answer.get("reached"):
            return answer
        if not waiter.another_poll_fits():
            return wait.timed_out(answer, waiter)
        display.display("%s after %s: %s" % (label, duration(waiter.elapsed()), wait.progress_line(answer, args)))
        waiter.pause()


def wait_options(args, wait_spec):
    """wait_timeout, poll_interval and read_retries as numbers (a survey or ``-e`` gives strings)."""
    values = []
    for name, convert in (("wait_timeout", check_type_int), ("poll_interval", check_type_float),
                          ("read_retries", check_type_int)):
        value = args.get(name)
        if value is None:
            value = wait_spec[name]["default"]
        try:
            values.append(convert(value))
        except TypeError:
            raise WaitOptionError("%s: %r is not a number" % (name, value))
    check_wait_options(*values)
    return values


def duration(seconds):
    """``42s``, ``5m20s``, ``3h05m``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return "%ds" % seconds
    if seconds < 3600:
        return "%dm%02ds" % divmod(seconds, 60)
    return "%dh%02dm" % (seconds // 3600, seconds % 3600 // 60)
