"""Small running statistics for the live engine (no allocation per sample)."""

from __future__ import annotations

import numpy as np


class LatencyStats:
    """The last `size` latencies (seconds) in a ring buffer; percentiles in milliseconds."""

    def __init__(self, size: int = 4096):
        self._buf = np.zeros(size)
        self._n = 0

    def add(self, seconds: float) -> None:
        """One latency, in seconds."""
        self._buf[self._n % len(self._buf)] = seconds
        self._n += 1

    @property
    def count(self) -> int:
        """How many latencies were added in all."""
        return self._n

    def values(self) -> np.ndarray:
        """The latencies kept (s), oldest first until the ring wraps."""
        return self._buf[: min(self._n, len(self._buf))].copy()

    def percentile_ms(self, q: float) -> float | None:
        """The q-th percentile (0..100) in milliseconds, None before any."""
        v = self.values()
        return round(float(np.percentile(v, q)) * 1000, 3) if len(v) else None

    def p99_ms(self) -> float | None:
        """The 99th percentile in milliseconds, None before any."""
        return self.percentile_ms(99)

    def summary_ms(self) -> dict:
        """Count, p50, p99 and max in milliseconds (just the count before any)."""
        v = self.values()
        if not len(v):
            return {"count": 0}
        p50, p99 = np.percentile(v, [50, 99]) * 1000
        return {"count": self._n, "p50": round(float(p50), 3), "p99": round(float(p99), 3),
                "max": round(float(v.max()) * 1000, 3)}
