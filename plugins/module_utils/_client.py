# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one HTTP client of the collection for the DRS API.

It builds URLs, authenticates (IAM token, AK/SK signing, or an IAM password exchanged for
a token once), retries what is safe to retry, and turns every failure into ``DrsApiError``.
Private to this collection; not a public API.
"""

import json
import math
import os
import re
import time
import traceback
from urllib.parse import urlsplit

from ansible_collections.hwcloud.drs.plugins.module_utils._signer import canonical_query, sign_request

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import ConnectTimeoutError, InvalidHeader, MaxRetryError, NewConnectionError, ReadTimeoutError
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    Retry = object
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = "0.2.0"

# The vendor documents at most 100 items per batch-status page; batch-starting has no
# documented limit, so it gets the same size (and a module option to lower it).
STATUS_PAGE_SIZE = 100
START_CHUNK_SIZE = 100
ASYNC_DETAIL_PAGE_SIZE = 100
# Paging through a batch async job's tasks stops here (100,000 tasks), whatever total_count says.
MAX_ASYNC_DETAIL_PAGES = 1000

# Reads (batch-status is a POST but changes nothing) are retried on these statuses.
READ_RETRY_STATUSES = frozenset([429, 502, 503, 504])
# A write is retried only when it cannot have acted: throttled by the API gateway.
# 5xx and read errors after sending are reported as an unknown outcome instead,
# so that the module reads the state again before deciding to send anything else.
WRITE_RETRY_STATUSES = frozenset([429])
WRITE_UNKNOWN_STATUSES = frozenset([500, 502, 503, 504])
MAX_RETRY_AFTER = 60

STATUS_PATH = "/v3/{project_id}/jobs/batch-status"
# Vendor SDK models BatchQueryProgressReq / BatchListProgressesResponse and BatchQueryRpoAndRtoReq /
# BatchListRposAndRtosResponse. No page size is documented for them: they get batch-status's 100.
PROGRESS_PATH = "/v3/{project_id}/jobs/batch-progress"
RPO_RTO_PATH = "/v3/{project_id}/jobs/batch-rpo-and-rto"
START_PATH = "/v3/{project_id}/jobs/batch-starting"
ASYNC_JOBS_PATH = "/v5/{project_id}/batch-async-jobs"
# Vendor SDK models QueryJobsReq / ShowJobListResponse (JobInfo, ChildrenJobInfo): per_page is 0..100
# (0 = everything at once, which we avoid: one unbounded answer), cur_page counts from 1.
LIST_PATH = "/v3/{project_id}/jobs"
LIST_PAGE_SIZE = 100
# Listing stops here (100,000 tasks), whatever total_record says.
MAX_LIST_PAGES = 1000
# Vendor SDK models BatchPrecheckReq (PreCheckInfo) / BatchCheckJobsResponse (PostPreCheckResp) and
# BatchQueryPrecheckResultReq (task IDs) / BatchCheckResultsResponse (QueryPreCheckResp). No limit is
# documented for either: they get the 100 of the other batch calls.
PRECHECK_PATH = "/v3/{project_id}/jobs/batch-precheck"
PRECHECK_RESULT_PATH = "/v3/{project_id}/jobs/batch-precheck-result"
PRECHECK_CHUNK_SIZE = 100
# Day-two actions on started tasks (vendor SDK v3 models): retry or resume (BatchRetryReq of RetryInfo,
# BatchRestoreTaskResponse of RetryTaskResp, HTTP 200), pause (BatchPauseJobReq of PauseInfo,
# BatchStopJobsResponse of PauseJobResp, HTTP 200), end or delete (BatchDeleteJobReq of DeleteJobReq,
# BatchDeleteJobsResponse of DeleteJobResp, a DELETE with a body, HTTP 202). No limit is documented:
# they get the 100 of the other batch calls.
RETRY_PATH = "/v3/{project_id}/jobs/batch-retry-task"
PAUSE_PATH = "/v3/{project_id}/jobs/batch-pause-task"
BATCH_JOBS_PATH = "/v3/{project_id}/jobs/batch-jobs"
ACTION_CHUNK_SIZE = 100
BACKOFF_MAX = 30

# Huawei Cloud hosts are ``<service>.<region>.myhuaweicloud.com``; these regions differ.
REGION_DOMAINS = {
    "eu-de": "otc.t-systems.com",
    "eu-nl": "otc.t-systems.com",
    "eu-ch2": "sc.otc.t-systems.com",
    "eu-west-101": "myhuaweicloud.eu",
}
# Open Telekom Cloud serves IAM for eu-de and eu-nl from eu-de only.
IAM_URLS = {
    "eu-de": "https://iam.eu-de.otc.t-systems.com/v3",
    "eu-nl": "https://iam.eu-de.otc.t-systems.com/v3",
    "eu-ch2": "https://iam-pub.eu-ch2.sc.otc.t-systems.com/v3",
}


def region_endpoint(region):
    return "https://drs.%s.%s" % (region, REGION_DOMAINS.get(region, "myhuaweicloud.com"))


def region_iam_url(region):
    return IAM_URLS.get(region) or "https://iam.%s.%s/v3" % (region, REGION_DOMAINS.get(region, "myhuaweicloud.com"))


class DrsApiError(Exception):
    """A failed call: HTTP status, the API's error fields, request id, method and path.

    ``outcome_unknown`` is true when a write may have reached the service although no
    usable answer came back (read timeout, reset after sending, 500/502/503/504, unreadable 2xx).
    ``transient`` is true when the same call may well work a little later (no connection, a
    timeout, throttling, a 5xx, an unreadable answer): a wait reads again instead of giving up.
    ``retried`` says how often and for how long the call was tried, when it was tried more than once.
    """

    def __init__(self, problem, method, path, status=None, error_code=None, error_msg=None,
                 request_id=None, outcome_unknown=False, transient=False, retried=None, hint=None):
        self.problem = problem
        self.hint = hint
        self.method = method
        self.path = path
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.outcome_unknown = outcome_unknown
        self.transient = transient
        self.retried = retried
        super(DrsApiError, self).__init__(self.describe())

    def describe(self):
        parts = ["%s %s: %s%s" % (self.method, self.path, self.problem, "; " + self.hint if self.hint else "")]
        if self.error_code or self.error_msg:
            parts.append("%s: %s" % (self.error_code or "-", self.error_msg or "-"))
        if self.request_id:
            parts.append("(request id %s)" % self.request_id)
        if self.retried:
            parts.append("(%s)" % self.retried)
        return " ".join(parts)

    def as_dict(self):
        return {
            "status": self.status,
            "error_code": self.error_code,
            "error_msg": self.error_msg,
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
            "transient": self.transient,
            "hint": self.hint,
        }


class _BoundedRetry(Retry):
    """urllib3's retry policy, with a ceiling on how long a ``Retry-After`` can make us sleep, one
    quick retry only when nothing listens or the host name does not resolve, and the number of
    attempts on the error that ends the retries (``attempts``, for the message)."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        try:
            retry = super(_BoundedRetry, self).increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError as exc:
            exc.attempts = len(self.history) + 1
            raise
        # A refused connection or an unknown host (a wrong endpoint or region) does not heal within
        # the backoff: one immediate retry covers a restarting proxy or a DNS hiccup, more is only delay.
        # NewConnectionError is that, a connect timeout is not: that one may be a slow network.
        if isinstance(error, NewConnectionError) and \
                sum(1 for entry in retry.history if isinstance(entry.error, NewConnectionError)) > 1:
            exc = MaxRetryError(_pool, url, error)
            exc.attempts = len(retry.history)
            raise exc
        return retry

    def get_retry_after(self, response):
        try:
            seconds = super(_BoundedRetry, self).get_retry_after(response)
        except InvalidHeader:
            # Neither whole seconds nor an HTTP date, e.g. "1.5" or text: use a number if there
            # is one, else the exponential backoff (urllib3 would give up on the call).
            try:
                seconds = max(float(response.headers.get("Retry-After")), 0.0)
            except (TypeError, ValueError):
                return None
            if math.isnan(seconds):
                return None
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


