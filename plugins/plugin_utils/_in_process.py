# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a hwcloud.drs module's step in the controller's process, as the module's own process would.

A module run as a process costs half a second before it sends its first request, and its
answer for 10,000 tasks costs more than that again to write, read back and hand through
Ansible's result handling. drs_batch_launch runs the modules' steps (module_utils) here instead:
the same argument spec (defaults, environment fallbacks, types), the same checks and the same
answer, with every value of a ``no_log`` option masked in it, only without the process. The step
gets a controller ``RunContext``; its warnings and deprecations come back in the answer.
Private to this collection; not a public API.
"""

import functools
import json

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.hwcloud.drs.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import InputError
from ansible_collections.hwcloud.drs.plugins.module_utils._module import (
    DrsStep, ModuleFailure, answer, build_client, secret_values,
)


def run_step(step_class, args, check_mode=False, diff=False, client=None, no_log_values=(), known=None):
    """The answer of ``step_class`` (a DrsStep) to ``args``: its result, or ``failed`` and ``msg``, as its
    module would give it, with ``warnings`` and ``deprecations`` as plain messages and dicts.

    ``client``, from ``connect()``, is shared by the runs of one launch; ``no_log_values`` are
    masked in the answer as well as the run's own; ``known`` (a ``Known``) is what the launch read
    moments ago, which the step then need not read again.
    """
    if not HAS_REQUESTS:
        return dict(failed=True, msg=missing_required_lib("requests"))
    try:
        params, context = checked(step_class, args, check_mode, diff, no_log_values)
    except ModuleFailure as failure:
        return dict(failure.result, failed=True)
    if known is not None:
        context.known = known
    try:
        result = answer(step_class, params, context, client)
    except ModuleFailure as failure:
        result = dict(failure.result, failed=True)
    if context.warnings:
        result["warnings"] = context.warnings
    if context.deprecations:
        result["deprecations"] = context.deprecations
    # no_log_values again: the shared client may have fetched a new IAM token during the run.
    return masked(result, context.no_log_values | set(no_log_values))


def checked(step_class, args, check_mode=False, diff=False, no_log_values=()):
    """(validated parameters, controller RunContext) for ``args`` checked against the step's argument spec;
    ModuleFailure (its message masked) when they do not pass."""
    validator = argument_validator(step_class)
    validation = validator.validate(args)
    params = validation.validated_parameters
    context = RunContext.for_controller(check_mode, diff, secret_values(validator.argument_spec, params) | set(no_log_values))
    if validation.error_messages:
        raise ModuleFailure(masked(dict(msg="; ".join(validation.error_messages)), context.no_log_values))
    return params, context


@functools.lru_cache(maxsize=None)
def argument_validator(step_class):
    """The validator of a step's argument spec, built once: building one takes longer than a small run's work."""
    return ArgumentSpecValidator(step_class.full_argument_spec())


def connect(connection):
    """(client, no_log_values, warnings) for the connection options; ModuleFailure when they cannot be used.

    The set of ``no_log`` values grows when the client fetches an IAM token: pass it to every run.
    """
    params, context = checked(DrsStep, connection)
    try:
        client = build_client(params, context)
    except InputError as exc:
        raise ModuleFailure(dict(msg=str(exc)))
    return client, context.no_log_values, context.warnings


def masked(result, no_log_values):
    """``result`` with every ``no_log`` value masked, as a module's own answer has them.

    ``remove_values`` copies every string of the result, seconds for 10,000 tasks, so it runs
    only when a value turns up in the result's JSON text (raw or as JSON escapes it); a
    result with no secret in it is returned as it is.
    """
    values = [value for value in no_log_values if value]
    if not values:
        return result
    text = json.dumps(result, ensure_ascii=False, default=str)
    if any(value in text or json.dumps(value, ensure_ascii=False)[1:-1] in text for value in values):
        return remove_values(result, no_log_values)
    return result
