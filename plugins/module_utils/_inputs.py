# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks of input values shared by the modules and (on the controller) the role: IDs, start times, numbers.

Each raises ``InputError`` with a message that names the field. Private to this collection;
not a public API.
"""

import datetime
import re
import time

# IDs go into URL paths and request bodies: vendor IDs are UUID-like (``...-1040402fjb21``).
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class InputError(Exception):
    """A module parameter or role variable that cannot be used; the message names the field."""


def check_number(value, field, minimum, maximum=None, unit=None):
    """A number option in its range, by one rule for every module: a bool (YAML ``yes``) is no number."""
    if isinstance(value, bool) or value < minimum or (maximum is not None and value > maximum):
        if maximum is not None:
            wanted = "between %s and %s" % (minimum, maximum)
        else:
            wanted = "at least %s%s" % (minimum, " " + unit + ("" if minimum == 1 else "s") if unit else "")
        raise InputError("%s must be %s, got %r" % (field, wanted, value))
    return value


def check_id(value, field):
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise InputError("%s: %r is not a valid DRS ID (letters, digits, '-' and '_', at most 64)" % (field, value))
    return value


# Anything below this is more likely epoch seconds than milliseconds (it is before 2001-09-09).
SMALLEST_EPOCH_MS = 10 ** 12
# 2100-01-01T00:00:00Z: a later start time is a typo (or seconds written as milliseconds twice).
LATEST_EPOCH_MS = 4102444800000
# A start time a little in the past is a clock difference or a slow run; more is a mistake that
# would start the task at once.
PAST_TOLERANCE_SECONDS = 300


def epoch_millis(value, field):
    """The API's start time: a string of epoch milliseconds."""
    if isinstance(value, bool) or value is None:
        raise InputError("%s: %r is not a start time; give epoch milliseconds or ISO 8601 with a UTC offset" % (field, value))
    if isinstance(value, str) and len(value.strip()) > 40:
        raise InputError("%s: %s... is not a start time; give epoch milliseconds or ISO 8601 with a UTC offset"
                         % (field, value.strip()[:20]))
    if isinstance(value, int) or (isinstance(value, str) and re.match(r"^\d+$", value.strip())):
        millis = int(value)
        if millis < SMALLEST_EPOCH_MS:
            raise InputError("%s: %s looks like epoch seconds; give epoch milliseconds (%d)" % (field, value, millis * 1000))
        return in_range(millis, field, value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise InputError("%s: %r is not epoch milliseconds nor an ISO 8601 date-time with a UTC offset "
                             "(for example 2026-12-01T02:00:00+01:00)" % (field, value))
        return in_range(int(round(moment.timestamp() * 1000)), field, value)
    raise InputError("%s: %r (%s) is not a start time; give epoch milliseconds or ISO 8601 with a UTC offset"
                     % (field, value, type(value).__name__))


def in_range(millis, field, value):
    if millis < SMALLEST_EPOCH_MS:
        raise InputError("%s: %s is before 2001; give the start time of the launch, epoch milliseconds or ISO 8601 "
                         "with a UTC offset" % (field, value))
    if millis >= LATEST_EPOCH_MS:
        raise InputError("%s: %s is after the year 2100; give epoch milliseconds or ISO 8601 with a UTC offset"
                         % (field, value))
    return str(millis)


def refuse_past(millis, field, now=None):
    """Refuse a start time more than a few minutes ago: DRS would start the task at once."""
    now = time.time() if now is None else now
    if int(millis) < (now - PAST_TOLERANCE_SECONDS) * 1000:
        raise InputError("%s: %s (%s) is more than %d minutes in the past; leave start_time out to start now"
                         % (field, millis, iso_utc(millis), PAST_TOLERANCE_SECONDS // 60))


def iso_utc(millis):
    """Epoch milliseconds as ISO 8601 in UTC, e.g. ``2026-12-01T01:00:00Z``."""
    moment = datetime.datetime.fromtimestamp(int(millis) / 1000.0, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
