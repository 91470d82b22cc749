# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real ``ansible-playbook`` runs of ``playbooks/`` against a DRS simulator the test starts on 127.0.0.1.

``make_sim`` and ``run_playbook`` come from ``tests/conftest.py``.
"""


def writes(sim):
    """The write requests (start, commit) the simulator received."""
    return [entry for entry in sim.request_log if entry["route"] in ("batch-starting", "commit")]
