"""Scenario files: load a YAML/JSON mapping, check it, and expand it into plain specs.

The format is documented in ``simulator/README.md``. Every key is checked (an unknown key is
an error, so a typo cannot silently change a test), and generated IDs come from a random
generator seeded with the simulator's seed, so the same file and seed give the same IDs.
"""

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import statuses as st

INSTANT = "instant"

DEFAULT_PROJECT_ID = "054ba152d480d55b2f5dc0069e7ddef0"
DEFAULT_TOKEN = "sim-token"
DEFAULT_AK = "SIMULATORACCESSKEY00"
DEFAULT_SK = "simulator-secret-key"
DEFAULT_USER = {"name": "sim-user", "password": "sim-password", "domain": "sim-domain"}

START_RESULTS_KEYS = ("results", "jobs")
VALIDATION_OUTCOMES = ("success", "failed")
MAX_GENERATED_TASKS = 100000


# Per task keys of the task list, and the values the SDK documents for those that have a fixed set.
LIST_KEYS = ("engine_type", "db_use_type", "net_type", "job_direction", "enterprise_project_id", "tags", "create_time",
             "description", "children")
LIST_CHOICES = {
    "db_use_type": ("migration", "sync", "cloudDataGuard"),
    "net_type": ("vpn", "vpc", "eip"),
    "job_direction": ("up", "down", "non-dbs"),
}

# Per task keys of batch-progress and batch-rpo-and-rto (numbers >= 0; progress <= 100).
PROGRESS_KEYS = (
    "progress", "remaining_time", "incre_delay", "incre_delay_start", "incre_delay_floor",
    "rpo", "rpo_start", "rpo_floor", "rto", "rto_start", "rto_floor", "settle_seconds",
    "apply_rows_rate", "apply_bytes_rate",
)


class ScenarioError(ValueError):
    """The scenario is not valid; the message names the offending key."""


@dataclass
class TaskSpec:
    id: str
    name: str
    status: str
    full_only: bool = False
    task_mode: str = st.FULL_INCR_TRANS
    fail_at: str = None
    error_code: str = None
    error_message: str = None
    forward_job_id: str = None
    transition_seconds: float = None
    async_job_id: str = None
    after_commit: str = None
    # the task list (POST /v3/{project_id}/jobs)
    engine_type: str = "mysql"
    db_use_type: str = "migration"
    net_type: str = "eip"
    job_direction: str = "up"
    enterprise_project_id: str = "0"
    tags: dict = field(default_factory=dict)
    create_time: int = None
    description: str = ""
    parent_id: str = None
    child_ids: list = field(default_factory=list)
    # prechecks
    precheck_seconds: float = None
    precheck_items: list = field(default_factory=list)
    # batch-retry-task: this many retries of the task's failure fail again before one sticks
    failed_retries: int = 0
    # the task list's instance_ids filter (default: one instance ID derived from the task ID)
    instance_ids: list = field(default_factory=list)
    # batch-progress and batch-rpo-and-rto (see progress.py); None = follow the clock
    progress: float = None
    remaining_time: float = None
    incre_delay: float = None
    incre_delay_start: float = 30.0
    incre_delay_floor: float = 0.0
    rpo: float = None
    rpo_start: float = 120.0
    rpo_floor: float = 1.0
    rto: float = None
    rto_start: float = 120.0
    rto_floor: float = 1.0
    settle_seconds: float = None
    apply_rows_rate: int = 500
    apply_bytes_rate: int = 262144


@dataclass
class AsyncJobSpec:
    id: str
    status: str
    validation: str
    validate_seconds: float
    error_msg: str
    task_ids: list


@dataclass
class TokenSpec:
    value: str
    expired: bool = False


@dataclass
class CredentialSpec:
    ak: str
    sk: str
    security_token: str = None


@dataclass
class UserSpec:
    name: str
    password: str
    domain: str


@dataclass
class AuthSpec:
    tokens: list
    credentials: list
    users: list
    token_ttl_seconds: float


@dataclass
class Scenario:
    project_id: str
    project_name: str
    speed: object
    transition_seconds: float
    jitter: float
    validate_seconds: float
    commit_seconds: float
    v5_enabled: bool
    start_results_key: str
    max_start_jobs: int
    settle_seconds: float
    require_precheck: bool
    auth: AuthSpec
    tasks: list = field(default_factory=list)
    async_jobs: list = field(default_factory=list)


def parse_speed(value):
    """``"instant"`` or a number >= 0 (simulated seconds per real second); strings from the CLI too."""
    if value == INSTANT:
        return INSTANT
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ScenarioError("speed must be a number >= 0 or 'instant', not %r" % value) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ScenarioError("speed must be a number >= 0 or 'instant', not %r" % (value,))
    return float(value)


