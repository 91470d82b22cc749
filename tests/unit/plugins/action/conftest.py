# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An action plugin's controller-side wait with the module's answers scripted and a fake clock."""

from unittest import mock

import pytest

from ansible_collections.hwcloud.drs.plugins.module_utils import _waiter
from ansible_collections.hwcloud.drs.plugins.plugin_utils import _polling


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(_waiter.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(_waiter.time, "sleep", fake.sleep)
    return fake


@pytest.fixture
def action_runner(clock, monkeypatch):
    """``action_runner(action, module_name)`` -> ``run(args, answers)`` -> (result, module args of each run, lines displayed)."""
    lines = []
    monkeypatch.setattr(_polling.display, "display", lambda text, *args, **kwargs: lines.append(text))

    def runner(action, expected_module):
        def run(args, answers):
            task = mock.MagicMock(args=args, async_val=0, check_mode=False)
            plugin = action.ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=None,
                                         shared_loader_obj=None)
            plugin._connection._shell.tmpdir = "/nonexistent"
            scripted = iter(answers)
            calls = []

            def execute_module(module_name, module_args, task_vars):  # the plugin passes them by name
                assert module_name == expected_module
                calls.append(module_args)
                clock.now += 0.4  # one module run
                return dict(next(scripted))

            plugin._execute_module = execute_module
            return plugin.run(task_vars={}), calls, lines

        return run

    return runner
