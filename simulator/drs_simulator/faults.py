"""Fault injection: rules that make matching API calls fail the way real networks and gateways do.

A rule names a ``route`` (or ``any``), a ``kind`` and when it fires: on the next ``times``
matching calls, on the ``calls`` (1-based) matching calls, with probability ``rate`` (seeded
RNG), or, with none of these, on every matching call. Every matching rule counts the call; the
first rule (in the order added) that fires decides what happens.
"""

import random

from . import errors
from .request import JSON_CONTENT_TYPE, Reply

API_ROUTES = ("batch-status", "batch-starting", "batch-progress", "batch-rpo-and-rto", "list-jobs", "batch-precheck",
              "batch-precheck-result", "batch-retry-task", "batch-pause-task", "batch-jobs", "commit", "async-list",
              "async-detail", "iam")
FAULT_ROUTES = API_ROUTES + ("any",)
FAULT_KINDS = ("status", "slow", "reset_before", "reset_after", "malformed", "html")
RULE_KEYS = ("route", "kind", "status", "body", "retry_after", "delay", "times", "rate", "calls")

DEFAULT_STATUS_BODIES = {
    429: (errors.APIGW_THROTTLED, "The request is throttled."),
    500: (errors.DRS_INTERNAL, "Internal server error."),
    502: (errors.APIGW_BACKEND, "Backend unavailable."),
    503: (errors.APIGW_BACKEND, "Backend unavailable."),
    504: (errors.APIGW_BACKEND, "Backend timeout."),
}
HTML_PAGE = ("<html>\r\n<head><title>%(status)d %(reason)s</title></head>\r\n<body>\r\n"
             "<center><h1>%(status)d %(reason)s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
HTML_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


class FaultError(ValueError):
    """A fault rule is not valid; the message says why."""


class FaultRule:
    """One validated rule plus its counters (``seen`` matching calls, ``fired`` times it acted)."""

    def __init__(self, rule_id, data):
        if not isinstance(data, dict):
            raise FaultError("a fault rule is a JSON object")
        unknown = sorted(set(data) - set(RULE_KEYS))
        if unknown:
            raise FaultError("unknown fault rule key(s) %s; allowed: %s" % (", ".join(unknown), ", ".join(RULE_KEYS)))
        self.id = rule_id
        self.route = data.get("route", "any")
        self.kind = data.get("kind", "status")
        if self.route not in FAULT_ROUTES:
            raise FaultError("route must be one of %s" % ", ".join(FAULT_ROUTES))
        if self.kind not in FAULT_KINDS:
            raise FaultError("kind must be one of %s" % ", ".join(FAULT_KINDS))
        self.status = _optional_int(data, "status", 200, 599)
        self.body = data.get("body")
        self.retry_after = _optional_int(data, "retry_after", 0, 86400)
        self.delay = _optional_number(data, "delay", 0, 600)
        self.times = _optional_int(data, "times", 1, 10 ** 9)
        self.rate = _optional_number(data, "rate", 0, 1)
        self.calls = data.get("calls")
        self._check_combination()
        self.seen = 0
        self.fired = 0

    def _check_combination(self):
        if self.kind == "status" and self.status is None:
            raise FaultError("a status fault needs status (e.g. 429, 500, 502, 503, 504)")
        if self.kind == "slow" and not self.delay:
            raise FaultError("a slow fault needs delay (seconds > 0)")
        if self.kind != "slow" and self.delay is not None:
            raise FaultError("delay applies only to slow faults")
        if self.status is not None and self.kind not in ("status", "html"):
            raise FaultError("status applies only to status and html faults")
        if self.body is not None and (self.kind not in ("status", "html") or not isinstance(self.body, (str, dict, list))):
            raise FaultError("body (a string or JSON value) applies only to status and html faults")
        if self.retry_after is not None and self.kind != "status":
            raise FaultError("retry_after applies only to status faults")
        if self.calls is not None and (not isinstance(self.calls, list) or not self.calls
                                       or not all(isinstance(k, int) and not isinstance(k, bool) and k >= 1 for k in self.calls)):
            raise FaultError("calls must be a non-empty list of integers >= 1")
        if sum(value is not None for value in (self.times, self.rate, self.calls)) > 1:
            raise FaultError("give at most one of times, rate and calls")

    def matches(self, route_name):
        return self.route in ("any", route_name)

    def triggers(self, rng):
        """Whether this (already counted) matching call is one the rule acts on."""
        if self.times is not None:
            return self.fired < self.times
        if self.calls is not None:
            return self.seen in self.calls
        if self.rate is not None:
            return rng.random() < self.rate
        return True

    def reply(self, request_id):
        """The answer of a ``status`` or ``html`` fault (the request itself is not processed)."""
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        if self.kind == "html" or isinstance(self.body, str):
            status = self.status or 502
            text = self.body if isinstance(self.body, str) else HTML_PAGE % {"status": status, "reason": HTML_REASONS.get(status, "Error")}
            return Reply(status, text.encode("utf-8"), "text/html", headers)
        if self.body is not None:
            return Reply.json(self.status, self.body, headers)
        code, message = DEFAULT_STATUS_BODIES.get(self.status, (errors.DRS_FAILED, "Failed."))
        body = {"error_code": code, "error_msg": message}
        if code.startswith("APIGW."):
            body["request_id"] = request_id
        return Reply.json(self.status, body, headers)

    @staticmethod
    def mangle(reply):
        """A ``malformed`` fault: the processed reply's status with its JSON body cut in half.

        Every reply body is a JSON object, so any strict prefix of it is unparsable.
        """
        return Reply(reply.status, reply.body[:len(reply.body) // 2] or b'{"results": [', JSON_CONTENT_TYPE, reply.headers)

    def as_dict(self):
        data = {"id": self.id, "route": self.route, "kind": self.kind, "seen": self.seen, "fired": self.fired}
        for key in RULE_KEYS[2:]:
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


class FaultBook:
    """The active rules; the caller serialises access."""

    def __init__(self, seed):
        self._rng = random.Random("drs-simulator/faults/%s" % seed)
        self._rules = []
        self._next_id = 1

    def add(self, data):
        rule = FaultRule(self._next_id, data)
        self._next_id += 1
        self._rules.append(rule)
        return rule

    def clear(self):
        self._rules = []

    def rules(self):
        return [rule.as_dict() for rule in self._rules]

    def pick(self, route_name):
        """Count this call for every matching rule; return the first rule that fires, or None."""
        chosen = None
        for rule in self._rules:
            if not rule.matches(route_name):
                continue
            rule.seen += 1
            if chosen is None and rule.triggers(self._rng):
                rule.fired += 1
                chosen = rule
        return chosen


def _optional_int(data, key, minimum, maximum):
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum):
        raise FaultError("%s must be an integer from %s to %s" % (key, minimum, maximum))
    return value


def _optional_number(data, key, minimum, maximum):
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not minimum <= value <= maximum):
        raise FaultError("%s must be a number from %s to %s" % (key, minimum, maximum))
    return value
