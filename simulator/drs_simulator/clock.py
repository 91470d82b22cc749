"""The simulated clock: epoch seconds that run at ``factor`` times real time, plus jumps."""

import time


class SimClock:
    """Starts at the real wall-clock time; ``factor`` 0 freezes it (only ``advance`` moves it)."""

    def __init__(self, factor):
        self.factor = factor
        self._wall_start = time.time()
        self._monotonic_start = time.monotonic()
        self._advanced = 0.0

    def now(self):
        """Simulated time in epoch seconds."""
        elapsed = time.monotonic() - self._monotonic_start
        return self._wall_start + elapsed * self.factor + self._advanced

    def advance(self, seconds):
        """Jump the simulated time forward by ``seconds``."""
        self._advanced += seconds
