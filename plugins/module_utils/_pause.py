# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pause step (drs_batch_pause): pause transferring tasks, on the shape of ``_batch_action``. Private to
this collection; not a public API.
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._batch_action import FAILED, BatchActionStep, Operation
from ansible_collections.hwcloud.drs.plugins.module_utils._client import PAUSE_PATH
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import ENDED, PAUSABLE, PAUSED, RETRYABLE, status_class
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import FAILED as FAILED_CLASS

# results[].action (and FAILED of _batch_action)
PAUSED_ACTION = "paused"
WOULD_PAUSE = "would_pause"
ALREADY_PAUSED = "already_paused"


class DrsBatchPause(BatchActionStep):
    argument_spec = dict(BatchActionStep.argument_spec, pause_mode=dict(type="str", default="target", choices=["target", "all"]))
    action = "pause DRS tasks"
    participle = "paused"
    done_actions = (PAUSED_ACTION,)
    planned_actions = (WOULD_PAUSE,)

    def run(self):
        entries = [self.plan(record) for record in self.read_records(self.job_ids())]
        self.refuse_blocked(entries)
        if self.context.check_mode:
            return self.result(entries)
        mode = self.params["pause_mode"]
        self.act([entry for entry in entries if entry["action"] == WOULD_PAUSE], Operation(
            "pause", lambda chunk: self.client.pause_jobs([dict(job_id=entry["job_id"], pause_mode=mode) for entry in chunk]),
            "POST", PAUSE_PATH, PAUSED_ACTION, ALREADY_PAUSED, lambda status: status in PAUSED))
        self.fail_refused(entries, "pause", "paused")
        if self.params["wait"]:
            self.wait_for(entries, "paused", lambda status: status in PAUSED,
                          lambda status: status is None or status_class(status) in (FAILED_CLASS, ENDED), "failed, ended or vanished while pausing")
        return self.result(entries)

    def plan(self, record):
        status = record["status"]
        if status in PAUSED:
            return self.entry(record, ALREADY_PAUSED)
        if status in PAUSABLE:
            return self.entry(record, WOULD_PAUSE)
        if status in RETRYABLE:
            return self.entry(record, FAILED, "which is not paused but retried (hwcloud.drs.drs_batch_retry)")
        return self.entry(record, FAILED, "which cannot be paused (only a transferring task can: %s)" % ", ".join(sorted(PAUSABLE)))

    def planned(self, entry):
        if entry["action"] in (PAUSED_ACTION, WOULD_PAUSE):
            return "pause (%s)" % self.params["pause_mode"]
        if entry["action"] == ALREADY_PAUSED:
            return entry["status_before"]
        return "%s (cannot pause)" % entry["status_before"]
