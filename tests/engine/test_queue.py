"""The speaking queue of a discussion: kinds of request served most urgent first, as asked
or least-spoken first; open-ended discussions that count time up, with a soft time box."""

from __future__ import annotations

from typing import Any

from circlekeeper.engine.commands import LowerHand, RaiseHand
from circlekeeper.engine.events import BellDue, StackChanged, StepEnded, TurnStarted

from .helpers import T0, of, refused, session, speakers


def discussion(**fields: Any) -> dict[str, Any]:
    return {"kind": "discussion", "prompt": "What now?", "stack": True, **fields}


def test_points_of_process_first_then_questions_replies_and_new_points() -> None:
    s = session(discussion())
    s.start(T0)
    s.do(RaiseHand("Ana", "new-point"), T0 + 1.0)  # the floor was open: Ana speaks
    raised = [
        s.do(RaiseHand(who, kind), T0 + t)
        for t, who, kind in [
            (2.0, "Ben", "new-point"),
            (3.0, "Cy", "reply"),
            (4.0, "Dee", "process"),
        ]
    ]
    last = of(raised[-1], StackChanged)[0]
    assert (last.queue, last.kinds) == (("Dee", "Cy", "Ben"), ("process", "reply", "new-point"))
    snap = s.snapshot(T0 + 5.0)
    assert (snap.speaker, snap.queue, snap.queue_kinds) == (
        "Ana",
        ("Dee", "Cy", "Ben"),
        ("process", "reply", "new-point"),
    )
    assert snap.request_kinds == ("process", "clarify", "reply", "new-point")
    order: list[str] = []
    for t in (10.0, 20.0, 30.0):
        order += speakers(s.next(T0 + t))
    assert order == ["Dee", "Cy", "Ben"]


def test_least_spoken_first_within_a_kind() -> None:
    s = session(discussion(stack={"order": "least-spoken"}))
    s.start(T0)
    s.do(RaiseHand("Ana"), T0)
    s.do(RaiseHand("Ben"), T0 + 1.0)
    s.next(T0 + 60.0)  # Ana spoke a minute; Ben has the floor
    s.do(RaiseHand("Ana"), T0 + 61.0)
    s.do(RaiseHand("Cy"), T0 + 62.0)
    # Cy asked later but has not spoken: Cy first.
    assert s.snapshot(T0 + 63.0).queue == ("Cy", "Ana")


def test_asking_again_changes_the_kind_lowering_leaves_the_queue() -> None:
    s = session(discussion())
    s.start(T0)
    s.do(RaiseHand("Ana"), T0)
    s.do(RaiseHand("Ben"), T0 + 1.0)
    s.do(RaiseHand("Cy"), T0 + 2.0)
    assert refused(s.do(RaiseHand("Ben"), T0 + 3.0)) == "Ben is already waiting to speak"
    assert refused(s.do(RaiseHand("Ana", "reply"), T0 + 4.0)) == "Ana has the floor already"
    changed = s.do(RaiseHand("Cy", "clarify"), T0 + 5.0)
    assert of(changed, StackChanged)[0].queue == ("Cy", "Ben")
    assert refused(s.do(LowerHand("Dee"), T0 + 6.0)) == "Dee is not waiting to speak"
    lowered = s.do(LowerHand("Cy"), T0 + 7.0)
    assert of(lowered, StackChanged)[0].queue == ("Ben",)


def test_a_queue_may_take_some_kinds_and_some_people() -> None:
    s = session(
        discussion(stack={"kinds": ["clarify"]}, without=["giver"]), holders={"giver": ("Ana",)}
    )
    s.start(T0)
    assert refused(s.do(RaiseHand("Ben"), T0)) == "this queue does not take a new point (clarify)"
    assert refused(s.do(RaiseHand("Ana", "clarify"), T0 + 1.0)) == (
        "Ana does not take part in this discussion"
    )
    # A plain pick asks with the only kind there is.
    assert speakers(s.pick("Ben", T0 + 2.0)) == ["Ben"]
    assert s.snapshot(T0 + 3.0).participants == ("Ben", "Cy", "Dee")


def test_an_open_ended_discussion_counts_up_and_rings_its_soft_time_box() -> None:
    s = session(discussion(stack=False, timebox="20m", timebox_cue="gong"))
    s.start(T0)
    snap = s.snapshot(T0 + 65.0)
    assert (snap.step_remaining, snap.step_elapsed, snap.timebox) == (None, 65.0, 1200.0)
    assert snap.next_cue == "gong x1 (timebox)"
    events = s.advance(T0 + 1500.0)
    assert [(e.t, e.sound, e.reason) for e in of(events, BellDue)] == [(1200.0, "gong", "timebox")]
    assert not of(events, StepEnded)
    assert s.snapshot(T0 + 1500.0).step_elapsed == 1500.0
    assert of(s.next(T0 + 1510.0), StepEnded)[0].reason == "next"


def test_a_time_box_only_rings_before_the_end() -> None:
    s = session(discussion(duration="10m", timebox="5m"))
    s.start(T0)
    events = s.advance(T0 + 700.0)
    assert [e.reason for e in of(events, BellDue)] == ["timebox"]
    assert of(events, TurnStarted) == []
