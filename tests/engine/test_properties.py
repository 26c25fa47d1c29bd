"""Random command sequences with random time gaps: the engine's invariants always hold."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circlekeeper.engine import command_from_json, plan_circle
from circlekeeper.engine.commands import (
    Command,
    Decide,
    Extend,
    Listener,
    LowerHand,
    Pick,
    RaiseHand,
    Respond,
    RingBell,
)
from circlekeeper.engine.events import (
    CommandTaken,
    DecisionMade,
    Event,
    LapStarted,
    Passed,
    Paused,
    Refused,
    Resumed,
    SessionEnded,
    SessionStarted,
    StepEnded,
    StepStarted,
    TurnEnded,
    TurnStarted,
    TurnWarning,
    Undone,
)
from circlekeeper.engine.session import Session
from circlekeeper.engine.stick import MAX_LAPS
from circlekeeper.script.loader import load_practice
from circlekeeper.script.model import Practice

from .helpers import NAMES, T0, practice, round_step, session

EXAMPLES = 300
"""Per test: with the all-pass test, 1,300 examples a run."""
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

PRACTICES: dict[str, list[dict[str, Any]]] = {
    "check-in": [
        {"kind": "read", "text": "Welcome"},
        round_step(turn={"time": "2m", "warning": "30s"}, prompts=["One?", "Two?"]),
        {"kind": "sit", "duration": "5m", "bells": {"halfway": "chime", "warning": "1m"}},
    ],
    "stick": [
        round_step(turn={"budget": "6m", "end": "hard", "warning": "20s"}, passing="skip"),
        round_step(order="popcorn", turn={"time": "1m"}),
        round_step(order="quietest-first", until="all-pass"),
        round_step(until="all-pass", laps=2),
        round_step(start="rotate-per-lap", laps=2, direction="counterclockwise"),
    ],
    "groups": [
        {"kind": "breakout", "group_size": 2, "duration": "4m", "swap_every": "1m"},
        {
            "kind": "for-each",
            "as": "giver",
            "steps": [
                round_step(end_with="giver", turn={"time": "45s", "end": "hard"}),
                {"kind": "silence", "duration": "30s"},
            ],
        },
        {"kind": "breakout", "group_size": 4, "duration": "3m", "shuffle": "merge"},
        {"kind": "discussion", "duration": "5m", "stack": True},
        {
            "kind": "discussion",
            "duration": "6m",
            "bells": {"interval": {"every": "1m", "jitter": "20s"}, "at": [{"at": "0s"}]},
        },
    ],
}

MOVES = [
    *["advance"] * 3,
    *["next"] * 2,
    *["pass"] * 2,
    "pick",
    "extend",
    "pause",
    "resume",
    "skip",
    *["undo"] * 2,
    "back",
]
"""What the random sequences are made of: time passing (and jumping back) and commands."""
GAP = st.floats(min_value=0, max_value=240, allow_nan=False)
SECONDS = st.sampled_from([-90.0, -15.0, 30.0, 60.0])
STEPS = st.lists(
    st.tuples(GAP, st.sampled_from(MOVES), st.sampled_from(NAMES), SECONDS), max_size=40
)


def check_snapshot(s: Session, at: float) -> None:
    """What the screen would show at `at`: no time is ever negative."""
    snap = s.snapshot(at)
    assert snap.step_remaining is None or snap.step_remaining >= 0
    assert snap.turn_remaining is None or snap.turn_remaining >= 0
    assert snap.next_cue_in is None or snap.next_cue_in >= 0
    assert snap.turn_overtime >= 0 and snap.step_elapsed >= 0


def drive(s: Session, steps: list[tuple[float, str, str, float]]) -> list[Event]:
    """Run the commands, checking snapshot invariants after each; end the session last."""
    now = 0.0
    events = s.start(T0 + now)
    for gap, command, name, seconds in steps:
        now += gap
        at = now - 30.0 if command == "back" else now  # a clock that jumps back
        if command in ("advance", "back"):
            events += s.advance(T0 + at)
        elif command == "pass":
            events += s.pass_stick(T0 + at)
        elif command == "pick":
            events += s.pick(name, T0 + at)
        elif command == "extend":
            events += s.extend(seconds, T0 + at)
        else:
            events += getattr(s, command)(T0 + at)
        check_snapshot(s, T0 + at)
    events += s.end(T0 + (now + 1.0))
    assert s.ended
    return events


def check(every: list[Event], people: tuple[str, ...] = NAMES) -> None:
    times = [e.t for e in every]
    assert times == sorted(times), "event times went backwards"
    # Every command answers: taken (then what it caused) or refused, alone.
    assert isinstance(every[0], CommandTaken) and every[0].command == {"command": "start"}
    events = [e for e in every if not isinstance(e, CommandTaken | Refused)]
    assert isinstance(events[0], SessionStarted)
    assert isinstance(events[-1], SessionEnded)
    assert sum(isinstance(e, SessionEnded) for e in events) == 1

    # Every step starts once and ends once, one at a time.
    open_step: int | None = None
    started: list[int] = []
    ended: list[int] = []
    for e in events:
        if isinstance(e, StepStarted):
            assert open_step is None
            open_step = e.index
            started.append(e.index)
        elif isinstance(e, StepEnded):
            assert open_step == e.index
            open_step = None
            ended.append(e.index)
    assert open_step is None
    assert started == ended == sorted(set(started))
    assert all(e.remaining >= 0 for e in events if isinstance(e, TurnWarning))

    # Speaking time, computed from the turn and pause events alone.
    pauses: list[tuple[float, float]] = []
    pause_at: float | None = None
    intervals: list[tuple[str, float, float]] = []
    holding: tuple[str, float] | None = None
    passing: str | None = None
    for e in events:
        if isinstance(e, Passed):
            passing = e.speaker
        elif isinstance(e, Paused):
            pause_at = e.t
        elif isinstance(e, Resumed):
            assert pause_at is not None
            assert abs((e.t - pause_at) - e.paused_for) < 1e-9
            pauses.append((pause_at, e.t))
            pause_at = None
        elif isinstance(e, TurnStarted):
            assert holding is None
            holding = (e.speaker, e.t)
        elif isinstance(e, TurnEnded):
            assert holding is not None and holding[0] == e.speaker
            if passing == e.speaker:
                # Holding the stick before a pass is not speaking.
                assert e.spoke == 0.0 and e.overtime == 0.0
            else:
                intervals.append((e.speaker, holding[1], e.t))
            holding = passing = None
        elif isinstance(e, Undone):
            # The withdrawn turn counts for nobody.
            assert (holding[0] if holding else None) == e.dropped
            holding = None
    assert holding is None
    if pause_at is not None:
        pauses.append((pause_at, events[-1].t))

    def active(a: float, b: float) -> float:
        overlap = sum(max(0.0, min(b, q) - max(a, p)) for p, q in pauses)
        return (b - a) - overlap

    spoke: dict[str, float] = defaultdict(float)
    for who, a, b in intervals:
        spoke[who] += active(a, b)
    final = events[-1]
    assert isinstance(final, SessionEnded)
    for who in people:
        assert abs(final.airtime[who] - spoke[who]) < 1e-6
        reported = sum(e.spoke for e in events if isinstance(e, TurnEnded) and e.speaker == who)
        assert abs(final.airtime[who] - reported) < 1e-6
        assert final.overtime[who] >= 0


@PROFILE
@given(STEPS)
def test_check_in_invariants(steps: list[tuple[float, str, str, float]]) -> None:
    check(drive(session(*PRACTICES["check-in"]), steps))


@PROFILE
@given(STEPS, st.integers(0, 3))
def test_talking_stick_invariants(steps: list[tuple[float, str, str, float]], seed: int) -> None:
    check(drive(session(*PRACTICES["stick"], seed=seed), steps))


@PROFILE
@given(STEPS, st.integers(0, 3))
def test_breakout_and_loop_invariants(
    steps: list[tuple[float, str, str, float]], seed: int
) -> None:
    check(drive(session(*PRACTICES["groups"], seed=seed), steps))


FAIR = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=200, allow_nan=False),
        st.sampled_from(["advance", "next", "next", "extend", "pause", "resume"]),
        st.sampled_from(NAMES),
        st.sampled_from([-60.0, 30.0]),
    ),
    max_size=40,
)


@PROFILE
@given(
    FAIR,
    st.sampled_from(["first", "random", "rotate-per-lap", "rotate-per-meeting"]),
    st.sampled_from(["soft", "hard"]),
)
def test_fixed_order_nobody_speaks_twice_before_everyone(
    steps: list[tuple[float, str, str, float]], start: str, end: str
) -> None:
    p = practice(round_step(start=start, laps=3, turn={"time": "1m", "end": end}))
    s = Session(p, plan_circle(p, NAMES, seed=3, meeting=2))
    events = drive(s, steps)
    check(events)
    lap_of: dict[int, tuple[str, ...]] = {}
    turns: dict[int, list[str]] = defaultdict(list)
    for e in events:
        if isinstance(e, LapStarted):
            lap_of[e.lap] = e.order
        elif isinstance(e, TurnStarted):
            turns[e.lap].append(e.speaker)
    for lap, who in turns.items():
        assert len(who) == len(set(who))
        assert tuple(who) == lap_of[lap][: len(who)]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["pass", "pass", "pass", "next", "undo"]), max_size=120),
    st.sampled_from(["to-end", "skip"]),
)
def test_all_pass_round_ends_on_a_lap_of_passes(moves: list[str], passing: str) -> None:
    s = session(round_step(until="all-pass", passing=passing), {"kind": "read", "text": "x"})
    events = s.start(T0)
    t = 0.0
    for move in moves:
        t += 5.0
        events += {"pass": s.pass_stick, "next": s.next, "undo": s.undo}[move](T0 + t)
    events += s.end(T0 + (t + 1.0))
    check(events)
    ends = [e for e in events if isinstance(e, StepEnded) and e.index == 0]
    assert len(ends) == 1
    laps = [e for e in events if isinstance(e, LapStarted)]
    assert len(laps) <= MAX_LAPS
    if ends[0].reason == "all-pass":
        # Nobody spoke in the last lap: every turn in it ended in a pass.
        start = max(i for i, e in enumerate(events) if isinstance(e, LapStarted))
        stop = events.index(ends[0])
        lap = events[start:stop]
        ended = [e.speaker for e in lap if isinstance(e, TurnEnded)]
        passed = [e.speaker for e in lap if isinstance(e, Passed)]
        # (An undone next leaves that person's first segment in the stream; then they pass.)
        assert ended and set(ended) == set(passed)
        last_end = {e.speaker: i for i, e in enumerate(lap) if isinstance(e, TurnEnded)}
        for who, i in last_end.items():
            before = lap[i - 1]
            assert isinstance(before, Passed) and before.speaker == who


REPLAYED_AT = 1_234.5
"""The machine clock of the rebuilt session: not the original's, so no machine time can hide."""


