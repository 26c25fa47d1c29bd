"""A session rebuilt from its commands carries on exactly as the first one would have."""

from __future__ import annotations

import pytest

from circlekeeper.engine import command_from_json
from circlekeeper.engine.commands import Command, Extend, Next, Note, Pass, Pause, Resume
from circlekeeper.engine.events import CommandTaken, Event, Refused
from circlekeeper.engine.replay import replay

from .helpers import T0, round_step, session

AGAIN = 1_234.5
"""The rebuilt session's machine clock at its end: nothing like the first one's."""

STEPS = (
    {"kind": "read", "title": "Welcome", "text": "Welcome, all."},
    round_step(turn={"time": "1m", "warning": "15s"}, laps=2),
    {"kind": "silence", "title": "Quiet", "duration": "2m"},
)

SCRIPT: list[tuple[float, Command]] = [
    (20.0, Next()),
    (50.0, Extend(30.0)),
    (75.5, Note("Ana proposes a shorter round next time")),
    (90.0, Pause()),
    (130.0, Resume()),
    (200.0, Pass()),
    (260.25, Next()),
]


def run(cut: float) -> list[Event]:
    """The first session, ticking every half second up to `cut` (session time)."""
    s = session(*STEPS)
    events = s.start(T0)
    t = 0.0
    script = list(SCRIPT)
    while t < cut:
        t = min(cut, round(t + 0.5, 3))
        while script and script[0][0] <= t:
            at, command = script.pop(0)
            events += s.do(command, T0 + at)
        events += s.advance(T0 + t)
    return events


def taken(events: list[Event]) -> list[tuple[float, Command]]:
    return [(e.t, command_from_json(e.command)) for e in events if isinstance(e, CommandTaken)]


@pytest.mark.parametrize("cut", [0.0, 19.9, 20.0, 66.6, 100.0, 131.0, 201.7, 500.0])
def test_a_replayed_session_is_the_first_one_at_its_end_and_after(cut: float) -> None:
    events = run(cut)
    again = replay(
        session(*STEPS).practice, session(*STEPS).plan, taken(events), until=cut, now=AGAIN
    )
    assert again.refused == []
    first = session(*STEPS)
    said = first.start(T0)
    for at, command in SCRIPT:
        if at <= cut:
            said += first.do(command, T0 + at)
    said += first.advance(T0 + cut)
    assert again.events == said
    assert again.session.snapshot(AGAIN) == first.snapshot(T0 + cut)
    # Both carry on alike: the rebuilt one on its own clock.
    for dt in (0.4, 7.0, 61.0, 300.0):
        assert again.session.advance(AGAIN + dt) == first.advance(T0 + cut + dt)
        assert again.session.snapshot(AGAIN + dt) == first.snapshot(T0 + cut + dt)
    assert again.session.do(Next(), AGAIN + 301.0) == first.do(Next(), T0 + cut + 301.0)


def test_no_commands_is_a_session_not_yet_started() -> None:
    s = session(*STEPS)
    again = replay(s.practice, s.plan, [], until=0.0, now=AGAIN)
    assert not again.session.started and again.events == []


def test_a_command_after_the_end_is_a_mistake() -> None:
    s = session(*STEPS)
    with pytest.raises(ValueError, match="later than the replay's end"):
        replay(s.practice, s.plan, [(0.0, SCRIPT[0][1]), (30.0, Next())], until=20.0, now=AGAIN)


def test_what_a_changed_practice_refuses_is_told_apart() -> None:
    s = session(round_step(turn={"time": "1m"}))
    again = replay(
        s.practice,
        s.plan,
        [(0.0, command_from_json({"command": "start"})), (5.0, Resume())],
        until=10.0,
        now=AGAIN,
    )
    assert [r.reason for r in again.refused] == ["the session is not paused"]
    assert not any(isinstance(e, Refused) for e in again.events)
