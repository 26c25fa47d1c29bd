"""Who is in the room, which roles they hold, and the options of one session."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from circlekeeper.script.model import Practice


@dataclass(frozen=True)
class Circle:
    """The people in seating order (clockwise) and the roles they hold (role id -> holders)."""

    names: tuple[str, ...]
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionOptions:
    """Choices made when a session is set up."""

    seed: int | None = None
    """Seed for random orders, groups and jitter; None draws one."""
    meeting: int = 0
    """How many meetings this circle has held before (for rotations between meetings)."""
    language: str | None = None
    """Language of prompts; None uses the practice's language."""


def assign_roles(
    practice: Practice,
    names: tuple[str, ...] | list[str],
    *,
    meeting: int = 0,
    seed: int | None = None,
    given: Mapping[str, tuple[str, ...] | list[str]] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Give each role of the practice its holders.

    `first`, `rotate` and `random` roles are assigned here; `ask` roles come from `given`
    (which also overrides any other rule, so a facilitator can always choose). Names not in
    the circle are dropped. A role nobody holds maps to an empty tuple.
    """
    people = tuple(names)
    chosen = dict(given or {})
    result: dict[str, tuple[str, ...]] = {}
    n = len(people)
    for role in practice.roles:
        if role.id in chosen:
            result[role.id] = tuple(p for p in chosen[role.id] if p in people)[: role.count]
            continue
        count = min(role.count, n)
        if n == 0 or role.assign == "ask":
            result[role.id] = ()
        elif role.assign == "first":
            result[role.id] = people[:count]
        elif role.assign == "rotate":
            result[role.id] = tuple(people[(meeting + i) % n] for i in range(count))
        else:
            # Unseeded means truly random; seeded means the same draw every time.
            rng = random.Random(f"{seed}:role:{role.id}") if seed is not None else random.Random()
            result[role.id] = tuple(rng.sample(people, count))
    return result
