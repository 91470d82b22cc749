# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AK/SK request signing with the SDK-HMAC-SHA256 algorithm of the vendor SDK.

Private to this collection; not a public API.
"""

import datetime
import hashlib
import hmac

from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def _quote(value):
    return quote(value, safe="~")


def canonical_uri(path):
    """Each path segment percent-encoded; the vendor gateway expects a trailing slash."""
    encoded = "/".join(_quote(segment) for segment in unquote(path).split("/"))
    return encoded if encoded.endswith("/") else encoded + "/"


def canonical_query(params):
    """Sorted ``key=value`` pairs joined by ``&``, both sides percent-encoded.

    ``params`` is a sequence of ``(key, value)`` pairs; the same string must be
    sent on the wire so that the server computes the same signature.
    """
    pairs = sorted((str(key), str(value)) for key, value in params)
    return "&".join("%s=%s" % (_quote(key), _quote(value)) for key, value in pairs)


def sign_request(method, host, path, query_params, headers, body, access_key, secret_key, now=None):
    """Return the headers to add to a request: ``Host``, ``X-Sdk-Date`` and ``Authorization``.

    Every header in ``headers`` plus ``Host`` and ``X-Sdk-Date`` is signed, so the caller
    must send exactly these headers with exactly these values, and exactly ``body`` (bytes).
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    sdk_date = now.strftime(DATE_FORMAT)
    signed = dict((name.lower(), str(value).strip()) for name, value in headers.items())
    signed["host"] = host
    signed[DATE_HEADER.lower()] = sdk_date
    names = sorted(signed)

    canonical_request = "\n".join([
        method.upper(),
        canonical_uri(path),
        canonical_query(query_params),
        "".join("%s:%s\n" % (name, signed[name]) for name in names),
        ";".join(names),
        hashlib.sha256(body or b"").hexdigest(),
    ])
    string_to_sign = "\n".join([
        ALGORITHM,
        sdk_date,
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ])
    signature = hmac.new(secret_key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return {
        "Host": host,
        DATE_HEADER: sdk_date,
        "Authorization": "%s Access=%s, SignedHeaders=%s, Signature=%s" % (ALGORITHM, access_key, ";".join(names), signature),
    }
