"""Rounds: who starts, the order, turns, warnings, passing, laps and popcorn."""

from __future__ import annotations

from typing import Any

import pytest

from circlekeeper.engine.events import (
    BellDue,
    Event,
    LapStarted,
    Passed,
    PromptDue,
    StepEnded,
    StepStarted,
    TurnEnded,
    TurnStarted,
    TurnTimeUp,
    TurnWarning,
)
from circlekeeper.engine.session import Session
from circlekeeper.engine.stick import MAX_LAPS

from .helpers import T0, names, of, refused, round_step, session, speakers


def run_through(s: Session, t: float = 0.0, step: float = 10.0) -> list[Event]:
    """Start and press next every `step` seconds until the first step is over."""
    events = s.start(T0 + t)
    while not of(events, StepEnded):
        t += step
        events += s.next(T0 + t)
    return events


def lap_order(**fields: Any) -> tuple[str, ...]:
    s = session(round_step(**fields))
    return of(s.start(T0), LapStarted)[0].order


def test_fixed_round_from_the_first_seat() -> None:
    events = run_through(session(round_step()))
    assert speakers(events) == ["Ana", "Ben", "Cy", "Dee"]
    assert of(events, StepEnded)[0].reason == "done"


def test_counterclockwise_goes_the_other_way_round() -> None:
    assert lap_order(direction="counterclockwise") == ("Ana", "Dee", "Cy", "Ben")


def test_random_starter_is_seeded_and_keeps_circle_order() -> None:
    first = of(session(round_step(start="random"), seed=7).start(T0), LapStarted)[0].order
    again = of(session(round_step(start="random"), seed=7).start(T0), LapStarted)[0].order
    assert first == again
    i = ("Ana", "Ben", "Cy", "Dee").index(first[0])
    assert first == (("Ana", "Ben", "Cy", "Dee") * 2)[i : i + 4]
    starters = {
        of(session(round_step(start="random"), seed=n).start(T0), LapStarted)[0].order[0]
        for n in range(20)
    }
    assert len(starters) > 1


def test_rotate_per_lap_moves_the_starter_one_seat_each_lap() -> None:
    s = session(round_step(start="rotate-per-lap", laps=3))
    events = s.start(T0)
    assert (s.snapshot(T0).lap, s.snapshot(T0).laps) == (1, 3)
    for t in range(1, 13):
        events += s.next(T0 + (float(t)))
    assert [lap.order[0] for lap in of(events, LapStarted)] == ["Ana", "Ben", "Cy"]


def test_rotate_per_meeting_uses_the_meeting_number() -> None:
    for meeting, starter in [(0, "Ana"), (1, "Ben"), (5, "Ben")]:
        s = session(round_step(start="rotate-per-meeting"), meeting=meeting)
        assert of(s.start(T0), LapStarted)[0].order[0] == starter


def test_keeper_first_starts_with_the_keeper_else_the_first_seat() -> None:
    roles = [{"id": "host", "name": "Host"}]
    s = session(round_step(start="keeper-first"), keeper_role="host", roles=roles)
    assert of(s.start(T0), LapStarted)[0].order[0] == "Ana"  # nobody holds it
    s = session(
        round_step(start="keeper-first"), keeper_role="host", roles=roles, holders={"host": ("Cy",)}
    )
    assert of(s.start(T0), LapStarted)[0].order == ("Cy", "Dee", "Ana", "Ben")


def test_role_starter_and_end_with_role() -> None:
    roles = {"host": ("Ben",), "giver": ("Cy",)}
    s = session(round_step(start="role", start_role="host", end_with="giver"), holders=roles)
    assert of(s.start(T0), LapStarted)[0].order == ("Ben", "Dee", "Ana", "Cy")


def test_only_roles_speak() -> None:
    s = session(round_step(only=["coach"]), holders={"coach": ("Ben", "Dee")})
    assert speakers(run_through(s)) == ["Ben", "Dee"]


def test_roles_that_do_not_speak_are_left_out() -> None:
    roles = [{"id": "keeper", "name": "Time", "speaks": False, "assign": "first"}]
    s = session(round_step(), roles=roles)
    assert speakers(run_through(s)) == ["Ben", "Cy", "Dee"]


def test_a_round_nobody_may_speak_in_ends_at_once() -> None:
    s = session(round_step(only=["nobody"]), {"kind": "read", "text": "x"})
    events = s.start(T0)
    assert [(e.index, e.reason) for e in of(events, StepEnded)] == [(0, "done")]
    assert of(events, StepStarted)[-1].kind == "read"


