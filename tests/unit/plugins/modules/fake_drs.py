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

    def add(self, status, count=1, start=0):
        ids = [job_id(start + n) for n in range(count)]
        for task_id in ids:
            self.tasks[task_id] = status
        return ids

    def requests(self, uri, method=None):
        return [request for request, _response in self.server.log if request.path == uri and method in (None, request.method)]

    def batch_status(self, request):
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
