# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tiny in-memory DRS endpoints on pytest-httpserver, for module unit tests.

Only what a unit test needs to steer; the full, faithful simulator lives in ``simulator/``.
"""

import json

from werkzeug import Response

PROJECT = "054ba152d480d55b2f5dc0069e7ddef0"
STATUS_URI = "/v3/%s/jobs/batch-status" % PROJECT
START_URI = "/v3/%s/jobs/batch-starting" % PROJECT
PROGRESS_URI = "/v3/%s/jobs/batch-progress" % PROJECT
RPO_RTO_URI = "/v3/%s/jobs/batch-rpo-and-rto" % PROJECT
ASYNC_URI = "/v5/%s/batch-async-jobs" % PROJECT
LIST_URI = "/v3/%s/jobs" % PROJECT
PRECHECK_URI = "/v3/%s/jobs/batch-precheck" % PROJECT
PRECHECK_RESULT_URI = "/v3/%s/jobs/batch-precheck-result" % PROJECT
RETRY_URI = "/v3/%s/jobs/batch-retry-task" % PROJECT
PAUSE_URI = "/v3/%s/jobs/batch-pause-task" % PROJECT
BATCH_JOBS_URI = "/v3/%s/jobs/batch-jobs" % PROJECT
# What the fake's day-two writes accept, and where they take a task.
RETRY_TO = {"START_JOB_FAILED": "STARTJOBING", "FULL_TRANSFER_FAILED": "FULL_TRANSFER_STARTED",
            "INCRE_TRANSFER_FAILED": "INCRE_TRANSFER_STARTED", "CHILD_TRANSFER_FAILED": "CHILD_TRANSFER_STARTED",
            "PAUSING": "INCRE_TRANSFER_STARTED", "PAUSEING": "INCRE_TRANSFER_STARTED"}
PAUSABLE = ("FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE", "INCRE_TRANSFER_STARTED")
NOT_ENDABLE = ("CREATING", "CONFIGURATION", "CREATE_FAILED", "RELEASE_RESOURCE_STARTED", "RELEASE_RESOURCE_COMPLETE", "DELETED")
DELETABLE = ("CREATE_FAILED", "RELEASE_RESOURCE_COMPLETE", "RELEASE_CHILD_TRANSFER_COMPLETE")
# The filters of QueryJobsReq the fake applies, each by equality (name by substring, see list_jobs).
LIST_FILTERS = ("status", "engine_type", "db_use_type", "net_type")


def job_id(number):
    return "%08d-2308-4bb5-a6bc-1040402fjb21" % number


def json_response(payload, status=200):
    return Response(json.dumps(payload), status=status, content_type="application/json")


class FakeDrs:
    def __init__(self, httpserver):
        self.server = httpserver
        self.tasks = {}
        self.errors = {}
        self.refuse_start = {}
        self.after_read = None
        self.start_faults = []
        self.async_jobs = {}
        self.async_tasks = {}
        # task ID -> QueryProgressResp fields / (RPO delay, RTO delay) strings, as the API sends them
        self.progress = {}
        self.rpo_rto = {}
        httpserver.expect_request(STATUS_URI, method="POST").respond_with_handler(self.batch_status)
        httpserver.expect_request(PROGRESS_URI, method="POST").respond_with_handler(self.batch_progress)
        httpserver.expect_request(RPO_RTO_URI, method="POST").respond_with_handler(self.batch_rpo_rto)
        httpserver.expect_request(START_URI, method="POST").respond_with_handler(self.batch_start)
        # JobInfo dicts listed by POST /v3/{project_id}/jobs, in this order
        self.listed = []
        # task ID -> the QueryPreCheckResp answered for it; a task without one answers an error entry
        self.precheck_results = {}
        # task ID -> the results its reads answer after a precheck start, one per read (the last one stays)
        self.after_precheck = {}
        self.started_prechecks = {}
        self.refuse_precheck = {}
        self.precheck_starts = 0
        # day two: task ID -> {error_code, error_msg} to refuse; answers to give instead of the real one (after
        # acting), one per request; task ID -> status reads left before a release completes; task ID -> the
        # status a retry leads to instead of RETRY_TO's
        self.refuse_action = {}
        self.action_faults = []
        self.releasing = {}
        self.release_reads = 0
        self.retry_to = {}
        httpserver.expect_request(RETRY_URI, method="POST").respond_with_handler(self.batch_retry)
        httpserver.expect_request(PAUSE_URI, method="POST").respond_with_handler(self.batch_pause)
        httpserver.expect_request(BATCH_JOBS_URI, method="DELETE").respond_with_handler(self.batch_jobs)
        httpserver.expect_request(LIST_URI, method="POST").respond_with_handler(self.list_jobs)
        httpserver.expect_request(PRECHECK_URI, method="POST").respond_with_handler(self.batch_precheck)
        httpserver.expect_request(PRECHECK_RESULT_URI, method="POST").respond_with_handler(self.batch_precheck_result)

    def add(self, status, count=1, start=0):
        ids = [job_id(start + n) for n in range(count)]
        for task_id in ids:
            self.tasks[task_id] = status
        return ids

    def requests(self, uri, method=None):
        return [request for request, _response in self.server.log if request.path == uri and method in (None, request.method)]

    def batch_status(self, request):
        for task_id in list(self.releasing):
            if self.releasing[task_id] <= 0:
                self.tasks[task_id] = "RELEASE_RESOURCE_COMPLETE"
                del self.releasing[task_id]
            else:
                self.releasing[task_id] -= 1
        results = []
        for task_id in request.get_json()["jobs"]:
            if task_id in self.tasks:
                entry = {"id": task_id}
                if self.tasks[task_id]:
                    entry["status"] = self.tasks[task_id]
                entry.update(self.errors.get(task_id, {}))
                results.append(entry)
        if self.after_read:
            self.after_read(self)
        return json_response({"results": results, "count": len(results)})

    def batch_progress(self, request):
        results = [dict(self.progress.get(task_id, {"task_mode": "FULL_INCR_TRANS"}), job_id=task_id)
                   for task_id in request.get_json()["jobs"] if task_id in self.tasks]
        return json_response({"results": results, "count": len(results)})

    def batch_rpo_rto(self, request):
        results = []
        for task_id in request.get_json()["jobs"]:
            entry = {"job_id": task_id}
            if task_id in self.rpo_rto:
                rpo, rto = self.rpo_rto[task_id]
                entry.update(rpo_info={"delay": rpo, "time": "2026-12-01 02:00:00"},
                             rto_info={"delay": rto, "time": "2026-12-01 02:00:00"})
            results.append(entry)
        return json_response({"results": results, "count": len(results)})

    def batch_start(self, request):
        results = []
        for job in request.get_json()["jobs"]:
            task_id = job["job_id"]
            if task_id in self.refuse_start:
                results.append(dict(id=task_id, status="failed", **self.refuse_start[task_id]))
                continue
            self.tasks[task_id] = "WAITING_FOR_START" if job.get("start_time") else "STARTJOBING"
            results.append({"id": task_id, "status": "success"})
        if self.start_faults:
            return self.start_faults.pop(0)
        return json_response({"results": results, "count": len(results)}, status=202)

    def add_async_job(self, async_id, status, task_count=3, commit_answer=None):
        self.async_jobs[async_id] = status
        self.async_tasks[async_id] = self.add("CREATING", task_count, start=1000 * (len(self.async_jobs)))
        self.server.expect_request(ASYNC_URI, method="GET").respond_with_handler(self.list_async_jobs)
        self.server.expect_request(ASYNC_URI + "/" + async_id, method="GET").respond_with_handler(self.async_detail)
        self.server.expect_request(ASYNC_URI + "/" + async_id + "/commit", method="POST").respond_with_handler(
            commit_answer or self.commit)
        return self.async_tasks[async_id]

    def list_async_jobs(self, request):
        wanted = request.args.get("async_job_id")
        jobs = [{"async_job_id": async_id, "status": status} for async_id, status in self.async_jobs.items()
                if async_id == wanted]
        return json_response({"total_count": len(jobs), "jobs": jobs})

    def async_detail(self, request):
        async_id = request.path.rsplit("/", 1)[1]
        offset, limit = int(request.args["offset"]), int(request.args["limit"])
        tasks = [{"id": task_id, "status": self.tasks[task_id]} for task_id in self.async_tasks[async_id]]
        return json_response({"total_count": len(tasks), "jobs": tasks[offset:offset + limit]})

    def commit(self, request):
        async_id = request.path.split("/")[-2]
        self.async_jobs[async_id] = "COMMIT_SUCCESS"
        for task_id in self.async_tasks[async_id]:
            self.tasks[task_id] = "CONFIGURATION"
        return json_response({"job": {"async_job_id": async_id, "status": "COMMIT_SUCCESS", "msg": "success"}})

    def list_job(self, name, status="CONFIGURATION", **fields):
        record = dict(id=job_id(len(self.listed) + 5000), name=name, status=status, engine_type="mysql",
                      db_use_type="migration", net_type="vpc", task_type="FULL_INCR_TRANS", job_direction="up",
                      create_time="1764558000000", description=None, children=[])
        record.update(fields)
        self.listed.append(record)
        return record["id"]

    def list_jobs(self, request):
        """A server that searches for ``name`` inside names, as the vendor page leaves open."""
        body = request.get_json()
        matching = [job for job in self.listed
                    if all(body.get(key) in (None, job.get(key)) for key in LIST_FILTERS)
                    and body.get("name", "") in job["name"]
                    and all(job.get("tags", {}).get(key) == value for key, value in (body.get("tags") or {}).items())]
        first = (body["cur_page"] - 1) * body["per_page"]
        page = [dict((key, value) for key, value in job.items() if key != "tags") for job in matching[first:first + body["per_page"]]]
        return json_response({"total_record": len(matching), "jobs": page})

    def precheck_result(self, task_id, progress="100%", passed=True, rate=None, items=(), precheck_id=None):
        return {"precheck_id": precheck_id or "pc-" + task_id, "result": passed, "process": progress,
                "total_passed_rate": rate or ("100%" if passed else "80%"), "precheck_result": list(items)}

    def batch_precheck(self, request):
        self.precheck_starts += 1
        results = []
        for job in request.get_json()["jobs"]:
            task_id = job["job_id"]
            if task_id in self.refuse_precheck:
                results.append(dict(id=task_id, status="failed", **self.refuse_precheck[task_id]))
                continue
            precheck_id = "pc-%s-%d" % (task_id, self.precheck_starts)
            script = self.after_precheck.get(task_id) or [self.precheck_result(task_id)]
            self.started_prechecks[task_id] = [dict(result, precheck_id=precheck_id) for result in script]
            results.append({"id": task_id, "precheck_id": precheck_id, "status": "success"})
        return json_response({"results": results, "count": len(results)})

    def batch_precheck_result(self, request):
        results = []
        for task_id in request.get_json()["jobs"]:
            script = self.started_prechecks.get(task_id)
            if script:
                self.precheck_results[task_id] = script.pop(0) if len(script) > 1 else script[0]
            # an unknown precheck echoes the ID asked for as its precheck_id
            results.append(self.precheck_results.get(task_id) or {
                "precheck_id": task_id, "error_code": "DRS.10040016", "error_msg": "No precheck of the job %s." % task_id})
        return json_response({"results": results, "count": len(results)})

    def day_two(self, request, act, status=200):
        """Answer a retry, pause or batch-jobs request: ``act(job)`` changes the task, or returns why it cannot."""
        results = []
        for job in request.get_json()["jobs"]:
            task_id = job["job_id"]
            refusal = self.refuse_action.get(task_id)
            if refusal is None:
                reason = "unknown task" if task_id not in self.tasks else act(job)
                refusal = {"error_code": "DRS.10040019", "error_msg": reason} if reason else None
            results.append(dict(id=task_id, status="failed", **refusal) if refusal else {"id": task_id, "status": "success"})
        if self.action_faults:
            return self.action_faults.pop(0)
        return json_response({"results": results, "count": len(results)}, status=status)

    def batch_retry(self, request):
        def retry(job):
            status = self.tasks[job["job_id"]]
            if status not in RETRY_TO:
                return "The job status %s does not allow a retry." % status
            self.tasks[job["job_id"]] = self.retry_to.get(job["job_id"], RETRY_TO[status])
            return None
        return self.day_two(request, retry)

    def batch_pause(self, request):
        def pause(job):
            status = self.tasks[job["job_id"]]
            if status not in PAUSABLE:
                return "The job status %s does not allow a pause." % status
            self.tasks[job["job_id"]] = "PAUSING"
            return None
        return self.day_two(request, pause)

    def batch_jobs(self, request):
        def end_or_delete(job):
            status = self.tasks[job["job_id"]]
            if job["delete_type"] == "delete":
                if status not in DELETABLE:
                    return "The job status %s does not allow a delete." % status
                self.tasks[job["job_id"]] = "DELETED"
            elif status in NOT_ENDABLE:
                return "The job status %s does not allow ending it." % status
            else:
                self.tasks[job["job_id"]] = "RELEASE_RESOURCE_STARTED"
                self.releasing[job["job_id"]] = self.release_reads
            return None
        return self.day_two(request, end_or_delete, status=202)
