# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""drs_batch_terminate: end tasks, and with delete wait for their release and delete them."""

import pytest

from ansible_collections.hwcloud.drs.plugins.modules.drs_batch_terminate import main

from .fake_drs import BATCH_JOBS_URI, STATUS_URI, FakeDrs


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


def actions(run):
    return dict((entry["job_id"], entry["action"]) for entry in run.result["results"])


def sent(drs):
    """(delete_type, job_id) of every job sent, and the HTTP method of every request."""
    requests = drs.requests(BATCH_JOBS_URI)
    assert all(request.method == "DELETE" for request in requests)
    return [(job["delete_type"], job["job_id"]) for request in requests for job in request.get_json()["jobs"]]


def test_ends_running_and_failed_tasks_and_a_rerun_sends_nothing(drs, run_module, token_args):
    running = drs.add("INCRE_TRANSFER_STARTED", 1) + drs.add("PAUSING", 1, start=1) + drs.add("RELEASE_RESOURCE_FAILED", 1, start=2)
    ended = drs.add("RELEASE_RESOURCE_COMPLETE", 1, start=3) + drs.add("RELEASE_RESOURCE_STARTED", 1, start=4) + \
        drs.add("CREATE_FAILED", 1, start=5) + drs.add("DELETED", 1, start=6)
    run = run_module(main, dict(token_args, jobs=running + ended))
    assert run.exit_code == 0 and run.result["changed"] is True, run.result
    assert actions(run) == dict([(job_id, "terminated") for job_id in running] + [(job_id, "already_ended") for job_id in ended])
    assert sent(drs) == [("terminate", job_id) for job_id in running]

    again = run_module(main, dict(token_args, jobs=running + ended))
    assert again.result["changed"] is False and set(actions(again).values()) == {"already_ended"}
    assert len(drs.requests(BATCH_JOBS_URI)) == 1, "the second run sends nothing"


