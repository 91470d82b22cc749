"""The HTTP server and the ``Simulator`` object that tests and the CLI drive."""

import collections
import copy
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import admin, api
from .faults import FaultBook, FaultRule
from .request import Reply, Request
from .scenario import load_scenario, parse_speed
from .state import World

ADMIN_PREFIX = "/_sim/"
SHUTDOWN_POLL_SECONDS = 0.05
# The request log keeps the newest entries only, so a simulator polled for hours (a soak test)
# does not grow without bound; 0 switches the log off.
DEFAULT_LOG_LIMIT = 10000


@dataclass
class Delivery:
    """What to do with the connection: send ``reply``, or drop the connection when ``drop``."""
    reply: Reply = None
    drop: bool = False


class Simulator:
    """A local DRS API server. ``scenario`` is a mapping, a YAML/JSON file path, or None.

    ``speed`` (a number >= 0 or ``"instant"``) overrides the scenario's. Use ``start()`` /
    ``stop()`` or a ``with`` block; ``url`` is known once started.
    """

    def __init__(self, scenario=None, host="127.0.0.1", port=0, seed=0, speed=None, log_limit=DEFAULT_LOG_LIMIT):
        if isinstance(log_limit, bool) or not isinstance(log_limit, int) or log_limit < 0:
            raise ValueError("log_limit must be an integer >= 0")
        self.host = host
        self.port = port
        self.seed = seed
        self._speed = None if speed is None else parse_speed(speed)
        self._lock = threading.Lock()
        self._world = World(load_scenario(scenario, seed), seed, self._speed)
        self._faults = FaultBook(seed)
        self.log_limit = log_limit
        self._log = collections.deque(maxlen=log_limit)
        self._server = None
        self._thread = None

    # lifecycle

    def start(self):
        """Listen and serve in a background thread; returns self."""
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
                                        name="drs-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving, close the listening socket and every open connection."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()
        self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "http://%s:%d" % (host, self.port)

    # scenario facts tests need

    @property
    def project_id(self):
        return self._world.scenario.project_id

    @property
    def auth_token(self):
        """The first scenario token that is not marked expired, or None."""
        return next((token.value for token in self._world.scenario.auth.tokens if not token.expired), None)

    @property
    def credentials(self):
        """The scenario's AK/SK credentials as dicts (ak, sk, security_token)."""
        return [dict(vars(credential)) for credential in self._world.scenario.auth.credentials]

    # control (also reachable over HTTP under /_sim/)

    @property
    def request_log(self):
        """A copy of the API request log (admin calls excluded), oldest first."""
        with self._lock:
            return copy.deepcopy(list(self._log))

    def clear_log(self):
        with self._lock:
            self._log.clear()

    def inject_fault(self, route="any", kind="status", *, status=None, body=None, retry_after=None, delay=None,
                     times=None, rate=None, calls=None):
        """Add a fault rule (see faults.py and the README); returns it as a dict."""
        arguments = {"route": route, "kind": kind, "status": status, "body": body, "retry_after": retry_after,
                     "delay": delay, "times": times, "rate": rate, "calls": calls}
        return self.add_fault_rules([{key: value for key, value in arguments.items() if value is not None}])[0]

    def add_fault_rules(self, rules):
        """Add rules given as dicts (all validated before any is added); returns them as dicts."""
        for rule in rules:
            FaultRule(0, rule)
        with self._lock:
            return [self._faults.add(rule).as_dict() for rule in rules]

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    @property
    def faults(self):
        with self._lock:
            return self._faults.rules()

    def load_scenario(self, scenario):
        """Replace the whole world (tasks, async jobs, credentials, clock); the log and faults stay."""
        world = World(load_scenario(scenario, self.seed), self.seed, self._speed)
        with self._lock:
            self._world = world

    def advance(self, seconds):
        """Move the simulated clock forward; returns the new simulated time (epoch seconds)."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        with self._lock:
            return self._world.advance(seconds)

    def state(self):
        """Every task and async job with its current status (see README)."""
        with self._lock:
            self._world.refresh()
            return self._world.snapshot()

    def start_counts(self):
        """Task ID -> how many times a start of it actually took effect."""
        with self._lock:
            return self._world.start_counts()

    # request handling

    def handle_api(self, request):
        """Answer one API call, applying a fault rule if one fires; every call is logged."""
        request_id = uuid.uuid4().hex
        received = time.time()
        with self._lock:
            route, params = api.match_route(request, self._world.scenario.v5_enabled)
            fault = self._faults.pick(route.name) if route else None
        kind = fault.kind if fault else None
        if kind == "slow":
            time.sleep(fault.delay)
        if kind == "reset_before":
            reply = None
        elif kind in ("status", "html"):
            reply = fault.reply(request_id)
        else:
            with self._lock:
                reply = api.process(self._world, request, route, params, request_id)
            if kind == "malformed":
                reply = fault.mangle(reply)
        with self._lock:
            if self.log_limit:
                self._log.append({
                    "time": received,
                    "sim_time": self._world.now(),
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.raw_path,
                    "query": request.query(),
                    "headers": request.logged_headers(),
                    "body": request.logged_body(),
                    "route": route.name if route else None,
                    "status": reply.status if reply else None,
                    "fault": kind,
                })
        if kind in ("reset_before", "reset_after"):
            return Delivery(drop=True)
        reply.headers["X-Request-Id"] = request_id
        return Delivery(reply)


class _Server(ThreadingHTTPServer):
    """Threaded server that remembers its open connections so ``stop`` can close them."""

    daemon_threads = True

    def __init__(self, address, simulator):
        self.simulator = simulator
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the peer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DRS-Simulator"
    timeout = 120  # close idle keep-alive connections

    def do_GET(self):  # pylint: disable=invalid-name
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def setup(self):
        super().setup()
        # headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms per reply
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: the request log (GET /_sim/log) records API calls instead."""

    def _dispatch(self):
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            self.close_connection = True
            self._send(Reply.json(400, {"error_code": "APIGW.0201", "error_msg": "API request error."}))
            return
        body = self.rfile.read(int(length))
        request = Request.parse(self.command, self.path, self.headers, body)
        simulator = self.server.simulator
        if request.raw_path.startswith(ADMIN_PREFIX):
            delivery = Delivery(admin.handle(simulator, request))
        else:
            delivery = simulator.handle_api(request)
        if delivery.drop:
            self._drop_connection()
        else:
            self._send(delivery.reply)

    def _send(self, reply):
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.status != 204:
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True  # the client went away (e.g. it timed out on a slow fault)

    def _drop_connection(self):
        """Reset the TCP connection (RST, no answer), as a crashed proxy or network would."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass  # already gone