def replay(s: Session, events: list[Event], until: float) -> Session:
    """A second session from the same plan, given only the accepted commands, each at its
    session time, then time up to `until` (session time)."""
    again = Session(s.practice, s.plan)
    for event in events:
        if isinstance(event, CommandTaken):
            again.do(command_from_json(event.command), REPLAYED_AT + event.t)
    again.advance(REPLAYED_AT + until)
    return again


@PROFILE
@given(STEPS, st.sampled_from(sorted(PRACTICES)), st.integers(0, 3))
def test_replaying_the_taken_commands_rebuilds_the_same_session(
    steps: list[tuple[float, str, str, float]], which: str, seed: int
) -> None:
    s = session(*PRACTICES[which], seed=seed)
    now = 0.0
    events = s.start(T0)
    for gap, command, name, seconds in steps:
        now += gap
        at = T0 + (now - 30.0 if command == "back" else now)  # a clock that jumps back
        if command in ("advance", "back"):
            events += s.advance(at)
        elif command == "pick":
            events += s.do(Pick(name), at)
        elif command == "extend":
            events += s.do(Extend(seconds), at)
        else:
            events += s.do(command_from_json({"command": command}), at)
    events += s.do(RingBell("chime", 2), T0 + now + 0.25)
    end = s.snapshot(T0 + now + 5.0).now
    events += s.advance(T0 + now + 5.0)
    again = replay(s, events, end)
    assert again.snapshot(REPLAYED_AT + end) == s.snapshot(T0 + now + 5.0)
    # The rebuilt session said the same, less what was refused (it was never asked).
    rebuilt = Session(s.practice, s.plan)
    said: list[Event] = []
    for event in events:
        if isinstance(event, CommandTaken):
            said += rebuilt.do(command_from_json(event.command), REPLAYED_AT + event.t)
    said += rebuilt.advance(REPLAYED_AT + end)
    assert said == [e for e in events if not isinstance(e, Refused)]