def read_scenario_file(path):
    """The mapping in a ``.json`` file or a YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError("cannot read scenario file %s: %s" % (path, error)) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise ScenarioError("cannot parse scenario file %s: %s" % (path, error)) from None
    return {} if data is None else data


def load_scenario(source, seed=0):
    """Build a Scenario from a mapping, a file path, or None (defaults only)."""
    if source is None:
        data = {}
    elif isinstance(source, dict):
        data = source
    elif isinstance(source, (str, Path)):
        data = read_scenario_file(source)
    else:
        raise ScenarioError("a scenario is a mapping or a file path, not %s" % type(source).__name__)
    return _ScenarioBuilder(seed).build(data)


class _Section:
    """One mapping of the scenario, read key by key with type checks; ``where`` names it in errors."""

    def __init__(self, data, where, allowed):
        if not isinstance(data, dict):
            raise ScenarioError("%s must be a mapping" % where)
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise ScenarioError("%s: unknown key(s) %s; allowed: %s" % (where, ", ".join(map(str, unknown)), ", ".join(allowed)))
        self.data = data
        self.where = where

    def fail(self, key, message):
        raise ScenarioError("%s.%s %s" % (self.where, key, message))

    def string(self, key, default=None, choices=None):
        value = self.data.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.fail(key, "must be a non-empty string")
        if choices and value not in choices:
            self.fail(key, "must be one of %s, not %r" % (", ".join(choices), value))
        return value

    def number(self, key, default, minimum=0.0, maximum=None):
        value = self.data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            self.fail(key, "must be a number >= %s" % minimum)
        if maximum is not None and value > maximum:
            self.fail(key, "must be <= %s" % maximum)
        return float(value)

    def integer(self, key, default, minimum, maximum):
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.fail(key, "must be an integer from %s to %s" % (minimum, maximum))
        return value

    def boolean(self, key, default):
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return value

    def items(self, key, default=()):
        value = self.data.get(key, list(default))
        if not isinstance(value, list):
            self.fail(key, "must be a list")
        return value


class _ScenarioBuilder:
    """Turns the raw mapping into a Scenario; one builder per load, so IDs follow document order."""

    def __init__(self, seed):
        self._rng = random.Random("drs-simulator/ids/%s" % seed)
        self._tasks = []
        self._task_ids = set()

    def build(self, data):
        top = _Section(data, "scenario", (
            "description", "project_id", "project_name", "speed", "transition_seconds", "jitter",
            "validate_seconds", "commit_seconds", "v5_enabled", "start_results_key", "max_start_jobs",
            "settle_seconds", "require_precheck", "auth", "tasks", "generate", "async_jobs"))
        top.string("description")
        scenario = Scenario(
            project_id=top.string("project_id", DEFAULT_PROJECT_ID),
            project_name=top.string("project_name", "eu-de"),
            speed=parse_speed(data.get("speed", 1.0)),
            transition_seconds=top.number("transition_seconds", 5.0),
            jitter=top.number("jitter", 0.0, maximum=0.9),
            validate_seconds=top.number("validate_seconds", 5.0),
            commit_seconds=top.number("commit_seconds", 0.0),
            v5_enabled=top.boolean("v5_enabled", True),
            start_results_key=top.string("start_results_key", "results", START_RESULTS_KEYS),
            max_start_jobs=top.integer("max_start_jobs", 100, 1, 10000),
            settle_seconds=top.number("settle_seconds", 0.0),
            require_precheck=top.boolean("require_precheck", False),
            auth=self._auth(data.get("auth", {})),
        )
        for index, raw in enumerate(top.items("tasks")):
            self._add_task(raw, "tasks[%d]" % index, st.CONFIGURATION, None)
        if "generate" in data:
            self._generate(data["generate"], "generate", st.CONFIGURATION, None)
        scenario.async_jobs = [self._async_job(raw, "async_jobs[%d]" % index) for index, raw in enumerate(top.items("async_jobs"))]
        self._check_dual_active_pairs()
        scenario.tasks = self._tasks
        return scenario

    def _hex(self, length):
        return "".join(self._rng.choice("0123456789abcdef") for _position in range(length))

    def _task_id(self):
        """36 characters like the vendor's task IDs, e.g. 9a470239-2308-4bb5-a6bc-1040402fjb21."""
        return "%s-%s-4%s-%s%s-%sjb21" % (self._hex(8), self._hex(4), self._hex(3), self._rng.choice("89ab"), self._hex(3), self._hex(8))

    def _uuid(self):
        return "%s-%s-4%s-%s%s-%s" % (self._hex(8), self._hex(4), self._hex(3), self._rng.choice("89ab"), self._hex(3), self._hex(12))

    def _auth(self, data):
        section = _Section(data, "auth", ("tokens", "credentials", "users", "token_ttl_seconds"))
        return AuthSpec(
            tokens=[self._token(raw, "auth.tokens[%d]" % i) for i, raw in enumerate(section.items("tokens", [DEFAULT_TOKEN]))],
            credentials=[self._credential(raw, "auth.credentials[%d]" % i)
                         for i, raw in enumerate(section.items("credentials", [{"ak": DEFAULT_AK, "sk": DEFAULT_SK}]))],
            users=[self._user(raw, "auth.users[%d]" % i) for i, raw in enumerate(section.items("users", [DEFAULT_USER]))],
            token_ttl_seconds=section.number("token_ttl_seconds", 86400.0),
        )

    @staticmethod
    def _token(raw, where):
        if isinstance(raw, str) and raw:
            return TokenSpec(raw)
        section = _Section(raw, where, ("value", "expired"))
        return TokenSpec(section.string("value"), section.boolean("expired", False))

    @staticmethod
    def _credential(raw, where):
        section = _Section(raw, where, ("ak", "sk", "security_token"))
        if "ak" not in raw or "sk" not in raw:
            raise ScenarioError("%s needs ak and sk" % where)
        return CredentialSpec(section.string("ak"), section.string("sk"), section.string("security_token"))

    @staticmethod
    def _user(raw, where):
        section = _Section(raw, where, ("name", "password", "domain"))
        if not all(key in raw for key in ("name", "password", "domain")):
            raise ScenarioError("%s needs name, password and domain" % where)
        return UserSpec(section.string("name"), section.string("password"), section.string("domain"))

    def _add_task(self, raw, where, default_status, async_job_id, generated_name=None, parent_id=None):
        section = _Section(raw, where, (
            "id", "name", "status", "full_only", "task_mode", "fail_at", "error_code", "error_message",
            "forward_job_id", "transition_seconds", "after_commit", "precheck_seconds", "precheck_items", "failed_retries",
            "instance_ids")
            + LIST_KEYS + PROGRESS_KEYS)
        full_only = section.boolean("full_only", False)
        after_commit = section.string("after_commit", None, st.TASK_STATUSES)
        task_mode = section.string("task_mode", st.FULL_TRANS if full_only else st.FULL_INCR_TRANS, st.TASK_MODES)
        if full_only and task_mode != st.FULL_TRANS:
            section.fail("task_mode", "%s contradicts full_only: true (which means FULL_TRANS)" % task_mode)
        task = TaskSpec(
            id=section.string("id") or self._task_id(),
            name=section.string("name", generated_name),
            # in an async job seeded as committed, the commit has already made what after_commit says
            status=section.string("status", after_commit if after_commit and default_status == st.CONFIGURATION else default_status,
                                  st.TASK_STATUSES),
            full_only=task_mode == st.FULL_TRANS,
            task_mode=task_mode,
            fail_at=section.string("fail_at", None, tuple(st.FAILURE_REPLACES)),
            error_code=section.string("error_code"),
            error_message=section.string("error_message"),
            forward_job_id=section.string("forward_job_id"),
            transition_seconds=section.number("transition_seconds", None),
            async_job_id=async_job_id,
            after_commit=after_commit,
            parent_id=parent_id,
            precheck_seconds=section.number("precheck_seconds", None),
            precheck_items=self._precheck_items(section, where),
            failed_retries=section.integer("failed_retries", 0, 0, 1000),
            instance_ids=self._instance_ids(section),
            **self._list_keys(section),
            **self._progress_keys(section),
        )
        if task.id in self._task_ids:
            section.fail("id", "%s is used twice" % task.id)
        if task.fail_at in st.START_FAILURES and not st.failure_fits_mode(task.fail_at, task.task_mode):
            section.fail("fail_at", "%s cannot happen to a %s task (task_mode, or full_only)" % (task.fail_at, task.task_mode))
        if task.after_commit and async_job_id is None:
            section.fail("after_commit", "applies only to tasks of an async job (they are created on commit)")
        if task.after_commit and task.fail_at == st.CREATE_FAILED:
            section.fail("after_commit", "and fail_at: CREATE_FAILED both say what the commit makes; give one")
        if task.fail_at == st.CREATE_FAILED and async_job_id is None:
            section.fail("fail_at", "CREATE_FAILED applies only to tasks of an async job (they are created on commit)")
        self._task_ids.add(task.id)
        self._tasks.append(task)
        for index, child in enumerate(section.items("children")):
            if async_job_id is not None or parent_id is not None:
                section.fail("children", "are for plain tasks (not in an async job, not inside another child)")
            task.child_ids.append(self._add_task(child, "%s.children[%d]" % (where, index), st.CONFIGURATION, None, parent_id=task.id).id)
        return task

    @staticmethod
    def _precheck_items(section, where):
        """Scripted PrecheckResult items: {item, result (FAILED default, ALARM, PASSED), failed_reason, group}."""
        items = []
        for index, raw in enumerate(section.items("precheck_items")):
            item = _Section(raw, "%s.precheck_items[%d]" % (where, index), ("item", "result", "failed_reason", "group"))
            if "item" not in raw:
                raise ScenarioError("%s.precheck_items[%d] needs item (the check item's name)" % (where, index))
            values = {"item": item.string("item"), "result": item.string("result", "FAILED", ("PASSED", "ALARM", "FAILED"))}
            for key in ("failed_reason", "group"):
                if key in raw:
                    values[key] = item.string(key)
            items.append(values)
        return items

    @staticmethod
    def _instance_ids(section):
        values = section.items("instance_ids")
        if not all(isinstance(value, str) and value for value in values):
            section.fail("instance_ids", "must be a list of non-empty strings")
        return list(values)

    @staticmethod
    def _list_keys(section):
        """The task list keys that are present (the others keep TaskSpec's defaults)."""
        values = {}
        for key in ("engine_type", "db_use_type", "net_type", "job_direction", "enterprise_project_id", "description"):
            if key in section.data:
                values[key] = section.string(key, None, LIST_CHOICES.get(key))
        if "tags" in section.data:
            tags = section.data["tags"]
            if not isinstance(tags, dict) or not all(isinstance(k, str) and k and isinstance(v, str) for k, v in tags.items()):
                section.fail("tags", "must be a mapping of non-empty string keys to string values")
            values["tags"] = dict(tags)
        if "create_time" in section.data:
            values["create_time"] = section.integer("create_time", None, 0, 10 ** 14)
        return values

    @staticmethod
    def _progress_keys(section):
        """The batch-progress / batch-rpo-and-rto keys that are present (the others keep TaskSpec's defaults)."""
        values = {}
        for key in PROGRESS_KEYS:
            if key not in section.data:
                continue
            if key in ("apply_rows_rate", "apply_bytes_rate"):
                values[key] = section.integer(key, None, 0, 10 ** 12)
            elif key == "progress":
                values[key] = section.number(key, None, maximum=100)
            else:
                values[key] = section.number(key, None)
        return values

    def _generate(self, raw, where, default_status, async_job_id):
        section = _Section(raw, where, ("count", "prefix", "status", "full_only", "task_mode"))
        count = section.integer("count", None, 1, MAX_GENERATED_TASKS)
        prefix = section.string("prefix", "task")
        template = {key: raw[key] for key in ("status", "full_only", "task_mode") if key in raw}
        return [self._add_task(template, "%s (task %d)" % (where, number), default_status, async_job_id, "%s-%04d" % (prefix, number))
                for number in range(1, count + 1)]

    def _async_job(self, raw, where):
        section = _Section(raw, where, ("id", "status", "validation", "validate_seconds", "error_msg", "tasks", "generate"))
        job_id = section.string("id") or self._uuid()
        status = section.string("status", st.ASYNC_JOB_VALIDATING, st.ASYNC_JOB_STATUSES)
        committed = status == st.COMMIT_SUCCESS
        default_status = st.CONFIGURATION if committed else st.CREATING
        tasks = [self._add_task(item, "%s.tasks[%d]" % (where, index), default_status, job_id)
                 for index, item in enumerate(section.items("tasks"))]
        if "generate" in raw:
            tasks += self._generate(raw["generate"], where + ".generate", default_status, job_id)
        if not tasks:
            raise ScenarioError("%s holds no tasks (give tasks or generate)" % where)
        if not committed and any(task.status != st.CREATING for task in tasks):
            raise ScenarioError("%s: the tasks of an async job that is not committed must be CREATING" % where)
        return AsyncJobSpec(
            id=job_id,
            status=status,
            validation=section.string("validation", "success", VALIDATION_OUTCOMES),
            validate_seconds=section.number("validate_seconds", None),
            error_msg=section.string("error_msg"),
            task_ids=[task.id for task in tasks],
        )

    def _check_dual_active_pairs(self):
        for task in self._tasks:
            if task.forward_job_id is None:
                continue
            if task.forward_job_id == task.id or task.forward_job_id not in self._task_ids:
                raise ScenarioError("task %s: forward_job_id %s is not another task of the scenario" % (task.id, task.forward_job_id))
