"""Fixtures for the simulator's own tests: simulators on 127.0.0.1, port 0, and a small API client."""

import pytest

from simtools import SCENARIOS, DrsClient


@pytest.fixture
def sim_options():
    """A frozen clock unless a test gives ``speed`` (``make_sim`` comes from ``tests/conftest.py``)."""
    return {"speed": 0}


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
