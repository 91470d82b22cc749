# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The job list step (drs_job_info), and which DRS tasks a filter selects: the filters of drs_job_info,
which the event source drs_job_status takes as its ``job_filter``. The tasks are listed page by page,
filtered by the API where it can and here where it cannot (a name matched as a glob or a regular
expression).

Private to this collection; not a public API.
"""

import fnmatch
import re

from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import InputError
from ansible_collections.hwcloud.drs.plugins.module_utils._module import DrsStep
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import status_class, unknown_names

FILTER_ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    name_match=dict(type="str", default="glob", choices=["glob", "exact", "regex"]),
    status=dict(type="list", elements="str"),
    engine_type=dict(type="str"),
    db_use_type=dict(type="str", aliases=["job_type"]),
    net_type=dict(type="str"),
    enterprise_project_id=dict(type="str"),
    tags=dict(type="dict"),
)

# Filters the API applies itself: option name -> QueryJobsReq field.
SERVER_FILTERS = dict(engine_type="engine_type", db_use_type="db_use_type", net_type="net_type",
                      enterprise_project_id="enterprise_project_id", tags="tags")
# JobInfo fields returned for each task, and ChildrenJobInfo fields for each subtask.
TASK_FIELDS = ("id", "name", "status", "description", "create_time", "engine_type", "db_use_type", "net_type",
               "task_type", "job_direction")
CHILD_FIELDS = ("id", "name", "status", "create_time", "engine_type", "db_use_type", "net_type", "task_type",
                "job_direction", "error_msg")
GLOB_WILDCARDS = re.compile(r"[*?\[]")


class DrsJobInfo(DrsStep):
    argument_spec = FILTER_ARGUMENT_SPEC
    action = "list DRS tasks"

    def run(self):
        jobs = list_tasks(self.client, self.params, self.context.warn)
        return dict(changed=False, jobs=jobs, job_ids=[job["id"] for job in jobs])


def list_tasks(client, params, warn):
    """The tasks that the filter options in ``params`` (FILTER_ARGUMENT_SPEC) select, each once, as
    ``task_entry`` dicts in the order the API lists them; ``warn`` gets the warnings."""
    matches_name, server_name = name_filter(params["name"], params["name_match"])
    filters = dict((field, params[option]) for option, field in SERVER_FILTERS.items()
                   if params[option] not in (None, "", {}))
    if server_name is not None:
        filters["name"] = server_name
    statuses = list(dict.fromkeys(params["status"] or []))
    for name in unknown_names(statuses):
        warn("status: %s is not a status DRS is known to report; check its spelling" % name)

    listed = []
    for status in statuses or [None]:
        listed.extend(client.list_jobs(dict(filters, status=status) if status else filters))
    tasks = []
    seen = set()
    for record in listed:
        if record.get("id") in seen or not matches_name(record.get("name")):
            continue
        seen.add(record.get("id"))
        tasks.append(task_entry(record))
    return tasks


def name_filter(name, how):
    """(a test of a task's name, the name to send to the API or None)."""
    if name is None:
        return (lambda task_name: True), None
    if how == "regex":
        try:
            pattern = re.compile(name)
        except re.error as exc:
            raise InputError("name: %r is not a valid regular expression: %s" % (name, exc))
        return (lambda task_name: isinstance(task_name, str) and pattern.search(task_name) is not None), None
    if how == "glob" and GLOB_WILDCARDS.search(name):
        return (lambda task_name: isinstance(task_name, str) and fnmatch.fnmatchcase(task_name, name)), None
    # The API may search for the name inside names: keep only the exact matches.
    return (lambda task_name: task_name == name), name


def task_entry(record):
    entry = dict((field, record.get(field)) for field in TASK_FIELDS)
    entry["status_class"] = status_class(entry["status"])
    children = record.get("children")
    entry["children"] = [child_entry(child) for child in children if isinstance(child, dict)] \
        if isinstance(children, list) else []
    return entry


def child_entry(record):
    entry = dict((field, record.get(field)) for field in CHILD_FIELDS)
    entry["status_class"] = status_class(entry["status"])
    return entry
