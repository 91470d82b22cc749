# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one way this collection waits: a deadline, an interval, and a tolerance for outages of the API.

Used by the modules (a batch async job's validation, resends of a start or commit whose answer
was lost) and by the ``drs_batch_status`` action plugin on the controller, which polls the
module once per interval. Private to this collection; not a public API.
"""

import time

from ansible_collections.hwcloud.drs.plugins.module_utils._client import DrsApiError

# Below this a poll interval would only load the API: every poll is one to three calls per
# 100 tasks. Fractions of a second are allowed for local simulators and tests.
MIN_POLL_INTERVAL = 0.1
MAX_POLL_INTERVAL = 86400
# 31 days: longer is a typo, and past what any clock value here can hold safely.
MAX_WAIT_TIMEOUT = 31 * 86400
# An outage of the API (no connection, 5xx, 429, unreadable answers) is ridden out for this long by
# default: long enough for a gateway restart, a network change or a throttle window of minutes.
DEFAULT_OUTAGE_TOLERANCE = 600
# Reads during an outage: never more often than the poll interval, backing off up to this pause.
MAX_OUTAGE_PAUSE = 60
# A resend after a lost answer waits 1, 2, 4, 8, then 10 seconds: long enough for a request
# still on its way to land before the state is read back.
MAX_RESEND_PAUSE = 10


class WaitOptionError(ValueError):
    """A wait option that cannot be used; the message names it."""


def check_wait_options(wait_timeout, poll_interval, outage_tolerance=0, prefix=""):
    """Refuse what no wait can use, naming the option (with ``prefix``, e.g. a role's variable prefix)."""
    if wait_timeout is None or not 0 <= wait_timeout <= MAX_WAIT_TIMEOUT:
        raise WaitOptionError("%swait_timeout must be between 0 and %d seconds, got %s"
                              % (prefix, MAX_WAIT_TIMEOUT, shortened(wait_timeout)))
    if poll_interval is None or not MIN_POLL_INTERVAL <= poll_interval <= MAX_POLL_INTERVAL:
        raise WaitOptionError("%spoll_interval must be between %s and %d seconds, got %s"
                              % (prefix, MIN_POLL_INTERVAL, MAX_POLL_INTERVAL, shortened(poll_interval)))
    if outage_tolerance is None or not 0 <= outage_tolerance <= MAX_WAIT_TIMEOUT:
        raise WaitOptionError("%soutage_tolerance must be between 0 and %d seconds, got %s"
                              % (prefix, MAX_WAIT_TIMEOUT, shortened(outage_tolerance)))


def shortened(value, limit=21):
    """A value for a message, cut after ``limit`` characters (a survey can hold a 400-digit number)."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


class Waiter:
    """Polls until a deadline, ``interval`` seconds apart, measured from the start of each poll, and once more at the deadline.

    An outage - reads failing with transient errors - is ridden out for ``outage_tolerance`` seconds
    from its first failed read (never past the deadline): ``read_failed()`` starts or continues it and
    says whether to read again, ``outage_pause()`` sleeps before that read, ``read_succeeded()`` ends
    it and returns its length (None when there was none). ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, timeout, interval, outage_tolerance=0, clock=None, sleep=None):
        self.timeout = timeout
        self.interval = interval
        self.outage_tolerance = outage_tolerance
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self.started = self.clock()
        self.deadline = self.started + timeout
        self.polls = 0
        self.poll_began = self.started
        self.failed_reads = 0
        self.outage_began = None

    def begin_poll(self):
        self.polls += 1
        self.poll_began = self.clock()

    def elapsed(self):
        return self.clock() - self.started

    def another_poll_fits(self):
        """Whether time is left: the last poll comes at the deadline, not one interval before it."""
        return self.clock() < self.deadline

    def pause(self):
        """Sleep until one interval after the current poll began, or until the deadline if that is sooner."""
        self.sleep(max(0.0, min(self.poll_began + self.interval, self.deadline) - self.clock()))

    def outage(self):
        """Seconds since the first failed read of the current outage (0 when the API answers)."""
        return 0.0 if self.outage_began is None else self.clock() - self.outage_began

    def read_failed(self):
        self.failed_reads += 1
        if self.outage_began is None:
            self.outage_began = self.poll_began
        return self.outage() < self.outage_tolerance and self.another_poll_fits()

    def outage_pause(self):
        """Sleep before the next read of an outage: the interval, doubling with each failed read up to
        MAX_OUTAGE_PAUSE (or the interval, when longer), never past the end of the tolerance or the
        deadline, so that the last read comes at one of them. (Each read is itself retried by the
        client, honouring Retry-After, before it counts as failed.)"""
        backoff = max(self.interval, min(2.0 ** (self.failed_reads - 1), MAX_OUTAGE_PAUSE))
        until = min(self.poll_began + backoff, self.outage_began + self.outage_tolerance, self.deadline)
        self.sleep(max(0.0, until - self.clock()))

    def read_succeeded(self):
        """The length of the outage this read ended, or None."""
        length = None if self.outage_began is None else self.outage()
        self.failed_reads = 0
        self.outage_began = None
        return length

    def read(self, read):
        """A new poll: ``read()``'s answer. A read that fails with a transient DrsApiError is read again after
        ``outage_pause()`` while the outage is within the tolerance and the deadline; then its error is raised."""
        while True:
            self.begin_poll()
            try:
                answer = read()
            except DrsApiError as exc:
                if not exc.transient or not self.read_failed():
                    raise
                self.outage_pause()
                continue
            self.read_succeeded()
            return answer


def resend_pause(attempt):
    """Before resending a write whose answer was lost (attempt 0, 1, ...)."""
    time.sleep(min(2 ** attempt, MAX_RESEND_PAUSE))


def wait_argument_spec(wait_timeout, poll_interval):
    """The argument spec of a module's wait options, with its defaults."""
    return dict(
        wait_timeout=dict(type="int", default=wait_timeout),
        poll_interval=dict(type="float", default=poll_interval),
        outage_tolerance=dict(type="int", default=DEFAULT_OUTAGE_TOLERANCE),
    )


# drs_batch_status's wait, shared by the module's argument spec and its action plugin.
STATUS_WAIT_SPEC = wait_argument_spec(wait_timeout=600, poll_interval=10)
# drs_batch_precheck's wait: a precheck takes a minute or a few, so it is read more often.
PRECHECK_WAIT_SPEC = wait_argument_spec(wait_timeout=900, poll_interval=5)
