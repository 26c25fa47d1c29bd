"""Open discussion, with and without taking stack; what the snapshot shows of a step."""

from __future__ import annotations

from circlekeeper.engine.events import StackChanged, StepEnded, TurnEnded

from .helpers import T0, of, refused, round_step, session, speakers


def test_discussion_taking_stack() -> None:
    s = session({"kind": "discussion", "duration": "10m", "stack": True})
    s.start(T0)
    assert s.snapshot(T0).stack and s.snapshot(T0).popcorn
    assert speakers(s.pick("Cy", T0 + 10.0)) == ["Cy"]  # the floor was open
    raised = s.pick("Ana", T0 + 20.0) + s.pick("Ben", T0 + 25.0)
    assert [e.queue for e in of(raised, StackChanged)] == [("Ana",), ("Ana", "Ben")]
    assert refused(s.pick("Ana", T0 + 26.0)) == "Ana is already waiting to speak"
    snap = s.snapshot(T0 + 30.0)
    assert (snap.speaker, snap.queue) == ("Cy", ("Ana", "Ben"))
    moved = s.next(T0 + 70.0)
    assert [(e.speaker, e.spoke) for e in of(moved, TurnEnded)] == [("Cy", 60.0)]
    assert speakers(moved) == ["Ana"]
    s.next(T0 + 100.0)  # Ben
    s.next(T0 + 110.0)  # the floor is open again
    assert s.snapshot(T0 + 110.0).speaker is None
    assert s.snapshot(T0 + 110.0).spoken == ("Cy", "Ana", "Ben")
    ended = s.next(T0 + 120.0)  # nobody waiting: next ends the step
    step = of(ended, StepEnded)[0]
    assert step.reason == "next"
    assert step.airtime == {"Cy": 60.0, "Ana": 30.0, "Ben": 10.0}


def test_the_floor_closes_when_the_discussion_time_is_up() -> None:
    s = session({"kind": "discussion", "duration": "2m", "stack": True})
    s.start(T0)
    s.pick("Dee", T0)
    events = s.advance(T0 + 500.0)
    assert [(e.t, e.speaker, e.spoke) for e in of(events, TurnEnded)] == [(120.0, "Dee", 120.0)]
    assert of(events, StepEnded)[0].reason == "time"


def test_a_discussion_without_stack_ignores_picks() -> None:
    s = session({"kind": "discussion", "duration": "2m"})
    s.start(T0)
    assert "only for rounds" in refused(s.pick("Ana", T0 + 1.0))
    assert not s.snapshot(T0 + 1.0).stack


def test_snapshot_shows_note_lead_and_turn_allowance() -> None:
    s = session(
        round_step(note="Keep it short", lead="host", turn={"time": "90s"}),
        holders={"host": ("Ben",)},
    )
    s.start(T0)
    snap = s.snapshot(T0 + 10.0)
    assert snap.step_note == "Keep it short"
    assert snap.lead == ("Ben",)
    assert snap.turn_allowed == 90.0
    assert snap.turn_remaining == 80.0
