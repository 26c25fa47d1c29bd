"""Small builders shared by the engine tests."""

from __future__ import annotations

from typing import Any, TypeVar

from circlekeeper.engine import Circle, Session, SessionOptions
from circlekeeper.engine.events import Event
from circlekeeper.script.model import Practice

E = TypeVar("E", bound=Event)

NAMES = ("Ana", "Ben", "Cy", "Dee")


def practice(*steps: dict[str, Any], **extra: Any) -> Practice:
    """A practice with the given steps (durations written as in YAML, like "2m")."""
    return Practice.model_validate(
        {"title": "Test", "kind": "other", **extra, "steps": list(steps)}
    )


def session(
    *steps: dict[str, Any],
    names: tuple[str, ...] = NAMES,
    holders: dict[str, tuple[str, ...]] | None = None,
    seed: int | None = 1,
    meeting: int = 0,
    language: str | None = None,
    **extra: Any,
) -> Session:
    """A session of `steps` with a circle (`holders`: role id -> people), not yet started."""
    return Session(
        practice(*steps, **extra),
        Circle(names, holders or {}),
        SessionOptions(seed=seed, meeting=meeting, language=language),
    )


def of(events: list[Event], kind: type[E]) -> list[E]:
    """The events of one kind, in order."""
    return [e for e in events if isinstance(e, kind)]


def names(events: list[Event]) -> list[str]:
    """The event names, in order."""
    return [e.name for e in events]


def speakers(events: list[Event]) -> list[str]:
    """Who got the stick, in order."""
    from circlekeeper.engine.events import TurnStarted

    return [e.speaker for e in of(events, TurnStarted)]


def round_step(**fields: Any) -> dict[str, Any]:
    """A round step with the given fields."""
    return {"kind": "round", "prompt": "How are you?", **fields}
