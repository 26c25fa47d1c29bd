"""Clocks: where `now` comes from. The engine never reads one itself; its driver does.

Modelled on Textual's `clock.py`: a protocol, a real monotonic clock, and a mock for tests.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the time in seconds on a monotonic scale."""

    def now(self) -> float:
        """The current time in seconds."""
        ...


class MonotonicClock:
    """The real clock: `time.monotonic`, which never jumps back with the wall clock."""

    def now(self) -> float:
        """Seconds on the monotonic clock."""
        return time.monotonic()


class MockClock:
    """A clock that only moves when told to, for tests and rehearsals."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        """The time set so far."""
        return self._now

    def advance(self, dt: float) -> float:
        """Move forward by `dt` seconds (never backwards) and return the new time."""
        self._now += max(0.0, float(dt))
        return self._now

    def set(self, t: float) -> float:
        """Jump to `t`, even backwards: the engine must cope with a clock that misbehaves."""
        self._now = float(t)
        return self._now
