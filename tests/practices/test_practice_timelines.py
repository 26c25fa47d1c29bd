"""Built-in practices rehearsed with what a facilitator does in them (the actions files
beside this test: people pass, are picked, object, add more, ask to speak, pause), and the
key points of each timeline held against the practice's source."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.actions import load_actions
from circlekeeper.engine.events import (
    BellDue,
    ConsentRoundEnded,
    DecisionMade,
    Event,
    LapStarted,
    PairEnded,
    PairStarted,
    Passed,
    Paused,
    Refused,
    Resumed,
    SessionEnded,
    StackChanged,
    StepEnded,
    StepStarted,
    TurnEnded,
    TurnStarted,
    TurnTimeUp,
    TurnWarning,
)
from circlekeeper.engine.rehearse import simulate
from circlekeeper.script.loader import load_practice

HERE = Path(__file__).resolve().parent
PRACTICES = HERE.parents[1] / "practices"
E = TypeVar("E", bound=Event)


def of(events: list[Event], kind: type[E]) -> list[E]:
    """The events of one kind, in order."""
    return [e for e in events if isinstance(e, kind)]


def rehearse(
    name: str, people: Sequence[str], roles: Mapping[str, Sequence[str]] | None = None
) -> list[Event]:
    """A built-in practice rehearsed with its actions file; nothing may be refused."""
    practice = load_practice(PRACTICES / f"{name}.yaml")
    plan = plan_circle(practice, tuple(people), given_roles=roles, seed=1)
    events = simulate(Session(practice, plan), load_actions(HERE / "actions" / f"{name}.yaml"))
    assert isinstance(events[-1], SessionEnded) and events[-1].reason == "done"
    assert not of(events, Refused), of(events, Refused)
    return events


def speakers(events: list[Event], step: str) -> list[str]:
    """Who held the stick during the step titled `step`, in order."""
    inside = False
    found: list[str] = []
    for event in events:
        if isinstance(event, StepStarted):
            inside = event.title == step
        elif inside and isinstance(event, TurnStarted):
            found.append(event.speaker)
    return found


def ended(events: list[Event], title: str) -> StepEnded:
    """How the step titled `title` ended."""
    started = next(e for e in of(events, StepStarted) if e.title == title)
    return next(e for e in of(events, StepEnded) if e.index == started.index)


def test_every_actions_file_belongs_to_a_practice_and_is_rehearsed_here() -> None:
    files = {path.stem for path in (HERE / "actions").glob("*.yaml")}
    assert files <= {path.stem for path in PRACTICES.glob("*.yaml")}
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals()}
    assert files <= tested


def test_check_in() -> None:
    events = rehearse("check-in", ("Ana", "Ben", "Cy", "Dee"))
    # The host starts; Ben passes and speaks at the end of the round.
    assert speakers(events, "Check-in") == ["Ana", "Ben", "Cy", "Dee", "Ben"]
    assert [(e.speaker, e.again) for e in of(events, Passed)] == [("Ben", True)]
    airtime = of(events, SessionEnded)[0].airtime
    assert airtime["Ben"] == 120.0 and airtime["Dee"] == 15.0
    # The gentle tone half a minute before the end of each full turn, and the bowl after.
    warnings = of(events, TurnWarning)
    assert [(w.speaker, w.remaining) for w in warnings] == [("Cy", 30.0), ("Ben", 30.0)]
    end = of(events, StepEnded)[-1]
    assert [(b.t, b.sound, b.reason) for b in of(events, BellDue)][-1] == (end.t, "bowl", "end")


def test_consent_decision() -> None:
    roles = {"facilitator": ["Ana"], "proposer": ["Cy"], "secretary": ["Dee"]}
    events = rehearse("consent-decision", ("Ana", "Ben", "Cy", "Dee", "Eli"), roles)
    # Rounds, not popcorn, the facilitator last; Dee has no question.
    assert speakers(events, "Clarifying questions") == ["Ben", "Cy", "Dee", "Eli", "Ana"]
    assert [(e.speaker, e.again) for e in of(events, Passed)] == [("Dee", False)]
    # Quick reactions: one breath each, the stick moving on by itself.
    ups = [e for e in of(events, TurnTimeUp) if e.hard]
    assert [e.speaker for e in ups] == ["Ben", "Cy", "Dee", "Eli", "Ana"]
    assert speakers(events, "Amend the proposal") == ["Cy"]
    rounds = of(events, ConsentRoundEnded)
    assert [(r.round, r.objections) for r in rounds] == [(1, ("Eli",)), (2, ())]
    assert set(rounds[0].responses.values()) == {"consent", "objection"}
    decision = of(events, DecisionMade)[0]
    assert (decision.result, decision.rounds) == ("consent", 2)
    assert [e.title for e in of(events, StepStarted)][-1] == "The decision"


def test_restorative_circle() -> None:
    events = rehearse("restorative-circle", ("Ana", "Ben", "Cy", "Dee"), {"facilitator": ["Ana"]})
    pairs = of(events, PairEnded)
    # Mutual comprehension: Ben chose Dee, added a point after her first reflection and was
    # heard at the second; then whoever listened spoke, until everyone had been heard.
    assert (pairs[0].speaker, pairs[0].listener, pairs[0].loops, pairs[0].confirmed) == (
        "Ben",
        "Dee",
        2,
        True,
    )
    first_stage = [(p.speaker, p.listener) for p in pairs[:3]]
    assert first_stage == [("Ben", "Dee"), ("Dee", "Ben"), ("Cy", "Dee")]
    assert of(events, PairStarted)[0].listener == "Cy"  # before Ben chose
    # The facilitator holds the circle and never speaks in it.
    assert of(events, SessionEnded)[0].airtime["Ana"] == 0.0
    assert "Ana" not in {e.speaker for e in of(events, TurnStarted)}
    # Offers, then requests; Ben passed and offered at the end of the lap.
    laps = [lap.prompt for lap in of(events, LapStarted)]
    assert "What would you like to offer?" in laps and "What would you like to ask for?" in laps
    assert speakers(events, "Offers and requests")[:4] == ["Ben", "Cy", "Dee", "Ben"]
    rounds = of(events, ConsentRoundEnded)
    assert [(r.round, r.objections) for r in rounds] == [(1, ("Cy",)), (2, ())]
    titles = [e.title for e in of(events, StepStarted)]
    assert titles == [
        "Opening",
        "Mutual comprehension",
        "Self-responsibility",
        "Offers and requests",
        "Agreed action",
        "How we leave",
        "Until the post-circle",
    ]


def test_clearing_conversation() -> None:
    events = rehearse("clearing-conversation", ("Ana", "Ben"))
    pairs = of(events, PairEnded)
    # Facts, story, feelings, wants, own part: each said back until there is no more.
    assert [(p.speaker, p.listener) for p in pairs] == [("Ana", "Ben")] * 5
    assert [p.loops for p in pairs] == [2, 3, 1, 1, 1]
    assert all(p.confirmed for p in pairs)
    assert speakers(events, "A positive intention") == ["Ana"]
    assert speakers(events, "Appreciation") == ["Ben", "Ana"]


def test_nvc_dyad() -> None:
    events = rehearse("nvc-dyad", ("Ana", "Ben"))
    assert [(p.speaker, p.listener, p.loops) for p in of(events, PairEnded)] == [
        ("Ana", "Ben", 2),
        ("Ben", "Ana", 1),
    ]
    speaking = [e for e in of(events, TurnStarted) if e.allowed == 180.0]
    assert [e.speaker for e in speaking] == ["Ana", "Ana", "Ben"]
    guesses = [e for e in of(events, TurnStarted) if e.allowed == 90.0]
    assert [e.speaker for e in guesses] == ["Ben", "Ben", "Ana"]
    # The gentle tone half a minute before each speaking time is up.
    assert [w.remaining for w in of(events, TurnWarning)] == [30.0, 30.0, 30.0]


def test_insight_sit() -> None:
    events = rehearse("insight-sit", ("Ana", "Ben", "Cy", "Dee"))
    sit = next(e for e in of(events, StepStarted) if e.kind == "sit")
    sit_end = next(e for e in of(events, StepEnded) if e.index == sit.index)
    bells = [(b.t, b.sound, b.strikes, b.reason) for b in of(events, BellDue)]
    assert (sit.t, "bowl", 1, "start") in bells
    assert (sit_end.t, "bowl", 3, "end") in bells and sit_end.t - sit.t == 30 * 60
    # Whoever is moved speaks; Dee passes and is not asked again.
    assert speakers(events, "Sharing") == ["Cy", "Ana", "Dee", "Ben"]
    assert [(e.speaker, e.again) for e in of(events, Passed)] == [("Dee", False)]
    assert of(events, SessionEnded)[0].airtime["Dee"] == 0.0


def test_circle_way_council() -> None:
    events = rehearse("circle-way-council", ("Ana", "Ben", "Cy", "Dee"))
    paused, resumed = of(events, Paused)[0], of(events, Resumed)[0]
    assert resumed.paused_for == 60.0 and resumed.t - paused.t == 60.0
    # The guardian's bell at the pause and again at its end.
    guardian = [(b.t, b.reason) for b in of(events, BellDue) if b.reason in ("pause", "resume")]
    assert guardian == [(paused.t, "pause"), (resumed.t, "resume")]
    # Every timer froze: Ben still had his three minutes, ending a minute later.
    ben = next(e for e in of(events, TurnStarted) if e.speaker == "Ben" and e.allowed == 180.0)
    ben_end = next(e for e in of(events, TurnEnded) if e.speaker == "Ben" and e.t > ben.t)
    assert (ben_end.spoke, ben_end.t - ben.t) == (180.0, 240.0)
    assert ended(events, "Talking-piece council").reason == "all-pass"


def test_open_space_opening() -> None:
    people = ("Ana", "Ben", "Cy", "Dee", "Eli", "Fay", "Gus", "Hana")
    events = rehearse("open-space-opening", people)
    # Conveners come to the centre in the order they stepped forward.
    assert speakers(events, "The marketplace") == ["Cy", "Eli", "Ana"]
    queues = [(e.queue, e.kinds) for e in of(events, StackChanged)]
    assert (("Eli", "Ana"), ("new-point", "new-point")) in queues
    assert queues[-1] == ((), ())  # Eli lowered her hand again
    market = ended(events, "The marketplace")
    assert (market.t, market.reason) == (600.0, "next")
    assert not [b for b in of(events, BellDue) if b.reason == "timebox"]
    assert [b.sound for b in of(events, BellDue)][-1] == "gong"
