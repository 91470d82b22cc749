# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Waiter.read: one poll's read, riding out an outage of the API within the tolerance and the deadline."""

import pytest

from ansible_collections.hwcloud.drs.plugins.module_utils._client import DrsApiError
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import Waiter


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def reads(*outcomes):
    """A read that raises or returns each outcome in turn, and the list of its calls."""
    calls = []

    def read():
        outcome = outcomes[len(calls)]
        calls.append(outcome)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    return read, calls


def unavailable():
    return DrsApiError("HTTP 503", "POST", "/v3/p/jobs/batch-status", status=503, transient=True)


def test_a_read_that_fails_for_a_while_is_read_again_with_backoff():
    clock = Clock()
    waiter = Waiter(600, 1, outage_tolerance=60, clock=clock, sleep=clock.sleep)
    read, calls = reads(unavailable(), unavailable(), "answer")
    assert waiter.read(read) == "answer"
    assert len(calls) == 3 and waiter.polls == 3 and clock.sleeps == [1, 2]
    assert waiter.failed_reads == 0 and waiter.outage() == 0.0


def test_an_error_that_is_not_transient_is_raised_at_once():
    clock = Clock()
    waiter = Waiter(600, 1, outage_tolerance=60, clock=clock, sleep=clock.sleep)
    refused = DrsApiError("HTTP 400", "POST", "/v3/p/jobs/batch-status", status=400)
    read, calls = reads(refused)
    with pytest.raises(DrsApiError) as raised:
        waiter.read(read)
    assert raised.value is refused and len(calls) == 1 and clock.sleeps == []


def test_an_outage_past_the_tolerance_raises_the_last_error():
    clock = Clock()
    waiter = Waiter(600, 1, outage_tolerance=3, clock=clock, sleep=clock.sleep)
    errors = [unavailable(), unavailable(), unavailable(), unavailable()]
    read, calls = reads(*errors)
    with pytest.raises(DrsApiError) as raised:
        waiter.read(read)
    # read at 0, 1 and 3 (the pause is cut at the end of the tolerance); the read at 3 ends the outage
    assert raised.value is errors[2] and len(calls) == 3 and clock.sleeps == [1, 2]
