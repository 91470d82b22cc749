"""The simulated DRS region: tasks, batch async jobs, and how they move with the simulated clock.

A task in motion holds a timeline, a list of ``(epoch seconds, status)`` it will enter. Nothing
runs in the background: ``World.refresh()`` applies every timeline entry whose time has come,
and the server calls it at the start of every request. In ``instant`` mode every duration is
zero, so whatever a request sets in motion has finished by the next request.
"""

import random
import uuid

from . import errors, joblist, progress
from .precheck import PrecheckRun
from . import statuses as st
from .auth import Authenticator
from .clock import SimClock
from .errors import ApiError
from .scenario import INSTANT

DEFAULT_FAILURE_CODES = {
    st.CREATE_FAILED: (errors.DRS_CREATE_FAILED, "Failed to create the DRS instance: insufficient subnet IP addresses."),
    st.START_JOB_FAILED: (errors.DRS_START_FAILED, "Failed to start the task: the source database cannot be connected."),
    st.FULL_TRANSFER_FAILED: (errors.DRS_FULL_TRANSFER_FAILED, "Full migration failed: the destination database disk is full."),
    st.INCRE_TRANSFER_FAILED: (errors.DRS_INCRE_TRANSFER_FAILED, "Incremental migration failed: the source binlog was purged."),
    st.RELEASE_RESOURCE_FAILED: (errors.DRS_RELEASE_RESOURCE_FAILED, "Failed to stop the task: the DRS instance could not be released."),
    st.REBUILD_NODE_FAILED: (errors.DRS_REBUILD_NODE_FAILED, "Fault recovery failed: the replication node could not be rebuilt."),
    st.CHANGE_JOB_FAILED: (errors.DRS_CHANGE_JOB_FAILED, "Failed to change the task: the new configuration was not applied."),
    st.CHILD_TRANSFER_FAILED: (errors.DRS_CHILD_TRANSFER_FAILED, "The subtask failed: the edited objects could not be migrated."),
    st.NODE_UPGRADE_FAILED: (errors.DRS_NODE_UPGRADE_FAILED, "The node upgrade failed: the replication node was rolled back."),
}
# every *_FAILED status has a default text, so a scenario can seed any of them
assert set(DEFAULT_FAILURE_CODES) == set(st.FAILED_STATUSES)
FAILED_STATUSES = st.FAILED_STATUSES
# A dual-active backward task starts only while the forward task's RPO and RTO are below this (seconds).
DUAL_ACTIVE_MAX_DELAY = 60


class Task:
    """One DRS task (job); its ``spec`` is what the scenario said, the rest is live state."""

    def __init__(self, spec, now):
        self.spec = spec
        self.id = spec.id
        self.status = spec.status
        # When the current status was entered: progress and delays are computed from it. A task seeded
        # in incremental transfer has been there "for ever", so its delays have settled.
        self.entered_at = float("-inf") if spec.status == st.INCRE_TRANSFER_STARTED else now
        self.timeline = []
        self.start_count = 0
        self.retry_count = 0
        self.failed_retries_left = spec.failed_retries
        self.paused_from = None  # the status a pause took the task out of
        self.created_at = now
        self.precheck = None  # the latest PrecheckRun
        # the database instances the task is bound to (the task list's instance_ids filter; a precheck's rds_instance_id)
        self.instance_ids = list(spec.instance_ids) or [str(uuid.uuid5(uuid.NAMESPACE_OID, "rds/" + spec.id))]

    def enter(self, status, at):
        self.status = status
        self.entered_at = at

    def leaves_at(self):
        """When the current status ends (the next timeline step), or None when it is final."""
        return self.timeline[0][0] if self.timeline else None

    @property
    def task_mode(self):
        return self.spec.task_mode

    def refresh(self, now):
        while self.timeline and self.timeline[0][0] <= now:
            self.enter(*reversed(self.timeline.pop(0)))

    def status_entry(self):
        """The batch-status result entry; failed statuses carry error_code and error_message."""
        entry = {"id": self.id, "status": self.status}
        if self.status in FAILED_STATUSES:
            default_code, default_message = DEFAULT_FAILURE_CODES[self.status]
            entry["error_code"] = self.spec.error_code or default_code
            entry["error_message"] = self.spec.error_message or default_message
        return entry

    def snapshot(self):
        return {
            "id": self.id,
            "name": self.spec.name,
            "status": self.status,
            "start_count": self.start_count,
            "retry_count": self.retry_count,
            "async_job_id": self.spec.async_job_id,
            "forward_job_id": self.spec.forward_job_id,
            "full_only": self.spec.full_only,
            "task_mode": self.spec.task_mode,
            "fail_at": self.spec.fail_at,
            "after_commit": self.spec.after_commit,
            "parent_id": self.spec.parent_id,
            "timeline": [{"at": at, "status": status} for at, status in self.timeline],
        }