FIXTURES = Path(__file__).resolve().parent / "practices"
REAL = {path.stem: load_practice(path) for path in sorted(FIXTURES.glob("*.yaml"))}
"""The real practices of the fixtures: exchanges, consent rounds, queues, breakouts, series."""

EVERY_COMMAND = st.sampled_from(
    [
        *MOVES,
        "next",
        "confirm",
        "more",
        "next-pair",
        "listener",
        *["respond"] * 2,
        "decide",
        *["raise"] * 2,
        "lower",
    ]
)
EVERY_STEP = st.lists(
    st.tuples(
        GAP,
        EVERY_COMMAND,
        st.sampled_from(NAMES),
        SECONDS,
        st.sampled_from(["consent", "concern", "stand-aside", "objection"]),
        st.sampled_from(["process", "clarify", "reply", "new-point"]),
    ),
    max_size=50,
)


def command_of(what: str, name: str, seconds: float, response: str, kind: str) -> Command:
    """The command a random step stands for."""
    if what == "pick":
        return Pick(name)
    if what == "extend":
        return Extend(seconds)
    if what == "listener":
        return Listener(name)
    if what == "respond":
        return Respond(name, response)
    if what == "decide":
        return Decide("amend-and-return" if seconds > 0 else "no-consent")
    if what == "raise":
        return RaiseHand(name, kind)
    if what == "lower":
        return LowerHand(name)
    return command_from_json({"command": what})


