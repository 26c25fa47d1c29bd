"""Exchanges: speak, reflect, confirm or add; the pair changes by its rule; both people's
airtime; timed parts; the listener chosen by the speaker."""

from __future__ import annotations

from typing import Any

from circlekeeper.engine.commands import Confirm, Listener, More, NextPair, Pick, Undo
from circlekeeper.engine.events import (
    BellDue,
    ListenerChosen,
    PairEnded,
    PairStarted,
    PartStarted,
    StepEnded,
    TurnEnded,
    TurnStarted,
    TurnTimeUp,
    TurnWarning,
)
from circlekeeper.engine.session import Session

from .helpers import T0, of, refused, session


def exchange(**fields: Any) -> dict[str, Any]:
    return {"kind": "exchange", "prompt": "How are you now?", **fields}


def pairs_of(events: list[Any]) -> list[tuple[str, str]]:
    return [(e.speaker, e.listener) for e in of(events, PairStarted)]


def test_a_loop_speak_reflect_confirm_books_both_people() -> None:
    s = session(exchange(pairs=1), names=("Ana", "Ben", "Cy"))
    events = s.start(T0)
    assert pairs_of(events) == [("Ana", "Ben")]
    assert [(e.part, e.loop) for e in of(events, PartStarted)] == [("speak", 1)]
    assert [(e.speaker, e.to) for e in of(events, TurnStarted)] == [("Ana", "Ben")]
    events = s.next(T0 + 90.0) + s.next(T0 + 150.0)
    assert [e.part for e in of(events, PartStarted)] == ["reflect", "confirm"]
    # The listener holds the floor to reflect, the speaker to confirm.
    assert [(e.speaker, e.to) for e in of(events, TurnStarted)] == [("Ben", "Ana"), ("Ana", "Ben")]
    snap = s.snapshot(T0 + 155.0)
    assert (snap.part, snap.speaker, snap.pair_speaker, snap.listener) == (
        "confirm",
        "Ana",
        "Ana",
        "Ben",
    )
    assert snap.ask == "Is that it?"
    events = s.do(Confirm(), T0 + 160.0)
    ended = of(events, PairEnded)[0]
    assert (ended.speaker, ended.listener, ended.confirmed, ended.loops) == ("Ana", "Ben", True, 1)
    step = of(events, StepEnded)[0]
    assert step.reason == "done"
    assert step.airtime == {"Ana": 100.0, "Ben": 60.0}


def test_more_sends_the_speaker_back_until_the_cap() -> None:
    s = session(exchange(pairs=1, max_loops=2), names=("Ana", "Ben"))
    s.start(T0)
    assert "not reflected yet" in refused(s.do(Confirm(), T0 + 5.0))
    assert refused(s.do(More(), T0 + 6.0)) == "Ana is speaking already"
    s.next(T0 + 10.0)  # Ben reflects
    events = s.do(More(), T0 + 20.0)
    assert [(e.part, e.loop) for e in of(events, PartStarted)] == [("speak", 2)]
    s.next(T0 + 30.0)  # Ben reflects again
    assert refused(s.do(More(), T0 + 40.0)) == (
        "Ben has reflected 2 times: confirm, or move on to the next pair"
    )
    ended = of(s.do(Confirm(), T0 + 41.0), PairEnded)[0]
    assert (ended.confirmed, ended.loops) == (True, 2)


def test_next_pair_ends_a_pair_unconfirmed() -> None:
    s = session(exchange(), names=("Ana", "Ben", "Cy"))
    s.start(T0)
    events = s.do(NextPair(), T0 + 30.0)
    assert [(e.speaker, e.confirmed) for e in of(events, PairEnded)] == [("Ana", False)]
    assert pairs_of(events) == [("Ben", "Ana")]
    assert s.snapshot(T0 + 30.0).heard == ()


def test_listener_speaks_next_and_everyone_is_heard() -> None:
    s = session(exchange(), names=("Ana", "Ben", "Cy", "Dee"))
    events = s.start(T0)
    t = 0.0
    while not of(events, StepEnded):
        t += 10.0
        events += s.next(T0 + t)
    # Ana to Ben; Ben answers Ana; then the next who has not spoken, to the next seat.
    assert pairs_of(events) == [("Ana", "Ben"), ("Ben", "Ana"), ("Cy", "Dee"), ("Dee", "Cy")]
    assert s.snapshot(T0 + t).phase == "ended"


def test_around_goes_round_the_circle_to_the_next_seat() -> None:
    s = session(exchange(next_pair="around", direction="counterclockwise"), names=("A", "B", "C"))
    events = s.start(T0)
    for i in range(1, 7):
        events += s.do(NextPair(), T0 + i)
    assert pairs_of(events) == [("A", "C"), ("C", "B"), ("B", "A")]


