# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's ``main()`` in-process with given args and return what it printed."""

import json

import pytest

from ansible_collections.hwcloud.drs.tests.support.modules import HW_VARIABLES, ModuleRun, module_args

PROJECT_ID = "054ba152d480d55b2f5dc0069e7ddef0"


@pytest.fixture
def run_module(capsys, monkeypatch):
    """``run_module(main, args, check_mode=False, diff=False)`` -> ModuleRun with the printed JSON."""
    for name in HW_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("time.sleep", lambda seconds: None)

    def run(main, args, check_mode=False, diff=False):
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        capsys.readouterr()
        with module_args(args):
            with pytest.raises(SystemExit) as stopped:
                main()
        output = capsys.readouterr().out
        return ModuleRun(json.loads(output), output, exit_code=stopped.value.code)

    return run


@pytest.fixture
def token_args(httpserver):
    return {"endpoint": httpserver.url_for("/").rstrip("/"), "project_id": PROJECT_ID,
            "auth_token": "tok-SECRET-0123456789", "retries": 1}
