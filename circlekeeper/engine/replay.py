"""Rebuilding a session from the commands it took: how a cut-short session comes back.

A session set up with the same plan (the same seed) and given the same commands at the same
session times reaches the same state, to the millisecond. So a journal needs only the plan,
each accepted command with its session time, and how far the session got; `replay` does the
rest, and the session carries on from there as if it had never stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from circlekeeper.engine.commands import Command
from circlekeeper.engine.events import Event, Refused
from circlekeeper.engine.session import Session
from circlekeeper.engine.setup import CirclePlan
from circlekeeper.script.model import Practice


@dataclass
class Replayed:
    """A session rebuilt up to `until`, and what it said on the way."""

    session: Session
    events: list[Event]
    """Everything the session said again, as it said it the first time (refusals left out)."""
    until: float
    """The session time it was rebuilt to."""
    refused: list[Refused] = field(default_factory=list)
    """Commands the rebuilt session refused: none, unless the practice changed meanwhile."""


def replay(
    practice: Practice,
    plan: CirclePlan,
    commands: Iterable[tuple[float, Command]],
    *,
    until: float,
    now: float,
) -> Replayed:
    """Rebuild a session from `(session time, command)` pairs, then let time run to `until`.

    `now` is the machine time at which the rebuilt session reads `until`: given the same
    clock afterwards, its session time carries on from there. Commands later than `until`
    are a caller's mistake and raise `ValueError`.
    """
    base = now - until
    session = Session(practice, plan)
    events: list[Event] = []
    refused: list[Refused] = []
    for t, command in commands:
        if t > until:
            raise ValueError(f"a command at {t} s is later than the replay's end, {until} s")
        for event in session.do(command, base + t):
            if isinstance(event, Refused):
                refused.append(event)
            else:
                events.append(event)
    if session.started:
        events += session.advance(now)
    return Replayed(session, events, until, refused)
