# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A short run of benchmarks/eda_soak.py (the event source alone, watching tasks on the simulator).

Counts and structure only: the run stops cleanly, every task that moved has its last event in
the status the simulator has, a poll costs one batch-status request per 100 tasks. CPU and
memory are reported by the script, never asserted here.
"""

import json

from ansible_collections.hwcloud.drs.tests.support.benchmarks import load_script, run_script

# 25 s of watching, plus the source's start and stop; a last resort above that.
SMOKE_TIMEOUT = 180

eda_soak = load_script("eda_soak.py")


def test_a_short_soak_watches_every_change(tmp_path):
    results_path = tmp_path / "eda-soak.json"
    rc, stdout, stderr = run_script("eda_soak.py", [
        "--tasks", "300", "--minutes", "0.4", "--interval", "1", "--window", "10", "--starts-every", "3", "--starts", "4",
        "--transition", "1", "--outage-at", "-1", "--json", str(results_path), "--work-dir", str(tmp_path / "work")],
        tmp_path, SMOKE_TIMEOUT)
    assert rc == 0, stdout + stderr
    for measure in ("req/poll", "CPU ms/poll", "RSS MB", "last event = simulator's status", "requests per poll"):
        assert measure in stdout, stdout

    result = json.loads(results_path.read_text())
    assert result["stopped_cleanly"] and result["rc"] == 0, result["stderr_tail"]
    assert result["started"] > 0 and result["wrong_last_status"] == [] and result["bad_lines"] == []
    assert result["events_for_tasks_that_did_not_move"] == []
    assert result["events"] >= result["started"]
    assert result["requests_per_poll"]["batch-status"] == 3
    assert result["requests"]["batch-starting"] > 0 and "batch-progress" not in result["requests"]
    assert len(result["windows"]) >= 2 and all(row["rss_mb"] > 0 for row in result["windows"])


def test_the_tasks_that_wait_to_be_started_fit_in_the_run():
    args = eda_soak.parse_args(["--tasks", "10000", "--minutes", "15", "--interval", "5"])
    assert eda_soak.last_start(args) == 15 * 60 - 6 * 4 - 3 * 5
    assert eda_soak.startable(args) == (int(eda_soak.last_start(args) // 30) + 1) * 20
    args = eda_soak.parse_args(["--tasks", "10", "--minutes", "0.1"])
    assert eda_soak.startable(args) == 0