def test_the_speaker_chooses_the_listener_before_the_reflection() -> None:
    s = session(exchange(), names=("Ana", "Ben", "Cy", "Dee"))
    s.start(T0)
    assert (
        refused(s.do(Listener("Ana"), T0 + 1.0)) == "Ana is speaking; choose someone else to listen"
    )
    assert refused(s.do(Listener("Ben"), T0 + 2.0)) == "Ben is listening already"
    assert refused(s.do(Listener("Zed"), T0 + 3.0)) == "Zed is not in this circle"
    chosen = s.do(Listener("Dee"), T0 + 4.0)
    assert [(e.speaker, e.listener) for e in of(chosen, ListenerChosen)] == [("Ana", "Dee")]
    assert s.snapshot(T0 + 5.0).addressee == "Dee"
    reflect = s.next(T0 + 10.0)
    assert [e.speaker for e in of(reflect, TurnStarted)] == ["Dee"]
    assert refused(s.do(Listener("Cy"), T0 + 11.0)) == "Dee is listening in this pair already"
    # Dee was heard from; Dee speaks next, back to Ana.
    s.next(T0 + 20.0)
    assert pairs_of(s.do(Confirm(), T0 + 30.0)) == [("Dee", "Ana")]


def test_chosen_pairs_wait_for_a_pick() -> None:
    s = session(exchange(next_pair="chosen", pairs=2), names=("Ana", "Ben", "Cy"))
    events = s.start(T0)
    assert pairs_of(events) == []
    snap = s.snapshot(T0)
    assert snap.popcorn and snap.speaker is None and snap.part is None
    s.do(Listener("Cy"), T0 + 1.0)  # before anyone is picked: kept for the next speaker
    assert s.snapshot(T0 + 1.0).listener == "Cy"
    assert pairs_of(s.do(Pick("Ben"), T0 + 2.0)) == [("Ben", "Cy")]
    assert refused(s.do(Pick("Ana"), T0 + 3.0)) == "Ben and Cy are still in a pair"
    s.do(NextPair(), T0 + 10.0)
    assert pairs_of(s.do(Pick("Cy"), T0 + 11.0)) == [("Cy", "Ana")]
    ended = s.do(NextPair(), T0 + 20.0)
    assert of(ended, StepEnded)[0].reason == "done"


def test_other_exchanges_pick_nobody() -> None:
    s = session(exchange(), names=("Ana", "Ben", "Cy"))
    s.start(T0)
    assert "changes pairs by itself" in refused(s.do(Pick("Cy"), T0 + 1.0))
    assert refused(s.do(Undo(), T0 + 2.0)) == "nothing to undo"


def test_timed_parts_warn_and_run_over_softly() -> None:
    parts = {"speak": {"time": "2m", "warning": "30s"}, "reflect": {"time": "1m"}}
    s = session(exchange(parts=parts, warning_cue="chime"), names=("Ana", "Ben"))
    s.start(T0)
    events = s.advance(T0 + 150.0)
    assert [(e.t, e.speaker) for e in of(events, TurnWarning)] == [(90.0, "Ana")]
    assert [(e.t, e.sound) for e in of(events, BellDue)] == [(90.0, "chime")]
    assert [(e.t, e.hard) for e in of(events, TurnTimeUp)] == [(120.0, False)]
    assert s.snapshot(T0 + 150.0).turn_overtime == 30.0
    moved = s.next(T0 + 150.0)
    assert [(e.spoke, e.overtime) for e in of(moved, TurnEnded)] == [(150.0, 30.0)]


def test_the_whole_exchange_can_be_time_boxed() -> None:
    s = session(exchange(duration="5m", bells={"warning": "1m"}), {"kind": "read", "text": "x"})
    s.start(T0)
    events = s.advance(T0 + 400.0)
    assert [(e.t, e.reason) for e in of(events, StepEnded)] == [(300.0, "time")]
    assert [(e.t, e.reason) for e in of(events, BellDue)] == [(240.0, "warning")]


def test_exchange_needs_two_people() -> None:
    s = session(
        exchange(only=["speaker"]), {"kind": "read", "text": "x"}, holders={"speaker": ("Ana",)}
    )
    events = s.start(T0)
    assert [(e.index, e.reason) for e in of(events, StepEnded)] == [(0, "done")]
    assert s.snapshot(T0).step_kind == "read"


def test_roles_start_and_listen_first() -> None:
    s: Session = session(
        exchange(first="initiator", listener="receiver"),
        holders={"initiator": ("Cy",), "receiver": ("Ana",)},
    )
    assert pairs_of(s.start(T0)) == [("Cy", "Ana")]
