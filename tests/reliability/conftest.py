# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reliability and security tests: faults, interruptions, races, fuzzed input, secrets, TLS.

Helpers shared by the tests of this folder:

- ``run_module_in_process``: a module's ``main()`` in this process, with its result, any traceback
  and how long it took; ``time.sleep`` of the test's own thread is recorded but skipped, so
  backoff and ``Retry-After`` cost nothing while the simulator's threads still sleep for real
  (slow faults stay slow);
- a guard that refuses any connection to a host other than the loopback address.

Simulators (``make_sim``) and playbook runs (``run_playbook``, ``start_playbook``) come from
``tests/conftest.py``.

Figures (faults fired, module or playbook runs, double starts, tracebacks, secret leaks) are
recorded per test with ``record_property``, so ``--junitxml`` collects them.
"""

import contextlib
import io
import json
import os
import socket
import threading
import time
import traceback

import pytest

from ansible_collections.hwcloud.drs.plugins.module_utils import _waiter
from ansible_collections.hwcloud.drs.tests.support.modules import HW_VARIABLES, ModuleRun, module_args

_REAL_SLEEP = time.sleep
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
    time: ``_waiter``'s ``time`` is a clock that jumps forward when slept on; with ``real_waits`` they are
    real. The HTTP client's backoff and ``Retry-After`` sleeps are always skipped (and recorded).
    """
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    sleeps = []
    stdout = io.StringIO()
    error = None
    began = time.monotonic()
    patches = contextlib.ExitStack()
    with patches:
        patches.enter_context(clean_environment())
        patches.enter_context(fast_sleep(sleeps))
        clock = _FakeClock(sleeps, real=real_waits)
        # The modules' steps wait through module_utils._waiter (the others read the clock only to say how long they took).
        patches.callback(setattr, _waiter, "time", _waiter.time)
        _waiter.time = clock
        patches.enter_context(module_args(args))
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
    return ModuleRun(result, output, error=error, elapsed=time.monotonic() - began, sleeps=sleeps)


def connection(sim, **overrides):
    """Module connection options for ``sim`` with its token, small timeout and retries."""
    options = {"endpoint": sim.url, "project_id": sim.project_id, "auth_token": sim.auth_token, "timeout": 1,
               "retries": 2}
    options.update(overrides)
    return options


def wait_until(predicate, timeout, interval=0.02):
    """Poll ``predicate`` until true or ``timeout`` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