def test_for_each_binds_its_role_for_inner_rounds() -> None:
    s = session(
        {
            "kind": "for-each",
            "as": "giver",
            "steps": [round_step(end_with="giver"), round_step(only=["giver"])],
        },
        names=("Ana", "Ben", "Cy"),
    )
    events = s.start(T0)
    for t in range(1, 30):
        events += s.next(T0 + (float(t)))
    orders = [lap.order for lap in of(events, LapStarted)]
    assert orders == [
        ("Ben", "Cy", "Ana"),
        ("Ana",),
        ("Ana", "Cy", "Ben"),
        ("Ben",),
        ("Ana", "Ben", "Cy"),
        ("Cy",),
    ]


def test_quietest_first_orders_by_airtime_then_seat() -> None:
    s = session(round_step(), round_step(order="quietest-first"))
    s.start(T0)
    s.next(T0 + 50.0)  # Ana 50
    s.next(T0 + 60.0)  # Ben 10
    s.next(T0 + 90.0)  # Cy 30
    events = s.next(T0 + 190.0)  # Dee 100
    assert of(events, LapStarted)[0].order == ("Ben", "Cy", "Ana", "Dee")


def test_popcorn_waits_for_a_pick_after_every_turn() -> None:
    s = session(round_step(order="popcorn"))
    events = s.start(T0)
    assert speakers(events) == []
    snap = s.snapshot(T0)
    assert snap.popcorn and snap.speaker is None
    assert speakers(s.pick("Cy", T0 + 5.0)) == ["Cy"]
    # Cy is done: nobody holds the stick until the facilitator picks.
    ended = s.next(T0 + 20.0)
    assert speakers(ended) == [] and of(ended, TurnEnded)[0].speaker == "Cy"
    assert s.snapshot(T0 + 20.0).speaker is None
    assert refused(s.pick("Cy", T0 + 25.0)) == "Cy has already spoken in this lap"
    # A later pick costs nobody their turn: Ana, next in the circle, still waits.
    assert speakers(s.pick("Dee", T0 + 30.0)) == ["Dee"]
    s.next(T0 + 40.0)
    assert s.snapshot(T0 + 40.0).queue == ("Ana", "Ben")
    # Next with nobody holding the stick hands it on in circle order.
    assert speakers(s.next(T0 + 45.0)) == ["Ana"]
    s.next(T0 + 50.0)
    assert speakers(s.pick("Ben", T0 + 55.0)) == ["Ben"]
    assert of(s.next(T0 + 60.0), StepEnded)[0].reason == "done"


def test_pick_in_a_fixed_round_jumps_someone_forward() -> None:
    s = session(round_step())
    s.start(T0)
    assert speakers(s.pick("Dee", T0 + 10.0)) == ["Dee"]
    assert s.snapshot(T0 + 10.0).queue == ("Ben", "Cy")
    assert refused(s.pick("Nobody", T0 + 11.0)) == "Nobody is not in this circle"
    assert refused(s.pick("Dee", T0 + 12.0)) == "Dee holds the stick already"


def test_timed_turn_with_warning_and_soft_end() -> None:
    s = session(round_step(turn={"time": "2m", "warning": "30s", "end_cue": "gong"}))
    s.start(T0)
    events = s.advance(T0 + 200.0)
    warning = of(events, TurnWarning)[0]
    assert (warning.t, warning.speaker, warning.remaining) == (90.0, "Ana", 30.0)
    bells = [(e.t, e.sound, e.reason) for e in of(events, BellDue)]
    assert bells == [(90.0, "warning", "warning"), (120.0, "gong", "time-up")]
    up = of(events, TurnTimeUp)[0]
    assert (up.t, up.hard) == (120.0, False)
    snap = s.snapshot(T0 + 200.0)
    assert snap.speaker == "Ana" and snap.turn_remaining == 0.0 and snap.turn_overtime == 80.0
    ended = of(s.next(T0 + 200.0), TurnEnded)[0]
    assert (ended.spoke, ended.overtime) == (200.0, 80.0)
    assert s.snapshot(T0 + 200.0).overtime["Ana"] == 80.0


