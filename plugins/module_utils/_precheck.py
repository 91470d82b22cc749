# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Precheck results (``QueryPreCheckResp`` of batch-precheck-result) read into one entry per task: which
precheck, how far, passed or not, and the check items that failed or raised an alarm. Shared by
``drs_batch_precheck`` and ``drs_batch_retry`` (its ``forRetryJob`` precheck). Private to this collection;
not a public API.
"""

import math

from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import first_of

# results[].result
PASSED = "passed"
FAILED = "failed"
RUNNING = "running"
ITEM_FIELDS = ("item", "failed_reason", "raw_error_msg", "group", "data", "failed_sub_jobs")


def read_result(job_id, raw):
    """The entry for one ``QueryPreCheckResp``: which precheck, how far, passed or not, and its failed items."""
    items = raw.get("precheck_result") if isinstance(raw.get("precheck_result"), list) else []
    items = [item for item in items if isinstance(item, dict)]
    entry = dict(job_id=job_id, precheck_id=raw.get("precheck_id") or None, progress=percent(raw.get("process")),
                 pass_rate=percent(raw.get("total_passed_rate")),
                 failed_items=[item_entry(item) for item in items if item.get("result") == "FAILED"],
                 alarm_items=[item_entry(item) for item in items if item.get("result") == "ALARM"],
                 error_code=raw.get("error_code") or None, error_msg=raw.get("error_msg") or None)
    passed = raw.get("result") is True or entry["pass_rate"] == 100
    # An error instead of a progress: no precheck has run (the answer may echo the ID asked for as precheck_id).
    if entry["precheck_id"] is None or (entry["error_code"] and raw.get("process") is None):
        entry.update(precheck_id=None, result=None)
    elif entry["failed_items"]:
        entry["result"] = FAILED
    elif entry["progress"] is None:
        # No progress given: only the API's own verdict tells that the precheck is over.
        entry["result"] = PASSED if raw.get("result") is True else RUNNING
    elif entry["progress"] >= 100:
        entry["result"] = PASSED if passed else FAILED
    else:
        entry["result"] = RUNNING
    return entry


def item_entry(item):
    entry = dict((field, item.get(field)) for field in ITEM_FIELDS)
    entry["failed_sub_jobs"] = entry["failed_sub_jobs"] if isinstance(entry["failed_sub_jobs"], list) else []
    return entry


def percent(value):
    """A number from the API's percent strings ("100%", "97.5%", "80"); None for anything else."""
    try:
        number = float(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else round(number, 1)


def describe_items(items):
    # The API often repeats the reason as the raw error message: shown once.
    return ", ".join("%s: %s%s" % (item["item"] or "-", item["failed_reason"] or "no reason given",
                                   " (%s)" % item["raw_error_msg"]
                                   if item["raw_error_msg"] and item["raw_error_msg"] != item["failed_reason"] else "")
                     for item in items)


def describe_failures(entries):
    parts = []
    for entry in entries:
        rate = "" if entry["pass_rate"] is None else "pass rate %s%%, " % entry["pass_rate"]
        if entry["failed_items"]:
            detail = "%d failed item(s): %s" % (len(entry["failed_items"]), describe_items(entry["failed_items"]))
        else:
            detail = "no failed item reported"
            if entry["error_msg"]:
                detail += ": %s: %s" % (entry["error_code"] or "-", entry["error_msg"])
        parts.append("%s (%s%s)" % (entry["job_id"], rate, detail))
    return first_of(parts)
