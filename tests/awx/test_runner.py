# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX job template of awx/ runs the role as AWX runs it: through ansible-runner.

AWX turns a credential into environment variables by rendering its credential type's
``injectors`` with Jinja's immutable sandbox (``CredentialType.inject_credential``): every
injector is rendered, a field left empty renders as ``""``. It validates the survey answers
against the survey spec, writes them (with the defaults of unanswered questions) to
``env/extravars`` of the job's private data directory, and calls ``ansible_runner.run`` with
the rendered environment and ``suppress_env_files=True``. These tests do the same with the
files in ``awx/``, against a DRS simulator started in-process, and check the job's artifacts:
status, rc, the ``set_stats`` data in the ``playbook_on_stats`` event, and no secret anywhere.
"""

import json
import os
import shutil
import sys

import pytest
import yaml

from ansible_collections.hwcloud.drs.tests.support import REPO_ROOT
from ansible_collections.hwcloud.drs.tests.support.modules import HW_VARIABLES

ansible_runner = pytest.importorskip("ansible_runner")
sandbox = pytest.importorskip("jinja2.sandbox")

AWX_DIR = os.path.join(REPO_ROOT, "awx")

PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
TOKEN = "awx-token-MIIDoQYJKoZIhvcNAQcCoIIDkjCCA44"
PERMANENT = {"ak": "AWXPERMANENTKEY00001", "sk": "awx-permanent-secret-0123456789"}
TEMPORARY = {"ak": "AWXTEMPORARYKEY00002", "sk": "awx-temporary-secret-9876543210",
             "security_token": "awx-session-token-gQpjbi1ub3J0aC00j"}
USER = {"name": "awx-user", "password": "awx-Passw0rd-4f9c2e", "domain": "awx-domain"}
FORWARD = "3c9e1f7a-5b2d-4e8c-9a10-7d6f2e4bjb21"
BACKWARD = "8d2a6c4e-1f9b-4a7d-b3e5-0c8f5a2djb21"
PLAIN = "9a470239-2308-4bb5-a6bc-1040402fjb21"
ASYNC_JOB = "6f1c9a52-3d7e-4b8a-9c21-5e0d4f7a8b61"

SCENARIO = {
    "project_id": PROJECT_ID,
    "speed": "instant",
    "auth": {"tokens": [TOKEN], "credentials": [PERMANENT, TEMPORARY], "users": [USER]},
    "tasks": [{"id": PLAIN, "name": "plain"}, {"id": FORWARD, "name": "forward"},
              {"id": BACKWARD, "name": "backward", "forward_job_id": FORWARD}],
    "async_jobs": [{"id": ASYNC_JOB, "status": "AUTO_PARAM_VALIDATE_SUCCESS",
                    "generate": {"count": 4, "prefix": "awx"}}],
}

# Credential inputs for each way to authenticate, as an operator fills in the form:
# the fields of the other ways stay empty (AWX then renders "" for them).
CREDENTIALS = {
    "token": lambda sim: {"endpoint": sim.url, "project_id": PROJECT_ID, "auth_token": TOKEN},
    "aksk-temporary": lambda sim: {"endpoint": sim.url, "project_id": PROJECT_ID, "access_key": TEMPORARY["ak"],
                                   "secret_key": TEMPORARY["sk"], "security_token": TEMPORARY["security_token"]},
    "aksk-permanent": lambda sim: {"endpoint": sim.url, "project_id": PROJECT_ID, "access_key": PERMANENT["ak"],
                                   "secret_key": PERMANENT["sk"], "security_token": ""},
    "password": lambda sim: {"endpoint": sim.url, "project_id": PROJECT_ID, "username": USER["name"],
                             "password": USER["password"], "domain_name": USER["domain"], "auth_url": sim.url + "/v3"},
}
SECRETS = [TOKEN, PERMANENT["sk"], TEMPORARY["sk"], TEMPORARY["security_token"], USER["password"]]

# What an operator types into the survey (textareas keep their line breaks).
ANSWERS = {
    "drs_async_job_ids": ASYNC_JOB + "\n",
    "drs_job_groups": "%s, %s\n%s\n" % (FORWARD, PLAIN, BACKWARD),
    "drs_poll_interval": 1,
    "drs_wait_timeout": 120,
}


def load(name):
    with open(os.path.join(AWX_DIR, name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def connection_spec():
    from ansible_collections.hwcloud.drs.plugins.module_utils._module import CONNECTION_ARGUMENT_SPEC
    return CONNECTION_ARGUMENT_SPEC


# ---------------------------------------------------------------- what AWX does

def inject_credential(credential_type, inputs):
    """``CredentialType.inject_credential`` of AWX for env injectors: returns (env, safe_env)."""
    secret_fields = [field["id"] for field in credential_type["inputs"]["fields"] if field.get("secret") is True]
    namespace, safe_namespace = {}, {}
    for name, value in inputs.items():
        if isinstance(value, bool):
            namespace[name] = safe_namespace[name] = value
            continue
        if name in secret_fields:
            safe_namespace[name] = "**********"
        elif value:
            safe_namespace[name] = value
        if value:
            namespace[name] = value
    environment = sandbox.ImmutableSandboxedEnvironment()
    env, safe_env = {}, {}
    for name, template in credential_type["injectors"]["env"].items():
        env[name] = environment.from_string(template).render(**namespace)
        safe_env[name] = environment.from_string(template).render(**safe_namespace)
    return env, safe_env


def survey_extra_vars(survey_spec, answers):
    """Validate ``answers`` like AWX's ``survey_variable_validation``; return the job's extra vars."""
    extra_vars = {}
    errors = []
    for question in survey_spec["spec"]:
        name = question["variable"]
        if name in answers:
            value = answers[name]
        elif "default" in question:
            value = question["default"]
        elif question.get("required"):
            errors.append("%s is required" % name)
            continue
        else:
            continue
        kind = question["type"]
        if kind in ("text", "textarea", "password"):
            if not isinstance(value, str):
                errors.append("%s must be a string" % name)
            elif question.get("required") or value:
                if len(value) < int(question.get("min", 0)) or len(value) > int(question.get("max", 1024)):
                    errors.append("%s has the wrong length" % name)
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                errors.append("%s must be an integer" % name)
            elif not int(question["min"]) <= value <= int(question["max"]):
                errors.append("%s is out of range" % name)
        elif kind == "multiplechoice":
            if value not in question["choices"]:
                errors.append("%s is not a choice" % name)
        else:
            errors.append("%s has a question type this test does not know: %s" % (name, kind))
        extra_vars[name] = value
    assert not errors, errors
    return extra_vars


def run_job(tmp_path, collections_path, env, extra_vars, ident="1", playbook="awx/launch_batch.yml"):
    """An AWX job: private data dir with the project, inventory and env/extravars; ansible_runner.run."""
    private_data_dir = tmp_path / "job"
    project = private_data_dir / "project"
    shutil.copytree(AWX_DIR, str(project / "awx"))
    (private_data_dir / "inventory").mkdir(parents=True)
    (private_data_dir / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    (private_data_dir / "env").mkdir()
    (private_data_dir / "env" / "extravars").write_text(json.dumps(extra_vars))
    # As in an execution environment: ansible-playbook on PATH, the collection installed.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", os.defpath)])
    envvars = dict(env, PATH=path, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_HOST_KEY_CHECKING="False")
    runner = ansible_runner.run(private_data_dir=str(private_data_dir), ident=ident, playbook=playbook,
                                envvars=envvars, quiet=True, suppress_env_files=True,
                                settings={"job_timeout": 120, "suppress_ansible_output": True})
    return runner, private_data_dir


@pytest.fixture
def simulator(make_sim):
    return make_sim(SCENARIO)


@pytest.fixture(autouse=True)
def no_hw_variables(monkeypatch):
    for name in HW_VARIABLES:
        monkeypatch.delenv(name, raising=False)


# --------------------------------------------------------------------- tests

def test_credential_type_injects_what_the_modules_read():
    credential_type = load("credential_type.yml")
    assert credential_type["kind"] == "cloud"
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    spec = connection_spec()
    fallbacks = dict((name, option["fallback"][1][0]) for name, option in spec.items() if "fallback" in option)
    injected = credential_type["injectors"]["env"]
    # Every input is injected into the variable its module option falls back to, and nothing else.
    assert injected == dict((fallbacks[name], "{{ %s }}" % name) for name in fields)
    # Every no_log option of the modules is a secret field, and only those.
    assert sorted(name for name, field in fields.items() if field.get("secret")) == \
        sorted(name for name in fields if spec[name].get("no_log"))
    assert set(credential_type["inputs"]["required"]) <= set(fields)
    for field in fields.values():
        assert field["type"] == "string" and field["label"]


@pytest.mark.parametrize("name", ["job_template.yml", "retry_job_template.yml"])
def test_job_templates_run_their_playbook_with_every_survey_variable(name):
    template = load(name)
    assert os.path.exists(os.path.join(REPO_ROOT, template["playbook"]))
    assert template["survey_enabled"] is True
    names = [question["variable"] for question in template["survey_spec"]["spec"]]
    assert len(names) == len(set(names))
    with open(os.path.join(REPO_ROOT, template["playbook"]), encoding="utf-8") as handle:
        playbook = handle.read()
    for variable in names:
        assert variable in playbook, "the playbook ignores the survey variable %s" % variable
    # The defaults alone are a valid survey (AWX checks them when the survey is saved).
    survey_extra_vars(template["survey_spec"], {})


def test_the_launch_survey_asks_what_the_role_needs():
    template = load("job_template.yml")
    names = [question["variable"] for question in template["survey_spec"]["spec"]]
    assert {"drs_async_job_ids", "drs_jobs", "drs_job_groups", "drs_wait_timeout", "drs_poll_interval",
            "drs_target_status"} <= set(names)
    defaults = survey_extra_vars(template["survey_spec"], {})
    assert defaults["drs_target_status"] == "auto" and defaults["drs_precheck"] == "yes"
    assert defaults["drs_poll_interval"] == 60 and defaults["drs_wait_timeout"] == 86400


@pytest.mark.parametrize("way", sorted(CREDENTIALS))
def test_injectors_render_one_way_to_authenticate(way, simulator):
    env, safe_env = inject_credential(load("credential_type.yml"), CREDENTIALS[way](simulator))
    assert env["HW_PROJECT_ID"] == PROJECT_ID and env["HW_DRS_ENDPOINT"] == simulator.url
    assert env["HW_REGION_NAME"] == ""
    for secret in SECRETS:
        assert secret not in json.dumps(safe_env)
    filled = sorted(name for name, value in env.items() if value and name not in ("HW_PROJECT_ID", "HW_DRS_ENDPOINT"))
    assert filled == {
        "token": ["HW_AUTH_TOKEN"],
        "aksk-temporary": ["HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN"],
        "aksk-permanent": ["HW_ACCESS_KEY", "HW_SECRET_KEY"],
        "password": ["HW_AUTH_URL", "HW_DOMAIN_NAME", "HW_PASSWORD", "HW_USER_NAME"],
    }[way]


@pytest.mark.parametrize("way", sorted(CREDENTIALS))
def test_job_launches_the_batch(way, simulator, collections_path, tmp_path):
    credential_type = load("credential_type.yml")
    template = load("job_template.yml")
    env, dummy = inject_credential(credential_type, CREDENTIALS[way](simulator))
    extra_vars = survey_extra_vars(template["survey_spec"], ANSWERS)

    runner, private_data_dir = run_job(tmp_path, collections_path, env, extra_vars)
    stdout = runner.stdout.read()
    assert (runner.status, runner.rc) == ("successful", 0), stdout

    artifacts = private_data_dir / "artifacts" / "1"
    assert (artifacts / "status").read_text() == "successful"
    assert (artifacts / "rc").read_text() == "0"
    # The set_stats data, as a workflow's next node gets it: playbook_on_stats' artifact_data.
    stats_events = [event for event in runner.events if event["event"] == "playbook_on_stats"]
    assert len(stats_events) == 1
    launched = stats_events[0]["event_data"]["artifact_data"]["batch_launch"]["localhost"]
    task_ids = [FORWARD, PLAIN, BACKWARD] + simulator.state()["async_jobs"][0]["job_ids"]
    assert sorted(job["job_id"] for job in launched["jobs"]) == sorted(task_ids)
    assert set(job["status"] for job in launched["jobs"]) == {"INCRE_TRANSFER_STARTED"}
    assert launched["failure"] is None and launched["message"].startswith("Launched: ")
    assert int(launched["tasks"]) == int(launched["started"]) == len(task_ids)
    assert launched["committed"] == [ASYNC_JOB]
    # The same event on disk, where AWX's callback receiver reads it.
    on_disk = [json.loads(path.read_text()) for path in (artifacts / "job_events").glob("*.json")]
    assert [event["event_data"]["artifact_data"] for event in on_disk if event["event"] == "playbook_on_stats"] == \
        [stats_events[0]["event_data"]["artifact_data"]]
    # The dual-active pair: the backward task started only after its forward task replicated.
    starts = [entry for entry in simulator.request_log if entry["route"] == "batch-starting"]
    started = [[job["job_id"] for job in entry["body"]["jobs"]] for entry in starts]
    assert BACKWARD in started[-1] and FORWARD not in started[-1] and FORWARD in started[0]
    assert simulator.start_counts() == dict((task_id, 1) for task_id in task_ids)

    # No secret anywhere in the job's files. ansible-runner's own artifacts/<ident>/command
    # records the environment it was given (so the credential): AWX never shows or keeps it.
    assert not (private_data_dir / "env" / "envvars").exists()
    assert (artifacts / "command").stat().st_mode & 0o077 == 0, "the command file must be private to its owner"
    leaks = []
    for root, dummy_dirs, files in os.walk(str(private_data_dir)):
        for name in files:
            path = os.path.join(root, name)
            if path == str(artifacts / "command"):
                continue
            with open(path, "rb") as handle:
                content = handle.read().decode("utf-8", "replace")
            leaks.extend("%s in %s" % (secret[:6], os.path.relpath(path, str(private_data_dir)))
                         for secret in SECRETS if secret in content)
    assert not leaks
    assert not any(secret in stdout for secret in SECRETS)


def test_a_survey_that_launches_by_name(simulator, collections_path, tmp_path):
    """Only the name field answered: the role finds the tasks, prechecks and launches them."""
    template = load("job_template.yml")
    env, _dummy = inject_credential(load("credential_type.yml"), CREDENTIALS["token"](simulator))
    named = [task["id"] for task in simulator.state()["tasks"] if (task.get("name") or "").startswith("plain")]
    answers = {"drs_job_name": "plain*", "drs_poll_interval": 1, "drs_wait_timeout": 120}
    extra_vars = survey_extra_vars(template["survey_spec"], answers)
    runner, private_data_dir = run_job(tmp_path, collections_path, env, extra_vars)
    stdout = runner.stdout.read()
    assert (runner.status, runner.rc) == ("successful", 0), stdout
    started = [task_id for task_id, count in simulator.start_counts().items() if count]
    assert named and sorted(started) == sorted(named), stdout


# ------------------------------------------------------------- the retry job template

FAILED_ORDERS = ["%08x-0000-4000-8000-0000000fjb21" % number for number in range(3)]
RETRY_SCENARIO = {
    "project_id": PROJECT_ID,
    "speed": "instant",
    "auth": {"tokens": [TOKEN]},
    "tasks": [{"id": FAILED_ORDERS[0], "name": "orders-1", "status": "INCRE_TRANSFER_FAILED"},
              {"id": FAILED_ORDERS[1], "name": "orders-2", "status": "FULL_TRANSFER_FAILED"},
              {"id": FAILED_ORDERS[2], "name": "ledger-1", "status": "INCRE_TRANSFER_FAILED"},
              {"id": PLAIN, "name": "orders-3", "status": "INCRE_TRANSFER_STARTED"}],
}


def retry_job(simulator, collections_path, tmp_path, answers):
    template = load("retry_job_template.yml")
    env, _dummy = inject_credential(load("credential_type.yml"), CREDENTIALS["token"](simulator))
    runner, private_data_dir = run_job(tmp_path, collections_path, env, survey_extra_vars(template["survey_spec"], answers),
                                       playbook=template["playbook"])
    stats = [event for event in runner.events if event["event"] == "playbook_on_stats"]
    assert len(stats) == 1
    return runner, stats[0]["event_data"]["artifact_data"]["drs_retry"]


def test_the_retry_job_retries_the_failed_tasks_by_name(make_sim, collections_path, tmp_path):
    simulator = make_sim(RETRY_SCENARIO)
    runner, retried = retry_job(simulator, collections_path, tmp_path,
                                {"drs_job_name": "orders-*", "drs_poll_interval": 1, "drs_wait_timeout": 120})
    stdout = runner.stdout.read()
    assert (runner.status, runner.rc) == ("successful", 0), stdout
    assert retried["failure"] is None and retried["message"] == "Retried or resumed 2 of 2 tasks"
    assert sorted((entry["job_id"], entry["action"], entry["status"]) for entry in retried["results"]) == [
        (FAILED_ORDERS[0], "retried", "INCRE_TRANSFER_STARTED"), (FAILED_ORDERS[1], "retried", "INCRE_TRANSFER_STARTED")]
    counts = dict((task["id"], task["retry_count"]) for task in simulator.state()["tasks"])
    assert counts == {FAILED_ORDERS[0]: 1, FAILED_ORDERS[1]: 1, FAILED_ORDERS[2]: 0, PLAIN: 0}
    prechecks = [job["precheck_mode"] for entry in simulator.request_log if entry["route"] == "batch-precheck"
                 for job in entry["body"]["jobs"]]
    assert prechecks == ["forRetryJob", "forRetryJob"]
    assert TOKEN not in stdout


def test_the_retry_job_reports_a_failed_precheck_and_fails(make_sim, collections_path, tmp_path):
    scenario = dict(RETRY_SCENARIO, tasks=[dict(RETRY_SCENARIO["tasks"][0], precheck_items=[
        {"item": "Source database binlog retention", "failed_reason": "binlog is kept 1 hour"}])])
    simulator = make_sim(scenario)
    runner, retried = retry_job(simulator, collections_path, tmp_path, {"drs_jobs": FAILED_ORDERS[0] + "\n", "drs_poll_interval": 1})
    assert (runner.status, runner.rc) == ("failed", 2), runner.stdout.read()
    assert retried["failure"].startswith("The forRetryJob precheck of 1 of 1 DRS task did not pass, so none was retried: ")
    assert "Source database binlog retention: binlog is kept 1 hour" in retried["message"]
    assert not [entry for entry in simulator.request_log if entry["route"] == "batch-retry-task"]


def test_the_retry_job_with_nothing_failed_sends_nothing_and_succeeds(make_sim, collections_path, tmp_path):
    simulator = make_sim(dict(RETRY_SCENARIO, tasks=RETRY_SCENARIO["tasks"][3:]))
    runner, retried = retry_job(simulator, collections_path, tmp_path, {})
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()
    assert retried["message"] == "Retried or resumed 0 of 0 tasks" and retried["results"] == []
    assert [entry["route"] for entry in simulator.request_log] == ["list-jobs"] * 4
