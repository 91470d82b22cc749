"""Authentication as API Gateway does it: an IAM token in X-Auth-Token, or an AK/SK signature.

The AK/SK verifier follows the published SDK-HMAC-SHA256 algorithm and is written for this
project (it shares no code with the vendor SDK or the collection); the tests check that it
accepts what the vendor SDK's signer produces and rejects tampered requests.

Canonical request (lines joined by ``\\n``)::

    METHOD
    canonical URI     each path segment percent-decoded, then quoted (safe '~'); always ends in '/'
    canonical query   key=value pairs, decoded, sorted, then each side quoted (safe '~'), joined by '&'
    canonical headers one "name:value" line per signed header (name lowercased, value stripped), then ''
    signed headers    the lowercased names, joined by ';'
    payload hash      hex SHA-256 of the body (or the signed X-Sdk-Content-Sha256 value)

String to sign: ``SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<hex SHA-256 of the canonical request>``;
the signature is the hex HMAC-SHA256 of it keyed with the secret key.
"""

import hashlib
import hmac
import re
import time
from datetime import datetime, timezone
from urllib.parse import quote, unquote

from . import errors
from .errors import ApiError

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_CLOCK_SKEW_SECONDS = 15 * 60
REQUIRED_SIGNED_HEADERS = ("host", "x-sdk-date")
_AUTHORIZATION = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$")


class MissingSignedHeader(Exception):
    """A header named in SignedHeaders is not in the request."""


def _quote(text):
    return quote(text, safe="~")