def test_force_sends_force_terminate(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_FAILED", 1)
    run = run_module(main, dict(token_args, jobs=ids, force=True), diff=True)
    assert sent(drs) == [("force_terminate", ids[0])]
    assert run.result["diff"]["after"] == "%s: force end\n" % ids[0]


def test_delete_ends_waits_for_the_release_then_deletes(drs, run_module, token_args):
    running = drs.add("INCRE_TRANSFER_STARTED", 2)
    released = drs.add("RELEASE_RESOURCE_COMPLETE", 1, start=2)
    deleted = drs.add("DELETED", 1, start=3)
    drs.release_reads = 2
    run = run_module(main, dict(token_args, jobs=running + released + deleted, delete=True))
    assert run.exit_code == 0 and run.result["changed"] is True, run.result
    assert actions(run) == {running[0]: "deleted", running[1]: "deleted", released[0]: "deleted", deleted[0]: "already_deleted"}
    assert sent(drs) == [("terminate", running[0]), ("terminate", running[1]),
                         ("delete", running[0]), ("delete", running[1]), ("delete", released[0])]
    assert len(drs.requests(STATUS_URI)) == 4, "the first read, then three while the release runs"
    assert [entry.get("status") for entry in run.result["results"][:3]] == ["RELEASE_RESOURCE_COMPLETE"] * 3

    again = run_module(main, dict(token_args, jobs=running + released + deleted, delete=True))
    assert again.result["changed"] is False and set(actions(again).values()) == {"already_deleted"}
    assert len(drs.requests(BATCH_JOBS_URI)) == 2


def test_check_mode_with_diff_shows_exactly_what_would_end(drs, run_module, token_args):
    running = drs.add("INCRE_TRANSFER_STARTED", 1)
    releasing = drs.add("RELEASE_RESOURCE_STARTED", 1, start=1)
    released = drs.add("RELEASE_RESOURCE_COMPLETE", 1, start=2)
    deleted = drs.add("DELETED", 1, start=3)
    ids = running + releasing + released + deleted
    run = run_module(main, dict(token_args, jobs=ids, delete=True, wait=True), check_mode=True, diff=True)
    assert run.result["changed"] is True
    assert actions(run) == {running[0]: "would_delete", releasing[0]: "would_delete", released[0]: "would_delete",
                            deleted[0]: "already_deleted"}
    assert run.result["diff"] == {
        "before": "%s: INCRE_TRANSFER_STARTED\n%s: RELEASE_RESOURCE_STARTED\n%s: RELEASE_RESOURCE_COMPLETE\n%s: DELETED\n" % tuple(ids),
        "after": "%s: end, then delete\n%s: delete once released\n%s: delete\n%s: DELETED\n" % tuple(ids),
    }
    assert [request.path for request, _response in drs.server.log] == [STATUS_URI]

    plain = run_module(main, dict(token_args, jobs=ids), check_mode=True, diff=True)
    assert actions(plain) == {running[0]: "would_terminate", releasing[0]: "already_ended", released[0]: "already_ended",
                              deleted[0]: "already_ended"}
    assert plain.result["diff"]["after"].startswith("%s: end\n%s: RELEASE_RESOURCE_STARTED\n" % (running[0], releasing[0]))
    assert run_module(main, dict(token_args, jobs=released), check_mode=True).result["changed"] is False


@pytest.mark.parametrize("status", ["CONFIGURATION", "CREATING"])
def test_a_task_never_started_fails_before_anything_is_sent(drs, run_module, token_args, status):
    good = drs.add("INCRE_TRANSFER_STARTED", 1)
    bad = drs.add(status, 1, start=1)
    run = run_module(main, dict(token_args, jobs=good + bad, delete=True))
    assert run.failed and run.result["changed"] is False
    assert run.msg == ("1 of 2 DRS tasks cannot be ended, so none was: 1 task (task is %s, never started, so there is nothing "
                       "to end (the DRS console deletes it)): %s" % (status, bad[0]))
    assert drs.requests(BATCH_JOBS_URI) == []


def test_wait_until_the_release_is_complete(drs, run_module, token_args):
    ids = drs.add("FULL_TRANSFER_STARTED", 1)
    drs.release_reads = 1
    run = run_module(main, dict(token_args, jobs=ids, wait=True))
    assert actions(run) == {ids[0]: "terminated"} and run.result["results"][0]["status"] == "RELEASE_RESOURCE_COMPLETE"
    assert len(drs.requests(STATUS_URI)) == 3


def test_a_release_that_does_not_complete_in_time_deletes_nothing(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 1)
    drs.release_reads = 1000
    run = run_module(main, dict(token_args, jobs=ids, delete=True, wait_timeout=0))
    assert run.failed and run.result["changed"] is True, "the task was ended"
    assert actions(run) == {ids[0]: "terminated"}
    assert run.msg == ("Timed out after 0s waiting for 1 of 1 DRS task to be released (RELEASE_RESOURCE_COMPLETE) before the "
                       "deletion; still: %s (RELEASE_RESOURCE_STARTED)" % ids[0])
    assert sent(drs) == [("terminate", ids[0])]


def test_a_failed_release_deletes_nothing(drs, run_module, token_args):
    ids = drs.add("INCRE_TRANSFER_STARTED", 1)

    def release_fails(fake):
        if fake.tasks[ids[0]] == "RELEASE_RESOURCE_STARTED":
            fake.tasks[ids[0]] = "RELEASE_RESOURCE_FAILED"
            fake.releasing.clear()
    drs.release_reads = 5
    drs.after_read = release_fails
    run = run_module(main, dict(token_args, jobs=ids, delete=True))
    assert run.failed and run.msg.startswith("1 of 1 DRS task failed to be released, so none was deleted: %s (RELEASE_RESOURCE_FAILED" % ids[0])
    assert sent(drs) == [("terminate", ids[0])]


def test_a_refused_delete_is_reported_per_task(drs, run_module, token_args):
    ids = drs.add("RELEASE_RESOURCE_COMPLETE", 2)
    drs.refuse_action[ids[1]] = {"error_code": "DRS.10040022", "error_msg": "Unsubscribe the yearly task first."}
    run = run_module(main, dict(token_args, jobs=ids, delete=True))
    assert run.failed and run.result["changed"] is True
    assert run.msg == ("1 of 2 DRS tasks failed to be deleted (1 deleted): 1 task (DRS.10040022: Unsubscribe the yearly task first.): "
                       "%s" % ids[1])


def test_wait_after_delete_until_the_tasks_are_gone(drs, run_module, token_args):
    ids = drs.add("RELEASE_RESOURCE_COMPLETE", 1)
    run = run_module(main, dict(token_args, jobs=ids, delete=True, wait=True))
    assert actions(run) == {ids[0]: "deleted"} and run.result["results"][0]["status"] == "DELETED"


@pytest.mark.parametrize("delete, requests", [(False, (3, 3)), (True, (6, 6))])
def test_request_floor_at_250_tasks(drs, run_module, token_args, delete, requests):
    ids = drs.add("INCRE_TRANSFER_STARTED", 250)
    run = run_module(main, dict(token_args, jobs=ids, delete=delete))
    assert set(actions(run).values()) == {"deleted" if delete else "terminated"}
    assert (len(drs.requests(STATUS_URI)), len(drs.requests(BATCH_JOBS_URI))) == requests
