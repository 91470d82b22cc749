# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every step of hwcloud.drs shares (connection options, authentication, errors, the base class
``DrsStep``), and how a module's own process runs its step (``execute``).

A step is the work of one module (drs_batch_start's, drs_batch_status's, ...), in the file of
module_utils named after it: it gets a client, its validated parameters and a run context
(``_context.RunContext``), in a module process or in the controller's (drs_batch_launch).
Private to this collection; not a public API.
"""

import difflib
import os
import re

from ansible.module_utils.basic import env_fallback, missing_required_lib
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.hwcloud.drs.plugins.module_utils._client import (
    COLLECTION_VERSION, HAS_REQUESTS, REQUESTS_IMPORT_ERROR, AkSkAuth, DrsApiError, DrsClient, PasswordAuth,
    TokenAuth, region_endpoint, region_iam_url,
)
from ansible_collections.hwcloud.drs.plugins.module_utils._inputs import InputError, check_id, check_number
from ansible_collections.hwcloud.drs.plugins.module_utils._statuses import count_of, first_of

CONNECTION_ARGUMENT_SPEC = dict(
    endpoint=dict(type="str", fallback=(env_fallback, ["HW_DRS_ENDPOINT"])),
    region=dict(type="str", fallback=(env_fallback, ["HW_REGION_NAME"])),
    project_id=dict(type="str", fallback=(env_fallback, ["HW_PROJECT_ID"])),
    auth_token=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_AUTH_TOKEN"])),
    access_key=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_ACCESS_KEY"])),
    secret_key=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_SECRET_KEY"])),
    security_token=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_SECURITY_TOKEN"])),
    username=dict(type="str", fallback=(env_fallback, ["HW_USER_NAME"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_PASSWORD"])),
    domain_name=dict(type="str", fallback=(env_fallback, ["HW_DOMAIN_NAME"])),
    auth_url=dict(type="str", fallback=(env_fallback, ["HW_AUTH_URL"])),
    language=dict(type="str", default="en-us", choices=["en-us", "zh-cn"], fallback=(env_fallback, ["HW_LANGUAGE"])),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="int", default=30),
    retries=dict(type="int", default=5),
)

CREDENTIALS = ("auth_token", "access_key", "secret_key", "security_token", "username", "password", "domain_name")

AUTH_HELP = ("set auth_token (HW_AUTH_TOKEN); or access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY); "
             "or username, password and domain_name (HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME)")


# What a credential sent in a header may hold: visible ASCII (tokens and keys are base64 or hex).
HEADER_CREDENTIAL = re.compile(r"^[\x21-\x7e]+$")


def header_credential(params, name):
    """A credential that goes into a request header, without surrounding whitespace (a YAML block
    scalar or a file adds a newline); one holding a character a header cannot carry is refused
    here, by name, before requests would echo its value in an error. A blank one is unset: AWX
    injects every field of a credential, the empty ones as empty environment variables."""
    value = (params[name] or "").strip()
    if not value:
        return None
    if not HEADER_CREDENTIAL.match(value):
        raise InputError("%s holds a character that cannot be sent in an HTTP header (a space, a control or a "
                         "non-ASCII character); check how it was copied or read" % name)
    return value


def task_statuses(client, job_ids):
    """(entries, unknown): ``{id, status, error_code, error_message}`` for each distinct ID the API
    knows, in order, and a description of each ID it gives no status for (unknown to it, or
    answered with an error instead), with the API's error; the module words the failure."""
    by_id = {}
    for record in client.batch_status(job_ids):
        by_id[record.get("id")] = dict(id=record.get("id"), status=record.get("status"),
                                       error_code=record.get("error_code"),
                                       error_message=record.get("error_message") or record.get("error_msg"))
    entries, unknown = [], []
    for job_id in dict.fromkeys(job_ids):
        entry = by_id.get(job_id)
        if entry is None:
            unknown.append("%s (no answer)" % job_id)
        elif not entry["status"]:
            unknown.append("%s (%s: %s)" % (job_id, entry["error_code"] or "-", entry["error_message"] or "no status"))
        else:
            entries.append(entry)
    return entries, unknown


