#!/usr/bin/env python
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The second baseline of benchmarks/launch.py: a batch launch written by hand over the vendor SDK.

    HW_ACCESS_KEY=... HW_SECRET_KEY=... python benchmarks/sdk_baseline.py \
        --endpoint URL --project-id ID --async-job-id ID [--async-job-id ID ...] [--poll-interval 1] [--timeout 600]

What a competent operator writes with ``huaweicloudsdkdrs`` (requirements/benchmark.txt) to do
what the batch_launch role does for a batch async job, in chunks and pages of 100 (the API's limit):

1. per async job: read its status (v5 list, filtered by ID), commit it when it is
   ``AUTO_PARAM_VALIDATE_SUCCESS`` (one that is ``COMMIT_SUCCESS`` was committed before), list its
   task IDs (v5 detail, pages of 100);
2. wait until none of the committed tasks is ``CREATING`` (v3 batch-status, 100 IDs a page);
3. precheck them (``forStartJob``, 100 a request) and read the results (100 a request) until every
   precheck is done; a precheck that failed stops the launch;
4. start them (100 a request);
5. wait until every task is ``INCRE_TRANSFER_STARTED`` (batch-status pages); a failed status stops it.

A wait reads at once and sleeps ``--poll-interval`` only between reads that are not done yet.
It signs with AK/SK (the SDK's ``BasicCredentials``). It prints one JSON object on stdout: ``ok``,
the task count, the seconds of the SDK's imports and of each step, and the SDK calls of each step
(each is one HTTP request: the SDK retries nothing by default). A step that fails prints its reason
on stderr and exits 1.
"""

import argparse
import json
import os
import sys
import time
import warnings
from collections import OrderedDict

IMPORT_BEGAN = time.monotonic()
# pylint: disable=wrong-import-position
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import SdkException  # noqa: E402
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkdrs import v3, v5  # noqa: E402
# pylint: enable=wrong-import-position
IMPORT_SECONDS = time.monotonic() - IMPORT_BEGAN

CHUNK = 100  # IDs per batch-status page, per precheck, precheck-result and batch-starting request; tasks per detail page
TARGET = "INCRE_TRANSFER_STARTED"
HTTP_TIMEOUT = (10, 60)  # connect, read (seconds)


class LaunchFailed(Exception):
    pass


def chunks(items):
    return [items[index:index + CHUNK] for index in range(0, len(items), CHUNK)]


def names(job_ids, limit=5):
    shown = ", ".join(job_ids[:limit])
    return shown + (" and %d more" % (len(job_ids) - limit) if len(job_ids) > limit else "")


class Launch:
    """The steps, with the seconds and SDK calls of each."""

    def __init__(self, endpoint, project_id, access_key, secret_key, poll_interval, timeout):
        config = HttpConfig.get_default_config()
        config.timeout = HTTP_TIMEOUT
        credentials = BasicCredentials(access_key, secret_key, project_id)
        self.v3 = v3.DrsClient.new_builder().with_credentials(credentials).with_endpoints([endpoint]) \
            .with_http_config(config).build()
        self.v5 = v5.DrsClient.new_builder().with_credentials(credentials).with_endpoints([endpoint]) \
            .with_http_config(config).build()
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.steps = OrderedDict()
        self.step = None

    def call(self, method, request):
        self.steps[self.step]["calls"] += 1
        return method(request)

    def run(self, async_job_ids):
        task_ids = []
        for async_job_id in async_job_ids:
            task_ids.extend(self.timed("commit", self.commit, async_job_id))
        self.timed("wait for creation", self.wait, task_ids, "CONFIGURATION", ("CREATING",))
        self.timed("precheck", self.precheck, task_ids)
        self.timed("start", self.start, task_ids)
        self.timed("wait for the target", self.wait, task_ids, TARGET, ("STARTJOBING", "WAITING_FOR_START",
                                                                        "FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE"))
        return task_ids

    def timed(self, step, function, *args):
        self.step = step
        entry = self.steps.setdefault(step, {"seconds": 0.0, "calls": 0})
        began = time.monotonic()
        try:
            return function(*args)
        finally:
            entry["seconds"] += time.monotonic() - began

    def commit(self, async_job_id):
        """The task IDs of the async job, committed now or before."""
        listed = self.call(self.v5.list_async_jobs, v5.ListAsyncJobsRequest(async_job_id=async_job_id))
        if not listed.jobs:
            raise LaunchFailed("batch async job %s does not exist" % async_job_id)
        status = listed.jobs[0].status
        if status == "AUTO_PARAM_VALIDATE_SUCCESS":
            self.call(self.v5.commit_async_job, v5.CommitAsyncJobRequest(async_job_id=async_job_id))
        elif status != "COMMIT_SUCCESS":
            raise LaunchFailed("batch async job %s is %s: it can be committed only once AUTO_PARAM_VALIDATE_SUCCESS"
                               % (async_job_id, status))
        task_ids, total = [], None
        while total is None or len(task_ids) < total:
            page = self.call(self.v5.list_async_job_detail,
                             v5.ListAsyncJobDetailRequest(async_job_id=async_job_id, offset=len(task_ids), limit=CHUNK))
            if not page.jobs:
                break
            total = page.total_count
            task_ids.extend(job.id for job in page.jobs)
        return task_ids

    def statuses(self, task_ids):
        found = {}
        for chunk in chunks(task_ids):
            page = self.call(self.v3.batch_list_job_status, v3.BatchListJobStatusRequest(
                body=v3.BatchQueryJobReqPage(jobs=chunk, page_req=v3.PageReq(cur_page=1, per_page=CHUNK))))
            found.update((entry.id, entry) for entry in page.results)
        return found

    def wait(self, task_ids, target, on_the_way):
        """Read the statuses until every task is at ``target``; any status but those ``on_the_way`` stops it."""
        deadline = time.monotonic() + self.timeout
        while True:
            found = self.statuses(task_ids)
            wrong = [job_id for job_id in task_ids
                     if job_id not in found or found[job_id].status not in (target,) + on_the_way]
            if wrong:
                first = found.get(wrong[0])
                raise LaunchFailed("%d task(s) cannot reach %s: %s; the first is %s (%s)" % (
                    len(wrong), target, names(wrong), first.status if first else "not found",
                    (first.error_message or first.error_code) if first else "no answer"))
            waiting = [job_id for job_id in task_ids if found[job_id].status != target]
            if not waiting:
                return
            if time.monotonic() + self.poll_interval > deadline:
                raise LaunchFailed("%d task(s) not at %s after %ds: %s" % (len(waiting), target, self.timeout, names(waiting)))
            time.sleep(self.poll_interval)

    def precheck(self, task_ids):
        task_of = {}  # precheck ID -> task ID
        with warnings.catch_warnings():
            # The SDK marks both precheck methods deprecated; they are the ones the API pages document.
            warnings.simplefilter("ignore", DeprecationWarning)
            for chunk in chunks(task_ids):
                answer = self.call(self.v3.batch_check_jobs, v3.BatchCheckJobsRequest(body=v3.BatchPrecheckReq(
                    jobs=[v3.PreCheckInfo(job_id=job_id, precheck_mode="forStartJob") for job_id in chunk])))
                refused = [entry for entry in answer.results if entry.status != "success"]
                if refused:
                    raise LaunchFailed("the precheck of %d task(s) did not start: %s (%s)" % (
                        len(refused), names([entry.id for entry in refused]), refused[0].error_msg))
                task_of.update((entry.precheck_id, entry.id) for entry in answer.results)
            deadline = time.monotonic() + self.timeout
            while True:
                results = []
                for chunk in chunks(list(task_of)):
                    answer = self.call(self.v3.batch_check_results, v3.BatchCheckResultsRequest(
                        body=v3.BatchQueryPrecheckResultReq(jobs=chunk)))
                    results.extend(answer.results)
                unknown = [entry for entry in results if entry.error_code]
                if unknown:
                    raise LaunchFailed("%d precheck result(s) cannot be read: %s (%s)" % (
                        len(unknown), names([entry.precheck_id for entry in unknown]), unknown[0].error_msg))
                if all(entry.process == "100%" for entry in results):
                    break
                if time.monotonic() + self.poll_interval > deadline:
                    raise LaunchFailed("prechecks not done after %ds" % self.timeout)
                time.sleep(self.poll_interval)
        failed = [entry for entry in results if not entry.result]
        if failed:
            items = [item.item for item in failed[0].precheck_result or [] if item.result == "FAILED"]
            raise LaunchFailed("the precheck of %d task(s) failed: %s; the first failed on %s" % (
                len(failed), names([task_of[entry.precheck_id] for entry in failed]), ", ".join(items) or "an unnamed item"))

    def start(self, task_ids):
        for chunk in chunks(task_ids):
            answer = self.call(self.v3.batch_start_jobs, v3.BatchStartJobsRequest(
                body=v3.BatchStartJobReq(jobs=[v3.StartInfo(job_id=job_id) for job_id in chunk])))
            refused = [entry for entry in answer.results if entry.status != "success"]
            if refused:
                raise LaunchFailed("%d task(s) did not start: %s (%s)" % (
                    len(refused), names([entry.id for entry in refused]), refused[0].error_msg))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="sdk_baseline.py", description=(
        "Launch the tasks of DRS batch async jobs with the vendor SDK (the hand-written baseline of benchmarks/launch.py). "
        "Credentials: HW_ACCESS_KEY and HW_SECRET_KEY."))
    parser.add_argument("--endpoint", default=os.environ.get("HW_DRS_ENDPOINT"), help="DRS endpoint URL (default $HW_DRS_ENDPOINT)")
    parser.add_argument("--project-id", default=os.environ.get("HW_PROJECT_ID"), help="project ID (default $HW_PROJECT_ID)")
    parser.add_argument("--async-job-id", dest="async_job_ids", action="append", required=True,
                        help="a batch async job to launch (repeat for more)")
    parser.add_argument("--poll-interval", type=float, default=1.0, help="seconds between reads of a wait (default 1)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds each wait may take (default 600)")
    args = parser.parse_args(argv)
    args.access_key, args.secret_key = os.environ.get("HW_ACCESS_KEY"), os.environ.get("HW_SECRET_KEY")
    missing = [name for name, value in (("--endpoint", args.endpoint), ("--project-id", args.project_id),
                                        ("HW_ACCESS_KEY", args.access_key), ("HW_SECRET_KEY", args.secret_key)) if not value]
    if missing:
        parser.error("missing %s" % ", ".join(missing))
    if args.poll_interval < 0 or args.timeout < 1:
        parser.error("--poll-interval must be 0 or more and --timeout 1 or more")
    return args


def main(argv=None):
    args = parse_args(argv)
    launch = Launch(args.endpoint, args.project_id, args.access_key, args.secret_key, args.poll_interval, args.timeout)
    began = time.monotonic()
    report = OrderedDict([("ok", False), ("tasks", 0), ("import_seconds", round(IMPORT_SECONDS, 3))])
    try:
        report["tasks"] = len(launch.run(args.async_job_ids))
        report["ok"] = True
    except (LaunchFailed, SdkException) as exc:
        report["error"] = "%s: %s" % (launch.step, exc)
        print("launch failed at step %r: %s" % (launch.step, exc), file=sys.stderr)
    report["seconds"] = round(time.monotonic() - began, 3)
    report["steps"] = OrderedDict((step, {"seconds": round(entry["seconds"], 3), "calls": entry["calls"]})
                                  for step, entry in launch.steps.items())
    print(json.dumps(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
