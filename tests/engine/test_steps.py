"""Steps, the run list, the agenda and the deadline-driven clock."""

from __future__ import annotations

import pytest

from circlekeeper.engine import MockClock
from circlekeeper.engine.events import (
    BellDue,
    CommandTaken,
    PromptDue,
    SessionEnded,
    SessionStarted,
    StepEnded,
    StepStarted,
)
from circlekeeper.engine.plan import MIN_READ_SECONDS

from .helpers import T0, of, refused, round_step, session


def test_untimed_read_waits_for_next() -> None:
    s = session({"kind": "read", "text": "Welcome"}, {"kind": "silence", "duration": "1m"})
    events = s.start(T0)
    assert isinstance(events[0], CommandTaken) and isinstance(events[1], SessionStarted)
    assert of(events, StepStarted)[0].duration is None
    assert s.advance(T0 + 3600.0) == []
    assert s.snapshot(T0 + 3600.0).step_kind == "read"
    moved = s.next(T0 + 3600.0)
    assert [(e.index, e.reason) for e in of(moved, StepEnded)] == [(0, "next")]
    assert of(moved, StepStarted)[0].kind == "silence"
    assert of(moved, StepStarted)[0].t == 3600.0


def test_timed_step_ends_at_its_deadline_and_next_starts_then() -> None:
    s = session(
        {"kind": "silence", "duration": "1m"},
        {"kind": "sit", "duration": "2m", "bells": {}},
    )
    s.start(T0 + 10.0)
    events = s.advance(T0 + (10.0 + 500.0))  # one late tick after a long gap
    ended = of(events, StepEnded)
    assert [(e.t, e.reason) for e in ended] == [(60.0, "time"), (180.0, "time")]
    assert of(events, StepStarted)[0].t == 60.0
    assert of(events, SessionEnded)[0].t == 180.0
    assert s.ended


def test_a_late_tick_emits_every_due_cue_in_time_order_at_its_own_time() -> None:
    s = session(
        {
            "kind": "sit",
            "duration": "10m",
            "bells": {"interval": {"every": "1m", "sound": "chime"}, "at": [{"at": "90s"}]},
        }
    )
    s.start(T0)
    assert s.advance(T0 + 59.9) == []
    events = s.advance(T0 + 185.0)
    bells = [(e.t, e.reason) for e in of(events, BellDue)]
    assert bells == [(60.0, "interval"), (90.0, "at"), (120.0, "interval"), (180.0, "interval")]


def test_scaled_duration_grows_with_the_circle() -> None:
    step = {"kind": "discussion", "duration": {"per_person": "2m", "plus": "1m", "max": "8m"}}
    three = session(step, names=("A", "B", "C"))
    four = session(step, names=("A", "B", "C", "D"))
    assert of(three.start(T0), StepStarted)[0].duration == 7 * 60
    assert of(four.start(T0), StepStarted)[0].duration == 8 * 60  # capped by max


def test_for_each_unrolls_once_per_person_with_focus() -> None:
    s = session(
        {
            "kind": "for-each",
            "as": "client",
            "steps": [{"kind": "silence", "duration": "1m"}, {"kind": "read", "text": "x"}],
        },
        names=("Ana", "Ben"),
    )
    assert [(r.step.kind, r.focus, r.agenda) for r in s.runs] == [
        ("silence", "Ana", 0),
        ("read", "Ana", 0),
        ("silence", "Ben", 0),
        ("read", "Ben", 0),
    ]
    started = of(s.start(T0), StepStarted)
    assert started[0].focus == "Ana"
    snap = s.snapshot(T0)
    assert snap.focus == "Ana"
    assert snap.roles["client"] == ("Ana",)


def test_for_each_only_and_random_order_are_seeded() -> None:
    body = {"kind": "read", "text": "x"}
    step = {"kind": "for-each", "order": "random", "only": ["coach"], "steps": [body]}
    roles = {"coach": ("Ben", "Cy", "Dee")}
    a = session(step, holders=roles, seed=5)
    b = session(step, holders=roles, seed=5)
    focus = [r.focus for r in a.runs]
    assert focus == [r.focus for r in b.runs]
    assert sorted(str(f) for f in focus) == ["Ben", "Cy", "Dee"]


def test_repeat_inline_and_of_earlier_ids_and_group() -> None:
    s = session(
        {"kind": "read", "id": "consent", "text": "Consent round"},
        {"kind": "group", "title": "Block", "steps": [{"kind": "silence", "duration": "1m"}]},
        {"kind": "repeat", "times": 2, "of": ["consent"]},
        {"kind": "repeat", "times": 2, "steps": [{"kind": "silence", "duration": "30s"}]},
    )
    assert [(r.step.kind, r.agenda) for r in s.runs] == [
        ("read", 0),
        ("silence", 1),
        ("read", 2),
        ("read", 2),
        ("silence", 3),
        ("silence", 3),
    ]


def test_repeat_of_its_own_enclosing_group_does_not_loop_forever() -> None:
    s = session(
        {
            "kind": "group",
            "id": "outer",
            "steps": [{"kind": "read", "text": "x"}, {"kind": "repeat", "of": ["outer"]}],
        }
    )
    assert [r.step.kind for r in s.runs] == ["read"]


