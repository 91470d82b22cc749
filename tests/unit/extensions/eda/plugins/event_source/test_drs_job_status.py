# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source hwcloud.drs.drs_job_status against the DRS simulator on 127.0.0.1.

The simulator's clock is frozen (``speed: 0``): a task changes only when a test advances the
clock or loads a changed world, so every poll's answer is known. ``Watch.poll()`` is called
directly where one poll at a time is the point; ``main()`` runs under ``asyncio.run`` where the
loop is (faults, cancellation), with the pause between polls replaced by a script of what
happens between them.
"""

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading

import pytest
import yaml

from ansible_collections.hwcloud.drs.extensions.eda.plugins.event_source import drs_job_status
from ansible_collections.hwcloud.drs.extensions.eda.plugins.event_source.drs_job_status import SourceError, Watch, main
from ansible_collections.hwcloud.drs.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.hwcloud.drs.tests.support import REPO_ROOT
from ansible_collections.hwcloud.drs.tests.support.modules import HW_VARIABLES

FIRST = "9a470239-2308-4bb5-a6bc-1040402fjb21"
SECOND = "dc67695a-ee3e-49b8-a022-a099bd81jb21"
THIRD = "3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21"
# Long enough that nothing moves unless a test advances the clock by it.
STEP = 100
# Bound of every wait in these tests.
WAIT = 20


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in HW_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def world(*tasks, **top):
    return dict(top, speed=0, transition_seconds=STEP, tasks=list(tasks))


def task(task_id, name, status="CONFIGURATION", **fields):
    return dict(fields, id=task_id, name=name, status=status)


def source_args(sim, **args):
    return dict({"endpoint": sim.url, "project_id": sim.project_id, "auth_token": sim.auth_token, "retries": 0,
                 "interval": 1}, **args)


def routes(sim):
    counts = {}
    for entry in sim.request_log:
        counts[entry["route"]] = counts.get(entry["route"], 0) + 1
    return counts


def status_bodies(sim):
    return [entry["body"]["jobs"] for entry in sim.request_log if entry["route"] == "batch-status"]


def only(events):
    assert len(events) == 1, events
    return events[0]["drs_job"]


class Script:
    """Stands in for the pause between polls: records it, then does the next step of the script.

    A step is a function (run between two polls) or None (nothing happens); after the last step
    the next pause cancels the source, as ansible-rulebook cancels it at shutdown.
    """

    def __init__(self, *steps):
        self.steps = list(steps)
        self.pauses = []

    async def sleep(self, seconds):
        self.pauses.append(seconds)
        if not self.steps:
            raise asyncio.CancelledError()
        step = self.steps.pop(0)
        if step:
            step()


class ListQueue:
    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)


def run_source(monkeypatch, args, script):
    """main() until the script cancels it; the events it put."""
    monkeypatch.setattr(Watch, "sleep", staticmethod(script.sleep))
    queue = ListQueue()
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(main(queue, args))
    return queue.events


# -- one event per change --------------------------------------------------------------------

def test_one_event_per_change_and_none_for_an_unchanged_poll(make_sim):
    sim = make_sim(world(task(FIRST, "orders-1", "STARTJOBING"), task(SECOND, "orders-2")))
    watch = Watch(source_args(sim, jobs=[FIRST, SECOND, FIRST], initial_events="none"))
    assert watch.poll() == []
    assert watch.poll() == []
    sim.advance(STEP)
    event = only(watch.poll())
    assert event == {"id": FIRST, "name": "orders-1", "status": "FULL_TRANSFER_STARTED", "previous_status": "STARTJOBING",
                     "status_class": "transferring", "error_code": None, "error_msg": None, "change": "status",
                     "initial": False, "parent_id": None, "incre_trans_delay": None}
    assert watch.poll() == []
    # The names were looked up once (the task list takes task IDs as its name filter); one
    # batch-status request per poll, each ID once.
    assert routes(sim) == {"list-jobs": 1, "batch-status": 4}
    assert status_bodies(sim) == [[FIRST, SECOND]] * 4


def test_a_failure_carries_the_api_error(make_sim):
    sim = make_sim(world(task(FIRST, "orders-1", "FULL_TRANSFER_COMPLETE", fail_at="INCRE_TRANSFER_FAILED",
                              error_code="DRS.M03075", error_message="binlog purged")))
    watch = Watch(source_args(sim, jobs=[FIRST]))
    assert watch.poll() == []
    sim.advance(STEP)
    event = only(watch.poll())
    assert (event["status"], event["previous_status"], event["status_class"]) == \
        ("INCRE_TRANSFER_FAILED", "FULL_TRANSFER_COMPLETE", "failed")
    assert (event["error_code"], event["error_msg"]) == ("DRS.M03075", "binlog purged")


@pytest.mark.parametrize("initial_events, expected", [
    ("failed", [SECOND]),
    ("all", [FIRST, SECOND, THIRD]),
    ("none", []),
])
def test_the_first_snapshot(make_sim, initial_events, expected):
    sim = make_sim(world(task(FIRST, "a", "INCRE_TRANSFER_STARTED"), task(SECOND, "b", "FULL_TRANSFER_FAILED"),
                         task(THIRD, "c")))
    watch = Watch(source_args(sim, jobs=[FIRST, SECOND, THIRD], initial_events=initial_events))
    events = [event["drs_job"] for event in watch.poll()]
    assert [event["id"] for event in events] == expected
    assert all(event["initial"] and event["previous_status"] is None and event["change"] == "status" for event in events)
    assert watch.poll() == []


def test_delay_crossing_the_threshold(make_sim):
    def replicating(delay):
        return world(task(FIRST, "a", "INCRE_TRANSFER_STARTED", incre_delay=delay), task(SECOND, "b"))

    sim = make_sim(replicating(30))
    watch = Watch(source_args(sim, jobs=[FIRST, SECOND], delay_threshold=60))
    assert watch.poll() == []
    sim.load_scenario(replicating(90))
    event = only(watch.poll())
    assert (event["change"], event["status"], event["previous_status"], event["incre_trans_delay"]) == \
        ("delay_above", "INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_STARTED", 90)
    assert watch.poll() == []
    sim.load_scenario(replicating(60))
    event = only(watch.poll())
    assert (event["change"], event["incre_trans_delay"]) == ("delay_below", 60)
    # batch-progress only for the replicating task, once per poll
    assert [entry["body"]["jobs"] for entry in sim.request_log if entry["route"] == "batch-progress"] == [[FIRST]] * 4


def test_a_task_already_behind_is_reported_at_the_first_poll(make_sim):
    sim = make_sim(world(task(FIRST, "a", "INCRE_TRANSFER_STARTED", incre_delay=500)))
    event = only(Watch(source_args(sim, jobs=[FIRST], delay_threshold=60)).poll())
    assert (event["change"], event["initial"], event["incre_trans_delay"]) == ("delay_above", True, 500)


def test_no_delay_read_without_a_threshold(make_sim):
    sim = make_sim(world(task(FIRST, "a", "INCRE_TRANSFER_STARTED")))
    watch = Watch(source_args(sim, jobs=[FIRST], initial_events="all"))
    assert only(watch.poll())["incre_trans_delay"] is None
    assert "batch-progress" not in routes(sim)


def test_names_stay_unknown_when_the_task_list_refuses_ids(make_sim, caplog):
    sim = make_sim(world(task(FIRST, "orders-1", "FULL_TRANSFER_FAILED")))
    refusal = {"error_code": "DRS.10000004", "error_msg": "Invalid parameter: name."}
    sim.inject_fault(route="list-jobs", kind="status", status=400, body=refusal)
    watch = Watch(source_args(sim, jobs=[FIRST]))
    event = only(watch.poll())
    assert (event["id"], event["name"], event["status"]) == (FIRST, None, "FULL_TRANSFER_FAILED")
    assert watch.poll() == []
    assert routes(sim) == {"list-jobs": 1, "batch-status": 2}
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith("The task names stay unknown: the task list refused to look up")


def test_requests_per_poll_at_250_tasks(make_sim):
    sim = make_sim(world(generate={"count": 250, "prefix": "bench"}))
    ids = [entry["id"] for entry in sim.state()["tasks"]]
    watch = Watch(source_args(sim, jobs=ids))
    watch.poll()
    watch.poll()
    assert routes(sim) == {"list-jobs": 3, "batch-status": 6}
    assert [len(body) for body in status_bodies(sim)] == [100, 100, 50] * 2


# -- job_filter ------------------------------------------------------------------------------

def test_job_filter_picks_up_new_tasks_and_subtasks_and_drops_what_left(make_sim):
    parent = task(FIRST, "orders-parent", "CHILD_TRANSFER_STARTED",
                  children=[{"id": "11111111-0000-0000-0000-00000000jb21", "name": "orders-part-1"}])
    orders_2 = task(SECOND, "orders-2", "INCRE_TRANSFER_STARTED")
    other = task("22222222-0000-0000-0000-00000000jb21", "other-1")
    sim = make_sim(world(parent, orders_2, other))
    watch = Watch(source_args(sim, job_filter={"name": "orders-*"}, list_every=2, initial_events="all"))
    events = dict((event["drs_job"]["id"], event["drs_job"]) for event in watch.poll())
    assert sorted(events) == sorted([FIRST, SECOND, "11111111-0000-0000-0000-00000000jb21"])
    child = events["11111111-0000-0000-0000-00000000jb21"]
    assert (child["name"], child["parent_id"], child["status"]) == ("orders-part-1", FIRST, "CONFIGURATION")
    assert events[FIRST]["parent_id"] is None

    # A new task joins at the next listing (poll 3), with an event; orders-2 is deleted: an
    # event for it (no status), then it leaves the watch at that listing.
    sim.load_scenario(world(parent, task(THIRD, "orders-3"), other))
    event = only(watch.poll())
    assert (event["id"], event["status"], event["previous_status"], event["error_code"]) == \
        (SECOND, None, "INCRE_TRANSFER_STARTED", "DRS.10040004")
    event = only(watch.poll())
    assert (event["id"], event["name"], event["status"], event["previous_status"], event["initial"]) == \
        (THIRD, "orders-3", "CONFIGURATION", None, False)
    assert watch.poll() == []
    assert routes(sim)["list-jobs"] == 2
    assert SECOND not in status_bodies(sim)[-1] and THIRD in status_bodies(sim)[-1]


def test_jobs_and_job_filter_together_watch_each_task_once(make_sim):
    sim = make_sim(world(task(FIRST, "orders-1"), task(SECOND, "other")))
    watch = Watch(source_args(sim, jobs=[FIRST, SECOND], job_filter={"name": "orders-1", "name_match": "exact"}))
    watch.poll()
    assert status_bodies(sim) == [[FIRST, SECOND]]


# -- faults and endings ----------------------------------------------------------------------

def test_transient_faults_are_survived_with_one_line_each_way(make_sim, monkeypatch, caplog):
    sim = make_sim(world(task(FIRST, "orders-1", "STARTJOBING")))

    def faults():
        sim.add_fault_rules([{"route": "batch-status", "kind": "status", "status": 503, "calls": [1]},
                             {"route": "batch-status", "kind": "reset_before", "calls": [2]},
                             {"route": "batch-status", "kind": "status", "status": 429, "calls": [3]},
                             {"route": "batch-status", "kind": "malformed", "calls": [4]}])

    script = Script(faults, None, None, None, lambda: sim.advance(STEP))
    caplog.set_level(logging.DEBUG, logger="hwcloud.drs.drs_job_status")
    events = run_source(monkeypatch, source_args(sim, jobs=[FIRST]), script)
    assert [(event["drs_job"]["previous_status"], event["drs_job"]["status"]) for event in events] == \
        [("STARTJOBING", "FULL_TRANSFER_STARTED")]
    assert script.pauses == [1, 2, 4, 8, 16, 1]
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("The DRS API stopped answering: POST ") and "HTTP 503" in warnings[0]
    assert warnings[1].startswith("The DRS API answers again, after ") and warnings[1].endswith("4 failed polls")
    assert "after 2 polls and 1 events" in caplog.records[-1].getMessage()


def test_the_pause_after_failures_stops_growing(make_sim, monkeypatch):
    sim = make_sim(world(task(FIRST, "orders-1")))
    sim.inject_fault(route="batch-status", kind="status", status=502)
    script = Script(*[None] * 9)
    run_source(monkeypatch, source_args(sim, jobs=[FIRST], interval=30), script)
    assert script.pauses == [60, 120, 120, 120, 120, 120, 120, 120, 120, 120]


def test_a_failed_poll_lets_go_of_what_it_read(make_sim, monkeypatch):
    """The exceptions of a failed poll keep no frame (and so none of the tasks read before the failure)."""
    sim = make_sim(world(generate={"count": 300, "prefix": "bench"}))
    sim.inject_fault(route="list-jobs", kind="status", status=503, calls=[2])
    failures = []
    real_release = drs_job_status.release

    def release(exc):
        failures.append(exc)
        real_release(exc)

    monkeypatch.setattr(drs_job_status, "release", release)
    run_source(monkeypatch, source_args(sim, job_filter={"name": "bench-*"}), Script(None))
    assert len(failures) == 1 and "HTTP 503" in str(failures[0])
    chain = [failures[0]]
    while chain[-1].__context__ is not None:
        chain.append(chain[-1].__context__)
    assert all(exc.__traceback__ is None for exc in chain)


def test_the_pause_of_an_outage_of_days():
    assert drs_job_status.backoff(5, 1) == 10
    assert drs_job_status.backoff(5, 100000) == 120
    assert drs_job_status.backoff(600, 100000) == 600


@pytest.mark.parametrize("credentials, refusal", [
    ({"auth_token": "not-a-token"}, "decrypt token fail"),
    ({"access_key": "SIMULATORACCESSKEY00", "secret_key": "wrong-secret"}, "verify aksk signature fail"),
])
def test_refused_credentials_end_the_source(make_sim, monkeypatch, credentials, refusal):
    sim = make_sim(world(task(FIRST, "orders-1")))
    args = dict(source_args(sim, jobs=[FIRST]), auth_token=None)
    args.update(credentials)
    with pytest.raises(SourceError) as ended:
        run_source(monkeypatch, args, Script())
    message = str(ended.value)
    assert message.startswith("Cannot watch DRS tasks: the DRS API refused the credentials (an IAM token lasts 24 hours")
    assert "HTTP 401" in message and refusal in message
    assert "wrong-secret" not in message and "not-a-token" not in message


def test_a_wrong_project_ends_the_source(make_sim):
    sim = make_sim(world(task(FIRST, "orders-1")))
    watch = Watch(source_args(sim, jobs=[FIRST], project_id="0000000000000000000000000000abcd"))
    with pytest.raises(Exception) as ended:
        asyncio.run(watch.run(ListQueue()))
    assert isinstance(ended.value, SourceError)
    assert "refused the request (the project ID, or the permissions" in str(ended.value) and "HTTP 403" in str(ended.value)


def test_an_unknown_task_id_ends_the_source_at_the_first_poll(make_sim):
    sim = make_sim(world(task(FIRST, "orders-1")))
    watch = Watch(source_args(sim, jobs=[FIRST, SECOND]))
    with pytest.raises(SourceError, match="jobs: the DRS API knows no status for 1 of the tasks, unknown IDs[?]: %s "
                                          r"\(DRS.10040004: " % SECOND):
        watch.poll()


@pytest.mark.parametrize("args, message", [
    ({}, "give jobs (task IDs), job_filter (the filters of hwcloud.drs.drs_job_info) or both"),
    ({"jobs": ["not an id"]}, "jobs: 'not an id' is not a valid DRS ID"),
    ({"jobs": [FIRST], "intervall": 5}, "unknown option intervall (did you mean interval?); the options are "),
    ({"jobs": [FIRST], "interval": 0.5}, "interval must be at least 1 second, got 0.5"),
    ({"jobs": [FIRST], "list_every": 0}, "list_every must be at least 1 poll, got 0"),
    ({"jobs": [FIRST], "delay_threshold": -1}, "delay_threshold must be at least 0 seconds, got -1"),
    ({"jobs": [FIRST], "initial_events": "some"}, "initial_events must be one of: failed, all, none"),
    ({"job_filter": {"nam": "orders"}}, "job_filter: unknown option nam (did you mean name?)"),
    ({"job_filter": {"name": "(", "name_match": "regex"}}, "job_filter: name: '(' is not a valid regular expression"),
    ({"jobs": [FIRST], "auth_token": None}, "No credentials for the DRS API: set auth_token (HW_AUTH_TOKEN); or "),
    ({"jobs": [FIRST], "access_key": "AK"}, "Credentials are ambiguous: auth_token and access_key/secret_key are all set"),
    ({"jobs": [FIRST], "project_id": None}, "project_id is required: set project_id or HW_PROJECT_ID"),
    ({"jobs": [FIRST], "endpoint": None}, "endpoint or region is required"),
])
def test_configuration_errors_end_the_source_before_any_request(args, message):
    base = {"endpoint": "http://127.0.0.1:9", "project_id": "054ba152d480d55b2f5dc0069e7ddef0", "auth_token": "tok"}
    with pytest.raises(SourceError) as ended:
        asyncio.run(main(ListQueue(), dict(base, **args)))
    assert message in str(ended.value)


def test_a_secret_never_shows_in_an_error():
    args = {"jobs": [FIRST], "endpoint": "http://127.0.0.1:9", "project_id": "054ba152d480d55b2f5dc0069e7ddef0",
            "auth_token": "tok-SECRET-0123456789", "timeout": "tok-SECRET-0123456789"}
    with pytest.raises(SourceError) as ended:
        asyncio.run(main(ListQueue(), args))
    assert "timeout" in str(ended.value) and "tok-SECRET" not in str(ended.value)


def test_arguments_that_are_no_mapping():
    with pytest.raises(SourceError, match="the arguments must be a mapping, got list"):
        asyncio.run(main(ListQueue(), ["jobs"]))


# -- the connection options, as the modules take them ------------------------------------------

@pytest.mark.parametrize("way", ["token", "aksk", "temporary aksk", "password"])
def test_each_way_to_authenticate_through_hw_variables(make_sim, monkeypatch, way):
    sim = make_sim(world(task(FIRST, "orders-1", "FULL_TRANSFER_FAILED"), auth={"credentials": [
        {"ak": "SIMULATORACCESSKEY00", "sk": "simulator-secret-key"},
        {"ak": "TEMPORARYACCESSKEY01", "sk": "temporary-secret", "security_token": "session-token"}]}))
    permanent, temporary = sim.credentials
    variables = {
        "token": {"HW_AUTH_TOKEN": sim.auth_token},
        "aksk": {"HW_ACCESS_KEY": permanent["ak"], "HW_SECRET_KEY": permanent["sk"]},
        "temporary aksk": {"HW_ACCESS_KEY": temporary["ak"], "HW_SECRET_KEY": temporary["sk"],
                           "HW_SECURITY_TOKEN": temporary["security_token"]},
        "password": {"HW_USER_NAME": "sim-user", "HW_PASSWORD": "sim-password", "HW_DOMAIN_NAME": "sim-domain",
                     "HW_AUTH_URL": sim.url + "/v3"},
    }[way]
    for name, value in dict(variables, HW_DRS_ENDPOINT=sim.url, HW_PROJECT_ID=sim.project_id).items():
        monkeypatch.setenv(name, value)
    event = only(Watch({"jobs": [FIRST]}).poll())
    assert (event["id"], event["status"], event["initial"]) == (FIRST, "FULL_TRANSFER_FAILED", True)


def test_a_blank_credential_variable_is_unset(make_sim, monkeypatch):
    """As AWX and the EDA controller inject every field of a credential, the empty ones as ''."""
    sim = make_sim(world(task(FIRST, "orders-1")))
    for name, value in {"HW_DRS_ENDPOINT": sim.url, "HW_PROJECT_ID": sim.project_id, "HW_AUTH_TOKEN": sim.auth_token,
                        "HW_ACCESS_KEY": "", "HW_SECRET_KEY": "", "HW_PASSWORD": ""}.items():
        monkeypatch.setenv(name, value)
    assert Watch({"jobs": [FIRST]}).poll() == []


# -- cancellation ----------------------------------------------------------------------------

def test_cancellation_ends_the_source_at_once_and_sends_nothing_more(make_sim, caplog):
    """Cancelled while a poll's first request is held by the API, the source ends without waiting
    for it, and its thread sends none of the poll's other requests once that answer comes."""
    sim = make_sim(world(generate={"count": 300, "prefix": "bench"}))
    ids = [entry["id"] for entry in sim.state()["tasks"]]
    sim.inject_fault(route="batch-status", kind="slow", delay=2, calls=[1])
    caplog.set_level(logging.INFO, logger="hwcloud.drs.drs_job_status")

    async def cancel_during_the_first_poll():
        source = asyncio.ensure_future(main(ListQueue(), source_args(sim, jobs=ids)))
        for _attempt in range(WAIT * 20):
            if sim.faults[0]["seen"]:  # the held request has arrived (the log has it once answered)
                break
            await asyncio.sleep(0.05)
        source.cancel()
        done, _pending = await asyncio.wait([source], timeout=WAIT)
        return source, done

    source, done = asyncio.run(cancel_during_the_first_poll())
    assert done == {source} and source.cancelled()
    assert caplog.records[-1].getMessage() == "Stopped watching the DRS tasks after 0 polls and 0 events"
    for thread in threading.enumerate():
        if thread.name == "drs_job_status-poll":
            thread.join(WAIT)
            assert not thread.is_alive()
    assert status_bodies(sim) == [ids[:100]]


