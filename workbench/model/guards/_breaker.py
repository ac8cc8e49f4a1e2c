"""The circuit breaker: when most recent calls fail, stop the run instead of hammering the provider."""

from __future__ import annotations

from collections import deque


class CircuitBreaker:
    """Trips when at least `failure_ratio` of the last `window` call attempts failed."""

    def __init__(self, window: int = 30, failure_ratio: float = 0.9):
        self.window = window
        self.failure_ratio = failure_ratio
        self.outcomes: deque[bool] = deque(maxlen=window)
        self.last_error = ""

    def record(self, ok: bool, error: str = "") -> bool:
        """Add an outcome; True if the breaker is now open."""
        self.outcomes.append(ok)
        if not ok:
            self.last_error = error
        return self.is_open()

    def is_open(self) -> bool:
        if len(self.outcomes) < self.window:
            return False
        failures = sum(1 for ok in self.outcomes if not ok)
        return failures >= self.failure_ratio * self.window

    def reason(self) -> str:
        failures = sum(1 for ok in self.outcomes if not ok)
        return f"circuit breaker: {failures} of the last {len(self.outcomes)} calls failed (last: {self.last_error[:200]})"