def unknown_tasks(unknown):
    """How a module names the IDs ``task_statuses`` found no status for."""
    return "the API knows no status for %s, unknown IDs?: %s" % (count_of(len(unknown), "task"), first_of(unknown))


class ModuleFailure(Exception):
    """A step's failure: ``result`` is what ``fail_json`` gets (``msg`` and the result so far)."""

    def __init__(self, result):
        super(ModuleFailure, self).__init__(result["msg"])
        self.result = result


def checked_options(argument_spec, options):
    """``options`` checked against ``argument_spec`` as AnsibleModule checks a module's (types, choices,
    defaults, the HW_* environment fallbacks), for code that runs neither as a module nor in a launch (the
    event source drs_job_status): (validated parameters, their no_log values), or InputError with what is
    wrong, every ``no_log`` value masked in it."""
    validation = ArgumentSpecValidator(argument_spec).validate(options)
    params = validation.validated_parameters
    secrets = secret_values(argument_spec, params)
    if validation.error_messages:
        messages = [unknown_options(validation.unsupported_parameters, argument_spec)
                    if isinstance(error, UnsupportedError) else str(error) for error in validation.errors.errors]
        raise InputError(remove_values("; ".join(messages), secrets))
    return params, secrets


def unknown_options(names, argument_spec):
    """The options given that ``argument_spec`` does not have, each with the closest one it has."""
    described = []
    for name in sorted(names):
        close = difflib.get_close_matches(name, list(argument_spec), n=1)
        described.append(name + (" (did you mean %s?)" % close[0] if close else ""))
    return "unknown option%s %s; the options are %s" % ("s" if len(described) > 1 else "", ", ".join(described),
                                                        ", ".join(sorted(argument_spec)))


def secret_values(argument_spec, params):
    """The values of the ``no_log`` options in ``params``, which AnsibleModule masks in a module's answer.

    ArgumentSpecValidator collects them too, but only in a private attribute of its result; every
    ``no_log`` option of this collection is a string at the top level of its spec, whose value
    (given, or taken from its environment variable) is all there is to mask.
    """
    return set(str(params[name]) for name, spec in argument_spec.items() if spec.get("no_log") and params.get(name))


class DrsStep:
    """Subclasses set ``argument_spec`` (their options beside the connection's), ``action`` (as in
    "Failed to <action>") and ``run()``.

    ``run()`` returns the result dict; it raises ``InputError`` for bad parameters, lets
    ``DrsApiError`` through and calls ``fail()`` for a failure with a result; ``answer()`` turns
    all three into ``ModuleFailure``. ``params`` are validated against ``full_argument_spec()``;
    ``context`` is the run's ``RunContext``, the only thing a step knows of where it runs.
    """

    argument_spec = {}
    action = "call the DRS API"

    def __init__(self, client, params, context):
        self.client = client
        self.params = params
        self.context = context

    @classmethod
    def full_argument_spec(cls):
        return dict(CONNECTION_ARGUMENT_SPEC, **cls.argument_spec)

    def answer(self):
        """The result of ``run()``; ModuleFailure for any failure."""
        try:
            return self.run()
        except InputError as exc:
            raise ModuleFailure(dict(msg=str(exc)))
        except DrsApiError as exc:
            raise ModuleFailure(dict(msg="Failed to %s: %s" % (self.action, exc), api_error=exc.as_dict()))

    def run(self):
        raise NotImplementedError

    def fail(self, msg, **result):
        raise ModuleFailure(dict(result, msg=msg))

    def known_or_read_statuses(self, job_ids):
        """``task_statuses`` of ``job_ids``, from what the run knows (``context.known``) when it knows them all."""
        known = self.context.known.statuses_of(job_ids)
        return (known, []) if known is not None else task_statuses(self.client, job_ids)


def answer(step_class, params, context, client=None):
    """The result of ``step_class`` for ``params``, with ``client`` if one is given (else one built from
    the connection options); ModuleFailure for any failure, bad connection options included."""
    if client is None:
        try:
            client = build_client(params, context)
        except InputError as exc:
            raise ModuleFailure(dict(msg=str(exc)))
    return step_class(client, params, context).answer()