def test_hard_end_moves_the_stick_on_by_itself() -> None:
    s = session(round_step(turn={"time": "1m", "end": "hard"}), {"kind": "read", "text": "x"})
    s.start(T0)
    events = s.advance(T0 + 1000.0)
    assert [(e.t, e.speaker) for e in of(events, TurnStarted)] == [
        (60.0, "Ben"),
        (120.0, "Cy"),
        (180.0, "Dee"),
    ]
    assert all(e.hard for e in of(events, TurnTimeUp))
    assert [(e.t, e.reason) for e in of(events, StepEnded)] == [(240.0, "done")]
    assert all(e.overtime == 0.0 for e in of(events, TurnEnded))


def test_budget_is_shared_by_the_speakers_of_the_lap() -> None:
    s = session(round_step(turn={"budget": "8m"}))
    assert of(s.start(T0), TurnStarted)[0].allowed == 120.0
    s = session(round_step(turn={"budget": {"per_person": "1m"}, "warning": "10s"}))
    assert of(s.start(T0), TurnStarted)[0].allowed == 60.0
    assert of(s.advance(T0 + 55.0), TurnWarning)[0].t == 50.0


def test_passing_to_end_returns_once_then_done() -> None:
    s = session(round_step(), names=("Ana", "Ben", "Cy"))
    s.start(T0)
    first = s.pass_stick(T0 + 5.0)
    assert [(e.speaker, e.again) for e in of(first, Passed)] == [("Ana", True)]
    assert speakers(first) == ["Ben"]
    assert s.snapshot(T0 + 5.0).queue == ("Cy", "Ana")
    assert s.snapshot(T0 + 5.0).passed == ("Ana",)
    s.next(T0 + 10.0)  # Ben
    s.next(T0 + 20.0)  # Cy
    again = s.pass_stick(T0 + 25.0)  # Ana passes a second time: done for this lap
    assert [(e.speaker, e.again) for e in of(again, Passed)] == [("Ana", False)]
    assert of(again, StepEnded)[0].reason == "done"


def test_passing_skip_and_not_allowed() -> None:
    s = session(round_step(passing="skip"), names=("Ana", "Ben"))
    s.start(T0)
    events = s.pass_stick(T0 + 5.0)
    assert [(e.speaker, e.again) for e in of(events, Passed)] == [("Ana", False)]
    assert s.snapshot(T0 + 5.0).queue == ()
    s = session(round_step(passing="not-allowed"), names=("Ana", "Ben"))
    s.start(T0)
    assert refused(s.pass_stick(T0 + 5.0)) == "passing is not allowed in this round"
    assert s.snapshot(T0 + 5.0).speaker == "Ana"


def test_pass_outside_a_round_does_nothing() -> None:
    s = session({"kind": "read", "text": "x"})
    s.start(T0)
    assert refused(s.pass_stick(T0 + 1.0)) == "passing is only for rounds"


def test_laps_with_a_prompt_per_lap() -> None:
    s = session({"kind": "round", "prompts": ["First?", "Second?"]}, names=("Ana", "Ben"))
    events = run_through(s)
    laps = of(events, LapStarted)
    assert [(lap.lap, lap.prompt) for lap in laps] == [(1, "First?"), (2, "Second?")]

    assert [p.text for p in of(events, PromptDue)] == ["First?", "Second?"]
    assert speakers(events) == ["Ana", "Ben", "Ana", "Ben"]
    assert of(events, StepStarted)[0].text == "First?"


def test_until_all_pass_keeps_lapping_until_a_whole_lap_passes() -> None:
    s = session(round_step(until="all-pass", passing="skip"), names=("Ana", "Ben"))
    s.start(T0)
    assert (s.snapshot(T0).lap, s.snapshot(T0).laps) == (1, None)
    s.next(T0 + 10.0)
    s.pass_stick(T0 + 15.0)  # lap 1: Ana spoke, Ben passed
    s.pass_stick(T0 + 20.0)  # lap 2: Ana passes...
    events = s.next(T0 + 30.0)  # ...Ben speaks: not a whole lap of passes
    assert of(events, LapStarted)[0].lap == 3
    s.pass_stick(T0 + 35.0)
    events = s.pass_stick(T0 + 40.0)
    assert [(e.reason, e.t) for e in of(events, StepEnded)] == [("all-pass", 40.0)]


def test_until_all_pass_stops_after_the_lap_cap() -> None:
    s = session(round_step(until="all-pass"), names=("Ana",))
    events = s.start(T0)
    t = 0.0
    while not of(events, StepEnded):
        t += 1.0
        events += s.next(T0 + t)
    assert len(of(events, LapStarted)) == MAX_LAPS
    assert of(events, StepEnded)[0].reason == "done"


