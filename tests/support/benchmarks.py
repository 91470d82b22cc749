# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The scripts of ``benchmarks/``, loaded as modules or run as bounded processes."""

import importlib.util
import os
import subprocess
import sys

import pytest

from . import REPO_ROOT

BENCHMARKS_DIR = os.path.join(REPO_ROOT, "benchmarks")
# After SIGTERM a script stops its playbook and simulator and removes its temp files.
STOP_GRACE = 30


def script_path(name):
    return os.path.join(BENCHMARKS_DIR, name)


def load_script(name):
    """``benchmarks/<name>`` as a module (soak.py imports launch.py beside it)."""
    sys.path.insert(0, BENCHMARKS_DIR)
    try:
        spec = importlib.util.spec_from_file_location("hwcloud_drs_benchmark_" + name.split(".")[0], script_path(name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(BENCHMARKS_DIR)
    return module


def run_script(name, args, cwd, timeout, env=None):
    """(rc, stdout, stderr) of ``benchmarks/<name> args``; a run over ``timeout`` seconds is stopped and fails the test.

    ``env``: variables added to this process's environment for the script.
    """
    process = subprocess.Popen([sys.executable, script_path(name)] + list(args), cwd=str(cwd), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stdout, stderr = stop(process)
        pytest.fail("benchmarks/%s did not finish in %ds:\n%s\n%s" % (name, timeout, stdout, stderr))
    except BaseException:
        stop(process)
        raise
    return process.returncode, stdout, stderr


def stop(process):
    process.terminate()
    try:
        return process.communicate(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()
