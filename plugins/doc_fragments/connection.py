# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  endpoint:
    description:
      - Base URL of the DRS API, for example V(https://drs.eu-de.otc.t-systems.com).
      - A path (behind a gateway) is kept; a query string or fragment is refused, as no API call could carry it.
      - Takes precedence over O(region).
      - Falls back to the E(HW_DRS_ENDPOINT) environment variable.
    type: str
  region:
    description:
      - Region that builds the endpoint when O(endpoint) is not set.
      - Huawei Cloud regions use C(https://drs.<region>.myhuaweicloud.com); the Open Telekom Cloud regions
        V(eu-de), V(eu-nl) and V(eu-ch2) use their C(otc.t-systems.com) hosts.
      - Also finds the IAM endpoint for password authentication when O(auth_url) is not set.
      - Falls back to the E(HW_REGION_NAME) environment variable.
    type: str
  project_id:
    description:
      - Project ID of the tenant in the region; it is part of every API path.
      - Required, as an option or through the E(HW_PROJECT_ID) environment variable.
    type: str
  auth_token:
    description:
      - IAM token sent as C(X-Auth-Token).
      - Falls back to the E(HW_AUTH_TOKEN) environment variable.
      - Set exactly one way to authenticate, O(auth_token), O(access_key) and O(secret_key),
        or O(username), O(password) and O(domain_name).
    type: str
  access_key:
    description:
      - Access key ID for AK/SK request signing (SDK-HMAC-SHA256, as the vendor SDK signs).
      - Falls back to the E(HW_ACCESS_KEY) environment variable.
    type: str
  secret_key:
    description:
      - Secret access key for AK/SK request signing.
      - Falls back to the E(HW_SECRET_KEY) environment variable.
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent as C(X-Security-Token).
      - Falls back to the E(HW_SECURITY_TOKEN) environment variable.
    type: str
  username:
    description:
      - IAM user name; with O(password) and O(domain_name) the module gets a project-scoped token
        from IAM once per run.
      - Falls back to the E(HW_USER_NAME) environment variable.
    type: str
  password:
    description:
      - Password of the IAM user O(username).
      - Falls back to the E(HW_PASSWORD) environment variable.
    type: str
  domain_name:
    description:
      - Account (domain) name of the IAM user O(username).
      - Falls back to the E(HW_DOMAIN_NAME) environment variable.
    type: str
  auth_url:
    description:
      - IAM endpoint for password authentication, for example V(https://iam.eu-de.otc.t-systems.com/v3).
      - Derived from O(region) when not set.
      - Falls back to the E(HW_AUTH_URL) environment variable.
    type: str
  language:
    description:
      - Language of the API's messages, sent as C(X-Language).
      - Falls back to the E(HW_LANGUAGE) environment variable.
    type: str
    choices: [en-us, zh-cn]
    default: en-us
  validate_certs:
    description:
      - Verify the endpoint's TLS certificate. Turn off only for test endpoints; the module warns when off.
      - Proxies come from the usual C(https_proxy), C(http_proxy) and C(no_proxy) environment variables.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle (PEM file) to verify the endpoint's certificate with, instead of the system's.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response, at least V(1).
    type: int
    default: 30
  retries:
    description:
      - How many times a call is retried after throttling (HTTP 429), HTTP 502, 503 or 504, or a connection error,
        with exponential backoff and jitter, honouring C(Retry-After).
      - A write (start, commit) is retried only when it cannot have acted (HTTP 429, or no connection was made);
        when its outcome is unknown the module reads the state again before deciding anything else, and sends
        again (at most this many times) only what has not taken effect.
      - Between 0 and 10.
    type: int
    default: 5
requirements:
  - python >= 3.8
  - requests >= 2.25
notes:
  - The connection options can be set once for all modules with C(module_defaults) and the group
    C(group/hwcloud.drs.drs).
  - Secrets (O(auth_token), O(access_key), O(secret_key), O(security_token), O(password), and a token obtained
    from IAM) never appear in results, errors or warnings.
"""
