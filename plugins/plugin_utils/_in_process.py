# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a hwcloud.drs module's code in the controller's process, as its own process would.

A module run as a process costs half a second before it sends its first request, and its
answer for 10,000 tasks costs more than that again to write, read back and hand through
Ansible's result handling. drs_batch_launch runs the modules' code here instead: the same
argument spec (defaults, environment fallbacks, types), the same checks and the same answer,
with every value of a ``no_log`` option masked in it, only without the process.
Private to this collection; not a public API.
"""

import functools
import json

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.hwcloud.drs.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import InputError
from ansible_collections.hwcloud.drs.plugins.module_utils._module import DrsModule, ModuleFailure


class ControllerModule:
    """What a DrsModule uses of AnsibleModule."""

    def __init__(self, params, no_log_values, check_mode, diff):
        self.params = params
        self.no_log_values = set(no_log_values)
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)


def run_module(module_class, args, check_mode=False, diff=False, client=None, no_log_values=()):
    """The answer of ``module_class`` (a DrsModule) to ``args``: its result, or ``failed`` and ``msg``.

    ``client``, from ``connect()``, is shared by the runs of one launch; ``no_log_values`` are
    masked in the answer as well as the run's own.
    """
    if not HAS_REQUESTS:
        return dict(failed=True, msg=missing_required_lib("requests"))
    try:
        module = controller_module(module_class, args, check_mode, diff, no_log_values)
    except ModuleFailure as failure:
        return dict(failure.result, failed=True)
    try:
        result = module_class(module).answer(client)
    except ModuleFailure as failure:
        result = dict(failure.result, failed=True)
    if module.warnings:
        result["warnings"] = module.warnings
    # no_log_values again: the shared client may have fetched a new IAM token during the run.
    return masked(result, module.no_log_values | set(no_log_values))


def controller_module(module_class, args, check_mode=False, diff=False, no_log_values=()):
    """The stand-in for AnsibleModule, with ``args`` checked against the module's argument spec;
    ModuleFailure (its message masked) when they do not pass."""
    validation = argument_validator(module_class).validate(args)
    module = ControllerModule(validation.validated_parameters,
                              set(validation._no_log_values) | set(no_log_values),  # pylint: disable=protected-access
                              check_mode, diff)
    if validation.error_messages:
        raise ModuleFailure(masked(dict(msg="; ".join(validation.error_messages)), module.no_log_values))
    return module


@functools.lru_cache(maxsize=None)
def argument_validator(module_class):
    """The validator of a module's argument spec, built once: building one takes longer than a small run's work."""
    return ArgumentSpecValidator(module_class.full_argument_spec())


def connect(connection):
    """(client, no_log_values, warnings) for the connection options; ModuleFailure when they cannot be used.

    The set of ``no_log`` values grows when the client fetches an IAM token: pass it to every run.
    """
    module = controller_module(DrsModule, connection)
    try:
        client = DrsModule(module).build_client()
    except InputError as exc:
        raise ModuleFailure(dict(msg=str(exc)))
    return client, module.no_log_values, module.warnings


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
