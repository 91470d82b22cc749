# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.hwcloud.drs.plugins.modules.drs_job_info import main

from .fake_drs import LIST_URI, FakeDrs, json_response
from .test_drs_batch_status import warning_texts


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


def bodies(drs):
    return [request.get_json() for request in drs.requests(LIST_URI)]


def names(run):
    return [job["name"] for job in run.result["jobs"]]


def test_lists_every_task_with_its_fields(drs, run_module, token_args):
    parent = drs.list_job("orders-dr", status="INCRE_TRANSFER_STARTED", db_use_type="cloudDataGuard", children=[
        {"id": "child-1", "name": "orders-dr-forward", "status": "INCRE_TRANSFER_STARTED", "error_msg": None,
         "billing_tag": False, "job_action": {}}])
    plain = drs.list_job("orders-eu-1", billing_tag=True, node_newFramework=True)
    run = run_module(main, token_args, check_mode=True)
    assert not run.failed and run.result["changed"] is False
    assert run.result["job_ids"] == [parent, plain]
    assert run.result["jobs"][1] == {
        "id": plain, "name": "orders-eu-1", "status": "CONFIGURATION", "status_class": "startable", "description": None,
        "create_time": "1764558000000", "engine_type": "mysql", "db_use_type": "migration", "net_type": "vpc",
        "task_type": "FULL_INCR_TRANS", "job_direction": "up", "children": []}
    assert run.result["jobs"][0]["children"] == [{
        "id": "child-1", "name": "orders-dr-forward", "status": "INCRE_TRANSFER_STARTED", "status_class": "transferring",
        "create_time": None, "engine_type": None, "db_use_type": None, "net_type": None, "task_type": None,
        "job_direction": None, "error_msg": None}]
    assert bodies(drs) == [{"cur_page": 1, "per_page": 100}]


def test_pages_through_every_task(drs, run_module, token_args):
    for number in range(250):
        drs.list_job("orders-%03d" % number)
    run = run_module(main, token_args)
    assert len(run.result["job_ids"]) == 250 and len(set(run.result["job_ids"])) == 250
    assert [(body["cur_page"], body["per_page"]) for body in bodies(drs)] == [(1, 100), (2, 100), (3, 100)]


@pytest.mark.parametrize("name, name_match, expected, sent", [
    ("orders-*", "glob", ["orders-eu-1", "orders-us-2", "orders-eu-10"], None),
    ("orders-?u-1", "glob", ["orders-eu-1"], None),
    ("orders-eu-1", "glob", ["orders-eu-1"], "orders-eu-1"),
    ("orders-eu-1", "exact", ["orders-eu-1"], "orders-eu-1"),
    ("orders-*", "exact", [], "orders-*"),
    ("^orders-(eu|us)-[0-9]$", "regex", ["orders-eu-1", "orders-us-2"], None),
    ("eu", "regex", ["orders-eu-1", "orders-eu-10"], None),
])
def test_names_match_as_chosen_and_only_exact_names_go_to_the_server(drs, run_module, token_args, name, name_match,
                                                                     expected, sent):
    for task_name in ("orders-eu-1", "orders-us-2", "old-orders-1", "orders-eu-10", "ORDERS-EU-1"):
        drs.list_job(task_name)
    run = run_module(main, dict(token_args, name=name, name_match=name_match))
    assert names(run) == expected
    assert bodies(drs)[0].get("name") == sent


def test_the_fuzzy_server_answer_for_an_exact_name_is_narrowed_to_the_name(drs, run_module, token_args):
    drs.list_job("orders-eu-1")
    drs.list_job("orders-eu-10")
    run = run_module(main, dict(token_args, name="orders-eu-1"))
    assert names(run) == ["orders-eu-1"] and len(drs.requests(LIST_URI)) == 1


def test_server_filters_are_sent_and_each_status_is_listed_once(drs, run_module, token_args):
    drs.list_job("a", status="CONFIGURATION", engine_type="mysql", tags={"team": "pay"})
    drs.list_job("b", status="START_JOB_FAILED", engine_type="mysql", tags={"team": "pay"})
    drs.list_job("c", status="INCRE_TRANSFER_STARTED", engine_type="mysql", tags={"team": "pay"})
    drs.list_job("d", status="CONFIGURATION", engine_type="mongodb", tags={"team": "pay"})
    drs.list_job("e", status="CONFIGURATION", engine_type="mysql", tags={"team": "ops"})
    run = run_module(main, dict(token_args, status=["CONFIGURATION", "START_JOB_FAILED", "CONFIGURATION"],
                                engine_type="mysql", job_type="migration", net_type="vpc", enterprise_project_id="0",
                                tags={"team": "pay"}))
    assert names(run) == ["a", "b"]
    common = {"per_page": 100, "cur_page": 1, "engine_type": "mysql", "db_use_type": "migration", "net_type": "vpc",
              "enterprise_project_id": "0", "tags": {"team": "pay"}}
    assert bodies(drs) == [dict(common, status="CONFIGURATION"), dict(common, status="START_JOB_FAILED")]


def test_a_task_listed_twice_is_returned_once(drs, run_module, token_args):
    task = drs.list_job("a")
    drs.listed.append(dict(drs.listed[0]))
    run = run_module(main, token_args)
    assert run.result["job_ids"] == [task]


def test_a_status_drs_never_used_is_listed_with_a_warning(drs, run_module, token_args):
    run = run_module(main, dict(token_args, status="CONFIGURED"))
    assert not run.failed and run.result["jobs"] == []
    assert warning_texts(run.result) == ["status: CONFIGURED is not a status DRS is known to report; check its spelling"]


def test_a_bad_regular_expression_is_named(drs, run_module, token_args):
    run = run_module(main, dict(token_args, name="orders-(", name_match="regex"))
    assert run.failed and run.result["msg"].startswith("name: 'orders-(' is not a valid regular expression")
    assert drs.requests(LIST_URI) == []


def test_a_server_that_ignores_the_page_number_is_detected(httpserver, run_module, token_args):
    page = [{"id": "task-%d" % number, "name": "t", "status": "CONFIGURATION"} for number in range(100)]
    httpserver.expect_request(LIST_URI, method="POST").respond_with_response(
        json_response({"total_record": 1000, "jobs": page}))
    run = run_module(main, token_args)
    assert run.failed and "repeats the page before (is cur_page ignored?)" in run.result["msg"]
    assert len(httpserver.log) == 2


def test_without_total_record_a_short_page_is_the_last(httpserver, run_module, token_args):
    pages = [[{"id": "task-%d" % number, "name": "t"} for number in range(first, first + size)]
             for first, size in ((0, 100), (100, 7))]
    httpserver.expect_ordered_request(LIST_URI, method="POST").respond_with_response(json_response({"jobs": pages[0]}))
    httpserver.expect_ordered_request(LIST_URI, method="POST").respond_with_response(json_response({"jobs": pages[1]}))
    run = run_module(main, token_args)
    assert len(run.result["job_ids"]) == 107 and len(httpserver.log) == 2


def test_an_api_error_names_the_call(httpserver, run_module, token_args):
    httpserver.expect_request(LIST_URI, method="POST").respond_with_response(
        json_response({"error_code": "DRS.10000004", "error_msg": "Invalid per_page."}, status=400))
    run = run_module(main, token_args)
    assert run.failed and run.result["msg"].startswith("Failed to list DRS tasks: POST /v3/")
    assert "DRS.10000004: Invalid per_page." in run.result["msg"] and run.result["api_error"]["status"] == 400
