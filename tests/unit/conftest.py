# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's ``main()`` in-process with given args and return what it printed."""

import json

import pytest

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 reads the args from basic._ANSIBLE_ARGS
    import contextlib
    from unittest import mock

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}))):
            yield

PROJECT_ID = "054ba152d480d55b2f5dc0069e7ddef0"


class ModuleRun:
    def __init__(self, exit_code, result, output):
        self.exit_code = exit_code
        self.result = result
        self.output = output

    @property
    def failed(self):
        return bool(self.result.get("failed"))


@pytest.fixture
def run_module(capsys, monkeypatch):
    """``run_module(main, args, check_mode=False, diff=False)`` -> ModuleRun with the printed JSON."""
    for name in ("HW_DRS_ENDPOINT", "HW_REGION_NAME", "HW_PROJECT_ID", "HW_AUTH_TOKEN", "HW_ACCESS_KEY",
                 "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HW_USER_NAME", "HW_PASSWORD", "HW_DOMAIN_NAME",
                 "HW_AUTH_URL", "HW_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    # Importing a controller plugin (the action plugin tests do) makes ansible-core 2.19 send module
    # warnings to the controller's display instead of the result; a module runs on a target.
    try:
        from ansible.module_utils import _internal
    except ImportError:  # before 2.19 module warnings always go to the result
        pass
    else:
        monkeypatch.setattr(_internal, "is_controller", False)

    def run(main, args, check_mode=False, diff=False):
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        capsys.readouterr()
        with patch_module_args(args):
            with pytest.raises(SystemExit) as stopped:
                main()
        output = capsys.readouterr().out
        return ModuleRun(stopped.value.code, json.loads(output), output)

    return run


@pytest.fixture
def token_args(httpserver):
    return {"endpoint": httpserver.url_for("/").rstrip("/"), "project_id": PROJECT_ID,
            "auth_token": "tok-SECRET-0123456789", "retries": 1}
