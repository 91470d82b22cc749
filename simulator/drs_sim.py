"""Start the local DRS API simulator: ``python simulator/drs_sim.py --port 0 --scenario FILE``."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from drs_simulator.cli import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == "__main__":
    sys.exit(main())
