"""Real practices, written as their sources describe them, rehearse to the timelines their
sources imply (with actions where people pass, pick, object or add)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.actions import load_actions
from circlekeeper.engine.events import (
    BellDue,
    ConsentRoundEnded,
    DecisionMade,
    Event,
    GroupsFormed,
    LapStarted,
    PairEnded,
    PairStarted,
    PartStarted,
    Passed,
    Refused,
    SessionEnded,
    SessionStarted,
    StackChanged,
    StepEnded,
    StepStarted,
    SwapDue,
    TurnEnded,
    TurnStarted,
)
from circlekeeper.engine.rehearse import simulate
from circlekeeper.script.loader import load_practice

from .helpers import of

HERE = Path(__file__).resolve().parent / "practices"


def rehearse(
    name: str,
    names: Sequence[str],
    *,
    roles: Mapping[str, Sequence[str]] | None = None,
    meeting: int = 0,
    seed: int = 1,
    acting: bool = True,
) -> list[Event]:
    """The rehearsal of a fixture practice with its actions file (if it has one)."""
    practice = load_practice(HERE / f"{name}.yaml")
    plan = plan_circle(practice, names, given_roles=roles, meeting=meeting, seed=seed)
    actions_file = HERE.parent / "actions" / f"{name}.yaml"
    actions = load_actions(actions_file) if acting and actions_file.exists() else []
    events = simulate(Session(practice, plan), actions)
    assert isinstance(events[-1], SessionEnded)
    assert not of(events, Refused), of(events, Refused)
    return events


def titles(events: list[Event]) -> list[str]:
    return [e.title for e in of(events, StepStarted)]


def test_every_fixture_has_been_rehearsed_here() -> None:
    names = {path.stem for path in HERE.glob("*.yaml")}
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals()}
    assert names <= tested


def test_restorative_circle() -> None:
    events = rehearse(
        "restorative-circle", ("Ana", "Ben", "Cy", "Dee"), roles={"facilitator": ["Ana"]}
    )
    assert titles(events) == [
        "Opening",
        "Mutual comprehension",
        "Self-responsibility",
        "Offers and requests",
        "Agreed action",
        "Closing",
    ]
    stage = [e for e in events if isinstance(e, PairStarted | PairEnded | StepEnded)]
    first = stage[: stage.index(of(events, StepEnded)[1]) + 1]
    # Ben chose Dee to hear him, added a point after the first reflection, then was heard;
    # Dee answered Ben; then Cy, the one not heard yet. The facilitator only holds it.
    assert [(e.speaker, e.listener) for e in of(first, PairStarted)] == [
        ("Ben", "Cy"),
        ("Dee", "Ben"),
        ("Cy", "Dee"),
    ]
    assert [(e.speaker, e.listener, e.loops, e.confirmed) for e in of(first, PairEnded)] == [
        ("Ben", "Dee", 2, True),
        ("Dee", "Ben", 1, True),
        ("Cy", "Dee", 1, True),
    ]
    assert [p.part for p in of(events, PartStarted)][:5] == [
        "speak",
        "reflect",
        "speak",
        "reflect",
        "confirm",
    ]
    rounds = of(events, ConsentRoundEnded)
    assert [(r.round, r.objections) for r in rounds] == [(1, ("Cy",)), (2, ())]
    decision = of(events, DecisionMade)[0]
    assert (decision.result, decision.rounds) == ("consent", 2)
    assert of(events, SessionEnded)[0].airtime["Ana"] == 0.0


def test_clearing() -> None:
    events = rehearse("clearing", ("Ana", "Ben"))
    assert of(events, SessionStarted)[0].roles == {"initiator": ("Ana",), "receiver": ("Ben",)}
    assert [(e.speaker, e.listener) for e in of(events, PairStarted)] == [("Ana", "Ben")]
    # Five parts (facts, story, feelings, wants, own part), each reflected back.
    reflections = [p for p in of(events, PartStarted) if p.part == "reflect"]
    assert [(p.listener, p.loop) for p in reflections] == [("Ben", n) for n in range(1, 6)]
    assert [(e.confirmed, e.loops) for e in of(events, PairEnded)] == [(True, 5)]
    assert [lap.order for lap in of(events, LapStarted)] == [("Ana",), ("Ana", "Ben")]


def test_nvc_dyad() -> None:
    events = rehearse("nvc-dyad", ("Ana", "Ben"))
    assert [(e.speaker, e.listener) for e in of(events, PairStarted)] == [
        ("Ana", "Ben"),
        ("Ben", "Ana"),
    ]
    assert [(e.speaker, e.loops) for e in of(events, PairEnded)] == [("Ana", 2), ("Ben", 1)]
    # Three minutes to speak, a gentle warning half a minute before; both people booked.
    speak = [e for e in of(events, TurnStarted) if e.allowed == 180.0]
    assert [(e.speaker, e.to) for e in speak] == [("Ana", "Ben"), ("Ana", "Ben"), ("Ben", "Ana")]
    assert [b.reason for b in of(events, BellDue)].count("warning") == 3
    exchange = of(events, StepEnded)[1]
    assert exchange.airtime == {"Ana": 6 * 60 + 20 + 90, "Ben": 3 * 60 + 20 + 2 * 90}


def test_sociocratic_consent() -> None:
    events = rehearse(
        "sociocratic-consent", ("Ana", "Ben", "Cy", "Dee", "Eli"), roles={"proposer": ["Cy"]}
    )
    assert [e.speaker for e in of(events, Passed)] == ["Ana", "Dee"]
    # The reaction round is one breath each, the stick moving on by itself.
    reactions = [e for e in of(events, TurnStarted) if e.allowed == 30.0]
    assert [e.speaker for e in reactions] == ["Ana", "Ben", "Cy", "Dee", "Eli"]
    assert [lap.order for lap in of(events, LapStarted)][2] == ("Cy",)
    rounds = of(events, ConsentRoundEnded)
    assert [(r.round, r.objections) for r in rounds] == [(1, ("Dee",)), (2, ())]
    # The proposer amends between the rounds; the facilitator (the keeper) starts each.
    assert rounds[1].t - rounds[0].t == 180.0 + 5 * 30.0
    assert [lap.order[0] for lap in of(events, LapStarted)][-2:] == ["Ana", "Ana"]
    decision = of(events, DecisionMade)[0]
    assert (decision.result, decision.rounds, decision.proposal) == (
        "consent",
        2,
        "The proposal, as amended.",
    )
    assert decision.responses[0]["Dee"] == "objection"
    assert set(decision.responses[1].values()) == {"consent"}


def test_case_clinic() -> None:
    events = rehearse("case-clinic", ("Ana", "Ben", "Cy", "Dee"), roles={"case-giver": ["Dee"]})
    assert titles(events) == [
        "Instructions",
        "The case",
        "Stillness",
        "Mirroring",
        "Generative dialogue",
        "Closing",
    ]
    # Coaches only ask clarifying questions: the queue takes nothing else.
    waiting = [(e.queue, e.kinds) for e in of(events, StackChanged)]
    assert waiting[0] == (("Cy",), ("clarify",))
    # Mirroring: each coach to the case giver, who reflects last.
    mirror = of(events, LapStarted)[0]
    assert mirror.order == ("Ana", "Ben", "Cy", "Dee")
    to = [(e.speaker, e.to) for e in of(events, TurnStarted) if e.lap == 1 and e.allowed == 120.0]
    assert to[:4] == [("Ana", "Dee"), ("Ben", "Dee"), ("Cy", "Dee"), ("Dee", None)]
    # The stages keep their time; the two rounds end when everyone has spoken.
    ends = [(e.t, e.reason) for e in of(events, StepEnded)]
    assert ends == [
        (180.0, "time"),
        (780.0, "time"),
        (900.0, "time"),
        (1380.0, "done"),
        (2580.0, "time"),
        (3060.0, "done"),
    ]


def test_troika() -> None:
    events = rehearse("troika", tuple("ABCDEFGHI"))
    formed = of(events, GroupsFormed)
    groups = formed[0].groups
    assert sorted(len(g) for g in groups) == [3, 3, 3]
    assert all(f.groups == groups for f in formed)
    # Each of the three is the client once, for the four parts of a consultation.
    clients = [f.focus for f in formed]
    assert clients == [tuple(g[k] for g in groups) for k in range(3) for _ in range(4)]
    # The groups stay together: one return signal, at the very end.
    assert [b.t for b in of(events, BellDue) if b.reason == "return"] == [
        of(events, StepEnded)[-2].t
    ]


def test_one_two_four_all() -> None:
    events = rehearse("one-two-four-all", tuple("ABCDEFGHIJKL"))
    pairs, fours = (f.groups for f in of(events, GroupsFormed))
    assert [len(g) for g in pairs] == [2] * 6 and [len(g) for g in fours] == [4] * 3
    assert all(any(set(p) <= set(f) for f in fours) for p in pairs)
    starts = [e.t for e in of(events, StepStarted)]
    assert starts == [0.0, 60.0, 180.0, 480.0]  # the fours were given a minute more
    # From pairs straight into fours: a chime to move, no call back until the fours end.
    assert [(b.t, b.reason) for b in of(events, BellDue) if b.reason in ("return", "end")] == [
        (480.0, "return"),
        (780.0, "end"),
    ]


def test_world_cafe() -> None:
    events = rehearse("world-cafe", tuple("ABCDEFGHIJ"))
    formed = of(events, GroupsFormed)
    assert [sorted(len(g) for g in f.groups) for f in formed] == [[3, 3, 4]] * 3
    hosts = formed[0].hosts
    assert all(f.hosts == hosts for f in formed)
    assert [f.t for f in formed] == [0.0, 1200.0, 2520.0]  # round 2 ran two minutes over
    assert [(b.t, b.strikes) for b in of(events, BellDue) if b.reason == "manual"] == [(2460.0, 2)]
    # Everyone moves to a new table for the second round; by the third, tables of 2 and 3
    # seats leave no room to avoid every host once more, but nobody sits with one host
    # three times.
    second = {g[0]: set(g[1:]) for g in formed[1].groups}
    for group in formed[0].groups:
        assert not set(group[1:]) & second[group[0]]
    for host in hosts:
        tables = [set(g[1:]) for f in formed for g in f.groups if g[0] == host]
        assert not set.intersection(*tables)


def test_what_so_what() -> None:
    events = rehearse("what-so-what", tuple("ABCDEFGHIJKL"))
    formed = of(events, GroupsFormed)
    assert [len(g) for g in formed[0].groups] == [6, 6]
    assert formed[0].groups == formed[1].groups == formed[2].groups
    assert [e.speaker for e in of(events, Passed)] == ["B"]
    shares = [b for b in of(events, BellDue) if b.reason == "at"]
    assert [(b.t, b.say) for b in shares] == [
        (60.0, "Now share in your group."),
        (420.0, "Now share in your group."),
        (780.0, "Now share in your group."),
    ]


def test_open_discussion() -> None:
    events = rehearse("open-discussion", ("Ana", "Ben", "Cy", "Dee", "Eli"))
    floor = [e.speaker for e in of(events, TurnStarted) if e.lap == 1 and e.allowed is None]
    # Ana had the open floor; then process, clarifying question, reply; Ben (who had not
    # spoken) before Ana's second new point.
    assert floor == ["Ana", "Dee", "Eli", "Cy", "Ben", "Ana"]
    queue = {e.t: e for e in of(events, StackChanged)}
    assert (queue[50.0].queue, queue[50.0].kinds) == (
        ("Dee", "Cy", "Ben"),
        ("process", "reply", "new-point"),
    )
    assert [
        (b.t, b.reason) for b in of(events, BellDue) if b.reason in ("interval", "timebox")
    ] == [
        (600.0, "interval"),
        (1200.0, "interval"),
        (1202.0, "timebox"),  # due with the interval bell: it rings after it
    ]
    closing = of(events, StepEnded)[-1]
    assert closing.reason == "done" and len(closing.airtime) == 5


def test_zazen() -> None:
    events = rehearse("zazen", ("Ana", "Ben"))
    bells = [(b.t, b.sound, b.strikes, b.reason) for b in of(events, BellDue)]
    assert bells == [
        (0.0, "bowl", 3, "start"),
        (300.0, "bowl", 1, "manual"),
        (1800.0, "bowl", 2, "end"),
        (1809.0, "clappers", 1, "start"),  # after the two bells, never on top of them
        (2400.0, "clappers", 1, "end"),
        (2401.1, "bowl", 3, "start"),
        (4200.0, "bowl", 1, "end"),
    ]
    assert [e.t for e in of(events, StepStarted)] == [0.0, 1800.0, 2400.0]


def test_crew_series() -> None:
    names = ("Ana", "Ben", "Cy", "Dee")
    third = rehearse("crew-series", names, meeting=2)
    started = of(third, SessionStarted)[0]
    assert (started.meeting, started.meetings, started.focus) == (3, 6, "Dee")
    assert started.roles["host"] == ("Cy",)
    assert titles(third) == [
        "Check-in",
        "The focus shares",
        "Reflections",
        "The focus responds",
        "Check-out",
    ]
    laps = [lap.order for lap in of(third, LapStarted)]
    assert laps[1] == ("Dee",) and laps[2] == ("Cy", "Ana", "Ben")
    # Dee passed at the check-in and came back at the end; the host picked Ana and Cy.
    assert [e.speaker for e in of(third, Passed)] == ["Dee"]
    checkout = [e.speaker for e in of(third, TurnStarted)][-4:]
    assert checkout == ["Ana", "Cy", "Dee", "Ben"]
    ended = [(e.speaker, e.spoke) for e in of(third, TurnEnded) if e.speaker == "Dee"]
    assert ended[0] == ("Dee", 0.0)  # held the stick half a minute, then passed
    last = rehearse("crew-series", names, meeting=5, acting=False)
    assert of(last, SessionStarted)[0].focus is None
    assert titles(last) == ["Check-in", "Looking back", "Carry on?", "Check-out"]
    assert [d.result for d in of(last, DecisionMade)] == ["consent"]
    focus = [
        of(rehearse("crew-series", names, meeting=m, acting=False), SessionStarted)[0].focus
        for m in range(5)
    ]
    assert focus == ["Ben", "Cy", "Dee", "Ana", "Ben"]


def test_swaps_in_listening_triads() -> None:
    # Not a fixture of its own: the listening dyads of the crew handbook, in threes.
    from circlekeeper.script.model import Practice

    practice = Practice.model_validate(
        {
            "title": "Listening triads",
            "kind": "dyad",
            "steps": [{"kind": "breakout", "group_size": 3, "duration": "15m", "turn_each": True}],
        }
    )
    events = simulate(Session(practice, plan_circle(practice, tuple("ABCDEF"), seed=2)))
    swaps = of(events, SwapDue)
    groups = of(events, GroupsFormed)[0].groups
    assert [s.t for s in swaps] == [300.0, 600.0]
    assert [s.speakers for s in swaps] == [tuple(g[k] for g in groups) for k in (1, 2)]