def test_circle_of_one_runs_a_round() -> None:
    events = run_through(session(round_step(laps=2), names=("Solo",)))
    assert speakers(events) == ["Solo", "Solo"]


@pytest.mark.parametrize("order", ["fixed", "quietest-first", "popcorn"])
def test_nobody_speaks_twice_in_a_lap(order: str) -> None:
    events = run_through(session(round_step(order=order, laps=3)))
    turns = speakers(events)
    assert len(turns) == 12
    for lap in range(3):
        assert sorted(turns[lap * 4 : lap * 4 + 4]) == ["Ana", "Ben", "Cy", "Dee"]
    assert "passed" not in names(events)


def test_random_starter_is_drawn_once_per_round() -> None:
    s = session(round_step(start="random", laps=3), seed=12)
    events = s.start(T0)
    for t in range(1, 13):
        events += s.next(T0 + (float(t)))
    orders = {lap.order for lap in of(events, LapStarted)}
    assert len(orders) == 1


def test_a_timed_round_forecasts_its_end_on_the_wall_clock() -> None:
    s = session(round_step(laps=2, turn={"time": "1m"}), names=("Ana", "Ben", "Cy"))
    s.start(T0)
    # Ana's minute, Ben and Cy in this lap, then three more turns in the second lap.
    first = s.snapshot(T0, wall=1000.0)
    assert first.step_ends_estimated and first.step_ends_wall == 1000.0 + 6 * 60
    # Used as given, the forecast holds still as time passes.
    s.advance(T0 + 20.0)
    assert s.snapshot(T0 + 20.0, wall=1020.0).step_ends_wall == 1360.0
    # Ana finishes 40 s early and Ben passes at once: he comes back at the end of the lap,
    # and the forecast moves 39 s earlier.
    s.next(T0 + 20.0)
    s.pass_stick(T0 + 21.0)
    later = s.snapshot(T0 + 21.0, wall=1021.0)
    assert later.speaker == "Cy" and later.queue == ("Ben",)
    assert later.step_ends_wall == 1021.0 + 60 + 60 + 3 * 60 == 1360.0 - 39


def test_the_main_timer_is_the_turn_and_ends_with_it() -> None:
    s = session(round_step(laps=2, turn={"time": "1m", "end": "soft"}), names=("Ana", "Ben"))
    s.start(T0)
    snap = s.snapshot(T0 + 15.0, wall=1015.0)
    # The timer counts Ana's turn: its end is hers, exact; the round's forecast stays apart.
    assert (snap.timer, snap.timer_remaining) == ("turn", 45.0)
    assert snap.timer_ends_wall == 1060.0 and not snap.timer_ends_estimated
    assert snap.step_ends_wall == 1015.0 + 45 + 3 * 60 and snap.step_ends_estimated
    # Past a soft end the turn's end has gone by: the timer counts overtime, no end.
    over = s.snapshot(T0 + 70.0, wall=1070.0)
    assert over.timer == "turn" and over.turn_overtime == 10.0 and over.timer_ends_wall is None
    # Paused, the end moves on with the wall clock: it is shown right after.
    s.pause(T0 + 20.0)
    held = s.snapshot(T0 + 320.0, wall=1320.0)
    assert held.timer_remaining == 40.0 and held.timer_ends_wall == 1360.0


def test_a_timed_step_is_the_main_timer_and_nothing_untimed_is() -> None:
    s = session(
        {"kind": "silence", "title": "Quiet", "duration": "2m"},
        {"kind": "read", "title": "Words", "text": "Welcome."},
    )
    s.start(T0)
    snap = s.snapshot(T0 + 30.0, wall=1030.0)
    assert (snap.timer, snap.timer_remaining, snap.timer_ends_wall) == ("step", 90.0, 1120.0)
    s.next(T0 + 31.0)
    untimed = s.snapshot(T0 + 32.0, wall=1032.0)
    assert untimed.timer is None and untimed.timer_ends_wall is None


def test_untimed_and_popcorn_rounds_forecast_nothing() -> None:
    for fields in ({}, {"order": "popcorn", "turn": {"time": "1m"}}):
        s = session(round_step(**fields))
        s.start(T0)
        snap = s.snapshot(T0 + 5.0, wall=1005.0)
        assert snap.step_ends_wall is None and not snap.step_ends_estimated


