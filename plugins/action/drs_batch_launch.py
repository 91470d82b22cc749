# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``hwcloud.drs.drs_batch_launch``: one step of the batch_launch role's launch per task, on the controller.

The role's tasks are the launch's steps: ``plan`` (check the role's variables), ``find``, ``commit``,
then per group ``precheck``, ``start`` and ``wait``, and ``summary``. Each step runs a module's step
(module_utils: drs_job_info's, drs_async_commit's, drs_batch_status's, drs_batch_precheck's,
drs_batch_start's, drs_batch_retry's) in this process with the task's connection options and prints its
lines (a wait one line per poll). What the steps read of 10,000 tasks goes from one step to the next in a
file of the launch in Ansible's local temporary directory (removed when ansible-playbook ends), not
through Ansible's results: each task returns only what the role's next tasks need, and ``summary`` the
summary, which it also publishes with set_stats.
"""

import difflib
import json
import os
import signal
import stat
import tempfile
import time
from collections import Counter

from ansible import constants as C
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.hwcloud.drs.plugins.module_utils._commit import DrsAsyncCommit
from ansible_collections.hwcloud.drs.plugins.module_utils._context import Known
from ansible_collections.hwcloud.drs.plugins.module_utils._job_list import DrsJobInfo
from ansible_collections.hwcloud.drs.plugins.module_utils._module import CONNECTION_ARGUMENT_SPEC, ModuleFailure, secret_values
from ansible_collections.hwcloud.drs.plugins.module_utils._precheck import NOT_NEEDED, PASSED, WOULD_START, DrsBatchPrecheck
from ansible_collections.hwcloud.drs.plugins.module_utils._retry import DrsBatchRetry
from ansible_collections.hwcloud.drs.plugins.module_utils._start import DrsBatchStart
from ansible_collections.hwcloud.drs.plugins.module_utils._status import DrsBatchStatus
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import (
    ENDED, FAILED, PAUSED, RETRYABLE, count_of, status_class,
)
from ansible_collections.hwcloud.drs.plugins.plugin_utils._launch_plan import arranged, launch_plan
from ansible_collections.hwcloud.drs.plugins.plugin_utils._in_process import connect, masked, run_step
from ansible_collections.hwcloud.drs.plugins.plugin_utils._polling import poll
from ansible_collections.hwcloud.drs.plugins.plugin_utils._summary import Ledger, launch_summary, message
from ansible_collections.hwcloud.drs.plugins.plugin_utils._waits import PrecheckWait, StatusWait

display = Display()

# The launch's steps, in the order the role runs them; precheck, start and wait once per group.
STEPS = ("plan", "find", "commit", "precheck", "start", "wait", "summary")
GROUP_STEPS = ("precheck", "start", "wait")
ARGUMENT_SPEC = dict(
    step=dict(type="str", required=True, choices=list(STEPS)),
    variables=dict(type="dict"),
    launch=dict(type="str"),
    group=dict(type="int"),
    stopped=dict(type="dict"),
    **CONNECTION_ARGUMENT_SPEC
)
# A precheck takes seconds to minutes: read it at least this often whatever the wait's interval.
PRECHECK_POLL_INTERVAL = 15
# Seconds the last line of an interrupted launch waits for ansible-playbook to write its own, when both go to a file.
LAST_LINE_GRACE = 1
# Seconds a status the launch read stays good enough for its next step (the precheck's and the start's plan)
# instead of reading it again; a start or retry changes it at once (see Ledger).
KNOWN_FOR = 60


class StepFailed(Exception):
    def __init__(self, step, msg):
        super(StepFailed, self).__init__(msg)
        self.step = step
        self.msg = msg


class Interrupted(Exception):
    """SIGINT or SIGTERM (Ctrl-C, an AWX cancel) reached the launch."""

    def __init__(self, signal_name):
        super(Interrupted, self).__init__(signal_name)
        self.signal_name = signal_name


class ControllerGone(Exception):
    """The ansible-playbook process that started the launch has ended (killed with -9, say)."""


class Stopped(Exception):
    """An earlier step of the launch failed: the steps after it send nothing."""


class NoLaunch(Exception):
    """The task's ``launch`` is not the file of a launch its plan step wrote."""


class Controller:
    """The ansible-playbook process this worker was forked from: while it lives the launch goes on."""

    def __init__(self):
        self.pid = os.getppid()
        self.stdout = None

    def check(self):
        # A worker whose parent died is adopted (by init or a subreaper): its parent PID changes.
        if os.getppid() != self.pid:
            raise ControllerGone()

    def __enter__(self):
        # On SIGINT or SIGTERM ansible-playbook ends without reading what its workers still display, so the
        # launch's last line goes to ansible-playbook's own output (a terminal, a pipe, AWX's pty), opened
        # now while it runs. Appending: a file it writes to is never truncated. Where /proc is not there,
        # the line goes to Ansible's display, which may or may not show it.
        try:
            self.stdout = os.open("/proc/%d/fd/1" % self.pid, os.O_WRONLY | os.O_APPEND)
        except OSError:
            self.stdout = None
        return self

    def __exit__(self, *exc_info):
        if self.stdout is not None:
            os.close(self.stdout)
        return False

    def last_line(self, line, say):
        if self.stdout is None:
            say(line)
            return
        try:
            if stat.S_ISREG(os.fstat(self.stdout).st_mode):
                # A file has one offset per opener: ansible-playbook's own last line ("User interrupted
                # execution") would be written over this one. It writes it at once; give it that moment.
                deadline = time.monotonic() + LAST_LINE_GRACE
                while os.getppid() == self.pid and time.monotonic() < deadline:
                    time.sleep(0.05)
            os.write(self.stdout, (line + "\n").encode("utf-8", "replace"))
        except OSError:
            say(line)


def new_launch_file():
    """The path of a new, empty launch file in Ansible's local temporary directory (readable by its owner only,
    removed with the directory when ansible-playbook ends)."""
    handle, path = tempfile.mkstemp(prefix="drs-launch-", suffix=".json", dir=C.DEFAULT_LOCAL_TMP)
    os.close(handle)
    return path


def read_launch(path):
    try:
        with open(path) as handle:
            state = json.load(handle)
    except (OSError, ValueError) as exc:
        raise NoLaunch("launch: %s is not the file of a launch (%s); give the launch the plan step returned" % (path, exc))
    if not isinstance(state, dict) or "plan" not in state:
        raise NoLaunch("launch: %s is not the file of a launch; give the launch the plan step returned" % path)
    return state


def write_launch(path, state):
    # Replaced whole: a worker killed while writing leaves the file its previous step wrote.
    partial = path + ".partial"
    with open(partial, "w") as handle:
        # dumps, then one write: json.dump writes chunk by chunk, several times slower at 10,000 tasks
        handle.write(json.dumps(state, separators=(",", ":")))
    os.replace(partial, path)


class Launch:
    """The launch's steps; the ledger keeps what each read of each task. ``state`` is what the steps before
    this one left (``Launch.state()``)."""

    def __init__(self, state, connection, check_mode, diff, say=None, controller=None):
        self.plan = state["plan"]
        self.began = state["began"]
        self.ledger = Ledger(state.get("ledger"))
        self.commits = state.get("commits", [])
        self.unplanned = state.get("unplanned", [])
        self.found = state.get("found", [])  # IDs of the tasks the job filter selects
        self.retries = state.get("retries", {})  # task ID -> retries sent for it
        self.created = state.get("created", [])  # IDs of the tasks this launch's commit created
        self.failure = state.get("failure")
        # The groups follow from the plan, the commits and the job filter's tasks (final after the commit step).
        self.groups = self.arrange()
        self.shown_warnings = state.get("warnings", [])
        self.connection = connection
        self.client, self.secrets, self.warnings = None, set(), []
        self.check_mode = check_mode
        self.diff = diff
        self.say = say or display.display
        self.controller = controller
        self.changed = False
        self.step = "Connect to the DRS API"

    def state(self):
        return dict(plan=self.plan, began=self.began, ledger=self.ledger.state(), commits=self.commits,
                    unplanned=self.unplanned, found=self.found, retries=self.retries,
                    created=self.created, failure=self.failure, warnings=self.shown_warnings + self.new_warnings())

    def new_warnings(self):
        return [warning for warning in self.warnings if warning not in self.shown_warnings]

    def run(self, step, number=None):
        """One step of the launch (``number``: the group's, for precheck, start and wait)."""
        if self.failure:
            # An earlier step failed and its failure was ignored (ignore_errors on the role): nothing more is sent.
            raise Stopped()
        self.connect()
        if step == "find":
            self.find()
            self.check_named()
        elif step == "commit":
            created_ids = self.commit()
            self.groups = self.arrange()
            if created_ids:
                self.wait(StatusWait, DrsBatchStatus, "Wait until DRS has created the committed tasks", jobs=created_ids,
                          wait_for=["CONFIGURATION"], wait_timeout=self.plan["commit_wait_timeout"],
                          progress_label="Creating the committed tasks")
        elif step == "precheck":
            self.precheck_group(number)
        elif step == "start":
            self.start_group(number)
        else:
            self.wait_group(number)

    def connect(self):
        """One client for every request and poll of the step: one IAM token (fetched again only once it expired) and
        kept-alive connections. The connection options still go to each run, which checks them."""
        try:
            self.client, self.secrets, self.warnings = connect(self.connection)
        except ModuleFailure as failure:
            raise StepFailed(self.step, failure.result.get("msg"))
        if self.controller is not None:
            self.client.before_request = self.controller.check

    def find(self):
        job_filter = self.plan["job_filter"]
        if not job_filter:
            return
        answer = self.module(DrsJobInfo, "Find the tasks that batch_launch_job_filter selects", **job_filter)
        if not answer["job_ids"]:
            raise StepFailed(self.step, "batch_launch_job_filter selects no DRS task: %s" % json.dumps(job_filter, sort_keys=True))
        self.say("The job filter selects %s" % count_of(len(answer["job_ids"]), "task"))
        self.found = answer["job_ids"]

    def check_named(self):
        """The tasks named by ID are read before any async job is committed: a mistyped ID stops the launch
        before its first write. (Those inside the async jobs exist only after the commit.)"""
        named_ids = [job_id for group in self.plan["groups"] for job_id in group["ids"]]
        if named_ids:
            self.module(DrsBatchStatus, "Read the tasks named by ID", jobs=named_ids)

    def commit(self):
        """The IDs of the tasks in the async jobs, of those committed; in check mode, none is."""
        created_ids = []
        for async_job_id in self.plan["async_job_ids"]:
            answer = self.module(DrsAsyncCommit, "Commit the batch async jobs", async_job_id=async_job_id,
                                 wait_timeout=self.plan["commit_wait_timeout"])
            self.commits.append(answer)
            if answer["changed"] and self.check_mode:
                self.unplanned.extend(answer["job_ids"])
            else:
                created_ids.extend(answer["job_ids"])
                if answer["changed"]:
                    self.created.extend(answer["job_ids"])
            self.say("Batch async job %s: %s (%s)" % (
                async_job_id, ("to commit" if self.check_mode else "committed") if answer["changed"] else "committed before",
                count_of(len(answer["job_ids"]), "task")))
        return created_ids

    def arrange(self):
        async_task_ids = [job_id for commit in self.commits for job_id in commit["job_ids"]]
        return arranged(self.plan["groups"], async_task_ids + self.found, self.unplanned)

    def label(self, number):
        return "Group %d/%d" % (number, len(self.groups))

    def group(self, number):
        if not 1 <= (number or 0) <= len(self.groups):
            raise StepFailed(self.step, "group: %r is not a group of this launch, which has %s" % (
                number, count_of(len(self.groups), "group")))
        return self.groups[number - 1]

    def precheck_group(self, number):
        group, label = self.group(number), self.label(number)
        answer = self.wait(PrecheckWait, DrsBatchPrecheck, "Precheck the tasks of %s" % label, jobs=group["ids"],
                           wait_timeout=self.plan["precheck_timeout"],
                           poll_interval=min(self.plan["poll_interval"], PRECHECK_POLL_INTERVAL), progress_label=label)
        self.say("%s: %s" % (label, prechecked_line(answer["results"])))

    def start_group(self, number):
        group, label = self.group(number), self.label(number)
        start_time = {} if self.plan["start_time"] is None else dict(start_time=self.plan["start_time"])
        answer = self.module(DrsBatchStart, "Start the tasks of %s" % label, jobs=group["jobs"], **start_time)
        self.say("%s: %s" % (label, started_line(answer["results"])))
        if answer.get("diff"):
            self.show_diff(label, answer["diff"])

    def wait_group(self, number):
        group, label = self.group(number), self.label(number)
        # A group after which another starts must also be in sync (RPO and RTO below the maximum):
        # DRS refuses to start the backward task of a dual-active pair while its forward task lags.
        gate = dict(rpo_rto_max=self.plan["rpo_rto_max"]) if number < len(self.groups) else {}
        step = "Wait until the tasks reach their target, %s" % label
        while True:
            answer = self.poll_step(StatusWait, DrsBatchStatus, step, jobs=group["ids"], wait_for=[self.plan["target_status"]],
                                    progress=True, wait_timeout=self.plan["wait_timeout"], progress_label=label, **gate)
            if not answer.get("failed"):
                return
            self.retry_failed(number, label, step, answer)

    def show_diff(self, label, diff):
        """``--diff``: drs_batch_start's plan for the group, as a diff of each task's status before and its start
        (``start at <ISO 8601> (<epoch ms>)``). The launch's result is hidden from the job log, so the lines are
        shown here; only the tasks that change are."""
        for line in difflib.unified_diff(diff["before"].splitlines(), diff["after"].splitlines(), "%s: before" % label,
                                         "%s: after" % label, n=0, lineterm=""):
            if not line.startswith("@@"):
                self.say(self.ledger.with_names(line))

    def retry_failed(self, number, label, step, answer):
        """Tasks that failed while starting or transferring (RETRYABLE, drs_batch_retry's) are retried (a forRetryJob
        precheck, then the retry), each up to batch_launch_retry_failed times; any other failure ends the launch at
        ``step``."""
        stopped = [entry for entry in answer.get("jobs") or [] if status_class(entry.get("status")) in (FAILED, ENDED)]
        retryable = [entry["id"] for entry in stopped if entry["status"] in RETRYABLE]
        exhausted = [job_id for job_id in retryable if self.retries.get(job_id, 0) >= self.plan["retry_failed"]]
        if not stopped or len(retryable) < len(stopped) or exhausted:
            message = answer.get("msg")
            if exhausted and self.plan["retry_failed"]:
                # IDs only: the failure's message gets the names of its tasks as a whole (Launch.failure)
                message += " (retried %s, batch_launch_retry_failed: %s)" % (
                    ", ".join(exhausted), retries_text(self.plan["retry_failed"]))
            raise StepFailed(step, message)
        for job_id in retryable:
            self.retries[job_id] = self.retries.get(job_id, 0) + 1
        self.say("%s: retrying %s that failed (%s), retry %d of at most %d" % (
            label, count_of(len(retryable), "task"), ", ".join(
                "%s: %s" % (self.ledger.describe(entry["id"]), entry["status"]) for entry in stopped),
            max(self.retries[job_id] for job_id in retryable), self.plan["retry_failed"]))
        self.module(DrsBatchRetry, "Retry the failed tasks of %s" % label, jobs=retryable, precheck=True,
                    precheck_timeout=self.plan["precheck_timeout"],
                    poll_interval=min(self.plan["poll_interval"], PRECHECK_POLL_INTERVAL))

    def module(self, module_class, step, **args):
        """One run of the module's code; a failure ends the launch at ``step``."""
        self.step = step
        answer = self.answer(module_class, args)
        if answer.get("failed"):
            raise StepFailed(step, answer.get("msg"))
        return answer

    def wait(self, wait_class, module_class, step, **args):
        """A wait; its failure ends the launch at ``step``."""
        answer = self.poll_step(wait_class, module_class, step, **args)
        if answer.get("failed"):
            raise StepFailed(step, answer.get("msg"))
        return answer

    def poll_step(self, wait_class, module_class, step, **args):
        """A wait's last answer, failed or not."""
        self.step = step
        args = dict(args, poll_interval=args.get("poll_interval", self.plan["poll_interval"]),
                    outage_tolerance=self.plan["outage_tolerance"])
        return poll(wait_class(), args, lambda module_args: self.paused(self.answer(module_class, module_args)),
                    say=self.say, answered_before=True)

    def paused(self, answer):
        """A status read that finds a task paused (in the console, or with drs_batch_pause) fails: the launch
        cannot end until someone resumes it."""
        paused = [entry["id"] for entry in answer.get("jobs") or [] if entry.get("status") in PAUSED]
        if not paused or answer.get("failed"):
            return answer
        return dict(answer, failed=True, msg=(
            "%s paused (PAUSING) during the launch: %s; the launch cannot end while a task is paused - resume it "
            "(hwcloud.drs.drs_batch_retry, or the console) and run the role again, which goes on from where the tasks "
            "stand" % ("1 task was" if len(paused) == 1 else "%d tasks were" % len(paused),
                       ", ".join(self.ledger.describe(job_id) for job_id in paused))))

    def answer(self, module_class, args):
        # Only the steps that plan by statuses use them; a poll of a long wait need not gather 10,000 of them.
        known = Known(self.ledger.statuses_read_since(time.monotonic() - KNOWN_FOR), self.created) \
            if module_class in (DrsBatchPrecheck, DrsBatchStart) else None
        answer = run_step(module_class, dict(self.connection, **args), self.check_mode, self.diff, client=self.client, known=known,
                          no_log_values=self.secrets)
        self.warnings.extend(warning for warning in answer.pop("warnings", []) if warning not in self.warnings)
        for deprecation in answer.pop("deprecations", []):
            display.deprecated(deprecation["msg"], version=deprecation["version"], collection_name=deprecation["collection_name"])
        self.changed = self.changed or bool(answer.get("changed"))
        self.note(module_class, answer)
        return answer

    def note(self, module_class, answer):
        """What the answer says of each task goes into the ledger, a failed answer's too."""
        if module_class is DrsJobInfo:
            self.ledger.listed(answer.get("jobs") or [])
        elif module_class is DrsAsyncCommit and not (answer.get("changed") and self.check_mode):
            self.ledger.committed(answer.get("job_ids") or [])
        elif module_class is DrsBatchStatus:
            self.ledger.read(answer.get("jobs") or [])
        elif module_class is DrsBatchPrecheck:
            self.ledger.prechecked(answer.get("results") or [])
        elif module_class is DrsBatchStart:
            self.ledger.started(answer.get("results") or [])
        elif module_class is DrsBatchRetry:
            self.ledger.retried(answer.get("results") or [])

    def failure_of(self, failed):
        return dict(task=failed.step, msg=self.ledger.with_names(failed.msg or "failed without a message"))


def retries_text(count):
    return "%d %s" % (count, "retry" if count == 1 else "retries")


def prechecked_line(results):
    """``precheck passed for 18 tasks, not needed for 2 (not in CONFIGURATION)``"""
    passed = sum(1 for entry in results if entry["result"] == PASSED)
    would_start = sum(1 for entry in results if entry["action"] == WOULD_START)
    not_needed = sum(1 for entry in results if entry["action"] == NOT_NEEDED)
    parts = ["precheck passed for %s" % count_of(passed, "task")]
    if would_start:
        parts.append("would start for %d" % would_start)
    if not_needed:
        parts.append("not needed for %d (not in CONFIGURATION)" % not_needed)
    return ", ".join(parts)


def started_line(results):
    """``started 18 tasks, already started 2 tasks``"""
    counts = Counter(entry["action"] for entry in results)
    return ", ".join("%s %s" % (action.replace("_", " "), count_of(number, "task")) for action, number in counts.most_common())


class interruptible:
    """SIGINT and SIGTERM raise Interrupted while the launch runs, instead of ending the worker at once
    (Ansible's own handlers, put back afterwards), so that the launch can say how far it got."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __enter__(self):
        self.previous = [signal.getsignal(number) for number in self.SIGNALS]
        for number in self.SIGNALS:
            signal.signal(number, self.interrupt)
        return self

    def interrupt(self, number, _frame):
        # One signal ends the launch; those that follow (ansible-playbook terminating its workers) wait
        # until the launch has said how far it got.
        for each in self.SIGNALS:
            signal.signal(each, signal.SIG_IGN)
        raise Interrupted(signal.Signals(number).name)

    def __exit__(self, exc_type, exc_value, traceback):
        # Once interrupted, the signals stay ignored until the worker ends (see ActionModule.abandon).
        if exc_type is not Interrupted:
            for number, handler in zip(self.SIGNALS, self.previous):
                signal.signal(number, handler)
        return False


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        step = args["step"]
        transport = getattr(self._connection, "transport", None)
        if transport != "local":
            return dict(result, failed=True, msg=(
                "The launch (hwcloud.drs.drs_batch_launch) runs on the controller and talks to the DRS API from there, "
                "but this task's host %s is reached over %r. Run the role on a host with connection: local - hosts: "
                "localhost, or one inventory host per DRS project with ansible_connection: local (and without "
                "delegate_to or become, which the launch cannot honour)" % (task_vars.get("inventory_hostname"), transport)))
        if step == "plan":
            return self.plan(args, result)
        missing = [name for name in ("launch",) + (("group",) if step in GROUP_STEPS else ()) if args[name] is None]
        if missing:
            return dict(result, failed=True, msg="%s: required by the %s step (the launch is what the plan step returned)"
                        % (", ".join(missing), step))
        try:
            state = read_launch(args["launch"])
        except NoLaunch as exc:
            return dict(result, failed=True, msg=str(exc))
        task_environment = {}
        self._compute_environment_string(task_environment)
        connection = with_environment(dict((name, args[name]) for name in CONNECTION_ARGUMENT_SPEC), task_environment)
        say = labelled(display.display, task_vars)
        no_log_values = secret_values(ARGUMENT_SPEC, args)
        if step == "summary":
            return self.summary(args, state, task_vars, result, no_log_values)
        with Controller() as controller:
            launch = Launch(state, connection, bool(self._task.check_mode), bool(self._task.diff), say=say,
                            controller=controller)
            try:
                with interruptible():
                    launch.run(step, args["group"])
            except StepFailed as failed:
                launch.failure = launch.failure_of(failed)
            except Stopped:
                return dict(result, failed=True, msg="The launch stopped at '%s' before this step: %s" % (
                    launch.failure.get("task"), masked(launch.failure.get("msg"), no_log_values)))
            except Interrupted as interrupted:
                launch.failure = dict(task=launch.step, msg="stopped by %s" % interrupted.signal_name,
                                      interrupted=interrupted.signal_name)
            except ControllerGone:
                # Nobody is left to read a result or a line: stop here, having sent nothing more.
                self.abandon()
            write_launch(args["launch"], launch.state())
            no_log_values |= launch.secrets
            if launch.failure and launch.failure.get("interrupted"):
                # Ansible ends the run on the signal without reading this result: the line is all that is left.
                summary = masked(summary_of(launch), no_log_values)
                controller.last_line(say.prefix + summary["message"], display.display)
                self.abandon()
        for warning in launch.new_warnings():
            display.warning(say.prefix + str(masked(warning, no_log_values)))
        result["changed"] = launch.changed
        if launch.failure:
            return dict(result, failed=True, msg=masked(launch.failure["msg"], no_log_values))
        if step == "commit":
            result["groups"] = [dict(number=number, count=len(launch.groups), tasks=len(group["ids"]),
                                     label=launch.label(number)) for number, group in enumerate(launch.groups, 1)]
        return result

    def plan(self, args, result):
        """The checked variables, kept in a new launch file for the steps that follow."""
        if args["variables"] is None:
            return dict(result, failed=True, msg="variables: required by the plan step")
        plan = launch_plan(args["variables"])
        if plan["errors"]:
            return dict(result, failed=True, msg="The batch_launch role cannot start: %s" % "; ".join(plan["errors"]))
        path = new_launch_file()
        write_launch(path, dict(plan=plan, began=time.time()))
        return dict(result, changed=False, launch=path, precheck=plan["precheck"])

    def summary(self, args, state, task_vars, result, no_log_values):
        """The summary of the launch, published with set_stats; ``stopped`` (the role's rescue) names the task the
        launch stopped at when that was not one of its steps."""
        launch = Launch(state, None, bool(self._task.check_mode), False)
        if launch.failure is None and args["stopped"]:
            launch.failure = dict(task=args["stopped"].get("task"), msg=args["stopped"].get("msg"))
        summary = masked(summary_of(launch), no_log_values)
        os.remove(args["launch"])
        result.update(changed=False, msg=summary["message"], summary=summary)
        if launch.failure:
            result["stop_msg"] = message(summary, reason_shown=True)
        if launch.plan["set_stats"]:
            result["ansible_stats"] = dict(data=dict(batch_launch={task_vars["inventory_hostname"]: summary}),
                                           per_host=False, aggregate=True)
        return result

    @staticmethod
    def abandon():
        """End this worker at once, as Ansible's own handling of SIGINT and SIGTERM in a worker does."""
        os._exit(1)


def summary_of(launch):
    return launch_summary(launch.began, launch.check_mode, launch.ledger, commits=launch.commits,
                          unplanned=launch.unplanned, failure=launch.failure)


def with_environment(connection, environment):
    """``connection`` with each option that is not set taken from the task's ``environment:`` (its HW_* variable),
    as a module run on the host would find it in its environment, before the controller's own."""
    filled = dict(connection)
    for name, spec in CONNECTION_ARGUMENT_SPEC.items():
        if filled.get(name) is None and spec.get("fallback"):
            for variable in spec["fallback"][1]:
                if environment.get(variable) not in (None, ""):
                    filled[name] = environment[variable]
                    break
    return filled


def labelled(say, task_vars):
    """``say`` with each line starting ``[host] `` when more hosts than one run the launch at once."""
    hosts = task_vars.get("ansible_play_batch") or []
    prefix = "[%s] " % task_vars.get("inventory_hostname") if len(hosts) > 1 else ""

    def labelled_say(line):
        say(prefix + line)

    labelled_say.prefix = prefix
    return labelled_say