# An auth object adds its headers to one request and knows nothing of the client:
# headers(method, host, path, query, headers, body) -> the headers to add.

class TokenAuth:
    def __init__(self, token):
        self.token = token

    def headers(self, method, host, path, query, headers, body):
        return {"X-Auth-Token": self.token}


class AkSkAuth:
    def __init__(self, access_key, secret_key, security_token=None):
        self.access_key = access_key
        self.secret_key = secret_key
        self.security_token = security_token

    def headers(self, method, host, path, query, headers, body):
        to_sign = dict(headers)
        if self.security_token:
            to_sign["X-Security-Token"] = self.security_token
        signed = sign_request(method, host, path, query, to_sign, body, self.access_key, self.secret_key)
        signed.update(to_sign)
        return signed


class PasswordAuth:
    """IAM user name and password; the client exchanges them for a project-scoped token on first use."""

    def __init__(self, auth_url, username, password, domain_name, on_token=None):
        self.auth_url = auth_url.rstrip("/")
        self.username = username
        self.password = password
        self.domain_name = domain_name
        self.on_token = on_token
        self.token = None

    def token_request(self, project_id):
        """(URL, JSON body) of the IAM request that issues the token."""
        url = self.auth_url if self.auth_url.endswith("/v3") else self.auth_url + "/v3"
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": self.username, "password": self.password, "domain": {"name": self.domain_name}}}},
            "scope": {"project": {"id": project_id}},
        }}
        return url + "/auth/tokens", body

    def accept_token(self, token):
        self.token = token
        if self.on_token:
            self.on_token(token)

    def headers(self, method, host, path, query, headers, body):
        return {"X-Auth-Token": self.token}