# -- run alone, without ansible-rulebook -------------------------------------------------------

def test_run_alone_prints_events_and_stops_on_sigterm(make_sim, collections_path):
    sim = make_sim(world(task(FIRST, "orders-1", "INCRE_TRANSFER_STARTED")))
    script = os.path.join(collections_path, "ansible_collections", "hwcloud", "drs", "extensions", "eda", "plugins",
                          "event_source", "drs_job_status.py")
    env = dict(os.environ, HW_DRS_ENDPOINT=sim.url, HW_PROJECT_ID=sim.project_id, HW_AUTH_TOKEN=sim.auth_token)
    process = subprocess.Popen([sys.executable, script, json.dumps({"jobs": [FIRST], "initial_events": "all"})],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=WAIT)
    finally:
        process.kill()
    assert json.loads(line)["drs_job"]["status"] == "INCRE_TRANSFER_STARTED"
    assert process.returncode == 0, err
    assert "Stopped watching the DRS tasks after 1 polls and 1 events" in err


def test_run_alone_says_what_is_wrong(collections_path):
    script = os.path.join(collections_path, "ansible_collections", "hwcloud", "drs", "extensions", "eda", "plugins",
                          "event_source", "drs_job_status.py")
    env = dict((key, value) for key, value in os.environ.items() if key not in HW_VARIABLES)
    done = subprocess.run([sys.executable, script, '{"jobs": ["%s"]}' % FIRST], env=env, capture_output=True, text=True,
                          timeout=WAIT, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == "drs_job_status: project_id is required: set project_id or HW_PROJECT_ID"


def test_the_source_loads_as_ansible_rulebook_loads_it(collections_path):
    """ansible-rulebook runs the file with runpy, without the collection on sys.path."""
    script = os.path.join(collections_path, "ansible_collections", "hwcloud", "drs", "extensions", "eda", "plugins",
                          "event_source", "drs_job_status.py")
    code = "import runpy, sys, asyncio; module = runpy.run_path(sys.argv[1]); print(asyncio.iscoroutinefunction(module['main']))"
    done = subprocess.run([sys.executable, "-I", "-c", code, script], capture_output=True, text=True, timeout=WAIT,
                          check=False, cwd=os.path.dirname(script))
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr


# -- documentation ---------------------------------------------------------------------------

def test_the_documentation_is_the_argument_spec():
    """ansible-doc does not read event sources: nothing else checks DOCUMENTATION against the code."""
    documented = yaml.safe_load(drs_job_status.DOCUMENTATION)["options"]
    connection = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert set(documented) | set(connection) == set(drs_job_status.ARGUMENT_SPEC)
    for name, doc in documented.items():
        spec = drs_job_status.ARGUMENT_SPEC[name]
        assert (doc["type"], doc.get("default"), doc.get("choices"), doc.get("elements")) == \
            (spec["type"], spec.get("default"), spec.get("choices"), spec.get("elements")), name
    assert yaml.safe_load(drs_job_status.EXAMPLES)


def test_the_reference_page_names_every_option_and_event_key(make_sim):
    with open(os.path.join(REPO_ROOT, "docs", "docsite", "rst", "eda_drs_job_status.rst")) as handle:
        page = handle.read()
    for name in drs_job_status.ARGUMENT_SPEC:
        assert "``%s``" % name in page, name
    sim = make_sim(world(task(FIRST, "a")))
    event = only(Watch(source_args(sim, jobs=[FIRST], initial_events="all")).poll())
    for key in event:
        assert "``%s``" % key in page, key
        assert key in drs_job_status.DOCUMENTATION, key
