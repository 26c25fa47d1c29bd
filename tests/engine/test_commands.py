"""Extend, undo, and the airtime ledger."""

from __future__ import annotations

from circlekeeper.engine.events import (
    SessionEnded,
    StepEnded,
    TimeChanged,
    TurnEnded,
    TurnStarted,
    TurnTimeUp,
    TurnWarning,
    Undone,
)

from .helpers import T0, of, refused, round_step, session, speakers


def test_extend_a_timed_turn_and_its_warning_comes_again() -> None:
    s = session(round_step(turn={"time": "2m", "warning": "30s"}))
    s.start(T0)
    s.advance(T0 + 100.0)  # warned at 90
    changed = s.extend(60.0, T0 + 100.0)
    assert [(e.seconds, e.target) for e in of(changed, TimeChanged)] == [(60.0, "turn")]
    assert s.snapshot(T0 + 100.0).turn_remaining == 80.0
    events = s.advance(T0 + 200.0)
    assert [e.t for e in of(events, TurnWarning)] == [150.0]
    assert [e.t for e in of(events, TurnTimeUp)] == [180.0]


def test_extend_never_goes_below_zero_remaining() -> None:
    s = session(round_step(turn={"time": "1m", "end": "hard"}))
    s.start(T0)
    events = s.extend(-300.0, T0 + 10.0)
    assert [e.seconds for e in of(events, TimeChanged)] == [-50.0]
    # The turn's time is up at once; a hard end moves the stick on.
    assert [e.t for e in of(events, TurnTimeUp)] == [10.0]
    assert speakers(events) == ["Ben"]


def test_extend_in_overtime_gives_time_from_now_and_keeps_the_overtime() -> None:
    s = session(round_step(turn={"time": "1m"}))
    s.start(T0)
    s.advance(T0 + 90.0)  # 30 s over
    s.extend(60.0, T0 + 90.0)
    snap = s.snapshot(T0 + 120.0)
    assert snap.turn_remaining == 30.0 and snap.turn_overtime == 30.0
    ended = of(s.next(T0 + 160.0), TurnEnded)[0]
    assert (ended.spoke, ended.overtime) == (160.0, 40.0)


def test_extend_the_step_outside_a_round() -> None:
    s = session({"kind": "silence", "duration": "2m"}, {"kind": "read", "text": "x"})
    s.start(T0)
    events = s.extend(-30.0, T0 + 10.0)
    assert [(e.seconds, e.target) for e in of(events, TimeChanged)] == [(-30.0, "step")]
    assert [e.t for e in of(s.advance(T0 + 500.0), StepEnded)] == [90.0]
    # An untimed reading has no time to change.
    assert refused(s.extend(30.0, T0 + 600.0)) == "this step is untimed: it ends when you move on"


def test_extend_a_step_to_zero_ends_it_now() -> None:
    s = session({"kind": "silence", "duration": "2m"}, {"kind": "read", "text": "x"})
    s.start(T0)
    events = s.extend(-1000.0, T0 + 30.0)
    assert [(e.t, e.reason) for e in of(events, StepEnded)] == [(30.0, "time")]


def test_undo_next_restores_speaker_queue_and_remaining_time() -> None:
    s = session(round_step(turn={"time": "2m"}))
    s.start(T0)
    s.next(T0 + 50.0)  # Ana spoke 50, Ben holds the stick
    before = s.snapshot(T0 + 50.0)
    assert before.speaker == "Ben" and before.can_undo
    events = s.undo(T0 + 80.0)
    undone = of(events, Undone)[0]
    assert (undone.t, undone.what, undone.speaker, undone.dropped) == (80.0, "next", "Ana", "Ben")
    assert [(e.speaker, e.allowed) for e in of(events, TurnStarted)] == [("Ana", 70.0)]
    snap = s.snapshot(T0 + 80.0)
    assert snap.speaker == "Ana"
    assert snap.queue == ("Ben", "Cy", "Dee")
    assert snap.spoken == ()
    assert snap.turn_remaining == 70.0
    assert snap.airtime["Ana"] == 50.0 and snap.airtime["Ben"] == 0.0
    assert not snap.can_undo and refused(s.undo(T0 + 81.0)) == "nothing to undo"
    ended = of(s.next(T0 + 100.0), TurnEnded)[0]
    assert (ended.speaker, ended.spoke) == ("Ana", 20.0)
    assert s.snapshot(T0 + 100.0).airtime["Ana"] == 70.0


def test_undo_pass_restores_passed_marks() -> None:
    s = session(round_step())
    s.start(T0)
    s.pass_stick(T0 + 5.0)
    assert s.snapshot(T0 + 5.0).passed == ("Ana",)
    events = s.undo(T0 + 6.0)
    assert of(events, Undone)[0].what == "pass"
    snap = s.snapshot(T0 + 6.0)
    assert snap.passed == () and snap.speaker == "Ana" and snap.queue == ("Ben", "Cy", "Dee")


def test_undo_does_not_reach_back_into_an_earlier_step_or_past_an_automatic_move() -> None:
    s = session(round_step(), {"kind": "read", "text": "x"}, names=("Ana",))
    s.start(T0)
    s.next(T0 + 10.0)  # ends the round
    assert refused(s.undo(T0 + 11.0)) == "nothing to undo"
    hard = session(round_step(turn={"time": "1m", "end": "hard"}))
    hard.start(T0)
    hard.next(T0 + 10.0)
    hard.advance(T0 + 100.0)  # Ben's hard end moved the stick on by itself
    assert refused(hard.undo(T0 + 100.0)) == "nothing to undo"


def test_airtime_is_exact_overtime_included_and_pauses_excluded() -> None:
    s = session(round_step(turn={"time": "1m"}), names=("Ana", "Ben"))
    s.start(T0)
    s.pause(T0 + 30.0)
    s.resume(T0 + 130.0)  # Ana: 30 s before the pause
    s.next(T0 + 200.0)  # ...and 70 s after: 100 s, 40 s over
    ledger = s.snapshot(T0 + 210.0)
    end = of(s.next(T0 + 220.0), SessionEnded)[0]
    assert end.airtime == {"Ana": 100.0, "Ben": 20.0}
    assert end.overtime == {"Ana": 40.0, "Ben": 0.0}
    assert ledger.airtime == {"Ana": 100.0, "Ben": 10.0}


def test_session_ended_carries_totals_and_step_ended_the_step_airtime() -> None:
    s = session(round_step(), round_step(), names=("Ana", "Ben"))
    events = s.start(T0)
    for t in (10.0, 30.0, 60.0, 100.0):
        events += s.next(T0 + t)
    steps = of(events, StepEnded)
    assert [e.airtime for e in steps] == [{"Ana": 10.0, "Ben": 20.0}, {"Ana": 30.0, "Ben": 40.0}]
    final = of(events, SessionEnded)[0]
    assert final.airtime == {"Ana": 40.0, "Ben": 60.0}
    assert final.reason == "done"


def test_live_airtime_in_the_snapshot_includes_the_turn_in_progress() -> None:
    s = session(round_step())
    s.start(T0)
    s.advance(T0 + 42.0)
    assert s.snapshot(T0 + 42.0).airtime["Ana"] == 42.0
