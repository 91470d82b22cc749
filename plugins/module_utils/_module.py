# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The base class of every hwcloud.drs module: shared options, authentication, errors.

Private to this collection; not a public API.
"""

import difflib
import os
import re

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
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
    """A module's failure: ``result`` is what ``fail_json`` gets (``msg`` and the result so far)."""

    def __init__(self, result):
        super(ModuleFailure, self).__init__(result["msg"])
        self.result = result


class OptionsModule:
    """What DrsModule uses of AnsibleModule, for code that runs without one (the event source
    drs_job_status): ``options`` checked against ``argument_spec`` as AnsibleModule checks a
    module's (types, choices, defaults, the HW_* environment fallbacks), or InputError with
    what is wrong, every ``no_log`` value masked in it. ``warn`` gets the warnings."""

    check_mode = False
    _diff = False

    def __init__(self, argument_spec, options, warn):
        validation = ArgumentSpecValidator(argument_spec).validate(options)
        self.params = validation.validated_parameters
        self.no_log_values = set(validation._no_log_values)  # pylint: disable=protected-access
        if validation.error_messages:
            messages = [unknown_options(validation._unsupported_parameters, argument_spec)  # pylint: disable=protected-access
                        if isinstance(error, UnsupportedError) else str(error) for error in validation.errors.errors]
            raise InputError(remove_values("; ".join(messages), self.no_log_values))
        self.warn = warn


def unknown_options(names, argument_spec):
    """The options given that ``argument_spec`` does not have, each with the closest one it has."""
    described = []
    for name in sorted(names):
        close = difflib.get_close_matches(name, list(argument_spec), n=1)
        described.append(name + (" (did you mean %s?)" % close[0] if close else ""))
    return "unknown option%s %s; the options are %s" % ("s" if len(described) > 1 else "", ", ".join(described),
                                                        ", ".join(sorted(argument_spec)))


class DrsModule:
    """Subclasses set ``argument_spec``, ``action`` (as in "Failed to <action>") and ``run()``.

    ``run()`` returns the result dict; it raises ``InputError`` for bad parameters, lets
    ``DrsApiError`` through and calls ``fail()`` for a failure with a result; ``answer()`` turns
    all three into ``ModuleFailure``, and ``execute()`` into ``fail_json`` without a traceback.
    ``module`` is the AnsibleModule, or what stands in for it when the module runs in the
    controller's process (``params``, ``check_mode``, ``_diff``, ``warn``, ``no_log_values``).
    """

    argument_spec = {}
    action = "call the DRS API"

    def __init__(self, module=None):
        if module is None:
            module = AnsibleModule(argument_spec=self.full_argument_spec(), supports_check_mode=True)
        self.module = module
        self.params = self.module.params
        # A blank secret is no secret (it counts as unset), and masking it would turn every
        # space of every message into "********".
        self.module.no_log_values.difference_update([value for value in self.module.no_log_values if not value.strip()])
        self.client = None

    @classmethod
    def full_argument_spec(cls):
        return dict(CONNECTION_ARGUMENT_SPEC, **cls.argument_spec)

    def execute(self):
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        try:
            result = self.answer()
        except ModuleFailure as failure:
            self.module.fail_json(**failure.result)
        self.module.exit_json(**result)

    def answer(self, client=None):
        """The result of ``run()``, with ``client`` if one is given (else one built from the options)."""
        try:
            self.client = client or self.build_client()
            return self.run()
        except InputError as exc:
            raise ModuleFailure(dict(msg=str(exc)))
        except DrsApiError as exc:
            raise ModuleFailure(dict(msg="Failed to %s: %s" % (self.action, exc), api_error=exc.as_dict()))

    def run(self):
        raise NotImplementedError

    def fail(self, msg, **result):
        raise ModuleFailure(dict(result, msg=msg))

    def build_client(self):
        params = self.params
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
            self.module.warn("validate_certs is false: the DRS endpoint's TLS certificate is not verified")
        return DrsClient(endpoint, params["project_id"], self.build_auth(), language=params["language"],
                         validate_certs=params["validate_certs"], ca_path=params["ca_path"],
                         timeout=params["timeout"], retries=params["retries"],
                         user_agent="hwcloud.drs/%s ansible-core/%s" % (COLLECTION_VERSION, ANSIBLE_VERSION))

    def build_auth(self):
        # A blank credential is unset: AWX injects every field of a credential, an empty one as
        # an empty or (a multi-line field) newline-only value, which must not count as a way in.
        params = dict((name, self.params[name] if (self.params[name] or "").strip() else None) for name in CREDENTIALS)
        ways = []
        if params["auth_token"]:
            ways.append("auth_token")
        if params["access_key"] or params["secret_key"]:
            ways.append("access_key/secret_key")
        if params["username"] or params["password"]:
            ways.append("username/password")
        if not ways:
            raise InputError("No credentials for the DRS API: " + AUTH_HELP)
        if len(ways) > 1:
            raise InputError("Credentials are ambiguous: %s are all set (as options or HW_* environment variables); "
                             "use exactly one way: %s" % (" and ".join(ways), AUTH_HELP))
        if ways[0] == "auth_token":
            return TokenAuth(header_credential(params, "auth_token"))
        if ways[0] == "access_key/secret_key":
            missing = [name for name in ("access_key", "secret_key") if not params[name]]
            if missing:
                raise InputError("AK/SK signing needs both access_key and secret_key; %s is missing "
                                 "(HW_ACCESS_KEY, HW_SECRET_KEY)" % missing[0])
            return AkSkAuth(header_credential(params, "access_key"), params["secret_key"].strip(),
                            header_credential(params, "security_token"))
        missing = [name for name in ("username", "password", "domain_name") if not params[name]]
        if missing:
            raise InputError("IAM password authentication needs username, password and domain_name; missing: %s "
                             "(HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME)" % ", ".join(missing))
        auth_url = self.params["auth_url"] or (region_iam_url(self.params["region"]) if self.params["region"] else None)
        if not auth_url:
            raise InputError("IAM password authentication needs auth_url (HW_AUTH_URL) or region to find IAM")
        return PasswordAuth(auth_url, params["username"], params["password"], params["domain_name"],
                            on_token=self.module.no_log_values.add)