@pytest.mark.parametrize("passing", ["to-end", "skip"])
def test_a_lap_of_passes_needs_one_pass_from_each(passing: str) -> None:
    s = session(round_step(until="all-pass", passing=passing), names=("Ana", "Ben", "Cy"))
    s.start(T0)
    for t in (10.0, 20.0, 30.0):
        s.next(T0 + t)  # lap 1: everyone speaks
    events = s.pass_stick(T0 + 31.0) + s.pass_stick(T0 + 32.0)
    assert not of(events, StepEnded)
    events = s.pass_stick(T0 + 33.0)
    # Passing to the end would bring Ana back: not when everyone has passed once.
    assert [(e.reason, e.t) for e in of(events, StepEnded)] == [("all-pass", 33.0)]
    assert len(of(events, Passed)) == 1


def test_all_pass_is_capped_by_the_prompts_given() -> None:
    s = session(
        {"kind": "round", "prompts": ["First?", "Second?"], "until": "all-pass"},
        names=("Ana", "Ben"),
    )
    events = s.start(T0)
    for t in range(1, 5):
        events += s.next(T0 + t)
    # Both laps were spoken: no third lap, and never one without a prompt.
    assert [lap.prompt for lap in of(events, LapStarted)] == ["First?", "Second?"]
    assert of(events, StepEnded)[0].reason == "done"
    s = session(round_step(until="all-pass", laps=3), names=("Ana",))
    events = s.start(T0)
    for t in range(1, 5):
        events += s.next(T0 + t)
    assert len(of(events, LapStarted)) == 3


def test_time_before_a_pass_is_not_speaking_time() -> None:
    s = session(round_step(turn={"time": "1m"}), names=("Ana", "Ben"))
    s.start(T0)
    events = s.pass_stick(T0 + 40.0)
    assert [(e.speaker, e.spoke, e.overtime) for e in of(events, TurnEnded)] == [("Ana", 0.0, 0.0)]
    events = s.next(T0 + 70.0) + s.advance(T0 + 100.0) + s.next(T0 + 100.0)
    assert s.snapshot(T0 + 100.0).airtime == {"Ana": 30.0, "Ben": 30.0}


def test_a_round_can_be_time_boxed_as_a_whole() -> None:
    box = round_step(
        duration="5m",
        laps=3,
        turn={"time": "1m"},
        bells={"halfway": "chime", "warning": "1m", "end": "bowl"},
    )
    s = session(box, {"kind": "read", "text": "x"})
    s.start(T0)
    snap = s.snapshot(T0 + 30.0)
    assert snap.step_remaining == 270.0 and snap.turn_remaining == 30.0
    events = s.advance(T0 + 400.0)
    assert [(e.t, e.reason) for e in of(events, BellDue) if e.reason != "time-up"] == [
        (150.0, "halfway"),
        (240.0, "warning"),
        (300.0, "end"),
    ]
    assert [(e.t, e.reason) for e in of(events, StepEnded)] == [(300.0, "time")]
    # The turn that was under way when time ran out is closed with the step.
    assert of(events, TurnEnded)[-1].t == 300.0


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ({"to": "next-seat"}, ["Ben", "Cy", "Dee", "Ana"]),
        ({"to": "previous-seat"}, ["Dee", "Ana", "Ben", "Cy"]),
    ],
)
def test_a_turn_names_its_addressee(to: dict[str, str], expected: list[str]) -> None:
    events = run_through(session(round_step(addressee=to)))
    assert [e.to for e in of(events, TurnStarted)] == expected


def test_the_addressee_is_a_role_and_can_be_spoken() -> None:
    addressee = {"to": "role", "role": "giver", "text": "the case giver", "speak": True}
    s = session(round_step(addressee=addressee, speak=False), holders={"giver": ("Cy",)})
    events = s.start(T0)
    assert [(e.speaker, e.to) for e in of(events, TurnStarted)] == [("Ana", "Cy")]
    assert [p.text for p in of(events, PromptDue)] == ["the case giver"]
    assert s.snapshot(T0).addressee == "Cy"
    s.next(T0 + 10.0)
    # The giver speaks to nobody in particular: the role has nobody else.
    assert [(e.speaker, e.to) for e in of(s.next(T0 + 20.0), TurnStarted)] == [("Cy", None)]


def test_everyone_but_the_focus() -> None:
    s = session(
        {"kind": "for-each", "steps": [round_step(without=["focus"])]}, names=("Ana", "Ben", "Cy")
    )
    events = s.start(T0)
    for t in range(1, 7):
        events += s.next(T0 + t)
    assert [lap.order for lap in of(events, LapStarted)] == [
        ("Ben", "Cy"),
        ("Ana", "Cy"),
        ("Ana", "Ben"),
    ]
