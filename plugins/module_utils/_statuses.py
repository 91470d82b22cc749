# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What DRS task statuses mean: the order a task moves through, and which are failed or final.

The one home of this knowledge for the modules, the action plugin and (through the
``status_class`` every module returns) the role. Private to this collection; not a public API.

Sources: the vendor SDK's model ``huaweicloudsdkdrs.v3.model.QueryJobStatusResp`` (its
``status`` documents 29 values) and the batch-status page, which also spells ``PAUSEING``.
"""

# A status's class says what the task can do next:
CREATING = "creating"          # DRS is still creating the task
STARTABLE = "startable"        # configured, waiting for batch-starting
STARTING = "starting"          # started, not transferring yet (or waiting for its start time)
TRANSFERRING = "transferring"  # full or incremental transfer
MAINTENANCE = "maintenance"    # started, and paused, re-edited, recovering or upgrading: phase unknown
FAILED = "failed"              # will not move on by itself
ENDED = "ended"                # released or deleted: will never transfer again
UNKNOWN = "unknown"            # a status this collection does not know (a newer DRS)

# Status -> (class, rank). The rank orders the task's life: a task "reached" a target status
# when its rank is at least the target's. Maintenance statuses rank as "started", since the
# task is past its start but the phase it will return to is not said.
STATUSES = {
    "CREATING": (CREATING, 0),
    "CREATE_FAILED": (FAILED, None),
    "CONFIGURATION": (STARTABLE, 1),
    "STARTJOBING": (STARTING, 2),
    "WAITING_FOR_START": (STARTING, 2),
    "START_JOB_FAILED": (FAILED, None),
    "FULL_TRANSFER_STARTED": (TRANSFERRING, 3),
    "FULL_TRANSFER_FAILED": (FAILED, None),
    "FULL_TRANSFER_COMPLETE": (TRANSFERRING, 4),
    "INCRE_TRANSFER_STARTED": (TRANSFERRING, 5),
    "INCRE_TRANSFER_FAILED": (FAILED, None),
    "PAUSING": (MAINTENANCE, 2),
    "PAUSEING": (MAINTENANCE, 2),
    "REBUILD_NODE_STARTED": (MAINTENANCE, 2),
    "REBUILD_NODE_FAILED": (FAILED, None),
    "NODE_UPGRADE_START": (MAINTENANCE, 2),
    "NODE_UPGRADE_COMPLETE": (MAINTENANCE, 2),
    "NODE_UPGRADE_FAILED": (FAILED, None),
    "CHANGE_JOB_STARTED": (MAINTENANCE, 2),
    "CHANGE_JOB_FAILED": (FAILED, None),
    "CHILD_TRANSFER_STARTING": (MAINTENANCE, 2),
    "CHILD_TRANSFER_STARTED": (MAINTENANCE, 2),
    "CHILD_TRANSFER_COMPLETE": (MAINTENANCE, 2),
    "CHILD_TRANSFER_FAILED": (FAILED, None),
    "RELEASE_CHILD_TRANSFER_STARTED": (MAINTENANCE, 2),
    "RELEASE_CHILD_TRANSFER_COMPLETE": (MAINTENANCE, 2),
    # Ended statuses have their own order: releasing, released, deleted.
    "RELEASE_RESOURCE_STARTED": (ENDED, 100),
    "RELEASE_RESOURCE_FAILED": (FAILED, None),
    "RELEASE_RESOURCE_COMPLETE": (ENDED, 101),
    "DELETED": (ENDED, 102),
}
TASK_STATUSES = tuple(STATUSES)
ENDED_RANKS = 100

# batch-starting takes only these; a task in one of them needs a start.
NEEDS_START = frozenset(status for status, (kind, _rank) in STATUSES.items() if kind == STARTABLE)
# Started before: a start leaves it alone.
ALREADY_STARTED = frozenset(status for status, (kind, _rank) in STATUSES.items()
                            if kind in (STARTING, TRANSFERRING, MAINTENANCE))

# What the day-two modules may do to a task, from the vendor pages of batch-retry-task, batch-pause-task and
# batch-jobs. A retry sends a task that failed while starting or transferring back to that phase ...
RETRYABLE = frozenset(["START_JOB_FAILED", "FULL_TRANSFER_FAILED", "INCRE_TRANSFER_FAILED", "CHILD_TRANSFER_FAILED"])
# ... and the same call resumes a paused task (both spellings of the status).
PAUSED = frozenset(["PAUSING", "PAUSEING"])
PAUSABLE = frozenset(["FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED"])
# Ending (terminate) releases a task's resources; the API deletes only a task in DELETABLE.
ENDING = frozenset(["RELEASE_RESOURCE_STARTED", "RELEASE_CHILD_TRANSFER_STARTED"])
DELETABLE = frozenset(["CREATE_FAILED", "RELEASE_RESOURCE_COMPLETE", "RELEASE_CHILD_TRANSFER_COMPLETE"])
DELETED = "DELETED"
# A task that runs or ran can be ended: not one being created or never started, nor one ending, ended or deleted.
ENDABLE = frozenset(status for status in STATUSES
                    if status not in ENDING | DELETABLE | frozenset(["CREATING", "CONFIGURATION", DELETED]))

# task_mode of the vendor SDK's QueryProgressResp: a full-only task ends after its full transfer.
FULL_ONLY_MODE = "FULL_TRANS"
AUTO = "auto"
INCREMENTAL_TARGET = "INCRE_TRANSFER_STARTED"
FULL_ONLY_TARGET = "FULL_TRANSFER_COMPLETE"


def status_class(status):
    """The class of a status (``failed``, ``transferring``, ...); ``unknown`` for a name DRS never used."""
    known = STATUSES.get(status)
    if known:
        return known[0]
    if isinstance(status, str) and status.endswith("_FAILED"):
        return FAILED
    return UNKNOWN


def auto_target(task_mode):
    """The status a task aims at: the end of its full transfer when it is full-only, else incremental."""
    return FULL_ONLY_TARGET if task_mode == FULL_ONLY_MODE else INCREMENTAL_TARGET


def reached(status, target):
    """Whether a task in ``status`` is at or past ``target`` in DRS's order.

    Past means later in the same part of the life: a task transferring incrementally has
    reached FULL_TRANSFER_COMPLETE and CONFIGURATION, a deleted task has reached
    RELEASE_RESOURCE_COMPLETE; a failed or unknown status is past nothing but itself, and
    a maintenance status (paused, upgrading, ...) is reached only by itself.
    """
    if status == target:
        return True
    have, want = STATUSES.get(status), STATUSES.get(target)
    if not have or not want or have[1] is None or want[1] is None or want[0] == MAINTENANCE:
        return False
    return (have[1] >= ENDED_RANKS) == (want[1] >= ENDED_RANKS) and have[1] >= want[1]


def unknown_names(names):
    """The names in ``names`` that DRS never used as a task status."""
    return [name for name in names if name not in STATUSES and name != AUTO]


def first_of(descriptions, limit=20):
    """The first ``limit`` descriptions joined by "; ", and how many more there are."""
    shown = list(descriptions[:limit])
    if len(descriptions) > limit:
        shown.append("and %d more" % (len(descriptions) - limit))
    return "; ".join(shown)


def describe_tasks(entries):
    """``id (STATUS, CODE: message)`` for each status entry, the first 20 of them."""
    parts = []
    for entry in entries:
        detail = str(entry.get("status"))
        if "rpo_delay" in entry:  # held by the RPO/RTO gate
            detail += ", RPO %s, RTO %s" % tuple("unknown" if entry.get(key) is None else "%ss" % entry[key]
                                                 for key in ("rpo_delay", "rto_delay"))
        if entry.get("error_code") or entry.get("error_message"):
            detail += ", %s: %s" % (entry.get("error_code") or "-", entry.get("error_message") or "-")
        parts.append("%s (%s)" % (entry.get("id"), detail))
    return first_of(parts)


def count_by_status(entries):
    """Number of entries in each status."""
    summary = {}
    for entry in entries:
        summary[entry["status"]] = summary.get(entry["status"], 0) + 1
    return summary


def count_of(count, noun):
    """``1 task``, ``2 tasks``."""
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")


def by_reason(failures, limit=20):
    """Each distinct reason once, in the order first seen, with its count and the first ``limit`` IDs.

    ``failures`` are ``(ID, error code, reason)``; the code is shown unless the reason already holds it.
    For example ``100 tasks (DRS.10030011: Task status does not allow the operation.): id1, id2, ... and 80 more``.
    """
    groups = {}
    for item_id, code, reason in failures:
        groups.setdefault((code, reason), []).append(item_id)
    parts = []
    for (code, reason), ids in groups.items():
        shown = ", ".join(ids[:limit]) + (" and %d more" % (len(ids) - limit) if len(ids) > limit else "")
        label = "%s: %s" % (code, reason) if code and code not in (reason or "") else reason
        parts.append("%s (%s): %s" % (count_of(len(ids), "task"), label, shown))
    return "; ".join(parts)
