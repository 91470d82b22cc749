# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A module's step run in the controller's process answers as the module's own process does."""

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.drs.plugins.module_utils._batch_action import BatchActionStep
from ansible_collections.hwcloud.drs.plugins.module_utils._context import RunContext
from ansible_collections.hwcloud.drs.plugins.module_utils._module import DrsStep, execute
from ansible_collections.hwcloud.drs.plugins.modules import (
    drs_async_commit, drs_batch_pause, drs_batch_precheck, drs_batch_retry, drs_batch_start, drs_batch_status,
    drs_batch_terminate, drs_job_info,
)
from ansible_collections.hwcloud.drs.plugins.plugin_utils._in_process import argument_validator, masked, run_step

from ..modules.fake_drs import FakeDrs

SECRET = "tok-SECRET-0123456789"
ASYNC_ID = "bd4193aa-072d-4ce6-beec-adffc7252341"
# Every module with a step of its own (drs_batch_launch is the action plugin's documentation).
MODULES = (drs_async_commit, drs_batch_pause, drs_batch_precheck, drs_batch_retry, drs_batch_start, drs_batch_status,
           drs_batch_terminate, drs_job_info)


@pytest.fixture
def drs(httpserver):
    return FakeDrs(httpserver)


# -- the scenes: each seeds a fresh fake DRS and returns the module's arguments ------------------------


def status_read(drs):
    ids = drs.add("CONFIGURATION", 2) + drs.add("INCRE_TRANSFER_STARTED", 1, start=5)
    drs.progress[ids[2]] = {"task_mode": "FULL_INCR_TRANS", "progress": "100%", "incre_trans_delay": "2"}
    drs.rpo_rto[ids[2]] = ("1", "3")
    return dict(jobs=ids, wait_for=["INCRE_TRANSFER_STARTED"], progress=True, rpo_rto_max=10)


def status_typo(drs):
    return dict(jobs=drs.add("INCRE_TRANSFER_STARTED", 1), wait_for=["INCRE_TRANSFER_STARTD"], fail_on=["FAILD"])


def start(drs):
    return dict(jobs=drs.add("CONFIGURATION", 2) + [{"job_id": drs.add("INCRE_TRANSFER_STARTED", 1, start=5)[0]}],
                start_time=1906504200000)


def start_refused(drs):
    return dict(jobs=drs.add("CONFIGURATION", 1) + drs.add("CREATE_FAILED", 1, start=5))


def commit(drs):
    drs.add_async_job(ASYNC_ID, "AUTO_PARAM_VALIDATE_SUCCESS", task_count=3)
    return dict(async_job_id=ASYNC_ID)


def job_list(drs):
    drs.list_job("orders-eu-1")
    drs.list_job("orders-eu-2", status="INCRE_TRANSFER_STARTED", children=[dict(id="child-1", name="orders-eu-2-back")])
    drs.list_job("billing-1")
    return dict(name="orders-*", status=["CONFIGURATION", "INCRE_TRANSFER_STARTED", "CONFIGURED"])


def precheck(drs):
    passed = drs.add("CONFIGURATION", 1)
    drs.precheck_results[passed[0]] = drs.precheck_result(passed[0])
    return dict(jobs=passed + drs.add("CONFIGURATION", 1, start=1) + drs.add("INCRE_TRANSFER_STARTED", 1, start=2))


def precheck_alarm(drs):
    task = drs.add("CONFIGURATION", 1)
    drs.precheck_results[task[0]] = drs.precheck_result(task[0], items=[
        {"item": "Source database binlog retention", "result": "ALARM", "failed_reason": "binlog kept 1 day"}])
    return dict(jobs=task)


def retry(drs):
    return dict(jobs=drs.add("INCRE_TRANSFER_FAILED", 2) + drs.add("PAUSING", 1, start=2) +
                drs.add("INCRE_TRANSFER_STARTED", 1, start=3), wait=True)


def pause(drs):
    return dict(jobs=drs.add("INCRE_TRANSFER_STARTED", 2) + drs.add("PAUSING", 1, start=2), pause_mode="all", wait=True)


def terminate(drs):
    drs.release_reads = 1
    return dict(jobs=drs.add("INCRE_TRANSFER_STARTED", 2) + drs.add("RELEASE_RESOURCE_COMPLETE", 1, start=2) +
                drs.add("DELETED", 1, start=3), delete=True, wait=True)


def terminate_refused(drs):
    return dict(jobs=drs.add("INCRE_TRANSFER_STARTED", 1) + drs.add("CONFIGURATION", 1, start=1))


# module, scene, check mode, diff mode
CASES = [
    (drs_batch_status, status_read, False, False),
    (drs_batch_status, status_typo, True, False),
    (drs_batch_start, start, False, True),
    (drs_batch_start, start, True, True),
    (drs_batch_start, start_refused, False, True),
    (drs_async_commit, commit, False, True),
    (drs_async_commit, commit, True, True),
    (drs_job_info, job_list, False, False),
    (drs_batch_precheck, precheck, False, False),
    (drs_batch_precheck, precheck, True, False),
    (drs_batch_precheck, precheck_alarm, False, False),
    (drs_batch_retry, retry, False, True),
    (drs_batch_retry, retry, True, True),
    (drs_batch_pause, pause, False, True),
    (drs_batch_pause, pause, True, False),
    (drs_batch_terminate, terminate, False, True),
    (drs_batch_terminate, terminate, True, True),
    (drs_batch_terminate, terminate_refused, False, False),
]


