"""Random agenda edits among every other command: each step still ends once, airtime adds up,
no time is negative, what ran is what the agenda said, the forecast made right after an edit
is what then happens when nobody intervenes, and replaying the taken commands rebuilds the
session, edits and all."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circlekeeper.engine import command_from_json, plan_circle
from circlekeeper.engine.commands import (
    AddTopic,
    BringForward,
    Command,
    EndAt,
    Insert,
    Move,
    Remove,
    RemoveTopic,
    SetDuration,
)
from circlekeeper.engine.events import (
    CommandTaken,
    Event,
    Refused,
    SessionEnded,
    StepEnded,
    StepStarted,
)
from circlekeeper.engine.projection import ahead
from circlekeeper.engine.session import Session
from circlekeeper.engine.state import PlannedStep

from .helpers import NAMES, T0, round_step, session
from .test_properties import (
    EVERY_COMMAND,
    GAP,
    REAL,
    REPLAYED_AT,
    SECONDS,
    check,
    check_snapshot,
    command_of,
)

PROFILE = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

SELF_RUNNING: list[dict[str, Any]] = [
    round_step(title="Check-in", laps=2, turn={"time": "1m", "end": "hard", "warning": "10s"}),
    {"kind": "silence", "id": "hush", "duration": "1m"},
    {"kind": "sit", "duration": "5m", "bells": {"halfway": "chime", "warning": "1m"}},
    {"kind": "breakout", "group_size": 2, "duration": "4m", "swap_every": "1m"},
    {
        "kind": "for-each",
        "steps": [
            round_step(turn={"time": "30s", "end": "hard"}, passing="skip"),
            {"kind": "silence", "duration": "30s"},
        ],
    },
    {"kind": "discussion", "duration": "5m", "stack": True},
    round_step(turn={"budget": "4m", "end": "hard"}, duration="3m"),
    {"kind": "read", "text": "Thank you.", "duration": "1m"},
]
"""A practice whose every step runs on its own clock: with nobody intervening it ends by
itself, so a forecast can be held against what happens."""

INSERTS: list[dict[str, Any]] = [
    {"kind": "silence", "title": "Pause [short]", "duration": "45s"},
    {"kind": "breakout", "group_size": 3, "duration": "3m", "turn_each": True},
    round_step(title="Quick round", turn={"time": "20s", "end": "hard"}),
    {"kind": "discussion", "duration": "2m", "bells": {"interval": {"every": "30s"}}},
    {
        "kind": "group",
        "steps": [{"kind": "sit", "duration": "2m"}, {"kind": "silence", "duration": "10s"}],
    },
    {"kind": "silence"},  # refused: no duration
    {"kind": "silence", "id": "hush", "duration": "1m"},  # refused: the id is taken
]
EDITS = ["insert", "remove", "move", "set-duration", "end-at", "add-topic", "remove-topic", "bring"]
MOVE = st.tuples(
    GAP,
    st.sampled_from(
        [
            *EDITS,
            *EDITS,
            "advance",
            "next",
            "pass",
            "pick",
            "extend",
            "pause",
            "resume",
            "skip",
            "undo",
        ]
    ),
    st.sampled_from(NAMES),
    SECONDS,
    st.integers(0, 40),
    st.integers(0, 40),
)
MOVES = st.lists(MOVE, max_size=30)


def ids_of(s: Session) -> list[str]:
    """Every id the agenda ever gave, as far as a random edit may name one."""
    return [run.id for run in s.runs] + ["gone", "s99"]


def edit_of(s: Session, what: str, a: int, b: int, now_s: float) -> Command:
    """The agenda command a random move stands for (ids picked from the agenda, or not)."""
    ids = ids_of(s)
    topics = [t.id for t in s.agenda.topics] + ["t9"]
    if what == "insert":
        return Insert(INSERTS[a % len(INSERTS)], after=None if b % 3 == 0 else ids[b % len(ids)])
    if what == "remove":
        return Remove(ids[a % len(ids)])
    if what == "move":
        return Move(ids[a % len(ids)], ids[b % len(ids)])
    if what == "set-duration":
        return SetDuration(ids[a % len(ids)], float(15 * (b + 1)))
    if what == "end-at":
        return EndAt(now_s + 60.0 * (a - 5))
    if what == "add-topic":
        return AddTopic(f"Topic {a % 5}")
    if what == "remove-topic":
        return RemoveTopic(topics[a % len(topics)])
    return BringForward(topics[a % len(topics)], None if b % 2 else INSERTS[b % 4])


def drive(
    s: Session, moves: list[tuple[float, str, str, float, int, int]]
) -> tuple[list[Event], float]:
    """Random moves with snapshot checks after each; the events, and the last time given."""
    now = 0.0
    events = s.start(T0)
    for gap, what, name, seconds, a, b in moves:
        now += gap
        at = T0 + now
        if what == "advance":
            events += s.advance(at)
        elif what in EDITS:
            events += s.do(edit_of(s, what, a, b, s.session_time(at)), at)
        else:
            events += s.do(command_of(what, name, seconds, "consent", "new-point"), at)
        check_snapshot(s, at)
        for planned in ahead(s, at):
            assert planned.seconds >= 0 and planned.ends >= planned.starts >= 0
    return events, now


def replayed(s: Session, events: list[Event], until: float) -> tuple[Session, list[Event]]:
    """A second session from the same plan, given only the taken commands at their times."""
    again = Session(s.practice, s.plan)
    said: list[Event] = []
    for event in events:
        if isinstance(event, CommandTaken):
            said += again.do(command_from_json(event.command), REPLAYED_AT + event.t)
    said += again.advance(REPLAYED_AT + until)
    return again, said


def ran_as_planned(events: list[Event], s: Session) -> None:
    """What ran is what the agenda said: the steps started, in order, are its first steps."""
    started = [e.id for e in events if isinstance(e, StepStarted)]
    assert started == [run.id for run in s.runs[: len(started)]]
    assert len(set(started)) == len(started)


def held_against(forecast: tuple[PlannedStep, ...], events: list[Event]) -> None:
    """Each step to come started, and the last one ended, when the forecast said."""
    starts = {e.id: e.t for e in events if isinstance(e, StepStarted)}
    for planned in forecast[1:]:
        assert abs(starts[planned.id] - planned.starts) <= 0.002, (planned, starts)
    last = [e.t for e in events if isinstance(e, StepEnded)][-1]
    assert abs(last - forecast[-1].ends) <= 0.002, (forecast[-1], last)


@PROFILE
@given(
    MOVES,
    st.integers(0, 3),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from([*EDITS, "none"]),
)
def test_edits_keep_the_invariants_and_the_forecast_comes_true(
    moves: list[tuple[float, str, str, float, int, int]], seed: int, a: int, b: int, last: str
) -> None:
    s = session(*SELF_RUNNING, seed=seed)
    events, now = drive(s, moves)
    if not s.ended:
        at = T0 + now + 1.0
        if s.paused:
            events += s.resume(at)
        if last != "none":
            events += s.do(edit_of(s, last, a, b, s.session_time(at)), at)
        events += s.advance(at)  # what fell due by now has happened: the forecast is from now
        # Nobody intervenes from here: the session runs to its end by itself.
        forecast = ahead(s, at)
        ends = s.snapshot(at).ends
        events += s.advance(at + 20_000.0)
        assert s.ended, "every step of this practice runs on its own clock"
        if forecast:
            assert ends is not None and abs(ends - forecast[-1].ends) <= 1e-6
            held_against(forecast, events)
    check(events)
    ran_as_planned(events, s)
    # Past the end: nothing more happens, and a last cue due a hair after its stamp is in.
    again, said = replayed(s, events, events[-1].t + 1.0)
    assert said == [e for e in events if not isinstance(e, Refused)]
    assert again.agenda.agenda_rows() == s.agenda.agenda_rows()
    assert again.agenda.topics == s.agenda.topics


REAL_MOVES = st.lists(
    st.tuples(
        GAP,
        st.sampled_from([*EDITS, "advance"]) | EVERY_COMMAND,
        st.sampled_from(NAMES),
        SECONDS,
        st.integers(0, 40),
        st.integers(0, 40),
    ),
    max_size=40,
)


@PROFILE
@given(REAL_MOVES, st.sampled_from(sorted(REAL)), st.integers(0, 3))
def test_edits_in_real_practices_keep_the_invariants_and_replay(
    moves: list[tuple[float, str, str, float, int, int]], which: str, seed: int
) -> None:
    p = REAL[which]
    names = NAMES[: max(2, min(len(NAMES), p.size.max))]
    s = Session(p, plan_circle(p, names, seed=seed))
    events, now = drive(s, [m for m in moves if m[1] not in ("back",)])
    events += s.end(T0 + now + 1.0)
    check(events, names)
    ran_as_planned(events, s)
    assert sum(isinstance(e, SessionEnded) for e in events) == 1
    again, said = replayed(s, events, events[-1].t)
    assert said == [e for e in events if not isinstance(e, Refused)]
    assert again.snapshot(REPLAYED_AT + events[-1].t) == s.snapshot(T0 + events[-1].t)
