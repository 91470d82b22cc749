# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's demo command keeps working."""

import os
import subprocess
import sys

from ansible_collections.hwcloud.drs.tests.support import REPO_ROOT


def test_demo_launches_the_whole_batch(tmp_path):
    environment = dict(os.environ, VENV_DIR=os.path.dirname(os.path.dirname(sys.executable)), TMPDIR=str(tmp_path),
                       ANSIBLE_NOCOLOR="1")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "scripts", "demo.sh")], env=environment,
                               capture_output=True, text=True, timeout=300, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "20 tasks (20 started, 0 already started), 2 async jobs committed" in output
    assert "status: INCRE_TRANSFER_STARTED=20" in output
    assert "Simulator stopped" in output
    assert os.listdir(str(tmp_path)) == [], "the demo cleans up after itself"
