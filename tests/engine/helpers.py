"""Small builders shared by the engine tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.events import CommandTaken, Event, Refused, TurnStarted
from circlekeeper.script.model import Practice

E = TypeVar("E", bound=Event)

NAMES = ("Ana", "Ben", "Cy", "Dee")
T0 = 7_000.0
"""The machine clock when a test session starts: far from 0, so that a machine time can
never pass for a session time. Tests give `T0 + seconds` and read session times back."""


def practice(*steps: dict[str, Any], **extra: Any) -> Practice:
    """A practice with the given steps (durations written as in YAML, like "2m")."""
    return Practice.model_validate(
        {"title": "Test", "kind": "other", **extra, "steps": list(steps)}
    )


def session(
    *steps: dict[str, Any],
    names: tuple[str, ...] = NAMES,
    holders: Mapping[str, Sequence[str]] | None = None,
    seed: int | None = 1,
    meeting: int = 0,
    language: str | None = None,
    starter: str | None = None,
    **extra: Any,
) -> Session:
    """A session of `steps` with a circle (`holders`: role id -> people), not yet started.

    A role in `holders` that the practice does not define is defined as asked at setup.
    """
    roles = list(extra.pop("roles", []))
    defined = {role["id"] for role in roles}
    for role_id, people in (holders or {}).items():
        if role_id not in defined:
            roles.append({"id": role_id, "name": role_id, "count": max(1, len(people))})
    if roles:
        extra["roles"] = roles
    p = practice(*steps, **extra)
    plan = plan_circle(
        p,
        names,
        starter=starter,
        given_roles=holders,
        meeting=meeting,
        seed=seed,
        language=language,
    )
    return Session(p, plan)


def of(events: Sequence[Event], kind: type[E]) -> list[E]:
    """The events of one kind, in order."""
    return [e for e in events if isinstance(e, kind)]


def names(events: list[Event]) -> list[str]:
    """The event names, in order, without the commands' own answers."""
    return [e.name for e in events if not isinstance(e, CommandTaken | Refused)]


def speakers(events: list[Event]) -> list[str]:
    """Who got the stick, in order."""
    return [e.speaker for e in of(events, TurnStarted)]


def refused(events: list[Event]) -> str:
    """The reason of a refused command: its events are exactly one `Refused`."""
    assert len(events) == 1 and isinstance(events[0], Refused), events
    return events[0].reason


def round_step(**fields: Any) -> dict[str, Any]:
    """A round step with the given fields."""
    return {"kind": "round", "prompt": "How are you?", **fields}
