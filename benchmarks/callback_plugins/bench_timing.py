# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-task wall-clock timings of a playbook run, written as JSON for ``benchmarks/launch.py``.

ansible-core ships no task profiler (``profile_tasks`` lives in ``ansible.posix``), so the
benchmark enables this small aggregate callback next to the normal stdout one. It records,
for every task started, its name, action, file:line and role, when it started and whether
it was skipped; the JSON goes to the file named by ``DRS_BENCH_TIMING_FILE``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type  # pylint: disable=invalid-name

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timing
type: aggregate
short_description: Write per-task timings of the run to a JSON file
description:
  - Used by the hwcloud.drs benchmark; the file is named by the DRS_BENCH_TIMING_FILE environment variable.
"""


class CallbackModule(CallbackBase):
    """Only task starts, skips and the end of the run: a task ends where the next one starts.

    ansible-core 2.19 hands every callback plugin that implements ``v2_runner_on_ok`` (or
    ``_failed``, ``_unreachable``, ``_item_on_*``) its own deep copy of each result, converted to
    plain types when read: for a result of 10,000 tasks that copy costs seconds, so a timing
    callback implementing them would slow down the very run it measures. A skipped result is small.
    """

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get("DRS_BENCH_TIMING_FILE")
        self._began = time.time()
        self._tasks = []

    def _task_start(self, task):
        role = getattr(task, "_role", None)
        self._tasks.append({
            "name": task.get_name(),
            "action": task.action,
            "path": task.get_path(),
            "role": role.get_name() if role else None,
            "start": time.time(),
            "status": None,
        })

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task_start(task)

    def v2_runner_on_skipped(self, result):
        if self._tasks:
            self._tasks[-1]["status"] = "skipped"

    def v2_playbook_on_stats(self, stats):
        if not self._path:
            return
        with open(self._path, "w", encoding="utf-8") as handle:
            json.dump({"began": self._began, "ended": time.time(), "tasks": self._tasks}, handle)
