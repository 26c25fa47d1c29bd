"""Clocks: where `now` comes from. The engine never reads one itself; its driver does.

Modelled on Textual's `clock.py`: a protocol, a real monotonic clock, and a mock for tests.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

RESOLUTION = 0.001
"""Session time is kept to the millisecond: a journal's times are then exact."""


def ceil_ms(seconds: float) -> float:
    """The first millisecond at or after `seconds`."""
    # Rounding first keeps float noise (120.00000000000001) from costing a whole ms.
    return math.ceil(round(seconds * 1000, 6)) / 1000


SLACK = 1.0
"""Seconds past a whole minute that still show as that minute (see `shown_minute`)."""


def shown_minute(seconds: float) -> int:
    """The minute a screen shows for a moment on the clock (epoch seconds, or seconds after
    midnight), as seconds on the same scale: a multiple of 60, the first at or after it.

    Every clock time shown for a session time (a step's end, a turn's, the forecast end, a
    step's start on the agenda) goes through this, so one moment reads the same everywhere.
    """
    # Ceiling, not the nearest minute: "ends 11:50" is read as "over by 11:50", so the step
    # is over when the clock turns to the minute shown, never seconds later; the countdown
    # beside it rounds up the same way (0:00 means done). Less than `SLACK` past a whole
    # minute still shows that minute: the wall clock and the session's clock are read apart
    # (and stored to the millisecond), so a session fitted to end at 19:40 may compute as
    # 19:40:00.001, and must read 19:40, not 19:41.
    return math.ceil((seconds - SLACK) / 60) * 60


def hhmm_of_day(seconds: float) -> str:
    """`HH:MM` of a time of day given in seconds after midnight (`shown_minute`'s minute;
    past midnight it wraps to the next day's clock)."""
    hours, minutes = divmod(shown_minute(seconds) // 60 % (24 * 60), 60)
    return f"{hours:02d}:{minutes:02d}"


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
    """A clock that only moves when told to, for tests and rehearsals.

    It starts far from 0 unless told otherwise, so that a machine time can never pass for a
    session time (which counts from 0 at `start`).
    """

    def __init__(self, start: float = 1_234.5) -> None:
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


DAY = 24 * 3600
HALF_DAY = DAY // 2


def time_of_day(text: str) -> int:
    """Seconds after midnight of a time of day written `21:30` (or `9:05`); `ValueError`
    saying how to write it otherwise."""
    hours, colon, minutes = text.strip().partition(":")
    if (
        not colon
        or not (hours + minutes).isascii()
        or not (hours.isdigit() and minutes.isdigit())
        or not 1 <= len(hours) <= 2
        or len(minutes) != 2
        or int(hours) > 23
        or int(minutes) > 59
    ):
        raise ValueError(f"{text!r} is not a time of day; write it like 21:30")
    return int(hours) * 3600 + int(minutes) * 60


def session_time_at(of_day: int, clock_now: float, session_now: float) -> float:
    """The session time at which the clock reads `of_day` (seconds after midnight), given
    that it reads `clock_now` at session time `session_now`: the nearest such moment, up to
    twelve hours ahead (a moment up to twelve hours back has passed: earlier than now)."""
    ahead = (of_day - clock_now) % DAY
    if ahead > HALF_DAY:
        ahead -= DAY
    return session_now + ahead
