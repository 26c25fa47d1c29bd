"""Open discussion, with and without taking stack; what the snapshot shows of a step."""

from __future__ import annotations

from circlekeeper.engine.events import StackChanged, StepEnded, TurnEnded

from .helpers import of, round_step, session, speakers


def test_discussion_taking_stack() -> None:
    s = session({"kind": "discussion", "duration": "10m", "stack": True})
    s.start(0.0)
    assert s.snapshot(0.0).stack and s.snapshot(0.0).popcorn
    assert speakers(s.pick("Cy", 10.0)) == ["Cy"]  # the floor was open
    raised = s.pick("Ana", 20.0) + s.pick("Ben", 25.0)
    assert [e.queue for e in of(raised, StackChanged)] == [("Ana",), ("Ana", "Ben")]
    assert s.pick("Ana", 26.0) == []  # already waiting
    snap = s.snapshot(30.0)
    assert (snap.speaker, snap.queue) == ("Cy", ("Ana", "Ben"))
    moved = s.next(70.0)
    assert [(e.speaker, e.spoke) for e in of(moved, TurnEnded)] == [("Cy", 60.0)]
    assert speakers(moved) == ["Ana"]
    s.next(100.0)  # Ben
    s.next(110.0)  # the floor is open again
    assert s.snapshot(110.0).speaker is None
    assert s.snapshot(110.0).spoken == ("Cy", "Ana", "Ben")
    ended = s.next(120.0)  # nobody waiting: next ends the step
    step = of(ended, StepEnded)[0]
    assert step.reason == "next"
    assert step.airtime == {"Cy": 60.0, "Ana": 30.0, "Ben": 10.0}


def test_the_floor_closes_when_the_discussion_time_is_up() -> None:
    s = session({"kind": "discussion", "duration": "2m", "stack": True})
    s.start(0.0)
    s.pick("Dee", 0.0)
    events = s.advance(500.0)
    assert [(e.t, e.speaker, e.spoke) for e in of(events, TurnEnded)] == [(120.0, "Dee", 120.0)]
    assert of(events, StepEnded)[0].reason == "time"


def test_a_discussion_without_stack_ignores_picks() -> None:
    s = session({"kind": "discussion", "duration": "2m"})
    s.start(0.0)
    assert s.pick("Ana", 1.0) == []
    assert not s.snapshot(1.0).stack


def test_snapshot_shows_note_lead_and_turn_allowance() -> None:
    s = session(
        round_step(note="Keep it short", lead="host", turn={"time": "90s"}),
        holders={"host": ("Ben",)},
    )
    s.start(0.0)
    snap = s.snapshot(10.0)
    assert snap.step_note == "Keep it short"
    assert snap.lead == ("Ben",)
    assert snap.turn_allowed == 90.0
    assert snap.turn_remaining == 80.0