def _request_id(response):
    return response.headers.get("X-Request-Id") or response.headers.get("X-IAM-Trace-Id")


def _cause(exc):
    """The urllib3 error behind a requests exception (requests wraps it once retries run out)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return reason if reason is not None else exc


def _reached_server(exc):
    """False only when the request failed before anything was sent (refused, DNS, connect timeout)."""
    return not isinstance(exc, requests.exceptions.ConnectTimeout) and \
        not isinstance(_cause(exc), (NewConnectionError, ConnectTimeoutError))


def _connect_reason(error):
    """What went wrong connecting, without the connection object urllib3 puts in front."""
    text = re.sub(r"^(<[^>]*>|HTTPS?Connection\([^)]*\)): ", "", str(error))
    return text.replace("Failed to establish a new connection: ", "", 1)


def _attempts(attempts, began):
    """``5 attempts over 45s`` for a call that was retried, else None."""
    return "%d attempts over %ds" % (attempts, round(time.monotonic() - began)) if attempts > 1 else None


def _error_body(response):
    """The vendor error fields, from a JSON body when there is one."""
    try:
        payload = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
        return None, None
    if not isinstance(payload, dict):
        return None, None
    return payload.get("error_code"), payload.get("error_msg") or payload.get("error_message")


def _snippet(text, limit=200):
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "..."


class DrsClient:
    def __init__(self, endpoint, project_id, auth, language="en-us", validate_certs=True, ca_path=None,
                 timeout=30, retries=5, backoff_factor=1.0, user_agent=None):
        parts = urlsplit(endpoint)
        self.origin = "%s://%s" % (parts.scheme, parts.netloc)
        self.host = parts.netloc
        self.base_path = parts.path.rstrip("/")
        self.project_id = project_id
        self.auth = auth
        self.language = language
        self.timeout = timeout
        self.user_agent = user_agent or "hwcloud.drs/%s python-requests/%s" % (COLLECTION_VERSION, requests.__version__)
        # The proxy from https_proxy/http_proxy/no_proxy, looked up once: requests reads the whole
        # environment (and ~/.netrc) again for every request otherwise, a millisecond each.
        self.proxies = requests.utils.get_environ_proxies(self.origin)
        self._sessions = {
            True: self._session(validate_certs, ca_path, retries, backoff_factor, idempotent=True),
            False: self._session(validate_certs, ca_path, retries, backoff_factor, idempotent=False),
        }
        # Called before every request is sent (its retries, urllib3's, follow within seconds): a caller
        # that must stop sending - the launch, once the ansible-playbook that started it is gone - raises.
        self.before_request = None

    @staticmethod
    def _session(validate_certs, ca_path, retries, backoff_factor, idempotent):
        policy = _BoundedRetry(
            total=retries, connect=retries, read=retries if idempotent else 0, status=retries, other=0,
            status_forcelist=READ_RETRY_STATUSES if idempotent else WRITE_RETRY_STATUSES,
            allowed_methods=None, backoff_factor=backoff_factor, backoff_jitter=backoff_factor,
            backoff_max=BACKOFF_MAX, raise_on_status=False, respect_retry_after_header=True)
        session = requests.Session()
        session.trust_env = False
        adapter = HTTPAdapter(max_retries=policy)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        # Without trust_env, the CA bundle that requests would take from the environment when
        # certificates are verified and ca_path is not set is taken here.
        if not validate_certs:
            session.verify = False
        else:
            session.verify = ca_path or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        return session

    def close(self):
        """Close the connections the client keeps open (a long-lived user, such as the event source, that stops)."""
        for session in self._sessions.values():
            session.close()

    # -- transport -----------------------------------------------------------------------

    def send(self, method, url, path, headers, body, idempotent):
        """One HTTP exchange (with the retries its policy allows); returns a 2xx response."""
        if self.before_request is not None:
            self.before_request()
        session = self._sessions[bool(idempotent)]
        began = time.monotonic()
        try:
            response = session.request(method, url, headers=headers, data=body or None, proxies=self.proxies,
                                       timeout=(min(self.timeout, 10), self.timeout), allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            raise DrsApiError("TLS verification failed (%s); set ca_path to the CA bundle, or validate_certs: false "
                              "for a test endpoint" % _snippet(str(_cause(exc))), method, path)
        except (requests.exceptions.InvalidHeader, UnicodeError):
            # Never quote the exception: it holds the header value, which may be a credential.
            raise DrsApiError("a request header holds a character HTTP cannot carry (a space, a control or a non-ASCII "
                              "character); check the credentials", method, path)
        except requests.exceptions.RequestException as exc:
            sent = _reached_server(exc)
            cause = _cause(exc)
            hint = None
            if isinstance(exc, requests.exceptions.ReadTimeout) or isinstance(cause, ReadTimeoutError):
                kind = "timed out after %ss" % self.timeout
            elif isinstance(cause, NewConnectionError):
                kind = "cannot connect to %s: %s" % (urlsplit(url).netloc, _snippet(_connect_reason(cause)))
                hint = "check endpoint/region"
            else:
                kind = "connection failed (%s)" % _snippet(str(cause))
            raise DrsApiError(kind, method, path, outcome_unknown=sent and not idempotent, transient=True,
                              retried=_attempts(getattr(exc.args[0] if exc.args else None, "attempts", 1), began), hint=hint)
        if 200 <= response.status_code < 300:
            return response
        error_code, error_msg = _error_body(response)
        problem = "HTTP %s" % response.status_code
        if error_code is None and error_msg is None:
            problem += " with a non-JSON body: %s" % _snippet(response.text) if response.text else " with an empty body"
        raise DrsApiError(problem, method, path, status=response.status_code, error_code=error_code,
                          error_msg=error_msg, request_id=_request_id(response),
                          outcome_unknown=not idempotent and response.status_code in WRITE_UNKNOWN_STATUSES,
                          transient=response.status_code == 429 or response.status_code >= 500,
                          # the retries urllib3 made before it handed over this (last) answer
                          retried=_attempts(len(response.raw.retries.history) + 1, began))

    def call(self, method, path, body=None, query=None, idempotent=True):
        """Call the DRS API and return the JSON object it answers.

        ``path`` is written as on the vendor pages, e.g. ``/v3/{project_id}/jobs/batch-status``.
        """
        path = self.base_path + path.replace("{project_id}", self.project_id)
        query = list((query or {}).items())
        url = self.origin + path
        if query:
            url += "?" + canonical_query(query)
        data = json.dumps(body, separators=(",", ":")).encode("utf-8") if body is not None else b""
        headers = {"Content-Type": "application/json", "X-Language": self.language, "X-Project-Id": self.project_id}
        fetched = isinstance(self.auth, PasswordAuth) and self.auth.token is None
        if fetched:
            self.auth.accept_token(self._iam_token(self.auth))
        try:
            response = self._send_signed(method, url, path, query, headers, data, idempotent)
        except DrsApiError as exc:
            # An IAM token lasts 24 hours: one that expires during a long wait is fetched again,
            # once. DRS refused the request (401), so sending it again cannot act twice.
            if exc.status != 401 or not isinstance(self.auth, PasswordAuth) or fetched:
                raise
            self.auth.accept_token(self._iam_token(self.auth))
            response = self._send_signed(method, url, path, query, headers, data, idempotent)
        try:
            payload = response.json() if response.content else {}
        except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
            payload = None
        if not isinstance(payload, dict):
            raise DrsApiError("HTTP %s with a body that is not a JSON object: %s" % (response.status_code, _snippet(response.text)),
                              method, path, status=response.status_code, request_id=_request_id(response),
                              outcome_unknown=not idempotent, transient=True)
        return payload

    def _send_signed(self, method, url, path, query, headers, data, idempotent):
        headers = dict(headers, **self.auth.headers(method, self.host, path, query, headers, data))
        headers["User-Agent"] = self.user_agent
        return self.send(method, url, path, headers, data, idempotent)

    def _iam_token(self, auth):
        """A project-scoped token from IAM for the user and password of ``auth``."""
        url, body = auth.token_request(self.project_id)
        path = urlsplit(url).path
        response = self.send("POST", url, path, {"Content-Type": "application/json"}, json.dumps(body).encode("utf-8"),
                             idempotent=True)
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise DrsApiError("IAM answered HTTP %s without an X-Subject-Token header" % response.status_code, "POST", path,
                              status=response.status_code, request_id=_request_id(response))
        return token

    # -- the DRS operations --------------------------------------------------------------

    def batch_status(self, job_ids):
        """Status entries (``id``, ``status``, ``error_code``, ``error_message``) for every distinct job ID.

        IDs are sent in pages of at most 100, each asking for all of its entries at once.
        """
        unique_ids = list(dict.fromkeys(job_ids))
        entries = []
        for first in range(0, len(unique_ids), STATUS_PAGE_SIZE):
            page = unique_ids[first:first + STATUS_PAGE_SIZE]
            payload = self.call("POST", STATUS_PATH,
                                {"jobs": page, "page_req": {"cur_page": 1, "per_page": len(page)}})
            entries.extend(_records(payload, "results", "POST", STATUS_PATH))
        return entries

    def batch_progress(self, job_ids):
        """Progress entries (``job_id``, ``progress``, ``remaining_time``, ``task_mode``, ...), 100 IDs a call."""
        return self._batch_query(PROGRESS_PATH, job_ids)

    def batch_rpo_rto(self, job_ids):
        """RPO and RTO entries (``job_id``, ``rpo_info``, ``rto_info``, ...), 100 IDs a call."""
        return self._batch_query(RPO_RTO_PATH, job_ids)

    def _batch_query(self, path, job_ids):
        unique_ids = list(dict.fromkeys(job_ids))
        entries = []
        for first in range(0, len(unique_ids), STATUS_PAGE_SIZE):
            payload = self.call("POST", path, {"jobs": unique_ids[first:first + STATUS_PAGE_SIZE]})
            entries.extend(_records(payload, "results", "POST", path))
        return entries

    def start_jobs(self, jobs):
        """One batch-starting request; ``jobs`` are ``{job_id, start_time?}`` dicts.

        Returns the per-job results (``id``, ``status``, ``error_code``, ``error_msg``). An older
        vendor page names the list ``jobs`` instead of ``results``; both are accepted.
        """
        payload = self.call("POST", START_PATH, {"jobs": jobs}, idempotent=False)
        key = "results" if "results" in payload else "jobs"
        return _records(payload, key, "POST", START_PATH, outcome_unknown=True)

    def find_async_job(self, async_job_id):
        """The batch async job with this ID (``async_job_id``, ``status``, ...), or None."""
        payload = self.call("GET", ASYNC_JOBS_PATH, query={"async_job_id": async_job_id, "offset": 0, "limit": 10})
        for job in _records(payload, "jobs", "GET", ASYNC_JOBS_PATH):
            if job.get("async_job_id") == async_job_id:
                return job
        return None

    def async_job_tasks(self, async_job_id):
        """The DRS tasks (``id``, ``status``) inside a batch async job, every page of them."""
        path = ASYNC_JOBS_PATH + "/" + async_job_id
        tasks = []
        previous = None
        for _page_number in range(MAX_ASYNC_DETAIL_PAGES):
            payload = self.call("GET", path, query={"offset": len(tasks), "limit": ASYNC_DETAIL_PAGE_SIZE})
            page = _records(payload, "jobs", "GET", path)
            if page and page == previous:
                raise DrsApiError("the answer for offset %d repeats the page before (is offset ignored?); total_count is %r"
                                  % (len(tasks), payload.get("total_count")), "GET", path)
            previous = page
            tasks.extend(page)
            total = payload.get("total_count")
            if not page or not isinstance(total, int) or len(tasks) >= total:
                return tasks
        raise DrsApiError("more than %d pages of tasks (total_count %r)" % (MAX_ASYNC_DETAIL_PAGES, payload.get("total_count")),
                          "GET", path)

    def list_jobs(self, filters):
        """Every task (``JobInfo`` dicts) matching ``filters`` (``QueryJobsReq`` fields), page by page."""
        jobs = []
        previous = None
        for page_number in range(1, MAX_LIST_PAGES + 1):
            payload = self.call("POST", LIST_PATH, dict(filters, cur_page=page_number, per_page=LIST_PAGE_SIZE))
            page = _records(payload, "jobs", "POST", LIST_PATH)
            if page and page == previous:
                raise DrsApiError("the answer for cur_page %d repeats the page before (is cur_page ignored?); total_record is %r"
                                  % (page_number, payload.get("total_record")), "POST", LIST_PATH)
            previous = page
            jobs.extend(page)
            total = payload.get("total_record")
            # Without a usable total_record, a short page is the last one.
            if not page or (len(jobs) >= total if isinstance(total, int) else len(page) < LIST_PAGE_SIZE):
                return jobs
        raise DrsApiError("more than %d pages of tasks (total_record %r)" % (MAX_LIST_PAGES, payload.get("total_record")),
                          "POST", LIST_PATH)

    def start_prechecks(self, jobs):
        """One batch-precheck request; ``jobs`` are ``{job_id, precheck_mode}`` dicts (at most 100).

        Returns the per-task answers (``id``, ``precheck_id``, ``status`` success|failed, ``error_code``, ``error_msg``).
        """
        payload = self.call("POST", PRECHECK_PATH, {"jobs": jobs}, idempotent=False)
        return _records(payload, "results", "POST", PRECHECK_PATH, outcome_unknown=True)

    def precheck_results(self, job_ids):
        """The latest precheck result (``QueryPreCheckResp``) of each distinct task ID, 100 IDs a call.

        The result carries no task ID: the API answers in the order of the request, so an answer
        with another number of results than IDs asked for cannot be matched and is an error.
        Returns ``{task ID: result}``.
        """
        unique_ids = list(dict.fromkeys(job_ids))
        by_id = {}
        for first in range(0, len(unique_ids), PRECHECK_CHUNK_SIZE):
            chunk = unique_ids[first:first + PRECHECK_CHUNK_SIZE]
            payload = self.call("POST", PRECHECK_RESULT_PATH, {"jobs": chunk})
            results = _records(payload, "results", "POST", PRECHECK_RESULT_PATH)
            if len(results) != len(chunk):
                raise DrsApiError("%d results for %d task IDs: without a task ID in each result they cannot be matched"
                                  % (len(results), len(chunk)), "POST", PRECHECK_RESULT_PATH, transient=True)
            by_id.update(zip(chunk, results))
        return by_id

    def retry_jobs(self, jobs):
        """One batch-retry-task request (retry a failed task, resume a paused one); ``jobs`` are
        ``{job_id, is_sync_re_edit?}`` dicts (at most 100). Returns the per-task results
        (``id``, ``status`` success|failed, ``error_code``, ``error_msg``)."""
        return self._batch_action("POST", RETRY_PATH, jobs)

    def pause_jobs(self, jobs):
        """One batch-pause-task request; ``jobs`` are ``{job_id, pause_mode}`` dicts (at most 100).
        Returns the per-task results, as ``retry_jobs``."""
        return self._batch_action("POST", PAUSE_PATH, jobs)

    def delete_jobs(self, jobs):
        """One ``DELETE batch-jobs`` request, with a JSON body: ``jobs`` are ``{job_id, delete_type}`` dicts
        (at most 100), ``delete_type`` terminate (end the task), force_terminate or delete. Returns the
        per-task results, as ``retry_jobs``; any 2xx is an answer, an empty one holds no result."""
        return self._batch_action("DELETE", BATCH_JOBS_PATH, jobs)

    def _batch_action(self, method, path, jobs):
        payload = self.call(method, path, {"jobs": jobs}, idempotent=False)
        return _records(payload, "results", method, path, outcome_unknown=True)

    def commit_async_job(self, async_job_id):
        payload = self.call("POST", ASYNC_JOBS_PATH + "/%s/commit" % async_job_id, idempotent=False)
        job = payload.get("job")
        return job if isinstance(job, dict) else {}


def _records(payload, key, method, path, outcome_unknown=False):
    records = payload.get(key) or []
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise DrsApiError("the answer's '%s' is not a list of objects" % key, method, path, outcome_unknown=outcome_unknown,
                          transient=True)
    return records
