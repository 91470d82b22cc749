# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The run context of a step: everything a step knows of its run besides its client and parameters.

A step (drs_batch_start's, drs_batch_status's, ...) runs in two places: in its module's own
process, where AnsibleModule holds the run, and in the controller's process, where
drs_batch_launch runs it. Both build this context, each with its constructor, and a step uses
nothing else of either: check mode, diff mode, the no_log values kept out of its answer, and
where its warnings and deprecations go. Private to this collection; not a public API.
"""

COLLECTION = "hwcloud.drs"


class RunContext:
    """``check_mode`` and ``diff`` (booleans), ``no_log_values`` (a set, which a step may add to: the
    client adds each IAM token it fetches), ``warn(msg)`` and ``deprecate(msg, version)``. On the
    controller ``warnings`` and ``deprecations`` hold what the step said; in a module process they are
    None, as AnsibleModule holds them.

    A blank value is no secret (it counts as unset, see ``header_credential``) and masking it would
    turn every space of every message into ``********``: the set is rid of them here.
    """

    def __init__(self, check_mode, diff, no_log_values, warn, deprecate):
        self.check_mode = bool(check_mode)
        self.diff = bool(diff)
        self.no_log_values = no_log_values
        self.no_log_values.difference_update([value for value in no_log_values if not str(value).strip()])
        self.warn = warn
        self.deprecate = deprecate
        self.warnings = self.deprecations = None
        self.known = Known()

    @classmethod
    def from_module(cls, module):
        """The context of a module process: ``module`` (an AnsibleModule) masks its answer with its own
        ``no_log_values`` (this very set) and returns its warnings and deprecations itself."""

        def deprecate(msg, version):
            module.deprecate(msg, version=version, collection_name=COLLECTION)

        # AnsibleModule keeps diff mode only as ``_diff``: ansible-core (2.19 to 2.21) has no public name for it.
        return cls(module.check_mode, module._diff, module.no_log_values, module.warn, deprecate)  # pylint: disable=protected-access

    @classmethod
    def for_controller(cls, check_mode=False, diff=False, no_log_values=()):
        """The context of a step run in the controller's process (drs_batch_launch), or of a client built
        outside any module (the event source drs_job_status): its warnings and deprecations are kept in
        ``warnings`` and ``deprecations``, for the caller to return or show."""
        warnings, deprecations = [], []

        def deprecate(msg, version):
            deprecations.append(dict(msg=msg, version=version, collection_name=COLLECTION))

        context = cls(check_mode, diff, set(no_log_values), warnings.append, deprecate)
        context.warnings, context.deprecations = warnings, deprecations
        return context


class Known:
    """What the run that holds a step read moments ago, so that the step need not read it again:
    ``statuses`` (task ID -> ``{id, status, error_code, error_message}``) and ``fresh`` (IDs of the
    tasks its own commit created, which have no earlier precheck). Empty in a module process, where
    each run starts from nothing; drs_batch_launch fills it on the controller."""

    def __init__(self, statuses=None, fresh=()):
        self.statuses = dict(statuses or {})
        self.fresh = frozenset(fresh)

    def statuses_of(self, job_ids):
        """The known entries of ``job_ids``, in order, or None unless every one is known."""
        if not job_ids or any(job_id not in self.statuses for job_id in job_ids):
            return None
        return [self.statuses[job_id] for job_id in dict.fromkeys(job_ids)]
