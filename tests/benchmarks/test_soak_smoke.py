# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A bounded soak of the batch_launch role's wait (benchmarks/soak.py), so the recursion cannot come back.

The wait that included itself once per poll crashed after about 245 polls ("maximum recursion
depth exceeded"); this runs 250. It checks counts and structure only: the run ends with rc 0
after exactly 250 progress lines, one line per poll, no "recursion" anywhere. The times and
the memory are measured and reported by the script, never asserted here.
"""

import json

import pytest

from ansible_collections.hwcloud.drs.tests.support.benchmarks import load_script, run_script

POLLS = 250
# The script bounds its playbook run itself (300 s + 3 s per poll); this is a last resort above that.
SMOKE_TIMEOUT = 300 + 3 * POLLS + 120

soak = load_script("soak.py")


def test_a_wait_of_250_polls_completes_with_one_line_per_poll(tmp_path):
    work = tmp_path / "work"
    results_path = tmp_path / "soak.json"
    rc, stdout, stderr = run_script("soak.py", ["--polls", str(POLLS), "--json", str(results_path), "--work-dir", str(work)],
                                    tmp_path, SMOKE_TIMEOUT)
    assert rc == 0, stdout + stderr
    for measure in ("progress lines (polls still waiting)", "ratio last/first", "RSS growth MB",
                    "stdout lines per poll during the wait", "'recursion' in stdout/stderr"):
        assert measure in stdout, stdout

    result = json.loads(results_path.read_text())["soak"]
    assert result["rc"] == 0 and not result["timed_out"], result["stdout_tail"]
    assert result["progress_lines"] == POLLS
    # every line of the wait is a progress line: nothing per poll but the one line
    assert result["stdout_lines_during_wait"] == POLLS and result["other_lines_during_wait"] == []
    assert result["stdout_lines_per_poll"] <= soak.TARGET_LINES_PER_POLL
    assert result["recursion_mentions"] == 0
    assert len(result["poll_seconds"]) == len(result["main_rss_kb"]) == len(result["workers_rss_kb"]) == POLLS
    assert all(kb > 0 for kb in result["main_rss_kb"]) and all(kb > 0 for kb in result["workers_rss_kb"])
    assert result["checks"]["completed"] and result["checks"]["lines_per_poll"] and result["checks"]["no_recursion"]
    assert "PLAY RECAP" in "\n".join(result["stdout_tail"]) and "failed=0" in "\n".join(result["stdout_tail"])
    # the simulator and ansible are gone, and the temporary files with them
    assert not work.exists() or list(work.iterdir()) == []


def test_mean_seconds_per_poll_of_a_window():
    times = [10.0, 11.0, 13.0, 16.0]  # progress lines of polls 1-4; the wait task began at 9.5
    assert soak.mean_poll_seconds(times, 1, 2, 9.5) == 0.75
    assert soak.mean_poll_seconds(times, 3, 4, 9.5) == 2.5
    assert soak.mean_poll_seconds(times, 3, 5, 9.5) is None


def test_options():
    assert soak.parse_args([]).polls == 2000
    assert soak.parse_args(["--polls", "250"]).polls == 250
    with pytest.raises(SystemExit):
        soak.parse_args(["--polls", "1"])
