"""How long the computer slept: the one rule, with its clocks injected.

Linux's monotonic clock (`time.monotonic`, the session's clock) stands still while the
computer is suspended; `CLOCK_BOOTTIME` runs on. Their difference grows by exactly the time
spent asleep, and by nothing else: a clock set by hand or stepped by NTP moves the wall
clock only, so it can never pass for a sleep. Where there is no `CLOCK_BOOTTIME` the wall
clock stands in, and only a long jump counts (a small step of the wall clock is not a
sleep).

What a sleep does to a running session is decided here too (`SleepWatch.look`):

- shorter than `ASK_AFTER_S`: the timers catch up at once, as if the computer had stayed
  awake. The circle went on in the room; a turn ends when it would have. Cues that fell due
  meanwhile ring late, as after any stall (of several, only the latest);
- `ASK_AFTER_S` or longer: the session is paused at the moment it fell asleep, and the
  facilitator chooses: resume as it was, skip the time that passed, or end;
- while a guardian pause holds the timers, a sleep changes nothing but the pause's length.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

ASK_AFTER_S = 20.0
"""A sleep this long or longer pauses the session and asks the facilitator what now."""
NOTICE_S = 1.0
"""A sleep shorter than this is not acted on yet (it is counted with the next one): the two
clocks are read one after the other, so their difference wobbles by microseconds."""


@dataclass(frozen=True)
class Sleep:
    """A sleep noticed: how long, and what the session does about it."""

    seconds: float
    ask: bool
    """True: pause and ask the facilitator; False: the timers catch up at once."""


def boottime_clock() -> Callable[[], float] | None:
    """`CLOCK_BOOTTIME` (seconds since boot, sleep included), where the system has it."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is None:
        return None
    try:
        time.clock_gettime(boottime)
    except OSError:
        return None
    return lambda: time.clock_gettime(boottime)


class SleepWatch:
    """Notices the computer sleeping between two looks.

    `monotonic` is the session's clock, which stops during a sleep; `running` a clock that
    does not (`CLOCK_BOOTTIME`). With `floor`, a difference smaller than that is left to add
    up with the next (the wall clock, standing in for `CLOCK_BOOTTIME`, drifts and steps).
    """

    def __init__(
        self,
        monotonic: Callable[[], float],
        running: Callable[[], float],
        *,
        floor: float = NOTICE_S,
    ) -> None:
        self.monotonic = monotonic
        self.running = running
        self.floor = floor
        self._gap: float | None = None
        """`running - monotonic` when a sleep was last accounted for."""

    def reset(self) -> None:
        """Count sleeps from now on (a session starts, or its time was just settled)."""
        self._gap = self._read()

    def _read(self) -> float:
        return self.running() - self.monotonic()

    def slept(self) -> float:
        """Seconds asleep since the last sleep accounted for (0.0 when none yet)."""
        gap = self._read()
        if self._gap is None or gap < self._gap:
            # The first look, or the stand-in wall clock was set back: count from here.
            self._gap = gap
            return 0.0
        seconds = gap - self._gap
        if seconds < self.floor:
            return 0.0
        self._gap = gap
        return seconds

    def look(self) -> Sleep | None:
        """A sleep since the last one accounted for, and what to do about it; or None."""
        seconds = self.slept()
        if seconds <= 0.0:
            return None
        return Sleep(seconds, ask=seconds >= ASK_AFTER_S)


def system_sleep_watch(wall: Callable[[], float] = time.time) -> SleepWatch:
    """The watch for the real clocks: `time.monotonic` against `CLOCK_BOOTTIME`, or against
    the wall clock where there is none (then only a sleep of `ASK_AFTER_S` or more counts)."""
    boottime = boottime_clock()
    if boottime is not None:
        return SleepWatch(time.monotonic, boottime)
    return SleepWatch(time.monotonic, wall, floor=ASK_AFTER_S)
