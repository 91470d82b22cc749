# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every test folder shares: the collection and the simulator importable, and fixtures.

The repository root is the collection root. When the checkout does not already sit at
``.../ansible_collections/hwcloud/drs``, a temporary tree links to it there; its base goes on
``sys.path`` (tests import the plugins and ``tests/support``) and is offered as
``collections_path`` (for ``ansible-playbook`` runs through ``ANSIBLE_COLLECTIONS_PATH``).
``simulator/`` goes on ``sys.path`` here and nowhere else, so ``drs_simulator`` imports as is.

Fixtures: ``collections_path``, ``make_sim`` (with ``sim_options``, which a folder may
override), ``start_playbook`` and ``run_playbook``.
"""

import atexit
import json
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
for _path in (COLLECTIONS_BASE, os.path.join(REPO_ROOT, "simulator")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

# Importable only now that the collection base is on sys.path.
from ansible_collections.hwcloud.drs.tests.support import playbooks  # noqa: E402  pylint: disable=wrong-import-position
from drs_simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def collections_path():
    return COLLECTIONS_BASE


@pytest.fixture
def sim_options():
    """Default keyword arguments of ``make_sim`` (the simulator's own tests freeze its clock)."""
    return {}


@pytest.fixture
def make_sim(sim_options):
    """``make_sim(scenario, **options)`` starts a simulator on 127.0.0.1; all are stopped after the test."""
    started = []

    def make(scenario=None, **options):
        sim = Simulator(scenario=scenario, host="127.0.0.1", port=0, **dict(sim_options, **options)).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def start_playbook(request, collections_path, tmp_path):
    """``start_playbook(name, sim, extra_vars, ...)`` -> a running ``playbooks.Playbook``; see ``run_playbook``."""
    running = []

    def start(playbook, sim, extra_vars=None, check=False, env=None, args=(), inventory="localhost,", auth="token"):
        results_file = str(tmp_path / ("results-%d.json" % len(running)))
        variables = dict(extra_vars or {}, results_file=results_file)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, "-c", "local",
                   os.path.join(str(request.path.parent), "playbooks", playbook), "-e", json.dumps(variables)]
        command += list(args) + (["--check"] if check else [])
        run = playbooks.Playbook(command, playbooks.environment(collections_path, str(tmp_path), sim, auth, env),
                                 str(tmp_path), results_file)
        running.append(run)
        return run

    yield start
    for run in running:
        run.stop()


@pytest.fixture
def run_playbook(start_playbook):
    """Run a playbook of ``playbooks/`` beside the test file against ``sim``; returns a ``PlaybookRun``.

    ``auth`` "token" (the default) puts the simulator's token in HW_AUTH_TOKEN; None leaves
    credentials to the playbook. The playbook may write what the test needs to ``results_file``
    (an extra var) as JSON.
    """
    def run(playbook, sim, extra_vars=None, **options):
        return start_playbook(playbook, sim, extra_vars, **options).wait()

    return run
