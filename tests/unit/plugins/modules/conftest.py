# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module runs in one process share ansible's list of warnings: each test starts with an empty one."""

import pytest

from ansible.module_utils.common import warnings


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(warnings, "_global_warnings", type(warnings._global_warnings)())
