"""DRS task and batch async job statuses, and how a started task moves through them."""

CREATING = "CREATING"
CREATE_FAILED = "CREATE_FAILED"
CONFIGURATION = "CONFIGURATION"
WAITING_FOR_START = "WAITING_FOR_START"
STARTJOBING = "STARTJOBING"
START_JOB_FAILED = "START_JOB_FAILED"
PAUSING = "PAUSING"
FULL_TRANSFER_STARTED = "FULL_TRANSFER_STARTED"
FULL_TRANSFER_FAILED = "FULL_TRANSFER_FAILED"
FULL_TRANSFER_COMPLETE = "FULL_TRANSFER_COMPLETE"
INCRE_TRANSFER_STARTED = "INCRE_TRANSFER_STARTED"
INCRE_TRANSFER_FAILED = "INCRE_TRANSFER_FAILED"
RELEASE_RESOURCE_STARTED = "RELEASE_RESOURCE_STARTED"
RELEASE_RESOURCE_FAILED = "RELEASE_RESOURCE_FAILED"
RELEASE_RESOURCE_COMPLETE = "RELEASE_RESOURCE_COMPLETE"
REBUILD_NODE_STARTED = "REBUILD_NODE_STARTED"
REBUILD_NODE_FAILED = "REBUILD_NODE_FAILED"
CHANGE_JOB_STARTED = "CHANGE_JOB_STARTED"
CHANGE_JOB_FAILED = "CHANGE_JOB_FAILED"
DELETED = "DELETED"
CHILD_TRANSFER_STARTING = "CHILD_TRANSFER_STARTING"
CHILD_TRANSFER_STARTED = "CHILD_TRANSFER_STARTED"
CHILD_TRANSFER_COMPLETE = "CHILD_TRANSFER_COMPLETE"
CHILD_TRANSFER_FAILED = "CHILD_TRANSFER_FAILED"
RELEASE_CHILD_TRANSFER_STARTED = "RELEASE_CHILD_TRANSFER_STARTED"
RELEASE_CHILD_TRANSFER_COMPLETE = "RELEASE_CHILD_TRANSFER_COMPLETE"
NODE_UPGRADE_START = "NODE_UPGRADE_START"
NODE_UPGRADE_COMPLETE = "NODE_UPGRADE_COMPLETE"
NODE_UPGRADE_FAILED = "NODE_UPGRADE_FAILED"
# The batch-status page spells the paused status this way; the SDK says PAUSING. Both can be seeded,
# so a client can be tested against either spelling.
PAUSEING = "PAUSEING"

# The 29 values of the SDK's QueryJobStatusResp.status, in its order, plus the page's PAUSEING.
TASK_STATUSES = (
    CREATING, CREATE_FAILED, CONFIGURATION, STARTJOBING, WAITING_FOR_START, START_JOB_FAILED, PAUSING,
    FULL_TRANSFER_STARTED, FULL_TRANSFER_FAILED, FULL_TRANSFER_COMPLETE, INCRE_TRANSFER_STARTED, INCRE_TRANSFER_FAILED,
    RELEASE_RESOURCE_STARTED, RELEASE_RESOURCE_FAILED, RELEASE_RESOURCE_COMPLETE, REBUILD_NODE_STARTED,
    REBUILD_NODE_FAILED, CHANGE_JOB_STARTED, CHANGE_JOB_FAILED, DELETED, CHILD_TRANSFER_STARTING,
    CHILD_TRANSFER_STARTED, CHILD_TRANSFER_COMPLETE, CHILD_TRANSFER_FAILED, RELEASE_CHILD_TRANSFER_STARTED,
    RELEASE_CHILD_TRANSFER_COMPLETE, NODE_UPGRADE_START, NODE_UPGRADE_COMPLETE, NODE_UPGRADE_FAILED,
    PAUSEING,
)

# Every failed status; batch-status adds error_code and error_message to these.
FAILED_STATUSES = tuple(status for status in TASK_STATUSES if status.endswith("_FAILED"))

# The only status batch-starting (and a precheck) accepts.
STARTABLE = CONFIGURATION

# task_mode (SDK QueryProgressResp.task_mode / JobInfo.task_type)
FULL_TRANS = "FULL_TRANS"
INCR_TRANS = "INCR_TRANS"
FULL_INCR_TRANS = "FULL_INCR_TRANS"
TASK_MODES = (FULL_TRANS, INCR_TRANS, FULL_INCR_TRANS)

# What a successful start walks through, per task mode.
PIPELINES = {
    FULL_INCR_TRANS: (STARTJOBING, FULL_TRANSFER_STARTED, FULL_TRANSFER_COMPLETE, INCRE_TRANSFER_STARTED),
    FULL_TRANS: (STARTJOBING, FULL_TRANSFER_STARTED, FULL_TRANSFER_COMPLETE),
    INCR_TRANS: (STARTJOBING, INCRE_TRANSFER_STARTED),
}
START_PIPELINE = PIPELINES[FULL_INCR_TRANS]

