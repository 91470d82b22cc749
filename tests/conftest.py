# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make ``ansible_collections.hwcloud.drs`` importable and findable from any checkout.

The repository root is the collection root. When the checkout does not already sit at
``.../ansible_collections/hwcloud/drs``, a temporary tree links to it there; its base goes on
``sys.path`` (unit tests import the plugins) and is offered as ``collections_path`` (for
``ansible-playbook`` runs through ``ANSIBLE_COLLECTIONS_PATH``).
"""

import atexit
import os
import shutil
import sys
import tempfile

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _collections_base():
    parent = os.path.dirname(REPO_ROOT)
    if os.path.basename(REPO_ROOT) == "drs" and os.path.basename(parent) == "hwcloud" \
            and os.path.basename(os.path.dirname(parent)) == "ansible_collections":
        return os.path.dirname(os.path.dirname(parent))
    base = tempfile.mkdtemp(prefix="hwcloud-drs-collections-")
    atexit.register(shutil.rmtree, base, True)
    os.makedirs(os.path.join(base, "ansible_collections", "hwcloud"))
    os.symlink(REPO_ROOT, os.path.join(base, "ansible_collections", "hwcloud", "drs"))
    return base


COLLECTIONS_BASE = _collections_base()
if COLLECTIONS_BASE not in sys.path:
    sys.path.insert(0, COLLECTIONS_BASE)


@pytest.fixture(scope="session")
def collections_path():
    return COLLECTIONS_BASE
