"""What batch-progress and batch-rpo-and-rto report for one task, computed from its status and the clock.

Everything here is a pure function of the task's spec, its current status, when it entered that
status, when it will leave it, and the simulated time: answering costs the same however long a
task has been held in one status, and nothing is stored per request.
"""

import math
import time
import uuid

from . import statuses as st

# At or past the end of the full transfer: progress is 100.
_FULL_DONE = (st.FULL_TRANSFER_COMPLETE, st.INCRE_TRANSFER_STARTED, st.INCRE_TRANSFER_FAILED)
# Before the full transfer (or a task that has none yet): progress is 0.
_BEFORE_FULL = (st.CREATING, st.CREATE_FAILED, st.CONFIGURATION, st.WAITING_FOR_START, st.STARTJOBING, st.START_JOB_FAILED)


def seconds_text(value):
    """Delays and times travel as strings of whole seconds; the fraction is dropped (59.9 s is "59")."""
    return str(int(value))


def falling(start, floor, elapsed, settle):
    """A delay that falls in a straight line from ``start`` to ``floor`` over ``settle`` seconds, then stays."""
    if settle <= 0 or elapsed >= settle:
        return floor
    return start - (start - floor) * max(0.0, elapsed) / settle


def _full_transfer(task, now):
    """(percent, remaining seconds) while the task is in FULL_TRANSFER_STARTED."""
    spec = task.spec
    leaves_at = task.leaves_at()
    if spec.progress is not None:
        percent = int(spec.progress)
    elif leaves_at is None or leaves_at <= task.entered_at:
        percent = 0
    else:
        # never 100 while still in the status: 100 is FULL_TRANSFER_COMPLETE's
        percent = min(99, max(0, int(100 * (now - task.entered_at) / (leaves_at - task.entered_at))))
    if spec.remaining_time is not None:
        remaining = spec.remaining_time
    elif leaves_at is None:
        remaining = 0
    else:
        remaining = max(0.0, math.ceil(leaves_at - now))
    return percent, remaining


def _percent(task, now):
    status = task.status
    if status == st.FULL_TRANSFER_STARTED:
        return _full_transfer(task, now)[0]
    if status in _FULL_DONE:
        return 100
    if status in _BEFORE_FULL:
        return 0
    return 0 if task.spec.progress is None else int(task.spec.progress)


def _remaining(task, now):
    if task.status == st.FULL_TRANSFER_STARTED:
        return seconds_text(_full_transfer(task, now)[1])
    if task.status in _FULL_DONE:
        return "0"
    return ""  # not known before the full transfer, nor for statuses outside the start walk


def incre_delay(task, now, settle):
    """Seconds of incremental delay while INCRE_TRANSFER_STARTED, else None."""
    if task.status != st.INCRE_TRANSFER_STARTED:
        return None
    spec = task.spec
    if spec.incre_delay is not None:
        return spec.incre_delay
    return falling(spec.incre_delay_start, spec.incre_delay_floor, now - task.entered_at, settle)


def rpo_rto(task, now, settle):
    """(rpo seconds, rto seconds) while INCRE_TRANSFER_STARTED, else None."""
    if task.status != st.INCRE_TRANSFER_STARTED:
        return None
    spec, elapsed = task.spec, now - task.entered_at
    rpo = spec.rpo if spec.rpo is not None else falling(spec.rpo_start, spec.rpo_floor, elapsed, settle)
    rto = spec.rto if spec.rto is not None else falling(spec.rto_start, spec.rto_floor, elapsed, settle)
    return rpo, rto


def progress_entry(task, now, settle):
    """A QueryProgressResp of batch-progress."""
    percent = _percent(task, now)
    delay = incre_delay(task, now, settle)
    incremental = task.status == st.INCRE_TRANSFER_STARTED
    progress_map = {}
    if task.task_mode != st.INCR_TRANS and (task.status == st.FULL_TRANSFER_STARTED or task.status in _FULL_DONE):
        progress_map = {"data": {"completed": "%d%%" % percent, "remaining_time": _remaining(task, now)}}
    return {
        "job_id": task.id,
        "progress": str(percent),
        "remaining_time": _remaining(task, now),
        "incre_trans_delay": "" if delay is None else seconds_text(delay),
        "incre_trans_delay_millis": "" if delay is None else str(int(delay * 1000)),
        "task_mode": task.task_mode,
        "transfer_status": task.status,
        "process_time": str(int(now * 1000)),
        "progress_map": progress_map,
        "apply_rows_rate": task.spec.apply_rows_rate if incremental else -1,
        "apply_bytes_rate": task.spec.apply_bytes_rate if incremental else -1,
    }


def _info(task, delay, now, kind):
    """An RpoAndRtoInfo; the check point and GTID set advance with the clock so a client sees them move."""
    position = int(now) % 1000000
    return {
        "check_point": "mysql-bin.%06d:%d" % (1 + int(now) // 1000000, position * 4 + (0 if kind == "rpo" else 2)),
        "delay": seconds_text(delay),
        "gtid_set": "%s:1-%d" % (uuid.uuid5(uuid.NAMESPACE_OID, task.id), max(1, position)),
        "time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
    }


def rpo_rto_entry(task, now, settle):
    """A QueryRpoAndRtoResp of batch-rpo-and-rto; rpo_info / rto_info are null before incremental transfer."""
    delays = rpo_rto(task, now, settle)
    if delays is None:
        return {"job_id": task.id, "rpo_info": None, "rto_info": None}
    return {"job_id": task.id, "rpo_info": _info(task, delays[0], now, "rpo"), "rto_info": _info(task, delays[1], now, "rto")}
