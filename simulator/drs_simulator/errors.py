"""Error codes the simulator answers with, and the exception that carries one.

Every API error body has the vendor shape ``{"error_code": ..., "error_msg": ...}``.
``APIGW.*`` codes come from the API gateway in front of every cloud API (their body also
carries a ``request_id``), ``DRS.*`` codes (12 characters) from the DRS service itself and
``IAM.*`` codes from the token endpoint. The table in ``simulator/README.md`` lists them.
"""

# API gateway
APIGW_API_NOT_FOUND = "APIGW.0101"
APIGW_BACKEND = "APIGW.0201"
APIGW_BAD_IAM_AUTH = "APIGW.0301"
APIGW_TOKEN_EXPIRED = "APIGW.0307"
APIGW_THROTTLED = "APIGW.0308"

# DRS: request level
DRS_FAILED = "DRS.10000001"
DRS_INTERNAL = "DRS.10000002"
DRS_BAD_BODY = "DRS.10000003"
DRS_INVALID_PARAMETER = "DRS.10000004"
DRS_TOO_MANY_JOBS = "DRS.10000005"
DRS_PROJECT_MISMATCH = "DRS.10000006"
DRS_UNSUPPORTED_MEDIA_TYPE = "DRS.10000007"

# DRS: per task (batch-status entries; results of batch-starting, batch-precheck, batch-retry-task,
# batch-pause-task and batch-jobs)
DRS_JOB_NOT_FOUND = "DRS.10040004"
DRS_STATUS_FORBIDS_START = "DRS.10040011"
DRS_FORWARD_NOT_RUNNING = "DRS.10040012"
DRS_FORWARD_DELAY_TOO_HIGH = "DRS.10040013"
DRS_PARENT_JOB = "DRS.10040014"
DRS_STATUS_FORBIDS_PRECHECK = "DRS.10040015"
DRS_NO_PRECHECK = "DRS.10040016"
DRS_PRECHECK_NOT_FOUND = "DRS.10040017"
DRS_PRECHECK_NOT_PASSED = "DRS.10040018"
DRS_STATUS_FORBIDS_RETRY = "DRS.10040019"
DRS_STATUS_FORBIDS_PAUSE = "DRS.10040020"
DRS_STATUS_FORBIDS_END = "DRS.10040021"
DRS_STATUS_FORBIDS_DELETE = "DRS.10040022"

# DRS: batch async jobs (v5)
DRS_ASYNC_JOB_NOT_FOUND = "DRS.10050004"
DRS_ASYNC_JOB_VALIDATING = "DRS.10050011"
DRS_ASYNC_JOB_VALIDATE_FAILED = "DRS.10050012"
DRS_ASYNC_JOB_COMMITTED = "DRS.10050013"

# DRS: default codes of scripted task failures (a scenario may set its own)
DRS_CREATE_FAILED = "DRS.10060001"
DRS_START_FAILED = "DRS.10060002"
DRS_FULL_TRANSFER_FAILED = "DRS.10060003"
DRS_INCRE_TRANSFER_FAILED = "DRS.10060004"
DRS_RELEASE_RESOURCE_FAILED = "DRS.10060005"
DRS_REBUILD_NODE_FAILED = "DRS.10060006"
DRS_CHANGE_JOB_FAILED = "DRS.10060007"
DRS_CHILD_TRANSFER_FAILED = "DRS.10060008"
DRS_NODE_UPGRADE_FAILED = "DRS.10060009"

# IAM token endpoint
IAM_BAD_REQUEST = "IAM.0100"
IAM_BAD_CREDENTIALS = "IAM.0101"


class ApiError(Exception):
    """An error answer: HTTP status plus vendor ``error_code``/``error_msg``."""

    def __init__(self, status, code, message, headers=None):
        super().__init__("%s %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def body(self, request_id):
        """The JSON body; gateway errors also name the request id, as API Gateway does."""
        body = {"error_code": self.code, "error_msg": self.message}
        if self.code.startswith("APIGW."):
            body["request_id"] = request_id
        return body


def invalid_parameter(message):
    """400 for a request field that is missing, of the wrong type or out of range."""
    return ApiError(400, DRS_INVALID_PARAMETER, message)
