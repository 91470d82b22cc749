# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Waits on the controller: an action plugin that runs its module once per poll.

Each run of the module reads (and judges) the state once and answers ``reached: true`` when
the wait is over, or fails at once when it can never be; this base keeps the deadline, the
interval and the tolerance for outages of the API, and prints one progress line per poll through
Ansible's display. A wait of a day is one task: nothing is included or templated per poll,
so every poll costs the same and the job log holds one line per poll.
Private to this collection; not a public API.
"""

from ansible.module_utils.common.validation import check_type_float, check_type_int
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import MAX_OUTAGE_PAUSE, Waiter, WaitOptionError, check_wait_options

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

    def closing_line(self, answer, args):
        """The line for the read that ends the wait, or None for none."""
        return None

    def read_again_at_once(self, answer):
        """Whether the next read comes without the pause of an interval."""
        return False

    def timed_out(self, answer, waiter):
        raise NotImplementedError


def poll(wait, args, read, say=None, answered_before=False):
    """The module's answer once ``wait`` is over: ``read(module_args)`` runs the module once.

    Without a wait the module runs once. Each line goes to ``say`` (Ansible's display by default).
    A read that fails with a transient error (no connection, 5xx, 429, an unreadable answer) starts an
    outage: reads go on, backing off, for ``outage_tolerance`` seconds, with one line when the API stops
    answering and one when it is back. A first read that cannot connect is not an outage but connection
    options that never worked, and ends the wait at once - unless ``answered_before`` (the API answered
    another step of the same run).
    Any other failure ends the wait with the module's answer.
    """
    say = say or display.display
    if not wait.waits(args):
        return read(args)
    try:
        waiter = Waiter(*wait_options(args, wait.wait_spec))
    except WaitOptionError as exc:
        return dict(failed=True, msg=str(exc))
    label = args.get("progress_label") or "Waiting"
    answered = answered_before
    answer = last_read = None
    while True:
        waiter.begin_poll()
        answer = dict(read(wait.poll_args(args, last_read)), polls=waiter.polls)
        answer["elapsed"] = round(waiter.elapsed(), 1)
        if answer.get("failed"):
            api_error = answer.get("api_error") or {}
            # No connection at the first read: the connection options never worked, which waiting cannot fix.
            if not api_error.get("transient") or not (answered or api_error.get("status")):
                return answer
            first = waiter.failed_reads == 0
            if not waiter.read_failed():
                return outage_failure(answer, waiter, label)
            if first:
                say("%s after %s: the DRS API stopped answering (%s); reading again for up to %s"
                    % (label, duration(waiter.elapsed()), plain(answer),
                       duration(min(waiter.outage_tolerance, max(0.0, waiter.deadline - waiter.clock())))))
            waiter.outage_pause()
            continue
        answered, last_read = True, answer
        outage = waiter.read_succeeded()
        if outage is not None:
            say("%s after %s: the DRS API answers again, after %s without an answer"
                % (label, duration(waiter.elapsed()), duration(outage)))
        if answer.get("reached"):
            closing = wait.closing_line(answer, args)
            if closing:
                say("%s after %s: %s" % (label, duration(waiter.elapsed()), closing))
            return answer
        if not waiter.another_poll_fits():
            return wait.timed_out(answer, waiter)
        say("%s after %s: %s" % (label, duration(waiter.elapsed()), wait.progress_line(answer, args)))
        if not wait.read_again_at_once(answer):
            waiter.pause()


def outage_failure(answer, waiter, label):
    """The failed read that ended an outage, its message saying how long the API did not answer."""
    if waiter.another_poll_fits():
        limit = "the outage tolerance (outage_tolerance %ds)" % waiter.outage_tolerance
    else:
        limit = "the end of the wait (wait_timeout %ds)" % waiter.timeout
    answer["msg"] = ("%s: the DRS API did not answer for %s (%d reads failed, backing off up to %ds between them), "
                     "up to %s; the last error: %s" % (label, duration(waiter.outage()), waiter.failed_reads,
                                                       max(waiter.interval, MAX_OUTAGE_PAUSE), limit, plain(answer)))
    return answer


def plain(answer):
    """A failed read's message for an outage line, without the client's hint (``api_error.hint``, to check endpoint
    and region), which is for a first request, not for an API that answered before."""
    hint = (answer.get("api_error") or {}).get("hint")
    return str(answer.get("msg")).replace("; " + hint, "") if hint else str(answer.get("msg"))


def wait_options(args, wait_spec):
    """wait_timeout, poll_interval and outage_tolerance as numbers (a survey or ``-e`` gives strings)."""
    values = []
    for name, convert in (("wait_timeout", check_type_int), ("poll_interval", check_type_float),
                          ("outage_tolerance", check_type_int)):
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
