# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The batch_launch role's variables - the one list of them, with their defaults - and their check and plan.

Every value is checked before the first request, each problem named by its variable, so that an operator
fixes them in one go; values come as AWX surveys and ``-e key=value`` give them too (a comma- or
space-separated string of IDs for a list, a numeric string for a number, ``true``/``false`` strings for
a flag). A ``batch_launch_*`` variable not listed here is refused with the closest known name: a typo
must not launch fewer tasks than meant. The role's ``defaults/main.yml`` and ``meta/argument_specs.yml``
agree with ``VARIABLES`` (a unit test holds them to it). Private to this collection; not a public API.
"""

import difflib
import json
import math
import re

from ansible.module_utils.common.validation import check_type_dict
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import InputError, check_id, epoch_millis, refuse_past
from ansible_collections.hwcloud.drs.plugins.module_utils._module import CONNECTION_ARGUMENT_SPEC
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import AUTO, MAINTENANCE, STATUSES
from ansible_collections.hwcloud.drs.plugins.module_utils._waiter import (
    MAX_POLL_INTERVAL, MAX_WAIT_TIMEOUT, MIN_POLL_INTERVAL, shortened,
)

PREFIX = "batch_launch_"
# The role's variables without their prefix, and their defaults (as in the role's defaults/main.yml).
VARIABLES = dict(
    async_job_ids=[], jobs=[], job_groups=[], job_filter={}, start_time=None, target_status="auto", wait_timeout=86400,
    poll_interval=60, commit_wait_timeout=1800, outage_tolerance=600, retry_failed=0, rpo_rto_max=60, precheck=True,
    precheck_timeout=900, connection={}, set_stats=True, after_commit_tasks="", before_start_tasks="",
    after_group_tasks="",
)
# The variables that name a task file of the operator's, which the role includes at that point of the launch.
TASK_FILES = ("after_commit_tasks", "before_start_tasks", "after_group_tasks")
# More retries of a task that keeps failing only hide its cause.
MAX_RETRY_FAILED = 10
# The filters of hwcloud.drs.drs_job_info that batch_launch_job_filter takes, and their types.
JOB_FILTERS = dict(name=str, name_match=str, status=(str, list), engine_type=str, db_use_type=str, job_type=str,
                   net_type=str, enterprise_project_id=str, tags=dict)
# Statuses a launch can wait for: a place in the task's life, not a failure or a maintenance state.
TARGETS = sorted(status for status, (kind, rank) in STATUSES.items() if rank is not None and kind != MAINTENANCE)


class Plan:
    """Collects every problem instead of stopping at the first: an operator fixes them in one go."""

    def __init__(self, variables):
        self.variables = variables
        self.errors = []

    def error(self, name, message):
        self.errors.append("%s%s: %s" % (PREFIX, name, message))

    def ids(self, name):
        result = []
        for index, value in enumerate(as_list(self.variables.get(name))):
            try:
                result.append(check_id(value, "%s%s[%d]" % (PREFIX, name, index)))
            except InputError as exc:
                self.errors.append(str(exc))
        return result

    def jobs(self, items, field):
        """A group: task IDs, or dicts with job_id and start_time; returns (items for drs_batch_start, IDs)."""
        jobs, ids = [], []
        for index, item in enumerate(items):
            where = "%s[%d]" % (field, index)
            try:
                if isinstance(item, dict):
                    unknown = sorted(set(item) - set(["job_id", "start_time"]))
                    if unknown:
                        raise InputError("%s: unknown key(s) %s; an element has job_id and optionally start_time"
                                         % (where, ", ".join(unknown)))
                    job_id = check_id(item.get("job_id"), where + ".job_id")
                    if item.get("start_time") is not None:
                        start_time = epoch_millis(item["start_time"], where + ".start_time")
                        refuse_past(start_time, where + ".start_time")
                        jobs.append(dict(job_id=job_id, start_time=start_time))
                    else:
                        jobs.append(job_id)
                else:
                    jobs.append(check_id(item, where))
                    job_id = item
            except InputError as exc:
                self.errors.append(str(exc))
                continue
            if job_id in ids:
                earlier = jobs[ids.index(job_id)]
                if (earlier.get("start_time") if isinstance(earlier, dict) else None) != \
                        (jobs[-1].get("start_time") if isinstance(jobs[-1], dict) else None):
                    self.errors.append("%s: task %s is listed twice with different start times" % (where, job_id))
                jobs.pop()
                continue
            ids.append(job_id)
        return jobs, ids

    def groups(self):
        groups = as_groups(self.variables.get("job_groups"))
        if groups:
            field = PREFIX + "job_groups"
        else:
            field = PREFIX + "jobs"
            groups = [as_list(self.variables.get("jobs"))]
        arranged = []
        seen = {}
        for number, group in enumerate(groups):
            where = "%s[%d]" % (field, number) if field.endswith("groups") else field
            if not isinstance(group, list):
                self.errors.append("%s: %r is not a list of task IDs" % (where, group))
                continue
            jobs, ids = self.jobs(group, where)
            for job_id in ids:
                if job_id in seen and seen[job_id] != number:
                    self.errors.append("%s: task %s is in group %d and in group %d"
                                       % (field, job_id, seen[job_id] + 1, number + 1))
                seen.setdefault(job_id, number)
            # The first group may be empty: the tasks of the async jobs and of the job filter join it.
            if not group and field.endswith("groups") and number > 0:
                self.errors.append("%s: a group is empty; remove it or give it task IDs" % where)
            arranged.append(dict(jobs=jobs, ids=ids))
        return arranged

    def number(self, name, convert, minimum, maximum):
        value = self.variables.get(name)
        try:
            if isinstance(value, bool):
                raise ValueError
            number = convert(value.strip() if isinstance(value, str) else value)
            float(number)  # a whole number too large for any clock
        except (TypeError, ValueError, OverflowError):
            shown = repr(shortened(value) if isinstance(value, str) else value)
            self.error(name, "%s is not a number of seconds" % shown)
            return None
        if math.isnan(number) or not minimum <= number <= maximum:
            self.error(name, "must be between %s and %s, got %s" % (minimum, maximum, value))
            return None
        return number

    def flag(self, name):
        value = self.variables.get(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in BOOLEANS_TRUE | BOOLEANS_FALSE:
            return value.strip().lower() in BOOLEANS_TRUE
        self.error(name, "%r is not true or false" % (value,))
        return None

    def target(self):
        value = self.variables.get("target_status")
        value = value.strip() if isinstance(value, str) else value
        if value != AUTO and value not in TARGETS:
            self.error("target_status", "%r is not auto nor a status a launch can wait for (%s)" % (value, ", ".join(TARGETS)))
        return value

    def start_time(self):
        value = self.variables.get("start_time")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            millis = epoch_millis(value, PREFIX + "start_time")
            refuse_past(millis, PREFIX + "start_time")
        except InputError as exc:
            self.errors.append(str(exc))
            return None
        return millis

    def job_filter(self):
        value = self.variables.get("job_filter") or {}
        if isinstance(value, str):  # -e batch_launch_job_filter=name=orders-*, as the argument spec allows
            try:
                value = check_type_dict(value)
            except TypeError:
                pass
        if not isinstance(value, dict):
            self.error("job_filter", "must be a mapping of drs_job_info filters (%s), such as name=orders-*"
                       % ", ".join(sorted(JOB_FILTERS)))
            return {}
        for key in sorted(value, key=str):
            if key not in JOB_FILTERS:
                self.error("job_filter", "unknown filter %s; the filters are %s" % (key, ", ".join(sorted(JOB_FILTERS))))
            elif value[key] is not None and not isinstance(value[key], JOB_FILTERS[key]):
                self.error("job_filter", "%s: %r is not a %s" % (key, value[key], "mapping" if key == "tags" else "string"))
        # An empty criterion (a survey field left blank) selects nothing less: without this, a filter
        # of blanks would select every task of the project.
        selected = dict((key, item) for key, item in value.items() if key in JOB_FILTERS and item not in (None, "", [], {}))
        if "job_type" in selected:  # drs_job_info's alias
            selected.setdefault("db_use_type", selected.pop("job_type"))
        if "name_match" in selected and "name" not in selected:
            self.error("job_filter", "name_match needs a name to match")
        if value and not set(selected) - set(["name_match"]):
            self.error("job_filter", "selects by nothing (every criterion is empty), so it would select every task "
                       "of the project; give a name, a status or another criterion, or leave it out")
            return {}
        return selected

    def task_file(self, name):
        """Checked only: the role includes the file itself, with ``include_tasks`` (which finds a relative path
        in the role's, then the playbook's directory)."""
        value = self.variables.get(name)
        if value is not None and not isinstance(value, str):
            self.error(name, "must be the path of a task file, not a %s" % type(value).__name__)

    def unknown_names(self, names):
        """Every name that is not one of the role's variables: most likely a typo of one."""
        for name in sorted(set(names) - set(VARIABLES)):
            # Compared without the prefix every name shares, which would make any two look alike.
            closest = difflib.get_close_matches(name, sorted(VARIABLES), n=1, cutoff=0.6)
            self.errors.append("%s%s: not a variable of this role%s" % (
                PREFIX, name, "; did you mean %s%s?" % (PREFIX, closest[0]) if closest
                else " (its variables: %s)" % ", ".join(PREFIX + known for known in sorted(VARIABLES))))

    def connection(self):
        """Checked only: the launch takes the connection options as its own options (the role sets them as its
        module_defaults), so no secret is copied into a variable."""
        value = self.variables.get("connection") or {}
        if not isinstance(value, dict):
            self.error("connection", "must be a mapping of connection options (endpoint, region, project_id, ...), "
                       "not a %s; on the command line give it as JSON: -e '{\"batch_launch_connection\": {...}}'"
                       % type(value).__name__)
            return
        unknown = sorted(str(key) for key in set(value) - set(CONNECTION_ARGUMENT_SPEC))
        if unknown:
            self.error("connection", "unknown option(s) %s; the options are %s"
                       % (", ".join(unknown), ", ".join(sorted(CONNECTION_ARGUMENT_SPEC))))


