"""The DRS API routes: matching, request validation and the answers (see ``shared`` API pages)."""

import re
from dataclasses import dataclass

from . import errors
from .errors import ApiError, invalid_parameter
from .request import Reply
from .statuses import TASK_STATUSES

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 5
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_OFFSET = 10 ** 9
MAX_QUERY_JOBS = 100  # batch-progress, batch-rpo-and-rto: job IDs per request


@dataclass
class Route:
    name: str
    method: str
    pattern: tuple
    handler: object
    needs_auth: bool = True

    @property
    def is_v5(self):
        return self.pattern[0] == "v5"

    def match(self, method, segments):
        """The path parameters when method and path fit, else None."""
        if method != self.method or len(segments) != len(self.pattern):
            return None
        params = {}
        for part, segment in zip(self.pattern, segments):
            if part.startswith("{"):
                if not segment:
                    return None
                params[part[1:-1]] = segment
            elif part != segment:
                return None
        return params


def _require_json_content(request):
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(415, errors.DRS_UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json.")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def batch_status(world, request, _params):
    """POST /v3/{project_id}/jobs/batch-status: one page of statuses; count = number of IDs sent."""
    _require_json_content(request)
    body = request.json_object()
    job_ids = body.get("jobs")
    if not isinstance(job_ids, list) or not job_ids:
        raise invalid_parameter("jobs must be a non-empty array of job IDs.")
    if not all(isinstance(job_id, str) and job_id for job_id in job_ids):
        raise invalid_parameter("Every element of jobs must be a non-empty string.")
    page_req = body.get("page_req")
    if page_req is None:
        page_req = {}
    if not isinstance(page_req, dict):
        raise invalid_parameter("page_req must be an object.")
    cur_page = page_req.get("cur_page", 1)
    per_page = page_req.get("per_page", DEFAULT_PER_PAGE)
    if not _is_int(cur_page) or cur_page < 1:
        raise invalid_parameter("page_req.cur_page must be an integer >= 1.")
    if not _is_int(per_page) or not 0 <= per_page <= MAX_PER_PAGE:
        raise invalid_parameter("page_req.per_page must be an integer from 0 to %d." % MAX_PER_PAGE)
    if per_page == 0:
        pages, page = 1, job_ids
    else:
        pages = -(-len(job_ids) // per_page)
        page = job_ids[(cur_page - 1) * per_page:cur_page * per_page]
    if cur_page > pages:
        raise invalid_parameter("page_req.cur_page %d exceeds the number of pages (%d)." % (cur_page, pages))
    return Reply.json(200, {"results": [world.status_entry(job_id) for job_id in page], "count": len(job_ids)})


# "The value of job_id must comply with the UUID rule" (batch-pause-task; BatchQueryPrecheckResultReq.jobs):
# the shape of a UUID, in letters and digits, since the vendor's own task IDs end in letters
# (9a470239-2308-4bb5-a6bc-1040402fjb21).
UUID_SHAPE = re.compile(r"^[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}$")


def _check_uuid_shape(some_id):
    if not UUID_SHAPE.match(some_id):
        raise invalid_parameter("%s is not a UUID (8-4-4-4-12 letters and digits); the API takes task IDs in that form." % some_id)


def _job_entries(request, shape, limit, verb):
    """The ``jobs`` list of ``{job_id, ...}`` objects of a batch write (batch-starting, batch-precheck, ...).

    400 (nothing done) for a missing or empty list, an element without a non-empty string ``job_id``,
    the same ``job_id`` twice, or more than ``limit`` elements.
    """
    _require_json_content(request)
    body = request.json_object()
    entries = body.get("jobs")
    if not isinstance(entries, list) or not entries:
        raise invalid_parameter("jobs must be a non-empty array of %s objects." % shape)
    if len(entries) > limit:
        raise ApiError(400, errors.DRS_TOO_MANY_JOBS, "At most %d jobs can be %s in one request; %d were given." % (limit, verb, len(entries)))
    seen = set()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("job_id"), str) or not entry["job_id"]:
            raise invalid_parameter("Every element of jobs must be an object with a non-empty string job_id.")
        if entry["job_id"] in seen:
            raise invalid_parameter("The job ID %s appears more than once; job IDs must be unique." % entry["job_id"])
        seen.add(entry["job_id"])
    return entries


def _optional_bool(entry, key):
    if key in entry and entry[key] is not None and not isinstance(entry[key], bool):
        raise invalid_parameter("%s of job %s must be a boolean." % (key, entry["job_id"]))


def _start_time(entry):
    """The requested start as epoch seconds, or None to start at once (absent, null or empty)."""
    start_time = entry.get("start_time")
    if start_time is None or start_time == "":
        return None
    if not isinstance(start_time, str) or not start_time.isdigit() or not start_time.isascii():
        raise invalid_parameter("start_time of job %s must be a string of epoch milliseconds, e.g. \"1608188903063\"." % entry.get("job_id"))
    return int(start_time) / 1000.0


def batch_starting(world, request, _params):
    """POST /v3/{project_id}/jobs/batch-starting: 202 with one success/failed entry per job."""
    entries = _job_entries(request, "{job_id, start_time}", world.scenario.max_start_jobs, "started")
    starts = [(entry["job_id"], _start_time(entry)) for entry in entries]
    results = [world.start(job_id, start_at) for job_id, start_at in starts]
    return Reply.json(202, {world.scenario.start_results_key: results, "count": len(results)})


def _query_job_ids(request, limit=MAX_QUERY_JOBS):
    """The ``jobs`` list of ID strings of a batch query body (BatchQueryProgressReq and the like)."""
    _require_json_content(request)
    body = request.json_object()
    job_ids = body.get("jobs")
    if not isinstance(job_ids, list) or not job_ids:
        raise invalid_parameter("jobs must be a non-empty array of job IDs.")
    if not all(isinstance(job_id, str) and job_id for job_id in job_ids):
        raise invalid_parameter("Every element of jobs must be a non-empty string.")
    if len(job_ids) > limit:
        raise ApiError(400, errors.DRS_TOO_MANY_JOBS, "At most %d job IDs can be queried in one request; %d were given." % (limit, len(job_ids)))
    return job_ids


def batch_progress(world, request, _params):
    """POST /v3/{project_id}/jobs/batch-progress: a QueryProgressResp per ID, in request order."""
    results = [world.progress_entry(job_id) for job_id in _query_job_ids(request)]
    return Reply.json(200, {"count": len(results), "results": results})


def batch_rpo_and_rto(world, request, _params):
    """POST /v3/{project_id}/jobs/batch-rpo-and-rto: a QueryRpoAndRtoResp per ID, in request order."""
    results = [world.rpo_rto_entry(job_id) for job_id in _query_job_ids(request)]
    return Reply.json(200, {"count": len(results), "results": results})


LIST_DEFAULT_PER_PAGE = 10
MAX_NAME_TERMS = 100
MAX_INSTANCE_IDS = 10  # QueryJobsReq.instance_ids: "at most 10 instance IDs"
LIST_ENUMS = {
    "db_use_type": ("migration", "sync", "cloudDataGuard"),
    "net_type": ("vpn", "vpc", "eip"),
}


def _list_filters(body):
    """The filters of a QueryJobsReq body; a field that is absent or null does not filter."""
    filters = {}
    for key in ("name", "status", "engine_type", "db_use_type", "net_type", "enterprise_project_id", "service_name", "instance_ip"):
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise invalid_parameter("%s must be a string." % key)
        if key == "enterprise_project_id" and value == "":
            raise invalid_parameter("enterprise_project_id cannot be an empty string; leave it out (null) to list every project.")
        if value == "" or key == "service_name":
            continue  # an empty filter filters nothing; service_name only says EPS is on
        if key == "instance_ip":
            raise invalid_parameter("instance_ip is not simulated (scenario tasks have database instance IDs, no IP addresses).")
        if key == "status" and value not in TASK_STATUSES:
            raise invalid_parameter("status %s is not a task status." % value)
        if key in LIST_ENUMS and value not in LIST_ENUMS[key]:
            raise invalid_parameter("%s must be one of %s." % (key, ", ".join(LIST_ENUMS[key])))
        filters[key] = value
    if "name" in filters:
        # "task name or ID; several task IDs separated by commas, at most 100"
        terms = [term.strip() for term in filters["name"].split(",") if term.strip()]
        if len(terms) > MAX_NAME_TERMS:
            raise invalid_parameter("name holds %d comma-separated terms; at most %d." % (len(terms), MAX_NAME_TERMS))
        filters["name"] = terms
    tags = body.get("tags")
    if tags is not None:
        if not isinstance(tags, dict) or not all(isinstance(value, str) for value in tags.values()):
            raise invalid_parameter("tags must be an object of string values.")
        if tags:
            filters["tags"] = tags
    instance_ids = body.get("instance_ids")
    if instance_ids is not None:
        if not isinstance(instance_ids, list) or not all(isinstance(value, str) and value for value in instance_ids):
            raise invalid_parameter("instance_ids must be an array of non-empty strings.")
        if len(instance_ids) > MAX_INSTANCE_IDS:
            raise invalid_parameter("instance_ids holds %d IDs; at most %d." % (len(instance_ids), MAX_INSTANCE_IDS))
        if instance_ids:
            filters["instance_ids"] = instance_ids
    return filters


def list_jobs(world, request, _params):
    """POST /v3/{project_id}/jobs (ShowJobList): {total_record, jobs: [JobInfo]}, newest first, paged."""
    _require_json_content(request)
    body = request.json_object()
    cur_page = body.get("cur_page", 1)
    per_page = body.get("per_page", LIST_DEFAULT_PER_PAGE)
    if cur_page is None:
        cur_page = 1
    if per_page is None:
        per_page = LIST_DEFAULT_PER_PAGE
    if not _is_int(cur_page) or cur_page < 0:
        raise invalid_parameter("cur_page must be an integer >= 0.")
    if not _is_int(per_page) or not 0 <= per_page <= MAX_PER_PAGE:
        raise invalid_parameter("per_page must be an integer from 0 to %d." % MAX_PER_PAGE)
    if per_page == 0 and cur_page > 1:
        raise invalid_parameter("With per_page 0 (every task), cur_page must be 0 or 1.")
    jobs = world.list_jobs(_list_filters(body))
    if per_page == 0 or cur_page == 0:
        page = jobs  # 0 = every task on one page (the SDK's QueryJobsReq)
    else:
        page = jobs[(cur_page - 1) * per_page:cur_page * per_page]
    return Reply.json(200, {"total_record": len(jobs), "jobs": page})


PRECHECK_MODES = ("forStartJob", "forRetryJob")


def batch_precheck(world, request, _params):
    """POST /v3/{project_id}/jobs/batch-precheck (BatchPrecheckReq): 200 with a PostPreCheckResp per job."""
    entries = _job_entries(request, "{job_id, precheck_mode}", MAX_QUERY_JOBS, "prechecked")
    for entry in entries:
        if entry.get("precheck_mode") not in PRECHECK_MODES:
            raise invalid_parameter("precheck_mode of job %s must be forStartJob or forRetryJob." % entry["job_id"])
    results = [world.precheck(entry["job_id"], entry["precheck_mode"]) for entry in entries]
    return Reply.json(200, {"results": results, "count": len(results)})


def batch_precheck_result(world, request, _params):
    """POST /v3/{project_id}/jobs/batch-precheck-result (BatchQueryPrecheckResultReq): a QueryPreCheckResp per ID."""
    some_ids = _query_job_ids(request)
    if len(set(some_ids)) != len(some_ids):
        raise invalid_parameter("jobs must not hold the same ID twice.")
    for some_id in some_ids:
        _check_uuid_shape(some_id)
    results = [world.precheck_result(some_id) for some_id in some_ids]
    return Reply.json(200, {"results": results, "count": len(results)})


def batch_retry_task(world, request, _params):
    """POST /v3/{project_id}/jobs/batch-retry-task (BatchRetryReq of RetryInfo): 200 with a RetryTaskResp per job."""
    entries = _job_entries(request, "{job_id, is_sync_re_edit}", MAX_QUERY_JOBS, "retried")
    for entry in entries:
        _optional_bool(entry, "is_sync_re_edit")
    results = [world.retry(entry["job_id"]) for entry in entries]
    return Reply.json(200, {"results": results, "count": len(results)})


PAUSE_MODES = ("target", "all")


def batch_pause_task(world, request, _params):
    """POST /v3/{project_id}/jobs/batch-pause-task (BatchPauseJobReq of PauseInfo): 200 with a PauseJobResp per job."""
    entries = _job_entries(request, "{job_id, pause_mode}", MAX_QUERY_JOBS, "paused")
    for entry in entries:
        _check_uuid_shape(entry["job_id"])
        if entry.get("pause_mode") not in PAUSE_MODES:
            raise invalid_parameter("pause_mode of job %s must be target or all." % entry["job_id"])
    results = [world.pause(entry["job_id"]) for entry in entries]
    return Reply.json(200, {"results": results, "count": len(results)})


DELETE_TYPES = ("terminate", "force_terminate", "delete")


def batch_jobs(world, request, _params):
    """DELETE /v3/{project_id}/jobs/batch-jobs (BatchDeleteJobReq of DeleteJobReq): 202 with a DeleteJobResp per job."""
    entries = _job_entries(request, "{job_id, delete_type}", MAX_QUERY_JOBS, "ended or deleted")
    for entry in entries:
        if entry.get("delete_type") == "roll_back_upgrade_active_standby":
            raise invalid_parameter("delete_type roll_back_upgrade_active_standby (of job %s) is not simulated." % entry["job_id"])
        if entry.get("delete_type") not in DELETE_TYPES:
            raise invalid_parameter("delete_type of job %s must be terminate, force_terminate or delete." % entry["job_id"])
        _optional_bool(entry, "is_show_breakpoint_position")
    results = [world.end_or_delete(entry["job_id"], entry["delete_type"]) for entry in entries]
    return Reply.json(202, {"results": results, "count": len(results)})


def commit_async_job(world, _request, params):
    """POST /v5/{project_id}/batch-async-jobs/{async_job_id}/commit."""
    return Reply.json(200, {"job": world.commit(params["async_job_id"])})


def _query_int(query, key, default, minimum, maximum):
    raw = query.get(key)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= maximum:
        raise invalid_parameter("%s must be an integer from %d to %d." % (key, minimum, maximum))
    return int(raw)


def _paging(query):
    """(offset, limit): offset counts records to skip."""
    return _query_int(query, "offset", 0, 0, MAX_OFFSET), _query_int(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)


def list_async_jobs(world, request, _params):
    """GET /v5/{project_id}/batch-async-jobs: filters async_job_id, status, domain_name, user_name."""
    query = request.query()
    offset, limit = _paging(query)
    if query.get("sort_key", "create_time") != "create_time":
        raise invalid_parameter("sort_key must be create_time.")
    sort_dir = query.get("sort_dir", "desc")
    if sort_dir not in ("asc", "desc"):
        raise invalid_parameter("sort_dir must be asc or desc.")
    filters = {key: query[key] for key in ("async_job_id", "status", "domain_name", "user_name") if key in query}
    jobs = world.list_async_jobs(filters, descending=sort_dir == "desc")
    return Reply.json(200, {"total_count": len(jobs), "jobs": jobs[offset:offset + limit]})


def async_job_detail(world, request, params):
    """GET /v5/{project_id}/batch-async-jobs/{async_job_id}: the tasks inside, paged by offset/limit."""
    offset, limit = _paging(request.query())
    tasks = world.async_job_tasks(params["async_job_id"])
    return Reply.json(200, {"total_count": len(tasks), "jobs": tasks[offset:offset + limit]})


def issue_token(world, request, _params):
    """POST /v3/auth/tokens: IAM password flow, 201 with X-Subject-Token."""
    try:
        credentials = request.json()
    except ApiError:
        raise ApiError(400, errors.IAM_BAD_REQUEST, "The request body is not valid JSON.") from None
    token, body = world.auth.issue_token(credentials)
    return Reply.json(201, body, {"X-Subject-Token": token})


ROUTES = (
    Route("batch-status", "POST", ("v3", "{project_id}", "jobs", "batch-status"), batch_status),
    Route("batch-starting", "POST", ("v3", "{project_id}", "jobs", "batch-starting"), batch_starting),
    Route("batch-progress", "POST", ("v3", "{project_id}", "jobs", "batch-progress"), batch_progress),
    Route("batch-rpo-and-rto", "POST", ("v3", "{project_id}", "jobs", "batch-rpo-and-rto"), batch_rpo_and_rto),
    Route("batch-precheck", "POST", ("v3", "{project_id}", "jobs", "batch-precheck"), batch_precheck),
    Route("batch-precheck-result", "POST", ("v3", "{project_id}", "jobs", "batch-precheck-result"), batch_precheck_result),
    Route("batch-retry-task", "POST", ("v3", "{project_id}", "jobs", "batch-retry-task"), batch_retry_task),
    Route("batch-pause-task", "POST", ("v3", "{project_id}", "jobs", "batch-pause-task"), batch_pause_task),
    Route("batch-jobs", "DELETE", ("v3", "{project_id}", "jobs", "batch-jobs"), batch_jobs),
    Route("list-jobs", "POST", ("v3", "{project_id}", "jobs"), list_jobs),
    Route("commit", "POST", ("v5", "{project_id}", "batch-async-jobs", "{async_job_id}", "commit"), commit_async_job),
    Route("async-list", "GET", ("v5", "{project_id}", "batch-async-jobs"), list_async_jobs),
    Route("async-detail", "GET", ("v5", "{project_id}", "batch-async-jobs", "{async_job_id}"), async_job_detail),
    Route("iam", "POST", ("v3", "auth", "tokens"), issue_token, needs_auth=False),
)


def match_route(request, v5_enabled):
    """(route, path parameters), or (None, None) when no API has this method and path."""
    for route in ROUTES:
        if route.is_v5 and not v5_enabled:
            continue
        params = route.match(request.method, request.segments)
        if params is not None:
            return route, params
    return None, None


def process(world, request, route, params, request_id):
    """Answer one API request: routing, authentication, project check, then the route's handler."""
    try:
        if route is None:
            raise ApiError(404, errors.APIGW_API_NOT_FOUND, "The API does not exist or has not been published in the environment.")
        world.refresh()
        if route.needs_auth:
            world.auth.authenticate(request)
            _check_project(world, request, params["project_id"])
        return route.handler(world, request, params)
    except ApiError as error:
        return Reply.json(error.status, error.body(request_id), error.headers)


def _check_project(world, request, project_id):
    header_project = request.header("X-Project-Id")
    expected = world.scenario.project_id
    if project_id != expected or (header_project is not None and header_project != expected):
        raise ApiError(403, errors.DRS_PROJECT_MISMATCH, "The project ID %s is not the project of these credentials." % (
            header_project if project_id == expected else project_id))