def canonical_uri(raw_path):
    uri = "/".join(_quote(segment) for segment in unquote(raw_path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(raw_query):
    pairs = []
    for part in raw_query.split("&"):
        if part:
            key, _separator, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return "&".join("%s=%s" % (_quote(key), _quote(value)) for key, value in sorted(pairs))


def canonical_request(method, raw_path, raw_query, header, signed_headers, payload_hash):
    """``header(name)`` returns a request header's value or None."""
    lines = []
    for name in signed_headers:
        value = header(name)
        if value is None:
            raise MissingSignedHeader(name)
        lines.append("%s:%s\n" % (name, value.strip()))
    return "\n".join([method.upper(), canonical_uri(raw_path), canonical_query(raw_query), "".join(lines), ";".join(signed_headers), payload_hash])


def string_to_sign(sdk_date, canonical):
    return "\n".join([ALGORITHM, sdk_date, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])


def signature(secret_key, text):
    return hmac.new(secret_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def _unauthorized(reason):
    return ApiError(401, errors.APIGW_BAD_IAM_AUTH, "Incorrect IAM authentication information: %s" % reason)


def _check_signing_date(sdk_date):
    """X-Sdk-Date must parse and be within 15 minutes of the real (not the simulated) time."""
    try:
        signed_at = datetime.strptime(sdk_date, DATE_FORMAT).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise _unauthorized("X-Sdk-Date must be a UTC time like 20240131T235959Z") from None
    if abs(time.time() - signed_at) > MAX_CLOCK_SKEW_SECONDS:
        raise _unauthorized("X-Sdk-Date is more than 15 minutes away from the server time")


def _payload_hash(request, signed_headers):
    """The signed X-Sdk-Content-Sha256 value (e.g. UNSIGNED-PAYLOAD) or the body's hex SHA-256."""
    if "x-sdk-content-sha256" in signed_headers:
        return request.header("X-Sdk-Content-Sha256")
    return hashlib.sha256(request.body).hexdigest()


def _iso8601(epoch_seconds):
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Authenticator:
    """Checks the credentials of API requests and issues tokens on the IAM route."""

    def __init__(self, scenario, clock, rng):
        self._scenario = scenario
        self._clock = clock
        self._rng = rng
        self._tokens = {token.value: token for token in scenario.auth.tokens}
        self._credentials = {credential.ak: credential for credential in scenario.auth.credentials}
        self._issued = {}

    def authenticate(self, request):
        """Raise a 401 ApiError unless the request carries a valid token or AK/SK signature."""
        token = request.header("X-Auth-Token")
        if token:
            self._check_token(token.strip())
            return
        authorization = request.header("Authorization")
        if authorization:
            self._check_signature(request, authorization.strip())
            return
        raise _unauthorized("x-auth-token not found")

    def _check_token(self, token):
        known = self._tokens.get(token)
        if known is not None:
            if known.expired:
                raise ApiError(401, errors.APIGW_TOKEN_EXPIRED, "The token must be updated.")
            return
        expires_at = self._issued.get(token)
        if expires_at is None:
            raise _unauthorized("decrypt token fail")
        if self._clock.now() >= expires_at:
            raise ApiError(401, errors.APIGW_TOKEN_EXPIRED, "The token must be updated.")

    def _check_signature(self, request, authorization):
        match = _AUTHORIZATION.match(authorization)
        if not match:
            raise _unauthorized("the Authorization header is not 'SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...'")
        access_key, signed, claimed = match.groups()
        signed_headers = signed.lower().split(";")
        for name in REQUIRED_SIGNED_HEADERS:
            if name not in signed_headers:
                raise _unauthorized("SignedHeaders must include %s" % name)
        credential = self._credentials.get(access_key)
        if credential is None:
            raise _unauthorized("the access key does not exist")
        sdk_date = request.header("X-Sdk-Date") or ""
        _check_signing_date(sdk_date)
        try:
            canonical = canonical_request(request.method, request.raw_path, request.raw_query, request.header, signed_headers,
                                          _payload_hash(request, signed_headers))
        except MissingSignedHeader as missing:
            raise _unauthorized("the signed header %s is missing" % missing) from None
        expected = signature(credential.sk, string_to_sign(sdk_date, canonical))
        if not hmac.compare_digest(expected, claimed.lower()):
            raise _unauthorized("verify aksk signature fail")
        security_token = request.header("X-Security-Token")
        if credential.security_token is None and security_token is not None:
            raise _unauthorized("X-Security-Token was sent with permanent credentials")
        if credential.security_token is not None and security_token != credential.security_token:
            raise _unauthorized("the X-Security-Token of the temporary credentials is missing or wrong")

    def issue_token(self, body):
        """The IAM password flow: returns (token, response body) or raises a 400/401 ApiError."""
        try:
            identity = body["auth"]["identity"]
            methods = identity["methods"]
            user = identity["password"]["user"]
            name, password, domain = user["name"], user["password"], user["domain"]["name"]
            project = body["auth"]["scope"]["project"]
        except (KeyError, TypeError):
            raise ApiError(400, errors.IAM_BAD_REQUEST, "The request body must give auth.identity.password.user "
                           "(name, password, domain.name) and auth.scope.project (id or name).") from None
        if methods != ["password"]:
            raise ApiError(400, errors.IAM_BAD_REQUEST, 'auth.identity.methods must be ["password"].')
        if not all(isinstance(value, str) for value in (name, password, domain)) or not isinstance(project, dict):
            raise ApiError(400, errors.IAM_BAD_REQUEST, "The user name, password and domain name must be strings.")
        if not any(known.name == name and known.domain == domain and hmac.compare_digest(known.password.encode(), password.encode())
                   for known in self._scenario.auth.users):
            raise ApiError(401, errors.IAM_BAD_CREDENTIALS, "The username or password is wrong.")
        if project.get("id") != self._scenario.project_id and project.get("name") != self._scenario.project_name:
            raise ApiError(400, errors.IAM_BAD_REQUEST, "The project in auth.scope does not exist.")
        now = self._clock.now()
        token = "MIIsim%064x" % self._rng.getrandbits(256)
        self._issued[token] = now + self._scenario.auth.token_ttl_seconds
        return token, {"token": {
            "methods": ["password"],
            "issued_at": _iso8601(now),
            "expires_at": _iso8601(self._issued[token]),
            "user": {"name": name, "domain": {"name": domain}},
            "project": {"id": self._scenario.project_id, "name": self._scenario.project_name},
            "catalog": [],
        }}
