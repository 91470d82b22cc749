# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the test folders share; ``tests/conftest.py`` makes it importable and offers its fixtures.

- ``modules``: running a module's ``main()`` in-process (args, ``HW_*`` variables, warnings);
- ``playbooks``: real ``ansible-playbook`` runs (environment, timeout, process tree).
"""

import os

# realpath: imported through the temp ansible_collections view, __file__ is the link's path.
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
SIMULATOR_DIR = os.path.join(REPO_ROOT, "simulator")
