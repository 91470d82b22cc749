"""Fixtures for the simulator's own tests: simulators on 127.0.0.1, port 0, and a small API client."""

import pytest

from simtools import SCENARIOS, DrsClient, Simulator


@pytest.fixture
def make_sim():
    """Factory: start a Simulator (frozen clock unless ``speed`` is given); all are stopped afterwards."""
    started = []

    def make(scenario_source=None, **options):
        options.setdefault("speed", 0)
        sim = Simulator(scenario=scenario_source, host="127.0.0.1", port=0, **options).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(make_sim):
    """The basic scenario (three tasks in CONFIGURATION), frozen clock."""
    return make_sim(SCENARIOS / "basic.yml")


@pytest.fixture
def client(sim):
    return DrsClient(sim)


@pytest.fixture
def task_ids(sim):
    return [task["id"] for task in sim.state()["tasks"]]