def step_of(module):
    """The step class a module's main() runs (imported by the module from module_utils)."""
    steps = [value for value in vars(module).values()
             if isinstance(value, type) and issubclass(value, DrsStep) and value not in (DrsStep, BatchActionStep)]
    assert len(steps) == 1, steps
    return steps[0]


def test_every_module_is_covered():
    assert set(module for module, _scene, _check, _diff in CASES) == set(MODULES)


@pytest.mark.parametrize("module, scene, check_mode, diff", CASES,
                         ids=["%s-%s%s%s" % (case[0].__name__.rsplit(".", 1)[-1], case[1].__name__, "-check" if case[2] else "",
                                             "-diff" if case[3] else "") for case in CASES])
def test_the_answer_is_the_module_process_answer(httpserver, run_module, token_args, module, scene, check_mode, diff):
    """The same result, key by key, against the same DRS, but for what AnsibleModule adds about its own
    invocation and the seconds a read took."""
    own_process = run_module(module.main, dict(token_args, **scene(FakeDrs(httpserver))), check_mode=check_mode,
                             diff=diff).result
    httpserver.clear()
    in_process = run_step(step_of(module), dict(token_args, **scene(FakeDrs(httpserver))), check_mode=check_mode,
                          diff=diff)
    own_process.pop("invocation", None)  # ansible-core 2.21 adds it only when the controller asks
    assert comparable(in_process) == comparable(own_process)


def comparable(result):
    """The result without its timing, its warnings and deprecations as (message, version): a module process
    returns them as ansible-core builds them (plain messages up to 2.18, summaries of events from 2.19)."""
    result = dict(result)
    result.pop("elapsed", None)
    for key in ("warnings", "deprecations"):
        if key in result:
            result[key] = [said(entry) for entry in result[key]]
    return result


def said(entry):
    if not isinstance(entry, dict):
        return (entry, None)
    return ((entry.get("event") or entry).get("msg"), entry.get("version"))


# -- what a step says besides its result ----------------------------------------------------------------


class Saying(DrsStep):
    """A step that warns and deprecates, as a future one may: both must reach the caller in both places."""

    action = "say something"

    def run(self):
        self.context.warn("the option old_name is ignored")
        self.context.deprecate("the option old_name goes away", "9.0.0")
        return dict(changed=False, check_mode=self.context.check_mode, diff=self.context.diff)


def saying_main():
    module = AnsibleModule(argument_spec=Saying.full_argument_spec(), supports_check_mode=True)
    execute(module, Saying, RunContext.from_module(module))


@pytest.mark.parametrize("check_mode, diff", [(False, False), (True, True)])
def test_warnings_deprecations_and_modes_reach_the_caller_in_both_places(run_module, token_args, check_mode, diff):
    own_process = run_module(saying_main, token_args, check_mode=check_mode, diff=diff).result
    in_process = run_step(Saying, token_args, check_mode=check_mode, diff=diff)
    own_process.pop("invocation", None)
    assert comparable(in_process) == comparable(own_process)
    assert comparable(in_process) == dict(changed=False, check_mode=check_mode, diff=diff,
                                          warnings=[("the option old_name is ignored", None)],
                                          deprecations=[("the option old_name goes away", "9.0.0")])


def test_no_log_options_are_strings_at_the_top_of_each_spec():
    """The controller masks a step's no_log values as their strings (module_utils/_module.secret_values)."""
    for module in MODULES:
        spec = argument_validator(step_of(module)).argument_spec
        for name, option in spec.items():
            assert not option.get("no_log") or option.get("type") == "str", (module.__name__, name)
            for sub_name, sub_option in (option.get("options") or {}).items():
                assert not sub_option.get("no_log"), (module.__name__, name, sub_name)


# -- the controller's own handling ----------------------------------------------------------------------


def test_a_secret_in_an_answer_is_masked(drs, token_args):
    task = drs.add("CONFIGURATION", 1)
    drs.errors[task[0]] = {"error_code": "DRS.0001", "error_message": "token %s is not allowed" % SECRET}
    answer = run_step(step_of(drs_batch_status), dict(token_args, jobs=task))
    assert SECRET not in repr(answer)
    assert answer["jobs"][0]["error_message"] == "token ******** is not allowed", answer


def test_bad_arguments_fail_with_the_validation_messages(token_args):
    answer = run_step(step_of(drs_batch_status), dict(token_args, poll_interval="soon"))
    assert answer["failed"]
    assert "missing required arguments: jobs" in answer["msg"] and "poll_interval" in answer["msg"], answer["msg"]


def test_the_warnings_of_a_run_are_returned(drs, token_args):
    answer = run_step(step_of(drs_batch_status), dict(token_args, jobs=drs.add("CONFIGURATION", 1), validate_certs=False))
    assert not answer.get("failed") and any("validate_certs is false" in warning for warning in answer["warnings"])


def test_masking_finds_a_secret_also_where_json_escapes_it():
    secret = 'pa"ss\\wörd'
    assert masked({"msg": "no secret here", "jobs": [{"id": "a"}]}, {secret}) == {"msg": "no secret here", "jobs": [{"id": "a"}]}
    assert masked({"msg": "sent %s" % secret}, {secret}) == {"msg": "sent ********"}
    assert masked({"nested": [{"text": secret}]}, {secret}) == {"nested": [{"text": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}]}
