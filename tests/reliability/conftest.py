# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reliability and security tests: faults, interruptions, races, fuzzed input, secrets, TLS.

Helpers shared by the tests of this folder:

- ``make_sim``: DRS simulators on 127.0.0.1 (stopped after the test);
- ``run_module_in_process``: a module's ``main()`` in this process, with its result, any traceback
  and how long it took; ``time.sleep`` of the test's own thread is recorded but skipped, so
  backoff and ``Retry-After`` cost nothing while the simulator's threads still sleep for real
  (slow faults stay slow);
- ``run_playbook`` / ``start_playbook``: real ``ansible-playbook`` runs of ``playbooks/``;
- a guard that refuses any connection to a host other than the loopback address.

Figures (faults fired, module or playbook runs, double starts, tracebacks, secret leaks) are
recorded per test with ``record_property``, so ``--junitxml`` collects them.
"""

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback

import pytest
from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.hwcloud.drs.plugins.module_utils import _waiter

try:
    from ansible.module_utils import _internal
except ImportError:  # before ansible-core 2.19
    _internal = None

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 reads the args from basic._ANSIBLE_ARGS
    from unittest import mock

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}))):
            yield

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks")
if os.path.join(REPO_ROOT, "simulator") not in sys.path:
    sys.path.insert(0, os.path.join(REPO_ROOT, "simulator"))

from drs_simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK_TIMEOUT = 240
_REAL_SLEEP = time.sleep
HW_VARIABLES = ("HW_DRS_ENDPOINT", "HW_REGION_NAME", "HW_PROJECT_ID", "HW_AUTH_TOKEN", "HW_ACCESS_KEY", "HW_SECRET_KEY",
                "HW_SECURITY_TOKEN", "HW_USER_NAME", "HW_PASSWORD", "HW_DOMAIN_NAME", "HW_AUTH_URL", "HW_LANGUAGE")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


# -- network guard ---------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Any name resolution for a host other than the loopback address fails in this process."""
    real_getaddrinfo = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, "reliability tests talk to 127.0.0.1 only, not %r" % (name,))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


# -- simulators ------------------------------------------------------------------------------

@pytest.fixture
def make_sim():
    """``make_sim(scenario, **kwargs)`` starts a simulator on 127.0.0.1; all are stopped after the test."""
    started = []

    def make(scenario, **kwargs):
        sim = Simulator(scenario=scenario, host="127.0.0.1", port=0, **kwargs).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


def fired(sim):
    """How many calls the simulator's fault rules acted on."""
    return sum(rule["fired"] for rule in sim.faults)


def processed_starts(sim):
    """Task ID -> how many batch-starting requests naming it the simulator processed.

    A request answered by a ``status``/``html`` fault or dropped before processing
    (``reset_before``) never reached the service; every other one did.
    """
    counts = {}
    for entry in sim.request_log:
        if entry["route"] != "batch-starting" or entry["fault"] in ("status", "html", "reset_before"):
            continue
        body = entry["body"] if isinstance(entry["body"], dict) else {}
        for job in body.get("jobs") or []:
            counts[job["job_id"]] = counts.get(job["job_id"], 0) + 1
    return counts


# -- in-process module runs ------------------------------------------------------------------

class ModuleRun:
    def __init__(self, result, output, error, elapsed, sleeps):
        self.result = result
        self.output = output
        self.error = error          # a traceback when main() raised instead of exiting
        self.elapsed = elapsed
        self.sleeps = sleeps        # seconds the test's thread asked to sleep (skipped)

    @property
    def failed(self):
        return bool(self.result.get("failed"))

    @property
    def msg(self):
        return self.result.get("msg") or ""

    @property
    def warnings(self):
        """Warning texts (ansible-core 2.19 reports them as structured summaries)."""
        return [json.dumps(warning) if not isinstance(warning, str) else warning
                for warning in self.result.get("warnings", [])]

    @property
    def traceback(self):
        """The traceback, if the module crashed instead of reporting (None when it did not)."""
        if self.error:
            return self.error
        if "exception" in self.result or "Traceback (most recent call last)" in self.output:
            return self.result.get("exception") or self.output
        return None


class _FakeClock:
    """A ``time`` stand-in for a module: sleeping advances the clock at once (or, ``real``, sleeps)."""

    def __init__(self, sleeps, real=False):
        self._offset = 0.0
        self._sleeps = sleeps
        self._real_sleep = _REAL_SLEEP if real else None

    def sleep(self, seconds):
        self._sleeps.append(seconds)
        if self._real_sleep:
            self._real_sleep(seconds)
        else:
            self._offset += max(float(seconds), 0.0)

    def monotonic(self):
        return time.monotonic() + self._offset

    def time(self):
        return time.time() + self._offset

    def __getattr__(self, name):
        return getattr(time, name)


@contextlib.contextmanager
def fast_sleep(sleeps):
    """Skip (and record) ``time.sleep`` in the calling thread only; other threads sleep for real."""
    caller = threading.current_thread()
    real_sleep = time.sleep
    assert real_sleep is _REAL_SLEEP, "time.sleep is already patched"

    def sleep(seconds):
        if threading.current_thread() is caller:
            sleeps.append(seconds)
        else:
            real_sleep(seconds)

    time.sleep = sleep
    try:
        yield
    finally:
        time.sleep = real_sleep


