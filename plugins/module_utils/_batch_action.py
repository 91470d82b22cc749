# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shape of the steps that act on started DRS tasks: those of ``drs_batch_retry``, ``drs_batch_pause`` and
``drs_batch_terminate`` (``_retry``, ``_pause``, ``_terminate``), built like the start step.

Read the tasks' statuses; plan each task; refuse the plan as a whole, before anything is sent, when a
task cannot take the action; send the others 100 a request; where a request has no answer, read the
tasks back before sending it again; and, optionally, wait for the status the action leads to. Private
to this collection; not a public API.
"""

from ansible_collections.hwcloud.drs.plugins.module_utils._client import ACTION_CHUNK_SIZE, DrsApiError
from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import InputError, check_id
from ansible_collections.hwcloud.drs.plugins.module_utils._module import DrsStep, task_statuses, unknown_tasks
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import by_reason, count_of, describe_tasks, status_class
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import (
    Waiter, WaitOptionError, check_wait_options, resend_pause, wait_argument_spec,
)

# results[].action of a task that cannot take the action, or that the API refused.
FAILED = "failed"

# wait, wait_timeout, poll_interval and outage_tolerance of the three steps.
ACTION_WAIT_SPEC = dict(wait=dict(type="bool", default=False), **wait_argument_spec(wait_timeout=600, poll_interval=5))


class Operation:
    """One batch write, as the API offers it.

    ``verb`` names it in messages ("retry"); ``send(entries)`` makes one request for at most 100 entries and
    returns the API's per-task answers; ``method`` and ``path`` name the request. ``done`` is the action of an
    entry the API accepted, ``already`` of one it refused although a read shows the effect (another run, or a
    person, acted between the read and the request). ``took_effect(status)`` says whether a status read back
    shows the effect (``status`` is None for a task the API no longer knows).
    """

    def __init__(self, verb, send, method, path, done, already, took_effect, sendable=None):
        self.verb = verb
        self.send = send
        self.method = method
        self.path = path
        self.done = done
        self.already = already
        self.took_effect = took_effect
        # sendable(status): whether a task whose request had no answer, and that shows no effect, is sent again;
        # one that is not has failed ("task is X after the <verb> request"). None: every such task is.
        self.sendable = sendable


class ChunkedWrites:
    """The writes of a step (the start, a retry, a pause, an end, a delete): ``size`` tasks a request, and a
    request without an answer read back before it goes out again. Needs ``self.client`` and
    ``self.params["retries"]``."""

    def act(self, entries, operation, size=ACTION_CHUNK_SIZE):
        """Send ``operation`` for ``entries``, ``size`` a request. A chunk the API refuses as a whole, or leaves
        without an answer after the resends, fails its tasks and stops the chunks after it."""
        chunks = -(-len(entries) // size)
        for first in range(0, len(entries), size):
            chunk = entries[first:first + size]
            try:
                self.act_on_chunk(chunk, operation)
            except DrsApiError as exc:
                # One reason per chunk, and one for the chunks never sent, so that the message names each once.
                which = "chunk %d of %d" % (first // size + 1, chunks)
                if exc.outcome_unknown:
                    reason = "%s outcome unknown, it may have taken effect (run again to find out): %s" % (operation.verb, exc)
                    not_sent = "not sent, because %s had no answer" % which
                else:
                    reason = "%s refused, %s: %s" % (operation.verb, which, exc)
                    not_sent = "not sent, because %s was refused" % which
                for entry in chunk:
                    if entry["action"] not in (operation.done, operation.already, FAILED):
                        entry.update(action=FAILED, error_code=exc.error_code, error_msg=reason)
                for entry in entries[first + size:]:
                    entry.update(action=FAILED, error_msg=not_sent)
                return

    def act_on_chunk(self, chunk, operation):
        """One chunk; where the outcome is unknown, read the tasks back before sending to those still without the effect.

        A request whose outcome is unknown is followed by a read and, for the tasks still without the effect,
        at most ``retries`` further requests.
        """
        resends = self.params["retries"]
        to_send = chunk
        for attempt in range(resends + 1):
            try:
                answers = dict((answer.get("id"), answer) for answer in operation.send(to_send))
            except DrsApiError as exc:
                if not exc.outcome_unknown or attempt == resends:
                    raise
                answers = {}
            refused = []
            for entry in to_send:
                answer = answers.get(entry["job_id"])
                if answer is None:
                    continue
                if answer.get("status") == "success":
                    entry["action"] = operation.done
                else:
                    entry.update(action=FAILED, error_code=answer.get("error_code"),
                                 error_msg=answer.get("error_msg") or answer.get("error_message") or
                                 "the service answered %r" % answer.get("status"))
                    refused.append(entry)
            if refused:
                # Refused, yet it shows the effect: a lost request of this run acted (resent), or someone else did.
                statuses = self.current_statuses([entry["job_id"] for entry in refused])
                for entry in refused:
                    if operation.took_effect(statuses.get(entry["job_id"], {}).get("status")):
                        entry.update(action=operation.done if attempt > 0 else operation.already, error_code=None, error_msg=None)
            unanswered = [entry for entry in to_send if entry["job_id"] not in answers]
            if not unanswered:
                return
            # A request without an answer may still be on its way: let it land before reading back,
            # or the read shows no effect and the action goes out twice.
            resend_pause(attempt)
            statuses = self.current_statuses([entry["job_id"] for entry in unanswered])
            to_send = []
            for entry in unanswered:
                record = statuses.get(entry["job_id"], {})
                if operation.took_effect(record.get("status")):
                    entry["action"] = operation.done
                elif operation.sendable is None or operation.sendable(record.get("status")):
                    to_send.append(entry)
                else:
                    entry.update(action=FAILED, error_code=record.get("error_code"), error_msg="task is %s after the %s request"
                                 % (record.get("status") or "unknown to the API", operation.verb))
            if not to_send:
                return
        raise DrsApiError("no answer for %s after %d attempts" % (count_of(len(to_send), "task"), resends + 1),
                          operation.method, operation.path, outcome_unknown=True)

    def current_statuses(self, job_ids):
        """Task ID -> its batch-status entry, for the IDs the API answers; read without refusing unknown ones."""
        return dict((record.get("id"), record) for record in self.client.batch_status(job_ids))


class BatchActionStep(ChunkedWrites, DrsStep):
    """Subclasses add their options to ``argument_spec`` and set ``action`` (as in "Failed to <action>"),
    ``participle`` ("retried", as in "cannot be retried"), ``done_actions`` and ``planned_actions`` (the
    ``results[].action`` values of a task acted on, and of one that would be), and ``planned(entry)`` (the
    diff's "after" line of a task); ``run()`` calls the steps below."""

    argument_spec = dict(jobs=dict(type="list", elements="str", required=True), **ACTION_WAIT_SPEC)
    participle = "acted on"
    done_actions = ()
    planned_actions = ()

    # -- plan ----------------------------------------------------------------------------

    def job_ids(self):
        """The distinct task IDs of ``jobs``, checked, and the wait options checked with them."""
        job_ids = list(dict.fromkeys(check_id(job_id, "jobs[%d]" % index) for index, job_id in enumerate(self.params["jobs"])))
        if not job_ids:
            raise InputError("jobs: give at least one task ID")
        try:
            check_wait_options(self.params["wait_timeout"], self.params["poll_interval"], self.params["outage_tolerance"])
        except WaitOptionError as exc:
            raise InputError(str(exc))
        return job_ids

    def read_records(self, job_ids):
        """The batch-status entries (``id``, ``status``, ``error_code``, ``error_message``), in order; an ID the
        API gives no status for is refused before anything is sent."""
        records, unknown = task_statuses(self.client, job_ids)
        if unknown:
            raise InputError("Failed to %s: %s" % (self.action, unknown_tasks(unknown)))
        return records

    @staticmethod
    def entry(record, action, refusal=None):
        """A ``results`` entry; with ``refusal`` (why the task cannot take the action) a failed one, which
        carries the task's own error when it is in a failed status."""
        status = record["status"]
        entry = dict(job_id=record["id"], status_before=status, status_class=status_class(status), action=action,
                     error_code=None, error_msg=None)
        if refusal:
            entry.update(action=FAILED, error_code=record.get("error_code"),
                         error_msg="task is %s, %s%s" % (status, refusal,
                                                         ": " + record["error_message"] if record.get("error_message") else ""))
        return entry

    def refuse_blocked(self, entries):
        """Fail, sending nothing, when a task cannot take the action: the others stay as planned."""
        blocked = [entry for entry in entries if entry["action"] == FAILED]
        if blocked:
            self.fail("%d of %s cannot be %s, so none was: %s"
                      % (len(blocked), count_of(len(entries), "DRS task"), self.participle, describe(blocked)),
                      **self.result(entries, refused=True))

    def fail_refused(self, entries, verb, acted):
        """Fail when the API refused a task, naming each, after every chunk was sent; ``acted`` counts the others."""
        failed = [entry for entry in entries if entry["action"] == FAILED]
        if failed:
            done = sum(1 for entry in entries if entry["action"] in self.done_actions)
            self.fail("%d of %s failed to %s (%d %s): %s" % (len(failed), count_of(len(entries), "DRS task"), verb, done, acted,
                                                             describe(failed)), **self.result(entries))

    # -- wait ----------------------------------------------------------------------------

    def wait_for(self, entries, goal, reached, stops, stopped_text):
        """Read the statuses of ``entries`` every ``poll_interval`` seconds until each has ``reached(status)``;
        fail at once when one ``stops(status)`` (not reached), saying it ``stopped_text``, and at ``wait_timeout``
        naming the tasks not there yet. Each entry gets ``status``, the status read last (None: not known)."""
        waiter = Waiter(self.params["wait_timeout"], self.params["poll_interval"], self.params["outage_tolerance"])
        while True:
            records = waiter.read(lambda: self.current_statuses([entry["job_id"] for entry in entries]))
            views = []
            for entry in entries:
                record = records.get(entry["job_id"]) or {}
                entry["status"] = record.get("status") or None
                views.append(dict(id=entry["job_id"], status=entry["status"], error_code=record.get("error_code"),
                                  error_message=record.get("error_message") or record.get("error_msg")))
            stopped = [view for view in views if not reached(view["status"]) and stops(view["status"])]
            if stopped:
                self.fail("%d of %s %s: %s" % (len(stopped), count_of(len(entries), "DRS task"), stopped_text, describe_tasks(stopped)),
                          **self.result(entries))
            waiting = [view for view in views if not reached(view["status"])]
            if not waiting:
                return
            if not waiter.another_poll_fits():
                self.fail("Timed out after %ds waiting for %d of %s to be %s; still: %s"
                          % (self.params["wait_timeout"], len(waiting), count_of(len(entries), "DRS task"), goal, describe_tasks(waiting)),
                          **self.result(entries))
            waiter.pause()

    # -- result --------------------------------------------------------------------------

    def planned(self, entry):
        """The diff's "after" line of a task."""
        raise NotImplementedError

    def result(self, entries, refused=False):
        """``refused``: a task cannot take the action, so the plan is refused as a whole and nothing would change."""
        changing = self.done_actions + (self.planned_actions if self.context.check_mode and not refused else ())
        outcome = dict(changed=any(entry["action"] in changing for entry in entries), results=entries)
        if self.context.diff:
            outcome["diff"] = dict(
                before="".join("%s: %s\n" % (entry["job_id"], entry["status_before"]) for entry in entries),
                after="".join("%s: %s\n" % (entry["job_id"], self.planned(entry)) for entry in entries),
            )
        return outcome


def describe(entries):
    return by_reason([(entry["job_id"], entry["error_code"], entry["error_msg"]) for entry in entries])
