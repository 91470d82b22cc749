"""Concurrency and the 1000-task benchmark scenario."""

import time
from concurrent.futures import ThreadPoolExecutor

from simtools import SCENARIOS, DrsClient


def test_concurrent_starts_take_effect_once(make_sim):
    sim = make_sim({"generate": {"count": 20}})
    job_ids = [task["id"] for task in sim.state()["tasks"]]

    def start_everything(_worker):
        return [result["status"] for result in DrsClient(sim).start(*job_ids).json()["results"]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = [status for statuses in pool.map(start_everything, range(8)) for status in statuses]
    assert outcomes.count("success") == 20
    assert set(sim.start_counts().values()) == {1}
    assert len(sim.request_log) == 8


def test_bench_scenario_pages_and_chunks_1000_tasks_quickly(make_sim):
    sim = make_sim(SCENARIOS / "bench.yml", speed="instant")
    client = DrsClient(sim)
    job_ids = [task["id"] for task in sim.state()["tasks"]]
    began = time.monotonic()
    for chunk in range(0, 1000, 100):
        assert client.start(*job_ids[chunk:chunk + 100]).status_code == 202
    statuses = []
    for page in range(1, 11):
        statuses += [entry["status"] for entry in client.batch_status(job_ids, cur_page=page, per_page=100).json()["results"]]
    assert statuses == ["INCRE_TRANSFER_STARTED"] * 1000
    assert time.monotonic() - began < 10
