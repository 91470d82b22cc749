"""The task list (POST /v3/{project_id}/jobs, SDK ShowJobList): filters and JobInfo entries.

Only top-level tasks are listed; a parent's children come inside it, in scenario order. The
filters are those of the SDK's QueryJobsReq; how each matches is documented in the README.
"""

from . import statuses as st

# The actions JobActionResp can name that the simulator tells apart; the rest are never offered.
ACTIONS = ("PRE_CHECK", "QUERY_PRE_CHECK", "START", "MODIFY_CONFIGURATION", "PAUSE", "CHANGE", "RETRY", "RESET",
           "FREE_RESOURCE", "DELETE")
_RUNNING = (st.STARTJOBING, st.FULL_TRANSFER_STARTED, st.FULL_TRANSFER_COMPLETE, st.INCRE_TRANSFER_STARTED)


def available_actions(task):
    if task.status == st.CONFIGURATION:
        actions = ["PRE_CHECK", "QUERY_PRE_CHECK", "MODIFY_CONFIGURATION", "DELETE"]
        if not task.spec.child_ids:
            actions.insert(2, "START")  # the seed page: a parent task cannot be started
        return actions
    if task.status in _RUNNING:
        return ["PAUSE", "CHANGE", "FREE_RESOURCE"]
    if task.status in st.FAILED_STATUSES:
        return ["RETRY", "RESET", "FREE_RESOURCE"]
    if task.status in (st.RELEASE_RESOURCE_COMPLETE, st.CREATE_FAILED):
        return ["DELETE"]
    return []


def _job_action(task):
    available = available_actions(task)
    return {"available_actions": available, "unavailable_actions": [action for action in ACTIONS if action not in available],
            "current_action": None}


def _common(task):
    spec = task.spec
    return {
        "id": task.id,
        "name": spec.name,
        "status": task.status,
        "create_time": str(int(task.created_at * 1000)),
        "description": spec.description,
        "engine_type": spec.engine_type,
        "net_type": spec.net_type,
        "billing_tag": False,
        "job_direction": spec.job_direction,
        "db_use_type": spec.db_use_type,
        "task_type": task.task_mode,
        "node_newFramework": True,
        "job_action": _job_action(task),
    }


def child_info(task, failure_message):
    """A ChildrenJobInfo; error_msg only for a child in a failed status."""
    entry = _common(task)
    if failure_message:
        entry["error_msg"] = failure_message
    return entry


def job_info(task, children):
    """A JobInfo with its ChildrenJobInfo list (empty for a task without children)."""
    entry = _common(task)
    entry["children"] = children
    return entry


def matches(task, filters):
    """Whether a top-level task passes every given filter (see the README for each rule)."""
    spec = task.spec
    # a deleted task is gone from the list, unless the status filter asks for deleted ones (a value the SDK allows)
    if task.status == st.DELETED and filters.get("status") != st.DELETED:
        return False
    if "instance_ids" in filters and not set(filters["instance_ids"]) & set(task.instance_ids):
        return False
    terms = filters.get("name")
    if terms is not None and not any(term == task.id or term.lower() in (spec.name or "").lower() for term in terms):
        return False
    if "status" in filters and task.status != filters["status"]:
        return False
    for key in ("engine_type", "db_use_type", "net_type", "enterprise_project_id"):
        if key in filters and getattr(spec, key) != filters[key]:
            return False
    return all(spec.tags.get(key) == value for key, value in filters.get("tags", {}).items())