def launch_plan(variables):
    """The checked and converted values of the role's ``variables`` (without their prefix; those left out
    take their default), the launch groups as named by the variables, and ``errors`` (empty when all is well)."""
    plan = Plan(dict(VARIABLES, **variables))
    plan.unknown_names(variables)
    plan.connection()
    for name in TASK_FILES:
        plan.task_file(name)
    async_job_ids = plan.ids("async_job_ids")
    groups = plan.groups()
    result = dict(
        async_job_ids=async_job_ids,
        start_time=plan.start_time(),
        target_status=plan.target(),
        wait_timeout=plan.number("wait_timeout", int, 1, MAX_WAIT_TIMEOUT),
        poll_interval=plan.number("poll_interval", float, MIN_POLL_INTERVAL, MAX_POLL_INTERVAL),
        commit_wait_timeout=plan.number("commit_wait_timeout", int, 1, MAX_WAIT_TIMEOUT),
        outage_tolerance=plan.number("outage_tolerance", int, 0, MAX_WAIT_TIMEOUT),
        retry_failed=plan.number("retry_failed", int, 0, MAX_RETRY_FAILED),
        rpo_rto_max=plan.number("rpo_rto_max", int, 1, MAX_WAIT_TIMEOUT),
        job_filter=plan.job_filter(),
        precheck=plan.flag("precheck"),
        precheck_timeout=plan.number("precheck_timeout", int, 1, MAX_WAIT_TIMEOUT),
        set_stats=plan.flag("set_stats"),
    )
    if not async_job_ids and not any(group["ids"] for group in groups) and not result["job_filter"] and not plan.errors:
        plan.errors.append("Nothing to launch: set %sasync_job_ids, %sjobs, %sjob_groups or %sjob_filter (an empty "
                           "survey answer leaves them empty)" % (PREFIX, PREFIX, PREFIX, PREFIX))
    result.update(groups=groups, errors=plan.errors)
    return result


