# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real ``ansible-playbook`` runs against a simulator (the ``start_playbook``/``run_playbook`` fixtures)."""

import json
import os
import signal
import subprocess
import sys
import time

# The slowest run (the 500-task launch under faults) takes about a minute on two cores.
PLAYBOOK_TIMEOUT = 300


def environment(collections_path, work_dir, sim, auth, env):
    """The run's environment: this one without ``HW_*``, the simulator's endpoint, and ``env`` on top.

    ``auth`` "token" puts the simulator's token in HW_AUTH_TOKEN; None leaves credentials to the
    playbook. A value of None in ``env`` removes that variable.
    """
    variables = dict((key, value) for key, value in os.environ.items() if not key.startswith("HW_"))
    variables.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_path,
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCAL_TEMP": os.path.join(work_dir, "ansible-local"),
        "ANSIBLE_HOME": os.path.join(work_dir, "ansible-home"),
        "HW_DRS_ENDPOINT": sim.url,
        "HW_PROJECT_ID": sim.project_id,
    })
    if auth == "token":
        variables["HW_AUTH_TOKEN"] = sim.auth_token
    variables.update(env or {})
    return dict((key, value) for key, value in variables.items() if value is not None)


class PlaybookRun:
    def __init__(self, returncode, output, results_file, elapsed):
        self.rc = returncode
        self.output = output
        self.elapsed = elapsed
        self.results = {}
        if os.path.exists(results_file):
            with open(results_file) as handle:
                self.results = json.load(handle)


def descendants(root):
    """PIDs of every process below ``root`` (Linux /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _signal_pid(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


class Playbook:
    """One ``ansible-playbook`` process in its own process group (so it can be interrupted as a whole)."""

    def __init__(self, command, variables, cwd, results_file):
        self.results_file = results_file
        self.began = time.monotonic()
        self._out = open(os.path.join(cwd, "playbook-%d.log" % id(self)), "w+")
        self.process = subprocess.Popen(command, env=variables, cwd=cwd, stdout=self._out, stderr=subprocess.STDOUT,
                                        text=True, start_new_session=True)

    def signal(self, signum):
        """Send ``signum`` to the playbook's process group (the controller, its workers and modules)."""
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def kill_tree(self):
        """SIGKILL the run and every process it started, as a crash of the machine or container would.

        ansible-playbook's workers start their own sessions, so the modules they run are not in
        the playbook's process group: they are found through /proc, frozen, then killed.
        """
        processes = [self.process.pid]
        for _round in range(3):  # freeze first, so that nothing starts anything new meanwhile
            processes += [pid for pid in descendants(self.process.pid) if pid not in processes]
            for pid in processes:
                _signal_pid(pid, signal.SIGSTOP)
        for pid in processes:
            _signal_pid(pid, signal.SIGKILL)
        return processes

    def output_so_far(self):
        """What the run has written (also after ``wait``: processes it left behind may write on)."""
        with open(self._out.name) as log:
            return log.read()

    def wait(self, timeout=PLAYBOOK_TIMEOUT):
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(10)
            raise
        finally:
            self._out.seek(0)
            output = self._out.read()
            self._out.close()
        return PlaybookRun(self.process.returncode, output, self.results_file, time.monotonic() - self.began)

    def stop(self):
        """Kill the run if it is still going (after its test)."""
        if self.process.poll() is None:
            self.signal(signal.SIGKILL)
            self.process.wait(10)
