# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running a module's ``main()`` in the test's process, on every supported ansible-core."""

import contextlib
import json

from ansible.module_utils.common import warnings as ansible_warnings

try:
    from ansible.module_utils import _internal
except ImportError:  # before ansible-core 2.19 module warnings always go to the result
    _internal = None

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 reads the args from basic._ANSIBLE_ARGS
    from unittest import mock

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}))):
            yield

# Every environment variable a connection option falls back to.
HW_VARIABLES = ("HW_DRS_ENDPOINT", "HW_REGION_NAME", "HW_PROJECT_ID", "HW_AUTH_TOKEN", "HW_ACCESS_KEY", "HW_SECRET_KEY",
                "HW_SECURITY_TOKEN", "HW_USER_NAME", "HW_PASSWORD", "HW_DOMAIN_NAME", "HW_AUTH_URL", "HW_LANGUAGE")


@contextlib.contextmanager
def module_args(args):
    """``args`` as the module's arguments, its warnings reported in its result.

    Once a controller plugin is imported (the action plugin tests do), ansible-core 2.19 sends
    module warnings to the controller's display instead of the result; a module runs on a target.
    """
    # Warnings and deprecations are module-global in ansible-core: they would leak from the run before.
    for name in ("_global_warnings", "_global_deprecations"):
        getattr(ansible_warnings, name, []).clear()
    with contextlib.ExitStack() as patches:
        # ansible-core 2.18 has the package, not the flag: its module warnings go to the result.
        if getattr(_internal, "is_controller", None) is not None:
            patches.callback(setattr, _internal, "is_controller", _internal.is_controller)
            _internal.is_controller = False
        patches.enter_context(patch_module_args(args))
        yield


class ModuleRun:
    """What one run of a module's ``main()`` in the test's process printed and did."""

    def __init__(self, result, output, exit_code=None, error=None, elapsed=None, sleeps=()):
        self.result = result
        self.output = output
        self.exit_code = exit_code
        self.error = error          # a traceback when main() raised instead of exiting
        self.elapsed = elapsed
        self.sleeps = list(sleeps)  # seconds the module asked to sleep (skipped)

    @property
    def failed(self):
        return bool(self.result.get("failed"))

    @property
    def msg(self):
        return self.result.get("msg") or ""

    @property
    def warnings(self):
        """Warning texts (ansible-core 2.19 reports them as structured summaries)."""
        return [json.dumps(warning) if not isinstance(warning, str) else warning
                for warning in self.result.get("warnings", [])]

    @property
    def traceback(self):
        """The traceback, if the module crashed instead of reporting (None when it did not)."""
        if self.error:
            return self.error
        if "exception" in self.result or "Traceback (most recent call last)" in self.output:
            return self.result.get("exception") or self.output
        return None
