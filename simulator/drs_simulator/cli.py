"""Command line: start a simulator, print its URL, serve until SIGTERM or SIGINT."""

import argparse
import signal
import sys
import threading
from pathlib import Path

from .scenario import ScenarioError
from .server import DEFAULT_LOG_LIMIT, Simulator

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "basic.yml"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="drs_sim.py", description="Local DRS API simulator (see simulator/README.md).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free port (default)")
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario file, YAML or JSON (default scenarios/basic.yml)")
    parser.add_argument("--speed", help="simulated seconds per real second, or 'instant' (overrides the scenario)")
    parser.add_argument("--seed", type=int, default=0, help="seed for generated IDs, jitter and fault rates (default 0)")
    parser.add_argument("--log-limit", type=int, default=DEFAULT_LOG_LIMIT,
                        help="request log entries kept, the newest (default %d); 0 switches the log off" % DEFAULT_LOG_LIMIT)
    parser.add_argument("--port-file", help="also write the URL to this file once listening")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        simulator = Simulator(scenario=args.scenario, host=args.host, port=args.port, seed=args.seed, speed=args.speed,
                              log_limit=args.log_limit)
    except (ScenarioError, ValueError) as error:
        sys.stderr.write("drs_sim: %s\n" % error)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    try:
        simulator.start()
    except OSError as error:
        sys.stderr.write("drs_sim: cannot listen on %s:%s: %s\n" % (args.host, args.port, error))
        return 1
    try:
        if args.port_file:
            Path(args.port_file).write_text(simulator.url + "\n", encoding="utf-8")
        print("DRS simulator listening on %s" % simulator.url, flush=True)
        stop.wait()
    finally:
        simulator.stop()
    return 0
