"""Commands are data: their JSON, the phase table that takes or refuses them, and refusals
that change nothing and say why."""

from __future__ import annotations

from typing import Any

import pytest

from circlekeeper.engine import ACCEPTS, PHASE_TABLE, command_from_json
from circlekeeper.engine.commands import (
    COMMAND_TYPES,
    NOTE_MAX,
    AddTopic,
    BringForward,
    Command,
    Confirm,
    Decide,
    End,
    EndAt,
    Extend,
    Insert,
    Listener,
    LowerHand,
    More,
    Move,
    Next,
    NextPair,
    Note,
    Pass,
    Pause,
    Pick,
    RaiseHand,
    Remove,
    RemoveTopic,
    Respond,
    Resume,
    RingBell,
    SetDuration,
    Skip,
    Start,
    Undo,
)
from circlekeeper.engine.events import BellDue, CommandTaken
from circlekeeper.engine.phases import PHASES

from .helpers import T0, of, refused, round_step, session

EVERY: list[Command] = [
    Start(),
    Next(),
    Pass(),
    Pick("Ben"),
    Extend(-30.0),
    Pause(),
    Resume(),
    Skip(),
    Undo(),
    End(),
    RingBell(),
    RingBell("gong", 3),
    Confirm(),
    More(),
    NextPair(),
    Listener("Cy"),
    Respond("Ben", "objection"),
    Decide("amend-and-return"),
    RaiseHand("Dee", "process"),
    RaiseHand("Dee"),
    LowerHand("Dee"),
    Note("Ben offered to write the minutes."),
    Insert({"kind": "silence", "title": "Pause [short]", "duration": "1m"}),
    Insert({"kind": "breakout", "group_size": 2, "duration": "4m"}, after="s3"),
    Remove("s4"),
    Move("s4", "s2"),
    SetDuration("close", 300.0),
    EndAt(5_400.0),
    AddTopic("Budget for the retreat"),
    RemoveTopic("t1"),
    BringForward("t2"),
    BringForward("t2", {"kind": "round", "prompt": "What do we do?"}),
]


@pytest.mark.parametrize("command", EVERY, ids=lambda c: f"{c.name}{c.to_json()}")
def test_every_command_reads_back_from_its_json(command: Command) -> None:
    data = command.to_json()
    assert data["command"] == command.name
    assert command_from_json(data) == command


def test_every_kind_of_command_is_listed_once() -> None:
    assert {type(c) for c in EVERY} == set(COMMAND_TYPES)
    assert len({cls.name for cls in COMMAND_TYPES}) == len(COMMAND_TYPES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("next", "an object with a `command` name"),
        ({"command": "jump"}, "unknown command 'jump'"),
        ({}, "unknown command None"),
        ({"command": "next", "speed": 2}, "next: unknown field 'speed'"),
        ({"command": "pick"}, "pick: `who` is missing"),
        ({"command": "pick", "who": 3}, "pick: `who` must be a non-empty text"),
        ({"command": "pick", "who": " "}, "pick: `who` must be a non-empty text"),
        ({"command": "extend", "seconds": "30"}, "extend: `seconds` must be a number"),
        ({"command": "extend", "seconds": float("nan")}, "extend: `seconds` must be a number"),
        ({"command": "extend", "seconds": True}, "extend: `seconds` must be a number"),
        ({"command": "bell", "strikes": 1.5}, "bell: `strikes` must be a whole number"),
        ({"command": "note"}, "note: `text` is missing"),
        ({"command": "note", "text": ""}, "note: `text` must be a non-empty text"),
        ({"command": "insert", "step": "pause"}, "insert: `step` must be an object"),
        ({"command": "insert", "step": {1: "x"}}, "insert: `step` must be an object"),
        ({"command": "insert", "step": {}, "after": ""}, "insert: `after` must be a non-empty"),
        ({"command": "end-at", "at": "21:30"}, "end-at: `at` must be a number"),
        ({"command": "bring-forward", "topic": "t1", "step": []}, "`step` must be an object"),
    ],
)
def test_bad_command_data_is_refused_with_a_readable_message(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        command_from_json(data)


def test_the_phase_table_covers_every_phase_and_every_command() -> None:
    assert set(ACCEPTS) == set(PHASES)
    assert ACCEPTS["ended"] == frozenset() and ACCEPTS["ready"] == {"start"}
    assert set().union(*ACCEPTS.values()) == {cls.name for cls in COMMAND_TYPES}
    assert set(PHASE_TABLE.values()) <= set(PHASES)
    # The engine's own move: running out of steps ends the session, paused or not.
    assert PHASE_TABLE[("running", "done")] == PHASE_TABLE[("paused", "done")] == "ended"


def test_an_accepted_command_answers_first_with_itself_at_its_session_time() -> None:
    s = session(round_step(turn={"time": "2m"}))
    s.start(T0)
    events = s.pick("Cy", T0 + 42.5)
    assert events[0] == CommandTaken(42.5, {"command": "pick", "who": "Cy"})
    assert [e.t for e in events] == sorted(e.t for e in events)


def test_a_refused_command_changes_nothing() -> None:
    s = session(round_step(turn={"time": "2m"}))
    s.start(T0)
    s.next(T0 + 10.0)
    before = s.snapshot(T0 + 20.0)
    assert refused(s.pick("Ana", T0 + 20.0)) == "Ana has already spoken in this lap"
    assert s.snapshot(T0 + 20.0) == before


def test_a_bell_by_hand_is_on_session_time_and_checked() -> None:
    s = session({"kind": "silence", "duration": "5m"}, sounds={"om": {"builtin": "gong"}})
    s.start(T0)
    rung = of(s.do(RingBell("om", 2), T0 + 61.0), BellDue)
    assert [(e.t, e.sound, e.strikes, e.reason) for e in rung] == [(61.0, "om", 2, "manual")]
    assert refused(s.do(RingBell("tuba"), T0 + 62.0)) == "there is no sound called 'tuba'"
    assert refused(s.do(RingBell(strikes=0), T0 + 63.0)) == "a bell is struck 1 to 12 times"
    s.pause(T0 + 64.0)
    assert of(s.do(RingBell(), T0 + 70.0), BellDue)[0].t == 70.0  # a pause may need one


def test_a_note_is_kept_on_session_time_and_changes_nothing_else() -> None:
    s = session(round_step(turn={"time": "2m"}))
    s.start(T0)
    before = s.snapshot(T0 + 30.0)
    events = s.note("Cy will book the room", T0 + 30.0)
    assert events == [CommandTaken(30.0, {"command": "note", "text": "Cy will book the room"})]
    assert s.snapshot(T0 + 30.0) == before
    s.pause(T0 + 40.0)
    assert s.note("paused, still noted", T0 + 45.0)[0] == CommandTaken(
        45.0, {"command": "note", "text": "paused, still noted"}
    )
    assert refused(s.note("   ", T0 + 46.0)) == "an empty note is not kept"
    assert refused(s.note("x" * (NOTE_MAX + 1), T0 + 47.0)).startswith("a note is kept up to")
    s.end(T0 + 50.0)
    assert refused(s.note("too late", T0 + 51.0)) == "the session is over"