def drive_all(s: Session, steps: list[tuple[float, str, str, float, str, str]]) -> list[Event]:
    """Every command at random, with snapshot checks after each; the session ended last."""
    now = 0.0
    events = s.start(T0)
    for gap, what, name, seconds, response, kind in steps:
        now += gap
        at = T0 + (now - 30.0 if what == "back" else now)  # a clock that jumps back
        if what in ("advance", "back"):
            events += s.advance(at)
        else:
            events += s.do(command_of(what, name, seconds, response, kind), at)
        check_snapshot(s, at)
    events += s.end(T0 + now + 1.0)
    return events


@PROFILE
@given(EVERY_STEP, st.sampled_from(sorted(REAL)), st.integers(0, 3), st.integers(0, 6))
def test_real_practices_keep_the_invariants_and_replay(
    steps: list[tuple[float, str, str, float, str, str]], which: str, seed: int, meeting: int
) -> None:
    p = REAL[which]
    drive_and_replay(p, NAMES[: max(2, min(len(NAMES), p.size.max))], seed, meeting, steps)


def drive_and_replay(
    p: Practice,
    people: tuple[str, ...],
    seed: int,
    meeting: int,
    steps: list[tuple[float, str, str, float, str, str]],
) -> None:
    """Random commands over a real practice: invariants, one decision per consent step,
    and a replay of what was taken that rebuilds the same session, event for event."""
    plan = plan_circle(p, people, seed=seed, meeting=meeting)
    s = Session(p, plan)
    events = drive_all(s, steps)
    check(events, people)
    decisions = [e for e in events if isinstance(e, DecisionMade)]
    consents = [e for e in events if isinstance(e, StepStarted) and e.kind == "consent"]
    assert len(decisions) == len(consents), "every consent step says how it ended, once"
    rebuilt = Session(p, plan)
    said: list[Event] = []
    for event in events:
        if isinstance(event, CommandTaken):
            said += rebuilt.do(command_from_json(event.command), REPLAYED_AT + event.t)
    # Time up to the last moment seen (cues still waiting in line ring on their own).
    said += rebuilt.advance(REPLAYED_AT + events[-1].t)
    assert said == [e for e in events if not isinstance(e, Refused)]


LIBRARY = {
    path.stem: load_practice(path)
    for path in sorted((Path(__file__).resolve().parents[2] / "practices").glob("*.yaml"))
}
"""The built-in library."""


def library_circle(p: Practice, size: int) -> tuple[str, ...]:
    """`size` people, the usual four first, so that random commands name people present."""
    more = tuple(f"P{i:03d}" for i in range(len(NAMES) + 1, size + 1))
    return (*NAMES, *more)[:size]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    EVERY_STEP, st.sampled_from(sorted(LIBRARY)), st.integers(0, 3), st.integers(0, 6), st.data()
)
def test_library_practices_keep_the_invariants_and_replay(
    steps: list[tuple[float, str, str, float, str, str]],
    which: str,
    seed: int,
    meeting: int,
    data: st.DataObject,
) -> None:
    p = LIBRARY[which]
    size = data.draw(st.integers(p.size.min, min(p.size.max, 40)), label="size")
    drive_and_replay(p, library_circle(p, size), seed, meeting, steps)


def random_steps(rng: random.Random, count: int) -> list[tuple[float, str, str, float, str, str]]:
    """A seeded sequence in the shape of EVERY_STEP (for sweeps hypothesis would not cover)."""
    moves = [*MOVES, "next", "confirm", "more", "next-pair", "listener", "respond", "decide"]
    moves += ["raise", "raise", "lower", "respond"]
    return [
        (
            rng.uniform(0, 240),
            rng.choice(moves),
            rng.choice(NAMES),
            rng.choice([-90.0, -15.0, 30.0, 60.0]),
            rng.choice(["consent", "concern", "stand-aside", "objection"]),
            rng.choice(["process", "clarify", "reply", "new-point"]),
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("which", sorted(LIBRARY))
def test_every_size_of_a_library_practice_survives_random_commands(which: str) -> None:
    # Every size in the practice's range at least once, each with its own seeded sequence:
    # hypothesis samples practices and sizes, this sweep leaves none out.
    p = LIBRARY[which]
    for size in range(p.size.min, p.size.max + 1):
        rng = random.Random(f"{which}:{size}")
        meeting = rng.randrange(p.series.meetings) if p.series is not None else 0
        steps = random_steps(rng, 30)
        drive_and_replay(p, library_circle(p, size), rng.randrange(4), meeting, steps)
