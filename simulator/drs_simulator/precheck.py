"""Prechecks (batch-precheck, batch-precheck-result): a run per task that takes simulated time.

A task keeps its latest run only: a new precheck replaces it (and its ID), so nothing piles up.
"""

import math

# What a real MySQL precheck reports on (a few of its items); all pass unless the scenario says otherwise.
DEFAULT_ITEMS = (
    ("Source database connection", "connection"),
    ("Destination database connection", "connection"),
    ("Source database binlog enabled", "source"),
    ("Source database binlog format", "source"),
    ("Destination database disk space", "destination"),
)
ITEM_RESULTS = ("PASSED", "ALARM", "FAILED")


class PrecheckRun:
    """One precheck of one task, done at ``done_at`` (simulated epoch seconds)."""

    def __init__(self, precheck_id, task, mode, started_at, done_at):
        self.id = precheck_id
        self.task = task
        self.mode = mode  # precheck_mode: forStartJob or forRetryJob
        self.started_at = started_at
        self.done_at = done_at

    def items(self):
        """PrecheckResult entries: the defaults, each replaced or joined by the scenario's items."""
        scripted = {item["item"]: item for item in self.task.spec.precheck_items}
        entries = []
        for name, group in DEFAULT_ITEMS:
            entries.append(_entry(scripted.pop(name, {"item": name, "result": "PASSED", "group": group})))
        entries += [_entry(item) for item in scripted.values()]
        return entries

    def result(self, now):
        """A QueryPreCheckResp; while running, ``result`` is false and ``process`` below 100%."""
        spec = self.task.spec
        entry = {"precheck_id": self.id, "rds_instance_id": self.task.instance_ids[0],
                 "job_direction": spec.job_direction}
        if now < self.done_at:
            span = self.done_at - self.started_at
            entry.update(result=False, process="%d%%" % min(99, int(100 * (now - self.started_at) / span)),
                         total_passed_rate="0%", precheck_result=[])
            return entry
        items = self.items()
        passed = sum(1 for item in items if item["result"] == "PASSED")
        entry.update(result=all(item["result"] != "FAILED" for item in items), process="100%",
                     total_passed_rate="%d%%" % math.floor(100 * passed / len(items)), precheck_result=items)
        return entry

    def passed(self, now):
        return now >= self.done_at and self.result(now)["result"]


def _entry(item):
    return {
        "item": item["item"],
        "result": item.get("result", "FAILED"),
        "failed_reason": item.get("failed_reason", ""),
        "data": "",
        "raw_error_msg": item.get("failed_reason", ""),
        "group": item.get("group", "other"),
        "failed_sub_jobs": [],
    }
