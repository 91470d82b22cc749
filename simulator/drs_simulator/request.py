"""One HTTP request as the simulator sees it, and the reply it sends back."""

import json
from dataclasses import dataclass, field
from http.client import HTTPMessage
from urllib.parse import unquote

from .errors import DRS_BAD_BODY, ApiError

SECRET_HEADERS = ("x-auth-token", "authorization", "x-security-token")
REDACTED = "<redacted>"
JSON_CONTENT_TYPE = "application/json;charset=UTF-8"


def header_text(value):
    """A header value as the client meant it: HTTP carries bytes, http.server decodes them as latin-1."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


@dataclass
class Request:
    method: str
    raw_path: str
    raw_query: str
    headers: HTTPMessage
    body: bytes

    @classmethod
    def parse(cls, method, target, headers, body):
        path, _separator, query = target.partition("?")
        return cls(method, path, query, headers, body)

    @property
    def segments(self):
        """The path's segments, percent-decoded: ``/v3/p/jobs`` -> ``["v3", "p", "jobs"]``."""
        return [unquote(segment) for segment in self.raw_path.split("/")[1:]]

    def header(self, name):
        value = self.headers.get(name)
        return None if value is None else header_text(value)

    def query(self):
        """Query parameters, percent-decoded; a repeated key keeps its last value."""
        params = {}
        for part in self.raw_query.split("&"):
            if part:
                key, _separator, value = part.partition("=")
                params[unquote(key)] = unquote(value)
        return params

    def json(self):
        """The body as JSON; 400 with a vendor body when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except ValueError:
            raise ApiError(400, DRS_BAD_BODY, "The request body is not valid JSON.") from None

    def json_object(self):
        """The body as a JSON object; 400 with a vendor body otherwise."""
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError(400, DRS_BAD_BODY, "The request body must be a JSON object.")
        return body

    def logged_headers(self):
        """Every header, with the values of credentials replaced."""
        return {name: REDACTED if name.lower() in SECRET_HEADERS else header_text(value) for name, value in self.headers.items()}

    def logged_body(self):
        """Parsed JSON, or the raw text when it is not JSON, or None; an IAM password is replaced."""
        if not self.body:
            return None
        text = self.body.decode("utf-8", "replace")
        try:
            body = json.loads(text)
        except ValueError:
            return text
        try:
            user = body["auth"]["identity"]["password"]["user"]
        except (KeyError, TypeError):
            return body
        if isinstance(user, dict) and "password" in user:
            user["password"] = REDACTED
        return body


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = JSON_CONTENT_TYPE
    headers: dict = field(default_factory=dict)

    @classmethod
    def json(cls, status, data, headers=None):
        return cls(status, json.dumps(data).encode("utf-8"), JSON_CONTENT_TYPE, dict(headers or {}))
