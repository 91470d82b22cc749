"""The ``/_sim/`` control endpoints, so a simulator in another process can be driven over HTTP.

They need no authentication and are not recorded in the request log.
"""

from .errors import ApiError
from .faults import FaultError
from .request import Reply
from .scenario import ScenarioError


class AdminError(ValueError):
    """A bad admin request; answered with 400 and the message."""


def _log(simulator, request):
    if request.method == "GET":
        return Reply.json(200, simulator.request_log)
    simulator.clear_log()
    return Reply(204)


def _faults(simulator, request):
    if request.method == "GET":
        return Reply.json(200, simulator.faults)
    if request.method == "DELETE":
        simulator.clear_faults()
        return Reply(204)
    rules = _json(request)
    return Reply.json(201, simulator.add_fault_rules(rules if isinstance(rules, list) else [rules]))


def _state(simulator, _request):
    return Reply.json(200, simulator.state())


def _scenario(simulator, request):
    scenario = _json(request)
    if not isinstance(scenario, dict):
        raise AdminError("the body must be a scenario mapping (JSON object)")
    simulator.load_scenario(scenario)
    return Reply.json(200, simulator.state())


def _advance(simulator, request):
    body = _json(request)
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise AdminError('the body must be {"seconds": N} with N >= 0')
    return Reply.json(200, {"now": simulator.advance(seconds)})


ENDPOINTS = {
    ("GET", "/_sim/log"): _log,
    ("DELETE", "/_sim/log"): _log,
    ("GET", "/_sim/faults"): _faults,
    ("POST", "/_sim/faults"): _faults,
    ("DELETE", "/_sim/faults"): _faults,
    ("GET", "/_sim/state"): _state,
    ("POST", "/_sim/scenario"): _scenario,
    ("POST", "/_sim/advance"): _advance,
}


def _json(request):
    try:
        return request.json()
    except ApiError:
        raise AdminError("the body is not valid JSON") from None


def handle(simulator, request):
    endpoint = ENDPOINTS.get((request.method, request.raw_path))
    if endpoint is None:
        return Reply.json(404, {"error": "no admin endpoint %s %s; see simulator/README.md" % (request.method, request.raw_path)})
    try:
        return endpoint(simulator, request)
    except (AdminError, FaultError, ScenarioError) as error:
        return Reply.json(400, {"error": str(error)})
