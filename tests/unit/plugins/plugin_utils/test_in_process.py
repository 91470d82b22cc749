# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A module's code run in the controller's process answers as its own process does."""

import pytest

from ansible_collections.hwcloud.drs.plugins.modules import drs_batch_start, drs_batch_status
from ansible_collections.hwcloud.drs.plugins.plugin_utils._in_process import masked, run_module as run_in_process

from ..modules.fake_drs import FakeDrs

SECRET = "tok-SECRET-0123456789"


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


@pytest.mark.parametrize("module, module_class, check_mode", [
    (drs_batch_status, drs_batch_status.DrsBatchStatus, False), (drs_batch_start, drs_batch_start.DrsBatchStart, True),
    (drs_batch_start, drs_batch_start.DrsBatchStart, False)])
def test_the_answer_is_the_module_process_answer(drs, run_module, token_args, module, module_class, check_mode):
    """The same result, key by key, but for what AnsibleModule adds about its own invocation."""
    ids = drs.add("CONFIGURATION", 2) + drs.add("INCRE_TRANSFER_STARTED", 1, start=5)
    own_process = run_module(module.main, dict(token_args, jobs=ids), check_mode=check_mode).result
    # Tasks of their own: a start changes the first ones.
    ids = drs.add("CONFIGURATION", 2, start=10) + drs.add("INCRE_TRANSFER_STARTED", 1, start=15)
    in_process = run_in_process(module_class, dict(token_args, jobs=ids), check_mode=check_mode)
    own_process.pop("invocation", None)  # ansible-core 2.21 adds it only when the controller asks
    assert without_ids(in_process) == without_ids(own_process)


def without_ids(result):
    """The result with each task ID replaced by its place, so that two batches of tasks compare."""
    text = repr(sorted(result.items()))
    for number in range(20):
        text = text.replace("%08d-2308-4bb5-a6bc-1040402fjb21" % number, "task-%d" % (number % 10))
    return text


def test_a_secret_in_an_answer_is_masked(drs, token_args):
    task = drs.add("CONFIGURATION", 1)
    drs.errors[task[0]] = {"error_code": "DRS.0001", "error_message": "token %s is not allowed" % SECRET}
    answer = run_in_process(drs_batch_status.DrsBatchStatus, dict(token_args, jobs=task))
    assert SECRET not in repr(answer)
    assert answer["jobs"][0]["error_message"] == "token ******** is not allowed", answer


def test_bad_arguments_fail_with_the_validation_messages(token_args):
    answer = run_in_process(drs_batch_status.DrsBatchStatus, dict(token_args, poll_interval="soon"))
    assert answer["failed"]
    assert "missing required arguments: jobs" in answer["msg"] and "poll_interval" in answer["msg"], answer["msg"]


def test_the_warnings_of_a_run_are_returned(drs, token_args):
    answer = run_in_process(drs_batch_status.DrsBatchStatus,
                            dict(token_args, jobs=drs.add("CONFIGURATION", 1), validate_certs=False))
    assert not answer.get("failed") and any("validate_certs is false" in warning for warning in answer["warnings"])


def test_masking_finds_a_secret_also_where_json_escapes_it():
    secret = 'pa"ss\\wörd'
    assert masked({"msg": "no secret here", "jobs": [{"id": "a"}]}, {secret}) == {"msg": "no secret here", "jobs": [{"id": "a"}]}
    assert masked({"msg": "sent %s" % secret}, {secret}) == {"msg": "sent ********"}
    assert masked({"nested": [{"text": secret}]}, {secret}) == {"nested": [{"text": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}]}