def arranged(groups, async_task_ids=(), unplanned=()):
    """The launch groups of a plan once the tasks of the committed async jobs and of the job filter are known:
    those ``async_task_ids`` no group names join the first group; ``unplanned`` (check mode, the tasks of async
    jobs not committed yet) leave every group; empty groups go."""
    named = set(job_id for group in groups for job_id in group["ids"])
    extra = [job_id for job_id in dict.fromkeys(async_task_ids) if job_id not in named]
    groups = list(groups)
    if groups:
        groups[0] = dict(jobs=groups[0]["jobs"] + extra, ids=groups[0]["ids"] + extra)
    if unplanned:
        groups = [without(group, set(unplanned)) for group in groups]
    return [group for group in groups if group["ids"]]


def without(group, task_ids):
    """The group without the tasks that do not exist yet (check mode, before a commit)."""
    return dict(jobs=[job for job in group["jobs"] if (job["job_id"] if isinstance(job, dict) else job) not in task_ids],
                ids=[job_id for job_id in group["ids"] if job_id not in task_ids])


def as_list(value):
    """A list as given, or one from a string of IDs separated by commas or spaces (or a JSON list)."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                return parsed
        return [part for part in re.split(r"[\s,]+", text) if part]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def as_groups(value):
    """Groups as given, or from a string: groups separated by ';', IDs by commas or spaces (or JSON)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = as_list(text)
            return [as_list(group) if isinstance(group, str) else group for group in parsed]
        return [as_list(part) for part in text.split(";") if part.strip()]
    return as_list(value)
