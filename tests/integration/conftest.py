# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real ``ansible-playbook`` runs against a DRS simulator the test starts on 127.0.0.1."""

import json
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks")
sys.path.insert(0, os.path.join(REPO_ROOT, "simulator"))

from drs_simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK_TIMEOUT = 300


@pytest.fixture
def simulator():
    """``simulator(scenario_dict_or_path, **kwargs)`` starts a simulator; all are stopped after the test."""
    started = []

    def start(scenario, **kwargs):
        sim = Simulator(scenario=scenario, **kwargs)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


class PlaybookRun:
    def __init__(self, completed, results_file):
        self.rc = completed.returncode
        self.output = completed.stdout + completed.stderr
        self.results = {}
        if os.path.exists(results_file):
            with open(results_file) as handle:
                self.results = json.load(handle)


@pytest.fixture
def run_playbook(collections_path, tmp_path):
    """Run a playbook of ``playbooks/`` against ``sim`` with its default token in HW_* variables.

    The playbook may write registered results to ``results_file`` (an extra var) as JSON.
    """
    def run(playbook, sim, extra_vars=None, check=False, env=None, args=(), inventory="localhost,"):
        results_file = str(tmp_path / ("results-%s.json" % len(list(tmp_path.iterdir()))))
        variables = dict(extra_vars or {}, results_file=results_file)
        environment = dict(os.environ)
        for name in [name for name in environment if name.startswith("HW_")]:
            del environment[name]
        environment.update({
            "ANSIBLE_COLLECTIONS_PATH": collections_path,
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
            "HW_DRS_ENDPOINT": sim.url,
            "HW_PROJECT_ID": sim.project_id,
            "HW_AUTH_TOKEN": sim.auth_token,
        })
        environment.update(env or {})
        environment = dict((key, value) for key, value in environment.items() if value is not None)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, "-c", "local",
                   os.path.join(PLAYBOOKS, playbook), "-e", json.dumps(variables)] + list(args)
        if check:
            command.append("--check")
        completed = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT,
                                   check=False, cwd=str(tmp_path))
        return PlaybookRun(completed, results_file)

    return run


def writes(sim):
    """The write requests (start, commit) the simulator received."""
    return [entry for entry in sim.request_log if entry["route"] in ("batch-starting", "commit")]
