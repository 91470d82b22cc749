# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the demo playbook of an INSTALLED hwcloud.drs against the DRS simulator, twice.

Usage: installed_demo.py COLLECTIONS_PATH ANSIBLE_PLAYBOOK [--speed N]

COLLECTIONS_PATH holds ``ansible_collections/hwcloud/drs`` as ``ansible-galaxy collection
install`` left it; the playbook is that copy's ``examples/launch_batch.yml`` and Ansible sees
no other collection path, so what runs is what a user gets from the tarball. The simulator
(from this repository, not shipped) plays ``simulator/scenarios/demo.yml``. The first run must
commit both async jobs and start all 20 tasks; the second must change nothing. Neither may print
a Python warning (``file.py:N: SomeWarning: ...``): a dependency's warning is what a user would
see first, and is pinned away in requirements/ (see cryptography there).
Exit 0 when both runs are right; otherwise prints the playbook output and exits 1.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, "simulator"))

from drs_simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position

EXPECTED = (
    ("first run", [r"Launched: 20 tasks \(20 started, 0 already started\), 2 async jobs committed",
                   r"status: INCRE_TRANSFER_STARTED=20", r"localhost\s*: ok=\d+\s+changed=[1-9]\d*\s+unreachable=0\s+failed=0"]),
    ("second run", [r"Launched: 20 tasks \(0 started, 20 already started\), in ",
                    r"localhost\s*: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0"]),
)
# How Python's warnings module prints a warning: "path.py:LINE: CategoryWarning: message".
PYTHON_WARNING = re.compile(r"^\S+\.py:\d+: \w*Warning: .*$", re.MULTILINE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collections_path")
    parser.add_argument("ansible_playbook")
    parser.add_argument("--speed", type=float, default=20.0, help="simulated seconds per real second (default 20)")
    args = parser.parse_args()

    installed = os.path.join(args.collections_path, "ansible_collections", "hwcloud", "drs")
    playbook = os.path.join(installed, "examples", "launch_batch.yml")
    if not os.path.isfile(playbook):
        print("no installed demo playbook at %s" % playbook)
        return 1

    sim = Simulator(scenario=os.path.join(REPO_ROOT, "simulator", "scenarios", "demo.yml"), speed=args.speed)
    sim.start()
    try:
        with tempfile.TemporaryDirectory(prefix="hwcloud-drs-installed-") as work:
            env = dict((key, value) for key, value in os.environ.items() if not key.startswith("HW_"))
            env.update({
                "HW_DRS_ENDPOINT": sim.url, "HW_PROJECT_ID": sim.project_id, "HW_AUTH_TOKEN": sim.auth_token,
                # Only the installed copy: no ~/.ansible/collections, no checkout.
                "ANSIBLE_COLLECTIONS_PATH": os.path.abspath(args.collections_path),
                "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
                "ANSIBLE_LOCAL_TEMP": os.path.join(work, "tmp"), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_DISPLAY_SKIPPED_HOSTS": "false",
            })
            for label, patterns in EXPECTED:
                began = time.monotonic()
                command = [os.path.abspath(args.ansible_playbook), "-i", "localhost,", playbook, "-e", "drs_poll_interval=1"]
                completed = subprocess.run(command,
                                           cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False)
                output = completed.stdout + completed.stderr
                missing = [pattern for pattern in patterns if not re.search(pattern, output)]
                warnings = PYTHON_WARNING.findall(output)
                if completed.returncode != 0 or missing or warnings:
                    print(output)
                    print("%s of the installed demo: exit %s; missing: %s; Python warnings: %s"
                          % (label, completed.returncode, missing, warnings))
                    return 1
                summary = re.search(r'"msg": "(?:Launched: )?(\d+ tasks .*?)"', output)
                print("%s: ok in %.1fs (%s)" % (label, time.monotonic() - began, summary.group(1) if summary else "?"))
            role = os.path.join(installed, "roles", "batch_launch")
            if not os.path.isdir(role):
                print("the installed collection has no role batch_launch")
                return 1
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
