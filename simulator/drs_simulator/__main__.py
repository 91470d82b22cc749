"""``python -m drs_simulator`` (with the simulator directory on PYTHONPATH)."""

import sys

from .cli import main

sys.exit(main())