def execute(module, step_class, context):
    """A module's process: the step's answer to ``module``'s parameters, by ``exit_json`` or ``fail_json``
    (without a traceback). ``module`` is the AnsibleModule built with ``step_class.full_argument_spec()``,
    ``context`` the RunContext built from it."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    try:
        result = answer(step_class, module.params, context)
    except ModuleFailure as failure:
        module.fail_json(**failure.result)
    module.exit_json(**result)


def build_client(params, context):
    """The client for the connection options in ``params``; InputError naming the option that cannot be used."""
    if not params["project_id"]:
        raise InputError("project_id is required: set project_id or HW_PROJECT_ID")
    check_id(params["project_id"], "project_id")
    check_number(params["timeout"], "timeout", 1, unit="second")
    check_number(params["retries"], "retries", 0, 10)
    if params["endpoint"]:
        endpoint = params["endpoint"]
        if not re.match(r"^https?://[^/\s]+", endpoint):
            raise InputError("endpoint must be an http(s) URL such as https://drs.eu-de.otc.t-systems.com, got %r"
                             % endpoint)
        # Every call appends its path to the endpoint: a query string or fragment would be dropped.
        if "?" in endpoint or "#" in endpoint:
            raise InputError("endpoint must be a base URL without a query string or fragment, such as "
                             "https://drs.eu-de.otc.t-systems.com, got %r" % endpoint)
    elif params["region"]:
        endpoint = region_endpoint(params["region"])
    else:
        raise InputError("endpoint or region is required: set endpoint (HW_DRS_ENDPOINT) or region (HW_REGION_NAME)")
    if params["validate_certs"] and params["ca_path"] and not os.path.exists(params["ca_path"]):
        raise InputError("ca_path: %s does not exist; give the CA bundle (PEM file) that signed the endpoint's "
                         "certificate" % params["ca_path"])
    if not params["validate_certs"]:
        context.warn("validate_certs is false: the DRS endpoint's TLS certificate is not verified")
    return DrsClient(endpoint, params["project_id"], build_auth(params, context), language=params["language"],
                     validate_certs=params["validate_certs"], ca_path=params["ca_path"],
                     timeout=params["timeout"], retries=params["retries"],
                     user_agent="hwcloud.drs/%s ansible-core/%s" % (COLLECTION_VERSION, ANSIBLE_VERSION))


def build_auth(params, context):
    # A blank credential is unset: AWX injects every field of a credential, an empty one as
    # an empty or (a multi-line field) newline-only value, which must not count as a way in.
    credentials = dict((name, params[name] if (params[name] or "").strip() else None) for name in CREDENTIALS)
    ways = []
    if credentials["auth_token"]:
        ways.append("auth_token")
    if credentials["access_key"] or credentials["secret_key"]:
        ways.append("access_key/secret_key")
    if credentials["username"] or credentials["password"]:
        ways.append("username/password")
    if not ways:
        raise InputError("No credentials for the DRS API: " + AUTH_HELP)
    if len(ways) > 1:
        raise InputError("Credentials are ambiguous: %s are all set (as options or HW_* environment variables); "
                         "use exactly one way: %s" % (" and ".join(ways), AUTH_HELP))
    if ways[0] == "auth_token":
        return TokenAuth(header_credential(credentials, "auth_token"))
    if ways[0] == "access_key/secret_key":
        missing = [name for name in ("access_key", "secret_key") if not credentials[name]]
        if missing:
            raise InputError("AK/SK signing needs both access_key and secret_key; %s is missing "
                             "(HW_ACCESS_KEY, HW_SECRET_KEY)" % missing[0])
        return AkSkAuth(header_credential(credentials, "access_key"), credentials["secret_key"].strip(),
                        header_credential(credentials, "security_token"))
    missing = [name for name in ("username", "password", "domain_name") if not credentials[name]]
    if missing:
        raise InputError("IAM password authentication needs username, password and domain_name; missing: %s "
                         "(HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME)" % ", ".join(missing))
    auth_url = params["auth_url"] or (region_iam_url(params["region"]) if params["region"] else None)
    if not auth_url:
        raise InputError("IAM password authentication needs auth_url (HW_AUTH_URL) or region to find IAM")
    # Each IAM token fetched is a secret of the run: masked in its answer like the password.
    return PasswordAuth(auth_url, credentials["username"], credentials["password"], credentials["domain_name"],
                        on_token=context.no_log_values.add)