# A scripted failure (scenario ``fail_at``) is entered instead of the status it replaces.
# START_JOB_FAILED replaces whatever follows STARTJOBING (the full transfer, or for INCR_TRANS the incremental one).
FAILURE_REPLACES = {
    CREATE_FAILED: CONFIGURATION,
    START_JOB_FAILED: FULL_TRANSFER_STARTED,
    FULL_TRANSFER_FAILED: FULL_TRANSFER_COMPLETE,
    INCRE_TRANSFER_FAILED: INCRE_TRANSFER_STARTED,
}
START_FAILURES = (START_JOB_FAILED, FULL_TRANSFER_FAILED, INCRE_TRANSFER_FAILED)

# batch-retry-task: a failed task goes back to the phase it failed in, and on from there.
RETRY_PHASES = {
    START_JOB_FAILED: STARTJOBING,
    FULL_TRANSFER_FAILED: FULL_TRANSFER_STARTED,
    INCRE_TRANSFER_FAILED: INCRE_TRANSFER_STARTED,
    CHILD_TRANSFER_FAILED: CHILD_TRANSFER_STARTED,
}
# A re-edit's subtask (child transfer) ends back in incremental transfer.
CHILD_TRANSFER_WALK = (CHILD_TRANSFER_STARTED, CHILD_TRANSFER_COMPLETE, INCRE_TRANSFER_STARTED)
# ... and a paused one is resumed by the same call.
PAUSED = (PAUSING, PAUSEING)
# batch-pause-task: the statuses the OTC page lists ("Only tasks in ... can be paused").
PAUSABLE = (FULL_TRANSFER_STARTED, FULL_TRANSFER_FAILED, FULL_TRANSFER_COMPLETE, INCRE_TRANSFER_STARTED, INCRE_TRANSFER_FAILED)
# A forRetryJob precheck: a task that can be retried, or one in incremental transfer whose objects were edited.
RETRY_PRECHECKABLE = tuple(RETRY_PHASES) + (INCRE_TRANSFER_STARTED,)
# batch-jobs with delete_type terminate / force_terminate: a task that runs or ran can be ended; one never
# started, being created, or already ending, ended or deleted cannot.
NOT_ENDABLE = (CREATING, CREATE_FAILED, CONFIGURATION, RELEASE_RESOURCE_STARTED, RELEASE_RESOURCE_COMPLETE, DELETED,
               RELEASE_CHILD_TRANSFER_STARTED, RELEASE_CHILD_TRANSFER_COMPLETE)
# batch-jobs with delete_type delete: the page's list ("Only tasks in ... can be deleted").
DELETABLE = (CREATE_FAILED, RELEASE_RESOURCE_COMPLETE, RELEASE_CHILD_TRANSFER_COMPLETE)

ASYNC_JOB_VALIDATING = "ASYNC_JOB_VALIDATING"
ASYNC_JOB_VALIDATE_FAILED = "ASYNC_JOB_VALIDATE_FAILED"
AUTO_PARAM_VALIDATE_SUCCESS = "AUTO_PARAM_VALIDATE_SUCCESS"
COMMIT_SUCCESS = "COMMIT_SUCCESS"
ASYNC_JOB_STATUSES = (ASYNC_JOB_VALIDATING, ASYNC_JOB_VALIDATE_FAILED, AUTO_PARAM_VALIDATE_SUCCESS, COMMIT_SUCCESS)


def failure_fits_mode(fail_at, task_mode):
    """Whether a scripted start failure can happen in this mode (FULL_TRANS never goes incremental ...)."""
    if fail_at == START_JOB_FAILED:
        return True
    return FAILURE_REPLACES[fail_at] in PIPELINES[task_mode]


def planned_statuses(after, task_mode, fail_at):
    """The statuses a task walks through after ``after`` (a status of its pipeline, or None for all).

    ``fail_at`` replaces the status it stands for and ends the walk there.
    """
    pipeline = list(PIPELINES[task_mode])
    replaced = None
    if fail_at in START_FAILURES:
        replaced = pipeline[1] if fail_at == START_JOB_FAILED else FAILURE_REPLACES[fail_at]
    if after is not None:
        pipeline = pipeline[pipeline.index(after) + 1:]
    planned = []
    for status in pipeline:
        if status == replaced:
            planned.append(fail_at)
            break
        planned.append(status)
    return planned


def walk_from(phase, task_mode):
    """The statuses a task walks through from ``phase`` on (a status of its pipeline, or the child transfer)."""
    if phase == CHILD_TRANSFER_STARTED:
        return list(CHILD_TRANSFER_WALK)
    pipeline = PIPELINES[task_mode]
    return list(pipeline[pipeline.index(phase):]) if phase in pipeline else [phase]