class AsyncJob:
    """One batch async job: validates for a while, then waits to be committed."""

    def __init__(self, spec, created_at, validated_at):
        self.spec = spec
        self.id = spec.id
        self.status = spec.status
        self.created_at = created_at
        self.validated_at = validated_at

    def refresh(self, now):
        if self.status == st.ASYNC_JOB_VALIDATING and now >= self.validated_at:
            failed = self.spec.validation == "failed"
            self.status = st.ASYNC_JOB_VALIDATE_FAILED if failed else st.AUTO_PARAM_VALIDATE_SUCCESS

    def summary(self, domain_name, user_name):
        """An AsyncJobResp of the list API."""
        return {
            "async_job_id": self.id,
            "status": self.status,
            "domain_name": domain_name,
            "user_name": user_name,
            "create_time": str(int(self.created_at * 1000)),
        }


class World:
    """All state behind one scenario; the caller serialises access (one lock in the server)."""

    def __init__(self, scenario, seed, speed=None):
        self.scenario = scenario
        self.seed = seed
        self.speed = scenario.speed if speed is None else speed
        self.instant = self.speed == INSTANT
        self.clock = SimClock(1.0 if self.instant else self.speed)
        now = self.clock.now()
        self.auth = Authenticator(scenario, self.clock, random.Random("drs-simulator/tokens/%s" % seed))
        self.tasks = {spec.id: Task(spec, now) for spec in scenario.tasks}
        self._moving = set()
        for task in self.tasks.values():
            self._continue_seeded_motion(task, now)
        self.prechecks = {}  # precheck ID -> the latest PrecheckRun of a task
        self._precheck_rng = random.Random("drs-simulator/prechecks/%s" % seed)
        count = len(scenario.async_jobs)
        self.async_jobs = {}
        for index, spec in enumerate(scenario.async_jobs):
            validate_seconds = scenario.validate_seconds if spec.validate_seconds is None else spec.validate_seconds
            created_at = now - 60.0 * (count - index)  # older first, so listing order follows the file
            self.async_jobs[spec.id] = AsyncJob(spec, created_at, now + (0.0 if self.instant else validate_seconds))
        # Tasks are older the earlier they appear (a second apart); those of an async job were created with it.
        for index, task in enumerate(self.tasks.values()):
            task.created_at = now - (len(self.tasks) - index)
            if task.spec.async_job_id is not None:
                task.created_at = self.async_jobs[task.spec.async_job_id].created_at
            if task.spec.create_time is not None:
                task.created_at = task.spec.create_time / 1000.0

    def _duration(self, task, status):
        """Simulated seconds ``task`` stays in ``status``; a seeded jitter keeps tasks out of lockstep."""
        if self.instant:
            return 0.0
        base = self.scenario.transition_seconds if task.spec.transition_seconds is None else task.spec.transition_seconds
        jitter = self.scenario.jitter
        if not jitter:
            return base
        return base * random.Random("drs-simulator/%s/%s/%s" % (self.seed, task.id, status)).uniform(1 - jitter, 1 + jitter)

    def _plan(self, task, planned, first_at):
        """Give ``task`` a timeline entering each of ``planned`` in turn, the first at ``first_at``."""
        timeline, at = [], first_at
        for status in planned:
            timeline.append((at, status))
            at += self._duration(task, status)
        task.timeline = timeline
        if timeline:
            self._moving.add(task.id)

    def _continue_seeded_motion(self, task, now):
        """A task seeded while starting, transferring or being released carries on from there."""
        if task.status == st.WAITING_FOR_START:
            planned = st.planned_statuses(None, task.task_mode, task.spec.fail_at)
        elif task.status in st.PIPELINES[task.task_mode]:
            planned = st.planned_statuses(task.status, task.task_mode, task.spec.fail_at)
        elif task.status == st.RELEASE_RESOURCE_STARTED:
            planned = [st.RELEASE_RESOURCE_COMPLETE]
        else:
            return
        self._plan(task, planned, now + self._duration(task, task.status))

    def now(self):
        return self.clock.now()

    def refresh(self):
        """Apply every transition and validation result that is due at the current simulated time."""
        now = self.clock.now()
        for job in self.async_jobs.values():
            job.refresh(now)
        for task_id in list(self._moving):
            task = self.tasks[task_id]
            task.refresh(now)
            if not task.timeline:
                self._moving.discard(task_id)

    def advance(self, seconds):
        self.clock.advance(seconds)
        self.refresh()
        return self.clock.now()

    # batch-status / batch-starting

    def status_entry(self, job_id):
        task = self.tasks.get(job_id)
        if task is None:
            return {"id": job_id, "error_code": errors.DRS_JOB_NOT_FOUND, "error_message": "The job %s does not exist." % job_id}
        return task.status_entry()

    def start(self, job_id, start_at):
        """Start one task now, or at ``start_at`` (epoch seconds) when that is in the future.

        Returns the batch-starting result entry.
        """
        task = self.tasks.get(job_id)
        if task is None:
            return _refused(job_id, errors.DRS_JOB_NOT_FOUND, "The job %s does not exist." % job_id)
        if task.status != st.STARTABLE:
            return _refused(job_id, errors.DRS_STATUS_FORBIDS_START,
                            "The job status %s does not allow this operation; only a job in CONFIGURATION can be started." % task.status)
        if self.scenario.require_precheck and not (task.precheck and task.precheck.passed(self.clock.now())):
            return _refused(job_id, errors.DRS_PRECHECK_NOT_PASSED,
                            "The job %s has not passed a precheck; run batch-precheck first." % job_id)
        if task.spec.child_ids:
            return _refused(job_id, errors.DRS_PARENT_JOB, "The job %s is a parent job; start its child jobs instead." % job_id)
        forward = self.tasks.get(task.spec.forward_job_id)
        if forward is not None and forward.status != st.INCRE_TRANSFER_STARTED:
            return _refused(job_id, errors.DRS_FORWARD_NOT_RUNNING,
                            "The forward job %s of this dual-active pair is %s; the backward job can be started only "
                            "when the forward job is INCRE_TRANSFER_STARTED." % (forward.id, forward.status))
        if forward is not None:
            # The seed page: the forward task's RPO and RTO must also be below 60 s (as batch-rpo-and-rto reports them).
            rpo, rto = (int(value) for value in progress.rpo_rto(forward, self.clock.now(), self.settle_seconds(forward)))
            if rpo >= DUAL_ACTIVE_MAX_DELAY or rto >= DUAL_ACTIVE_MAX_DELAY:
                return _refused(job_id, errors.DRS_FORWARD_DELAY_TOO_HIGH,
                                "The forward job %s of this dual-active pair has RPO %d s and RTO %d s; the backward job can be "
                                "started only when both are below %d s." % (forward.id, rpo, rto, DUAL_ACTIVE_MAX_DELAY))
        now = self.clock.now()
        planned = st.planned_statuses(None, task.task_mode, task.spec.fail_at)
        if start_at is not None and start_at > now:
            task.enter(st.WAITING_FOR_START, now)
            self._plan(task, planned, start_at)
        else:
            task.enter(planned[0], now)
            self._plan(task, planned[1:], now + self._duration(task, planned[0]))
        task.start_count += 1
        return {"id": job_id, "status": "success"}

    # batch-progress / batch-rpo-and-rto

    def settle_seconds(self, task):
        """How long the incremental, RPO and RTO delays take to fall to their floors (zero when instant)."""
        if self.instant:
            return 0.0
        return self.scenario.settle_seconds if task.spec.settle_seconds is None else task.spec.settle_seconds

    def progress_entry(self, job_id):
        task = self.tasks.get(job_id)
        if task is None:
            return {"job_id": job_id, "error_code": errors.DRS_JOB_NOT_FOUND, "error_msg": "The job %s does not exist." % job_id}
        entry = progress.progress_entry(task, self.clock.now(), self.settle_seconds(task))
        if task.status in FAILED_STATUSES:
            failure = task.status_entry()
            entry.update(error_code=failure["error_code"], error_msg=failure["error_message"])
        return entry

    def rpo_rto_entry(self, job_id):
        task = self.tasks.get(job_id)
        if task is None:
            return {"job_id": job_id, "error_code": errors.DRS_JOB_NOT_FOUND, "error_msg": "The job %s does not exist." % job_id}
        return progress.rpo_rto_entry(task, self.clock.now(), self.settle_seconds(task))

    # prechecks

    def precheck(self, job_id, mode):
        """Start a precheck of one task; returns the PostPreCheckResp entry."""
        task = self.tasks.get(job_id)
        if task is None:
            return _refused(job_id, errors.DRS_JOB_NOT_FOUND, "The job %s does not exist." % job_id)
        if mode == "forRetryJob" and task.status == st.STARTABLE:
            return _refused(job_id, errors.DRS_STATUS_FORBIDS_PRECHECK,
                            "precheck_mode %s is for a job in incremental transfer or a failed job; a job in CONFIGURATION "
                            "takes forStartJob." % mode)
        if mode == "forRetryJob" and task.status not in st.RETRY_PRECHECKABLE:
            return _refused(job_id, errors.DRS_STATUS_FORBIDS_PRECHECK,
                            "The job status %s does not allow a forRetryJob precheck; only a job that can be retried (%s) or one "
                            "in INCRE_TRANSFER_STARTED can be prechecked for a retry." % (task.status, ", ".join(st.RETRY_PHASES)))
        if mode == "forStartJob" and task.status != st.STARTABLE:
            return _refused(job_id, errors.DRS_STATUS_FORBIDS_PRECHECK,
                            "The job status %s does not allow a forStartJob precheck; only a job in CONFIGURATION can be prechecked "
                            "for a start." % task.status)
        now = self.clock.now()
        if self.instant:
            seconds = 0.0
        elif task.spec.precheck_seconds is not None:
            seconds = task.spec.precheck_seconds
        else:
            seconds = self.scenario.transition_seconds if task.spec.transition_seconds is None else task.spec.transition_seconds
        if task.precheck is not None:
            del self.prechecks[task.precheck.id]  # a new precheck replaces the last one, ID and result
        precheck_id = str(uuid.UUID(int=self._precheck_rng.getrandbits(128), version=4))
        task.precheck = PrecheckRun(precheck_id, task, mode, now, now + seconds)
        self.prechecks[precheck_id] = task.precheck
        return {"id": job_id, "precheck_id": precheck_id, "status": "success"}

    def precheck_result(self, some_id):
        """A QueryPreCheckResp for a precheck ID, or for a task ID (its latest precheck)."""
        run = self.prechecks.get(some_id)
        task = self.tasks.get(some_id)
        if run is None and task is not None:
            run = task.precheck
            if run is None:
                return {"precheck_id": some_id, "error_code": errors.DRS_NO_PRECHECK,
                        "error_msg": "No precheck has been run for the job %s." % some_id}
        if run is None:
            return {"precheck_id": some_id, "error_code": errors.DRS_PRECHECK_NOT_FOUND,
                    "error_msg": "There is no precheck or job %s (a newer precheck of a job replaces its ID)." % some_id}
        return run.result(self.clock.now())

    # batch-retry-task / batch-pause-task / batch-jobs

    def retry(self, job_id):
        """Retry a failed task (back to the phase it failed in) or resume a paused one; the batch-retry-task entry."""
        task = self.tasks.get(job_id)
        if task is None:
            return _refused(job_id, errors.DRS_JOB_NOT_FOUND, "The job %s does not exist." % job_id)
        if task.spec.child_ids:
            return _refused(job_id, errors.DRS_PARENT_JOB, "The job %s is a parent job; retry its child jobs instead." % job_id)
        now = self.clock.now()
        if task.status in st.PAUSED:
            # a task paused while failed resumes as a retry of its failure
            failed = task.paused_from if task.paused_from in st.RETRY_PHASES else None
            resume_at = task.paused_from or self._resume_default(task)
        elif task.status in st.RETRY_PHASES:
            failed = task.status
            if self.scenario.require_precheck and not self._prechecked_for_retry(task, now):
                return _refused(job_id, errors.DRS_PRECHECK_NOT_PASSED,
                                "The job %s has not passed a forRetryJob precheck since it failed; run batch-precheck first." % job_id)
        else:
            return _refused(job_id, errors.DRS_STATUS_FORBIDS_RETRY,
                            "The job status %s does not allow a retry; only a failed job (%s) can be retried, and a paused one "
                            "(PAUSING) resumed." % (task.status, ", ".join(st.RETRY_PHASES)))
        if failed is None:
            walk = st.walk_from(resume_at, task.task_mode)
        elif task.failed_retries_left > 0:
            # scripted (failed_retries): this retry fails again, in the same status, once the phase has run its time
            task.failed_retries_left -= 1
            walk = [st.RETRY_PHASES[failed], failed]
        else:
            walk = st.walk_from(st.RETRY_PHASES[failed], task.task_mode)
        self._walk(task, walk, now)
        task.paused_from = None
        task.retry_count += 1
        return {"id": job_id, "status": "success"}

    @staticmethod
    def _resume_default(task):
        """Where a task seeded in PAUSING resumes: its last transfer phase."""
        pipeline = st.PIPELINES[task.task_mode]
        return st.INCRE_TRANSFER_STARTED if st.INCRE_TRANSFER_STARTED in pipeline else st.FULL_TRANSFER_STARTED

    def _prechecked_for_retry(self, task, now):
        run = task.precheck
        return run is not None and run.mode == "forRetryJob" and run.started_at >= task.entered_at and run.passed(now)

    def _walk(self, task, statuses, now):
        """Enter the first of ``statuses`` now and plan the others."""
        task.enter(statuses[0], now)
        self._plan(task, statuses[1:], now + self._duration(task, statuses[0]))

    def pause(self, job_id):
        """Pause a transferring task; the batch-pause-task entry. Both pause modes pause it the same way here."""
        task = self.tasks.get(job_id)
        if task is None:
            return _refused(job_id, errors.DRS_JOB_NOT_FOUND, "The job %s does not exist." % job_id)
        if task.spec.child_ids:
            return _refused(job_id, errors.DRS_PARENT_JOB, "The job %s is a parent job; pause its child jobs instead." % job_id)
        if task.status not in st.PAUSABLE:
            return _refused(job_id, errors.DRS_STATUS_FORBIDS_PAUSE,
                            "The job status %s does not allow a pause; only a job in %s can be paused." % (task.status, ", ".join(st.PAUSABLE)))
        task.paused_from = task.status
        task.enter(st.PAUSING, self.clock.now())
        task.timeline = []
        return {"id": job_id, "status": "success"}

    def end_or_delete(self, job_id, delete_type):
        """End (terminate, force_terminate) or delete one task; the batch-jobs entry."""
        task = self.tasks.get(job_id)
        if task is None:
            return _refused(job_id, errors.DRS_JOB_NOT_FOUND, "The job %s does not exist." % job_id)
        now = self.clock.now()
        if delete_type == "delete":
            if task.status not in st.DELETABLE:
                return _refused(job_id, errors.DRS_STATUS_FORBIDS_DELETE,
                                "The job status %s does not allow a delete; only a job in %s can be deleted, end it first."
                                % (task.status, ", ".join(st.DELETABLE)))
            task.enter(st.DELETED, now)
            task.timeline = []
            return {"id": job_id, "status": "success"}
        if task.status in st.NOT_ENDABLE:
            return _refused(job_id, errors.DRS_STATUS_FORBIDS_END,
                            "The job status %s does not allow ending the job (%s)." % (task.status, delete_type))
        self._walk(task, [st.RELEASE_RESOURCE_STARTED, st.RELEASE_RESOURCE_COMPLETE], now)
        task.paused_from = None
        return {"id": job_id, "status": "success"}

    # the task list

    def list_jobs(self, filters):
        """JobInfo entries of the top-level tasks passing ``filters``, newest first (ties: scenario order)."""
        ordered = sorted(enumerate(self.tasks.values()), key=lambda pair: (-pair[1].created_at, pair[0]))
        entries = []
        for _index, task in ordered:
            if task.spec.parent_id is not None or not joblist.matches(task, filters):
                continue
            children = []
            for child_id in task.spec.child_ids:
                child = self.tasks[child_id]
                failure = child.status_entry().get("error_message")
                children.append(joblist.child_info(child, failure))
            entries.append(joblist.job_info(task, children))
        return entries

    # batch async jobs

    def async_job(self, async_job_id):
        job = self.async_jobs.get(async_job_id)
        if job is None:
            raise ApiError(404, errors.DRS_ASYNC_JOB_NOT_FOUND, "The batch async job %s does not exist." % async_job_id)
        return job

    def commit(self, async_job_id):
        """Commit a validated async job: its tasks get created (CONFIGURATION, or a scripted CREATE_FAILED)."""
        job = self.async_job(async_job_id)
        if job.status == st.ASYNC_JOB_VALIDATING:
            raise ApiError(400, errors.DRS_ASYNC_JOB_VALIDATING,
                           "The batch async job %s is still being validated; commit it after AUTO_PARAM_VALIDATE_SUCCESS." % job.id)
        if job.status == st.ASYNC_JOB_VALIDATE_FAILED:
            reason = job.spec.error_msg or "the source database cannot be connected."
            raise ApiError(400, errors.DRS_ASYNC_JOB_VALIDATE_FAILED, "The parameters of batch async job %s failed validation: %s" % (job.id, reason))
        if job.status == st.COMMIT_SUCCESS:
            raise ApiError(400, errors.DRS_ASYNC_JOB_COMMITTED, "The batch async job %s has already been committed." % job.id)
        job.status = st.COMMIT_SUCCESS
        created_at = self.clock.now() + (0.0 if self.instant else self.scenario.commit_seconds)
        for task_id in job.spec.task_ids:
            task = self.tasks[task_id]
            # after_commit: the task ends up released, deleted, failed ... instead of CONFIGURATION, and stays there
            outcome = task.spec.after_commit or (st.CREATE_FAILED if task.spec.fail_at == st.CREATE_FAILED else st.CONFIGURATION)
            task.timeline = [(created_at, outcome)]
            self._moving.add(task_id)
        return {"async_job_id": async_job_id, "status": job.status, "msg": "success"}

    def list_async_jobs(self, filters, descending):
        """AsyncJobResp entries matching every given filter, sorted by create_time."""
        user = self.scenario.auth.users[0] if self.scenario.auth.users else None
        domain_name, user_name = (user.domain, user.name) if user else (None, None)
        summaries = [job.summary(domain_name, user_name) for job in sorted(self.async_jobs.values(), key=lambda job: job.created_at)]
        matching = [summary for summary in summaries if all(summary[key] == value for key, value in filters.items())]
        return matching[::-1] if descending else matching

    def async_job_tasks(self, async_job_id):
        """The JobDetailResp entries (id, status, create_time) of an async job's tasks."""
        job = self.async_job(async_job_id)
        create_time = str(int(job.created_at * 1000))
        return [{"id": task_id, "status": self.tasks[task_id].status, "create_time": create_time} for task_id in job.spec.task_ids]

    # inspection

    def start_counts(self):
        return {task.id: task.start_count for task in self.tasks.values()}

    def snapshot(self):
        return {
            "now": self.clock.now(),
            "speed": self.speed,
            "project_id": self.scenario.project_id,
            "v5_enabled": self.scenario.v5_enabled,
            "tasks": [task.snapshot() for task in self.tasks.values()],
            "async_jobs": [{"async_job_id": job.id, "status": job.status, "job_ids": list(job.spec.task_ids)}
                           for job in self.async_jobs.values()],
        }


def _refused(job_id, code, message):
    """The per-task answer of a write that was refused for this task (the others still act)."""
    return {"id": job_id, "status": "failed", "error_code": code, "error_msg": message}
