"""Consent rounds: responses in turn, rounds after objections, a cap and ways out; the
decision is one event with every round's responses."""

from __future__ import annotations

from typing import Any

from circlekeeper.engine.commands import Decide, Pass, Respond, Skip, Undo
from circlekeeper.engine.events import (
    ConsentRoundEnded,
    DecisionMade,
    LapStarted,
    ResponseGiven,
    StepEnded,
    TurnStarted,
)
from circlekeeper.engine.session import Session

from .helpers import T0, of, refused, session


def consent(**fields: Any) -> dict[str, Any]:
    return {"kind": "consent", "proposal": "We buy a bell", "prompt": "Consent?", **fields}


def answer(s: Session, t: float, *responses: tuple[str, str]) -> list[Any]:
    events: list[Any] = []
    for who, response in responses:
        t += 10.0
        events += s.do(Respond(who, response), T0 + t)
    return events


def test_everyone_consents_in_turn() -> None:
    s = session(consent(), {"kind": "read", "text": "x"}, names=("Ana", "Ben", "Cy"))
    events = s.start(T0)
    assert of(events, LapStarted)[0].prompt == "Consent?"
    assert s.snapshot(T0).step_text == "We buy a bell"
    assert s.snapshot(T0).ask == "Consent?"
    events = answer(s, 0.0, ("Ana", "consent"), ("Ben", "concern"), ("Cy", "stand-aside"))
    assert [(e.who, e.response, e.round) for e in of(events, ResponseGiven)] == [
        ("Ana", "consent", 1),
        ("Ben", "concern", 1),
        ("Cy", "stand-aside", 1),
    ]
    assert [e.speaker for e in of(events, TurnStarted)] == ["Ben", "Cy"]
    decision = of(events, DecisionMade)[0]
    assert (decision.result, decision.rounds, decision.proposal) == ("consent", 1, "We buy a bell")
    assert decision.responses == ({"Ana": "consent", "Ben": "concern", "Cy": "stand-aside"},)
    assert of(events, StepEnded)[0].reason == "done"


def test_objections_are_amended_and_the_round_goes_again() -> None:
    s = session(consent(), names=("Ana", "Ben", "Cy"))
    s.start(T0)
    events = answer(s, 0.0, ("Ana", "consent"), ("Ben", "objection"), ("Cy", "consent"))
    ended = of(events, ConsentRoundEnded)[0]
    assert (ended.round, ended.objections) == (1, ("Ben",))
    snap = s.snapshot(T0 + 40.0)
    assert snap.amending and snap.speaker is None and snap.responses["Ben"] == "objection"
    assert refused(s.do(Respond("Ana", "consent"), T0 + 50.0)).startswith(
        "this consent round is over"
    )
    again = s.next(T0 + 200.0)
    assert [(e.lap, e.order) for e in of(again, LapStarted)] == [(2, ("Ana", "Ben", "Cy"))]
    events = answer(s, 200.0, ("Ana", "consent"), ("Ben", "consent"), ("Cy", "consent"))
    decision = of(events, DecisionMade)[0]
    assert (decision.result, decision.rounds) == ("consent", 2)


def test_objections_after_the_last_round_are_no_consent() -> None:
    s = session(consent(max_rounds=1, responses=["consent", "objection"]), names=("Ana", "Ben"))
    s.start(T0)
    assert "not a response here" in refused(s.do(Respond("Ana", "concern"), T0 + 1.0))
    events = answer(s, 0.0, ("Ana", "objection"), ("Ben", "consent"))
    assert [(e.result, e.rounds) for e in of(events, DecisionMade)] == [("no-consent", 1)]


def test_responses_come_in_turn_and_can_be_changed_or_undone() -> None:
    s = session(consent(), names=("Ana", "Ben", "Cy"))
    s.start(T0)
    assert refused(s.next(T0 + 1.0)) == "waiting for Ana's response"
    assert refused(s.do(Respond("Cy", "consent"), T0 + 2.0)) == "Cy's turn has not come yet"
    assert refused(s.do(Respond("Zed", "consent"), T0 + 3.0)) == "Zed is not in this circle"
    assert refused(s.do(Pass(), T0 + 4.0)).startswith("nobody passes in a consent round")
    answer(s, 4.0, ("Ana", "consent"))
    # Ana thinks again while Ben holds the stick; Ben keeps it.
    changed = s.do(Respond("Ana", "concern"), T0 + 20.0)
    assert [e.response for e in of(changed, ResponseGiven)] == ["concern"]
    assert s.snapshot(T0 + 20.0).speaker == "Ben"
    assert (
        refused(s.do(Respond("Ana", "concern"), T0 + 21.0)) == "Ana consents with a concern already"
    )
    s.do(Respond("Ben", "objection"), T0 + 30.0)
    undone = s.do(Undo(), T0 + 31.0)
    assert [e.speaker for e in of(undone, TurnStarted)] == ["Ben"]
    assert "Ben" not in s.snapshot(T0 + 31.0).responses


def test_the_facilitator_can_end_it_as_amend_and_return() -> None:
    s = session(consent(), {"kind": "read", "text": "x"}, names=("Ana", "Ben", "Cy"))
    s.start(T0)
    answer(s, 0.0, ("Ana", "objection"))
    assert "can be ended as" in refused(s.do(Decide("consent"), T0 + 15.0))
    events = s.do(Decide("amend-and-return"), T0 + 20.0)
    decision = of(events, DecisionMade)[0]
    assert (decision.result, decision.responses) == ("amend-and-return", ({"Ana": "objection"},))
    assert of(events, StepEnded)[0].reason == "done"


def test_a_skipped_consent_round_is_undecided() -> None:
    s = session(consent(), {"kind": "read", "text": "x"}, names=("Ana", "Ben"))
    s.start(T0)
    events = s.do(Skip(), T0 + 5.0)
    assert [(e.result, e.rounds) for e in of(events, DecisionMade)] == [("undecided", 0)]
    assert "responses are for consent rounds" in refused(s.do(Respond("Ana", "consent"), T0 + 6.0))


def test_a_time_box_ends_it_undecided() -> None:
    s = session(consent(duration="2m"), names=("Ana", "Ben"))
    s.start(T0)
    s.do(Respond("Ana", "consent"), T0 + 10.0)
    events = s.advance(T0 + 200.0)
    decision = of(events, DecisionMade)[0]
    assert (decision.t, decision.result, decision.responses) == (
        120.0,
        "undecided",
        ({"Ana": "consent"},),
    )


def test_only_some_take_part_and_the_keeper_starts() -> None:
    s = session(
        consent(without=["observer"], start="keeper-first"),
        keeper_role="host",
        holders={"observer": ("Ben",), "host": ("Cy",)},
    )
    assert of(s.start(T0), LapStarted)[0].order == ("Cy", "Dee", "Ana")