def test_agenda_statuses_and_estimates() -> None:
    s = session(
        {"kind": "silence", "title": "Arrive", "duration": "1m"},
        round_step(turn={"time": "2m"}),
        {"kind": "read", "text": "Bye"},
    )
    s.start(T0)
    agenda = s.snapshot(T0).agenda
    assert [a.status for a in agenda] == ["current", "todo", "todo"]
    # An untimed reading is estimated at reading pace, at least MIN_READ_SECONDS.
    assert [a.estimate for a in agenda] == [60.0, 4 * 120.0, MIN_READ_SECONDS]
    assert agenda[0].title == "Arrive"
    s.advance(T0 + 60.0)
    s.skip(T0 + 61.0)
    assert [a.status for a in s.snapshot(T0 + 61.0).agenda] == ["done", "skipped", "current"]


def test_skip_ends_the_step_with_reason_skip() -> None:
    s = session({"kind": "sit", "duration": "30m"}, {"kind": "read", "text": "x"})
    s.start(T0)
    events = s.skip(T0 + 100.0)
    assert [(e.index, e.reason, e.t) for e in of(events, StepEnded)] == [(0, "skip", 100.0)]
    # A skipped sit does not ring its end bell.
    assert [e.reason for e in of(events, BellDue)] == []


def test_end_closes_the_step_and_the_session() -> None:
    s = session({"kind": "sit", "duration": "30m"}, {"kind": "read", "text": "x"})
    s.start(T0)
    events = s.end(T0 + 42.0)
    assert [e.reason for e in of(events, StepEnded)] == ["end"]
    assert of(events, SessionEnded)[0].reason == "end"
    assert refused(s.next(T0 + 50.0)) == "the session is over"
    assert s.ended and s.advance(T0 + 60.0) == []


def test_prompts_are_spoken_in_the_session_language() -> None:
    text = {"en": "Welcome", "de": "Willkommen"}
    s = session({"kind": "read", "text": text}, language="de")
    prompt = of(s.start(T0), PromptDue)[0]
    assert (prompt.text, prompt.language) == ("Willkommen", "de")
    fallback = session({"kind": "read", "text": text}, language="fr")
    prompt = of(fallback.start(T0), PromptDue)[0]
    assert (prompt.text, prompt.language) == ("Welcome", "en")


def test_speak_false_shows_text_without_a_prompt() -> None:
    s = session({"kind": "read", "text": "Quiet words", "speak": False})
    events = s.start(T0)
    assert of(events, PromptDue) == []
    assert s.snapshot(T0).step_text == "Quiet words"


def test_snapshot_counts_down_and_dates_the_end_on_the_wall_clock() -> None:
    s = session({"kind": "silence", "duration": "5m"})
    clock = MockClock()
    assert clock.now() != 0.0  # a mock clock starts far from 0 by default
    s.start(clock.now())
    clock.advance(60.0)
    s.advance(clock.now())
    snap = s.snapshot(clock.now(), wall=1_700_000_000.0)
    assert snap.step_remaining == 240.0
    assert snap.step_elapsed == 60.0
    assert snap.step_ends_wall == 1_700_000_240.0
    assert snap.phase == "running"


def test_a_clock_going_backwards_is_clamped() -> None:
    s = session({"kind": "silence", "duration": "5m"}, {"kind": "read", "text": "x"})
    s.start(T0)
    s.advance(T0 + 100.0)
    events = s.skip(T0 + 50.0)  # earlier than already seen: treated as 100
    assert all(e.t == 100.0 for e in events)
    assert s.snapshot(T0 + 20.0).now == 100.0


@pytest.mark.parametrize("command", ["next", "pass_stick", "undo", "skip", "pause", "resume"])
def test_commands_before_start_are_refused(command: str) -> None:
    s = session({"kind": "read", "text": "x"})
    events = getattr(s, command)(T0 + 5.0)
    assert refused(events) == "the session has not started yet"
    assert events[0].t == 0.0 and not s.started


def test_agenda_row_of_a_loop_over_nobody_is_skipped() -> None:
    s = session(
        {"kind": "for-each", "only": ["giver"], "steps": [{"kind": "read", "text": "x"}]},
        {"kind": "read", "text": "y"},
    )
    assert [a.status for a in s.snapshot(T0).agenda] == ["todo", "todo"]
    s.start(T0)
    assert [a.status for a in s.snapshot(T0).agenda] == ["skipped", "current"]
    s.next(T0 + 1.0)
    assert [a.status for a in s.snapshot(T0 + 1.0).agenda] == ["skipped", "done"]


def test_broken_clock_readings_and_amounts_are_ignored() -> None:
    s = session({"kind": "silence", "duration": "5m"}, {"kind": "read", "text": "x"})
    s.start(T0)
    s.advance(T0 + 10.0)
    assert s.advance(T0 + (float("nan"))) == [] and s.advance(T0 + (float("inf"))) == []
    assert (
        refused(s.extend(float("nan"), T0 + 20.0)) == "give a number of seconds to add or take away"
    )
    snap = s.snapshot(T0 + (float("nan")))
    assert snap.now == 20.0 and snap.step_remaining == 280.0