@contextlib.contextmanager
def clean_environment():
    saved = dict((name, os.environ.pop(name)) for name in HW_VARIABLES if name in os.environ)
    try:
        yield
    finally:
        for name in HW_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(saved)


def run_module_in_process(module, args, check_mode=False, diff=False, real_waits=False):
    """Run ``module.main()`` with ``args``; never raises. ``module`` is the imported module object.

    The module's own waits (poll intervals, the pause before reading back a lost start) take no
    time: its ``time`` is a clock that jumps forward when slept on; with ``real_waits`` they are
    real. The HTTP client's backoff and ``Retry-After`` sleeps are always skipped (and recorded).
    """
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    for name in ("_global_warnings", "_global_deprecations"):  # module-global: would leak from the run before
        getattr(ansible_warnings, name, []).clear()
    sleeps = []
    stdout = io.StringIO()
    error = None
    began = time.monotonic()
    patches = contextlib.ExitStack()
    with patches:
        patches.enter_context(clean_environment())
        patches.enter_context(fast_sleep(sleeps))
        clock = _FakeClock(sleeps, real=real_waits)
        # The modules wait through module_utils._waiter (and some time things themselves).
        for waiting in (module, _waiter):
            if hasattr(waiting, "time"):
                patches.callback(setattr, waiting, "time", waiting.time)
                waiting.time = clock
        if _internal is not None:
            # Once a controller plugin is imported (other tests do), ansible-core 2.19 would send the
            # module's warnings to the controller's display instead of its result.
            patches.callback(setattr, _internal, "is_controller", _internal.is_controller)
            _internal.is_controller = False
        patches.enter_context(patch_module_args(args))
        patches.enter_context(contextlib.redirect_stdout(stdout))
        try:
            module.main()
        except SystemExit:
            pass
        except BaseException:  # pylint: disable=broad-except  # a crash is what these tests look for
            error = traceback.format_exc()
    output = stdout.getvalue()
    try:
        result = json.loads(output)
    except ValueError:
        result = {}
        error = error or "no JSON result; output: %r" % output[-2000:]
    return ModuleRun(result, output, error, time.monotonic() - began, sleeps)


def connection(sim, **overrides):
    """Module connection options for ``sim`` with its token, small timeout and retries."""
    options = {"endpoint": sim.url, "project_id": sim.project_id, "auth_token": sim.auth_token, "timeout": 1,
               "retries": 2}
    options.update(overrides)
    return options


# -- ansible-playbook runs -------------------------------------------------------------------

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


class _Playbook:
    """One ``ansible-playbook`` process in its own process group (so it can be interrupted as a whole)."""

    def __init__(self, command, environment, cwd, results_file):
        self.results_file = results_file
        self.began = time.monotonic()
        self._out = open(os.path.join(cwd, "playbook-%d.log" % id(self)), "w+")
        self.process = subprocess.Popen(command, env=environment, cwd=cwd, stdout=self._out, stderr=subprocess.STDOUT,
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


@pytest.fixture
def start_playbook(collections_path, tmp_path):
    """``start_playbook(name, sim, extra_vars, env=..., args=...)`` -> a running playbook; see ``run_playbook``."""
    running = []

    def start(playbook, sim, extra_vars=None, env=None, args=(), auth="token"):
        """``auth``: "token" puts the simulator's token in HW_AUTH_TOKEN; None leaves credentials to the playbook."""
        results_file = str(tmp_path / ("results-%d.json" % len(running)))
        variables = dict(extra_vars or {}, results_file=results_file)
        environment = dict((key, value) for key, value in os.environ.items() if not key.startswith("HW_"))
        environment.update({
            "ANSIBLE_COLLECTIONS_PATH": collections_path,
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
            "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
            "HW_DRS_ENDPOINT": sim.url,
            "HW_PROJECT_ID": sim.project_id,
        })
        if auth == "token":
            environment["HW_AUTH_TOKEN"] = sim.auth_token
        environment.update(env or {})
        environment = dict((key, value) for key, value in environment.items() if value is not None)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
                   os.path.join(PLAYBOOKS, playbook), "-e", json.dumps(variables)] + list(args)
        playbook_run = _Playbook(command, environment, str(tmp_path), results_file)
        running.append(playbook_run)
        return playbook_run

    yield start
    for playbook_run in running:
        if playbook_run.process.poll() is None:
            playbook_run.signal(signal.SIGKILL)
            playbook_run.process.wait(10)


@pytest.fixture
def run_playbook(start_playbook):
    """Run a playbook of ``playbooks/`` against ``sim`` (token in HW_* variables unless ``auth`` says otherwise).

    The playbook may write what the test needs to ``results_file`` (an extra var) as JSON.
    """
    def run(playbook, sim, extra_vars=None, env=None, args=(), auth="token"):
        return start_playbook(playbook, sim, extra_vars, env=env, args=args, auth=auth).wait()

    return run


def wait_until(predicate, timeout, interval=0.02):
    """Poll ``predicate`` until true or ``timeout`` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
