"""The command line: port 0, the one stdout line, --port-file, clean stop on SIGTERM/SIGINT."""

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from simtools import SCENARIOS, SIMULATOR_DIR, TIMEOUT

LISTENING = re.compile(r"^DRS simulator listening on (http://127\.0\.0\.1:(\d+))\n$")


def launch(args, **kwargs):
    return subprocess.Popen([sys.executable] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def stop(process, signum):
    process.send_signal(signum)
    try:
        return process.wait(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_script_prints_url_serves_and_stops(tmp_path, signum):
    port_file = tmp_path / "url"
    process = launch([str(SIMULATOR_DIR / "drs_sim.py"), "--host", "127.0.0.1", "--port", "0", "--scenario", str(SCENARIOS / "basic.yml"),
                      "--seed", "3", "--speed", "instant", "--port-file", str(port_file)])
    try:
        line = process.stdout.readline()
        match = LISTENING.match(line)
        assert match, line
        url = match.group(1)
        assert int(match.group(2)) > 0
        assert port_file.read_text() == url + "\n"
        state = requests.get(url + "/_sim/state", timeout=TIMEOUT).json()
        assert state["speed"] == "instant" and len(state["tasks"]) == 3
        response = requests.post(url + "/v3/%s/jobs/batch-status" % state["project_id"], json={"jobs": [state["tasks"][0]["id"]]},
                                 headers={"X-Auth-Token": "sim-token"}, timeout=TIMEOUT)
        assert response.status_code == 200
    finally:
        returncode = stop(process, signum)
    assert returncode == 0
    assert process.stdout.read() == ""
    assert process.stderr.read() == ""


def test_module_entry_point(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(SIMULATOR_DIR))
    process = launch(["-m", "drs_simulator", "--port", "0", "--scenario", str(SCENARIOS / "demo.yml")], env=env, cwd=tmp_path)
    try:
        match = LISTENING.match(process.stdout.readline())
        assert match
        assert len(requests.get(match.group(1) + "/_sim/state", timeout=TIMEOUT).json()["tasks"]) == 20
    finally:
        assert stop(process, signal.SIGTERM) == 0


def test_bad_scenario_exits_2_with_a_message(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("tasks: [{id: t1, status: RUNNING}]\n")
    result = subprocess.run([sys.executable, str(SIMULATOR_DIR / "drs_sim.py"), "--scenario", str(broken)],
                            capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "tasks[0].status" in result.stderr
