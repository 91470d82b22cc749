"""DRS task and batch async job statuses, and how a started task moves through them."""

CREATING = "CREATING"
CREATE_FAILED = "CREATE_FAILED"
CONFIGURATION = "CONFIGURATION"
WAITING_FOR_START = "WAITING_FOR_START"
STARTJOBING = "STARTJOBING"
START_JOB_FAILED = "START_JOB_FAILED"
FULL_TRANSFER_STARTED = "FULL_TRANSFER_STARTED"
FULL_TRANSFER_FAILED = "FULL_TRANSFER_FAILED"
FULL_TRANSFER_COMPLETE = "FULL_TRANSFER_COMPLETE"
INCRE_TRANSFER_STARTED = "INCRE_TRANSFER_STARTED"
INCRE_TRANSFER_FAILED = "INCRE_TRANSFER_FAILED"

# Every status the batch-status page documents; a scenario may seed a task in any of them.
TASK_STATUSES = (
    CREATING, CREATE_FAILED, CONFIGURATION, STARTJOBING, WAITING_FOR_START, START_JOB_FAILED,
    "PAUSEING", FULL_TRANSFER_STARTED, FULL_TRANSFER_FAILED, FULL_TRANSFER_COMPLETE,
    INCRE_TRANSFER_STARTED, INCRE_TRANSFER_FAILED, "RELEASE_RESOURCE_STARTED", "RELEASE_RESOURCE_FAILED",
    "RELEASE_RESOURCE_COMPLETE", "CHANGE_JOB_STARTED", "CHANGE_JOB_FAILED", "CHILD_TRANSFER_STARTING",
    "CHILD_TRANSFER_STARTED", "CHILD_TRANSFER_COMPLETE", "CHILD_TRANSFER_FAILED",
    "RELEASE_CHILD_TRANSFER_STARTED", "RELEASE_CHILD_TRANSFER_COMPLETE",
)

# The only status batch-starting accepts.
STARTABLE = CONFIGURATION

# What a successful start walks through; a task marked full_only stops before the last one.
START_PIPELINE = (STARTJOBING, FULL_TRANSFER_STARTED, FULL_TRANSFER_COMPLETE, INCRE_TRANSFER_STARTED)

# A scripted failure (scenario ``fail_at``) is entered instead of the status it replaces.
FAILURE_REPLACES = {
    CREATE_FAILED: CONFIGURATION,
    START_JOB_FAILED: FULL_TRANSFER_STARTED,
    FULL_TRANSFER_FAILED: FULL_TRANSFER_COMPLETE,
    INCRE_TRANSFER_FAILED: INCRE_TRANSFER_STARTED,
}

ASYNC_JOB_VALIDATING = "ASYNC_JOB_VALIDATING"
ASYNC_JOB_VALIDATE_FAILED = "ASYNC_JOB_VALIDATE_FAILED"
AUTO_PARAM_VALIDATE_SUCCESS = "AUTO_PARAM_VALIDATE_SUCCESS"
COMMIT_SUCCESS = "COMMIT_SUCCESS"
ASYNC_JOB_STATUSES = (ASYNC_JOB_VALIDATING, ASYNC_JOB_VALIDATE_FAILED, AUTO_PARAM_VALIDATE_SUCCESS, COMMIT_SUCCESS)


def planned_statuses(after, full_only, fail_at):
    """The statuses a task walks through after ``after`` (a START_PIPELINE status or None for all).

    ``full_only`` drops incremental transfer; ``fail_at`` replaces the status it stands for and ends
    the walk there.
    """
    pipeline = list(START_PIPELINE[:-1] if full_only else START_PIPELINE)
    if after is not None:
        pipeline = pipeline[pipeline.index(after) + 1:]
    planned = []
    for status in pipeline:
        if fail_at and FAILURE_REPLACES[fail_at] == status:
            planned.append(fail_at)
            break
        planned.append(status)
    return planned
