"""Plausible engine events for the records tests (shared with the torn-write writer script)."""

from __future__ import annotations

import random

from circlekeeper.engine.events import (
    EVENT_TYPES,
    AgendaChanged,
    BellDue,
    CommandTaken,
    ConsentRoundEnded,
    DecisionMade,
    Event,
    GroupsFormed,
    LapStarted,
    ListenerChosen,
    PairEnded,
    PairStarted,
    PartStarted,
    Passed,
    Paused,
    PromptDue,
    Refused,
    ResponseGiven,
    Resumed,
    ScheduleFitted,
    SessionEnded,
    SessionStarted,
    StackChanged,
    StepEnded,
    StepInserted,
    StepMoved,
    StepRemoved,
    StepRetimed,
    StepStarted,
    SwapDue,
    TimeChanged,
    TopicAdded,
    TopicRemoved,
    TurnEnded,
    TurnStarted,
    TurnTimeUp,
    TurnWarning,
    Undone,
)

CIRCLE = ("Ana", "Ben", "Cy", "Dee")
ROLES: dict[str, tuple[str, ...]] = {"host": ("Ana",), "guardian": ("Cy",)}


def one_of_each() -> list[Event]:
    """One event of every type the engine emits, with plausible values."""
    events: list[Event] = [
        CommandTaken(0.0, command={"command": "start"}),
        SessionStarted(0.0, practice="Crew check-in", circle=CIRCLE, roles=ROLES),
        StepStarted(
            0.0,
            index=0,
            agenda=0,
            kind="round",
            title="Arrive",
            text="How are you arriving?",
            duration=480.0,
            focus="Ben",
            id="arrive",
        ),
        LapStarted(0.5, lap=1, prompt="How are you arriving?", order=CIRCLE),
        TurnStarted(0.5, speaker="Ana", lap=1, allowed=120.0),
        TurnWarning(90.5, speaker="Ana", remaining=30.0),
        TurnTimeUp(120.5, speaker="Ana", hard=False),
        TurnEnded(131.25, speaker="Ana", spoke=130.75, overtime=10.75),
        Passed(140.0, speaker="Ben", again=True),
        BellDue(141.0, sound="bowl", strikes=3, reason="start", say="Let us begin"),
        PromptDue(141.5, text="Breathe in, breathe out.", language="en"),
        GroupsFormed(150.0, groups=(("Ana", "Ben"), ("Cy", "Dee")), hosts=("Ana", "Cy")),
        SwapDue(330.0, swap=1, speakers=("Ben", "Dee")),
        StackChanged(335.0, queue=("Dee", "Ana"), kinds=("process", "new-point")),
        PairStarted(340.0, pair=1, speaker="Ana", listener="Ben"),
        ListenerChosen(341.0, speaker="Ana", listener="Cy"),
        PartStarted(342.0, part="reflect", speaker="Ana", listener="Cy", loop=1, prompt=None),
        PairEnded(350.0, pair=1, speaker="Ana", listener="Cy", confirmed=True, loops=2),
        ResponseGiven(360.0, who="Ben", response="objection", round=1),
        ConsentRoundEnded(
            361.0, round=1, responses={"Ana": "consent", "Ben": "objection"}, objections=("Ben",)
        ),
        DecisionMade(
            390.0,
            result="consent",
            rounds=2,
            responses=(
                {"Ana": "consent", "Ben": "objection"},
                {"Ana": "consent", "Ben": "concern"},
            ),
            proposal="We buy a bell",
        ),
        Paused(400.0),
        Resumed(460.0, paused_for=60.0),
        TimeChanged(461.0, seconds=-30.0, target="turn"),
        Undone(462.0, what="pass", speaker="Ben", dropped="Cy"),
        Refused(463.0, command={"command": "pick", "who": "Ana"}, reason="Ana has spoken"),
        TopicAdded(464.0, id="t1", text="Budget [draft]"),
        StepInserted(
            465.0,
            id="s5",
            title="Breakout in pairs",
            kind="breakout",
            seconds=240.0,
            after="arrive",
            after_title="Arrive",
            topic="t1",
        ),
        TopicRemoved(465.0, id="t1", text="Budget [draft]", why="brought-forward"),
        StepMoved(466.0, id="s3", title="Closing", after="s5", after_title="Breakout in pairs"),
        StepRemoved(467.0, id="s2", title="Silence", kind="silence"),
        ScheduleFitted(468.0, at=3600.0),
        StepRetimed(
            468.0, id="arrive", title="Arrive", seconds=31.5, was=12.0, why="end-at", left=True
        ),
        StepRetimed(468.0, id="s3", title="Closing", seconds=300.0, was=120.0, why="set"),
        AgendaChanged(468.0, ends=3600.0, to_come=("s5", "s3")),
        StepEnded(500.0, index=0, reason="all-pass", airtime={"Ana": 130.75, "Ben": 0.0}),
        SessionEnded(
            501.0, airtime={"Ana": 130.75, "Ben": 0.0}, overtime={"Ana": 10.75}, reason="end"
        ),
    ]
    assert {type(e) for e in events} == set(EVENT_TYPES), "a sample for every event type"
    return events


def long_session(count: int, seed: int = 1) -> list[Event]:
    """`count` events of a plausible session: steps of rounds, with bells, passes and pauses.

    Times have at most three decimals, as the journal stores them.
    """
    rng = random.Random(seed)
    events: list[Event] = [SessionStarted(0.0, practice="Torn test", circle=CIRCLE, roles=ROLES)]
    t = 0.0
    index = 0

    def tick(most: float) -> float:
        nonlocal t
        t = round(t + rng.uniform(0.0, most), 3)
        return t

    while len(events) < count:
        events.append(
            StepStarted(
                tick(1),
                index=index,
                agenda=index % 5,
                kind="round",
                title=f"Round {index + 1}",
                text="Say a word",
                duration=300.0,
            )
        )
        events.append(BellDue(tick(1), sound="bowl", strikes=1 + index % 3, reason="start"))
        events.append(LapStarted(tick(1), lap=1, prompt=None, order=CIRCLE))
        for speaker in CIRCLE:
            if rng.random() < 0.2:  # a pass: the engine closes the passer's turn too
                events.append(TurnStarted(tick(1), speaker=speaker, lap=1, allowed=60.0))
                events.append(Passed(tick(3), speaker=speaker, again=False))
                events.append(
                    TurnEnded(t, speaker=speaker, spoke=round(rng.uniform(0, 3), 3), overtime=0.0)
                )
                continue
            start = tick(1)
            events.append(TurnStarted(start, speaker=speaker, lap=1, allowed=60.0))
            if rng.random() < 0.1:
                events.append(Paused(tick(5)))
                events.append(Resumed(tick(20), paused_for=round(rng.uniform(1, 20), 3)))
            spoke = round(rng.uniform(5, 80), 3)
            events.append(
                TurnEnded(
                    tick(80),
                    speaker=speaker,
                    spoke=spoke,
                    overtime=round(max(0.0, spoke - 60.0), 3),
                )
            )
        events.append(StepEnded(tick(1), index=index, reason="done"))
        index += 1
    return events[:count]
