"""Clocks: the mock one tests drive, and the real one the app uses."""

from __future__ import annotations

from circlekeeper.engine import Clock, MockClock, MonotonicClock
from circlekeeper.engine.clock import hhmm_of_day, shown_minute

from .helpers import session


def test_mock_clock_moves_only_when_told() -> None:
    clock = MockClock(start=5.0)
    assert clock.now() == 5.0
    assert clock.advance(2.5) == 7.5
    assert clock.advance(-3.0) == 7.5  # advancing never goes back
    assert clock.set(100.0) == 100.0
    assert clock.set(50.0) == 50.0  # but a clock can be set back, to test the engine's clamp


def test_monotonic_clock_never_goes_back() -> None:
    clock: Clock = MonotonicClock()
    first = clock.now()
    assert clock.now() >= first


def test_a_session_driven_by_a_mock_clock() -> None:
    clock = MockClock(1000.0)
    s = session({"kind": "silence", "duration": "1m"})
    s.start(clock.now())
    clock.advance(59.0)
    assert s.advance(clock.now()) == []
    clock.advance(1.0)
    events = s.advance(clock.now())
    assert [(e.name, e.t) for e in events][-1] == ("session_ended", 60.0)
    clock.set(500.0)  # a misbehaving clock after the end changes nothing
    assert s.advance(clock.now()) == [] and s.ended


def test_a_moment_shows_as_the_first_whole_minute_at_or_after_it() -> None:
    minute = 1_780_000_020  # on a whole minute
    assert shown_minute(minute) == minute
    assert shown_minute(0.1 * 3 * 400) == 120  # float noise (120.00000000000001) is no minute
    for seconds in (0.001, 0.5, 1.0):  # the clocks read apart: still that minute
        assert shown_minute(minute + seconds) == minute
    for seconds in (1.001, 29.0, 30.0, 59.0, 59.999):
        assert shown_minute(minute + seconds) == minute + 60
    assert shown_minute(minute - 30.0) == minute


def test_a_time_of_day_reads_as_hh_mm_and_wraps_at_midnight() -> None:
    assert hhmm_of_day(19 * 3600 + 40 * 60) == "19:40"
    assert hhmm_of_day(19 * 3600 + 39 * 60 + 30) == "19:40"
    assert hhmm_of_day(23 * 3600 + 59 * 60 + 2) == "00:00"
    assert hhmm_of_day(24 * 3600 + 5 * 60) == "00:05"
