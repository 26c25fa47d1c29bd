"""The driver on its own: routing, suspend detection and skipping ahead, without a screen."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import WALL, MockClock, config, session_factory

from circlekeeper.engine.commands import Pause, Resume, RingBell
from circlekeeper.engine.events import BellDue, Event
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.driver import Driver


class ListJournal:
    id = None

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.checkpoints: list[float] = []

    def append(self, event: Event) -> bool:
        self.events.append(event)
        return True

    def checkpoint(self, t: float) -> bool:
        self.checkpoints.append(t)
        return True

    def close(self, summary: Any = None) -> None:
        pass

    def retry(self) -> bool:
        return True

    def abandon(self) -> str | None:
        return None


def make(silent: bool = False) -> tuple[Driver, MockClock, list[float], RecordingSink]:
    setup = config(silent=silent)
    clock = MockClock()
    wall = [WALL]
    sink = RecordingSink()
    driver = Driver(setup, session_factory(setup), clock, wall=lambda: wall[0], sink=sink)
    driver.journal = ListJournal()
    return driver, clock, wall, sink


def test_every_event_goes_to_the_journal_and_bells_to_the_sink() -> None:
    driver, clock, _, sink = make()
    driver.start()
    clock.advance(95)
    events = driver.tick().events
    assert any(isinstance(e, BellDue) for e in events)
    assert driver.journal.events == driver.events  # type: ignore[union-attr]
    assert "bell" in sink.kinds()


def test_silent_routes_nothing_to_the_sink_but_journals_everything() -> None:
    driver, clock, _, sink = make(silent=True)
    driver.start()
    driver.do(RingBell())
    clock.advance(95)
    driver.tick()
    assert [k for k in sink.kinds() if k in ("bell", "speak")] == []
    assert any(isinstance(e, BellDue) and e.reason == "manual" for e in driver.events)


def test_skip_ahead_lets_the_lost_time_pass_without_sound() -> None:
    driver, _, _, sink = make()
    driver.start()
    driver.do(Pause())
    sink.calls.clear()
    events = driver.skip_ahead(100)
    snap = driver.snapshot()
    assert snap.phase == "running"
    assert snap.now == 100
    # Only the resume cue sounds; the cues of the 100 s that passed at once stay silent.
    caught_up = [e for e in events if isinstance(e, BellDue) and e.t > 0]
    assert caught_up
    resume_cues = [e for e in events if isinstance(e, BellDue) and e.t == 0]
    assert sink.kinds().count("bell") == len(resume_cues)


def test_a_sink_loaded_after_the_end_is_closed() -> None:
    driver, _, _, _ = make()
    driver.close()
    late = RecordingSink()
    driver.replace_sink(late)
    assert late.closed
    assert driver.sink is not late


def loading() -> tuple[Driver, MockClock]:
    """A driver whose real sink is still loading, as with `circlekeeper run`."""
    setup = config()
    clock = MockClock()
    driver = Driver(setup, session_factory(setup), clock, wall=lambda: WALL)
    assert driver.sound_loading
    return driver, clock


def test_the_first_prompt_is_spoken_once_sound_has_loaded() -> None:
    driver, clock = loading()
    driver.start()  # the round's prompt is due now, before any real sink exists
    driver.do(RingBell())
    clock.advance(2)
    real = RecordingSink()
    driver.replace_sink(real)
    assert ("speak", ("How are you arriving?", "en")) in real.calls
    assert real.kinds().count("bell") == 1
    # Handed over once: a later sink swap does not repeat them.
    again = RecordingSink()
    driver.replace_sink(again)
    assert again.calls == []


def test_cues_too_old_when_sound_loads_are_left_out() -> None:
    driver, clock = loading()
    driver.start()
    driver.do(RingBell())
    clock.advance(10)  # too late for the bell, still in time for the prompt
    real = RecordingSink()
    driver.replace_sink(real)
    assert real.kinds() == ["speak"]
    driver2, clock2 = loading()
    driver2.start()
    clock2.advance(45)  # too late even for speech
    late = RecordingSink()
    driver2.replace_sink(late)
    assert [k for k in late.kinds() if k in ("speak", "bell")] == []


def test_cues_held_while_sound_never_loads_stay_bounded() -> None:
    driver, clock = loading()
    driver.start()
    for _ in range(200):  # a long sit with a manual bell every 10 s and no sound ever
        clock.advance(10)
        driver.do(RingBell())
    young = [t for t, _, _ in driver.sound._held]
    assert young and min(young) >= driver.session_now() - 30
    assert len(young) <= 4


def test_the_journal_hears_how_far_the_session_got_on_every_tick_and_checkpoint() -> None:
    driver, clock, _, _ = make()
    journal = driver.journal
    assert isinstance(journal, ListJournal)
    driver.start()
    for _ in range(10):  # the tick, or the checkpoint timer: each one is recorded
        clock.advance(0.5)
        driver.tick()
    assert journal.checkpoints == [0.5 * k for k in range(1, 11)]
    driver.checkpoint()  # asked again at once: nothing new to say
    clock.advance(0.05)
    driver.checkpoint()  # nor a moment later
    assert journal.checkpoints[-1] == 5.0 and driver.recorded_t == 5.0
    driver.do(Pause())  # an event is news too: no checkpoint right after it
    clock.advance(0.05)
    driver.checkpoint()
    assert journal.checkpoints[-1] == 5.0 and driver.recorded_t == 5.05


def test_a_resumed_session_is_held_in_a_pause_without_a_bell() -> None:
    driver, clock, _, sink = make()
    driver.start()
    clock.advance(20)
    driver.tick()
    sink.calls.clear()
    held = driver.hold_for_resume()
    assert driver.session.paused and driver.held_for_resume
    assert [e.name for e in held][:2] == ["command_taken", "paused"]
    assert [k for k in sink.kinds() if k in ("bell", "speak")] == []
    clock.advance(5)
    driver.do(Resume())
    assert not driver.held_for_resume and not driver.session.paused


def test_a_tick_just_after_an_event_still_records_how_far_the_session_got() -> None:
    # A tick that skipped its checkpoint because a key was pressed a moment before would leave
    # the journal up to a second and a tenth behind: the next tick is a second away.
    driver, clock, _, _ = make()
    journal = driver.journal
    assert isinstance(journal, ListJournal)
    driver.start()
    clock.advance(7.0)
    driver.tick()
    clock.advance(0.98)
    driver.do(RingBell())  # an event at 7.98: the journal hears of that moment
    assert driver.recorded_t == pytest.approx(7.98)
    clock.advance(0.05)
    driver.tick()  # 8.03: recorded all the same
    assert journal.checkpoints[-1] == pytest.approx(8.03)
    driver.checkpoint()  # the beat, at the same moment: nothing new to say
    assert journal.checkpoints[-1] == pytest.approx(8.03) and len(journal.checkpoints) == 2
