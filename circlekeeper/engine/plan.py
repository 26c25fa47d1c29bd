"""Turning a practice into the list of steps a session runs, and who speaks in a round.

Loops (`for-each`, `repeat`) and `group` blocks are unrolled once, when the session is set
up, so the running engine only ever sees plain steps in a row.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from circlekeeper.script.model import (
    BreakoutStep,
    DiscussionStep,
    ForEachStep,
    GroupStep,
    Practice,
    ReadStep,
    RepeatStep,
    RoundStep,
    SilenceStep,
    SitStep,
    Step,
    duration_seconds,
)

LeafStep = ReadStep | SilenceStep | SitStep | RoundStep | DiscussionStep | BreakoutStep
Roles = Mapping[str, tuple[str, ...]]

MAX_RUN_STEPS = 5000
"""A practice that unrolls to more steps than this is refused (nested loops gone wild)."""

UNTIMED_TURN = 120.0
"""Seconds an untimed turn is assumed to take, for estimates and rehearsals."""
UNTIMED_READ = 30.0
"""Seconds an untimed reading is assumed to take, for estimates and rehearsals."""

DEFAULT_TITLES: dict[str, str] = {
    "read": "Reading",
    "silence": "Silence",
    "sit": "Sitting",
    "round": "Round",
    "discussion": "Discussion",
    "breakout": "Breakout",
    "for-each": "For each person",
    "repeat": "Repeat",
    "group": "Group",
}


class PlanError(ValueError):
    """The practice cannot be run with this circle."""


@dataclass(frozen=True)
class RunStep:
    """One plain step as it will run: which agenda row it belongs to, and its loop context."""

    index: int
    agenda: int
    step: LeafStep
    focus: str | None = None
    bindings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Roles bound by enclosing for-each loops (the `as` role -> the focus person)."""


def _holders(roles: Roles, role_ids: Sequence[str]) -> set[str]:
    return {name for rid in role_ids for name in roles.get(rid, ())}


def unroll(
    practice: Practice, names: tuple[str, ...], roles: Roles, seed: int
) -> tuple[RunStep, ...]:
    """The run list: every leaf step in the order it runs."""
    out: list[RunStep] = []
    seen: dict[str, Step] = {}
    loops = 0

    def walk(
        steps: Sequence[Step],
        agenda: int | None,
        focus: str | None,
        bindings: dict[str, tuple[str, ...]],
        stack: tuple[int, ...],
    ) -> None:
        nonlocal loops
        for i, step in enumerate(steps):
            row = i if agenda is None else agenda
            if step.id is not None:
                seen.setdefault(step.id, step)
            if len(out) > MAX_RUN_STEPS:
                raise PlanError(f"the practice unrolls to more than {MAX_RUN_STEPS} steps")
            if isinstance(step, GroupStep):
                walk(step.steps, row, focus, bindings, (*stack, id(step)))
            elif isinstance(step, RepeatStep):
                if step.steps:
                    body: list[Step] = list(step.steps)
                else:
                    # Only earlier steps, and never one that contains this repeat.
                    body = [seen[s] for s in step.of if s in seen and id(seen[s]) not in stack]
                for _ in range(step.times):
                    walk(body, row, focus, bindings, (*stack, id(step)))
            elif isinstance(step, ForEachStep):
                loops += 1
                people = list(names)
                if step.only:
                    allowed = _holders({**roles, **bindings}, step.only)
                    people = [p for p in people if p in allowed]
                if step.order == "random":
                    random.Random(f"{seed}:for-each:{loops}").shuffle(people)
                for person in people:
                    inner = {**bindings, step.as_: (person,)}
                    walk(step.steps, row, person, inner, (*stack, id(step)))
            else:
                out.append(RunStep(len(out), row, step, focus, bindings))

    walk(practice.steps, None, None, {}, ())
    return tuple(out)


def eligible(
    step: RoundStep,
    names: tuple[str, ...],
    roles: Roles,
    silent_roles: frozenset[str],
) -> tuple[str, ...]:
    """Who takes a turn in this round, in circle order (before direction and starter)."""
    people = list(names)
    if step.only:
        allowed = _holders(roles, step.only)
        people = [p for p in people if p in allowed]
    named = set(step.only) | {r for r in (step.end_with, step.start_role) if r}
    # Roles that do not speak are left out, unless this round names them explicitly.
    mute = _holders(roles, [r for r in silent_roles if r not in named])
    keep = _holders(roles, list(named))
    return tuple(p for p in people if p not in mute or p in keep)


def lap_order(
    step: RoundStep,
    speakers: tuple[str, ...],
    names: tuple[str, ...],
    roles: Roles,
    *,
    lap: int,
    meeting: int,
    keeper_role: str | None,
    airtime: Mapping[str, float],
    rng: random.Random,
) -> tuple[str, ...]:
    """The order of one lap of a fixed or quietest-first round (popcorn: the queue's order)."""
    if not speakers:
        return ()
    seat = {name: i for i, name in enumerate(names)}
    ring = sorted(speakers, key=seat.__getitem__)
    if step.direction == "counterclockwise":
        # Going the other way round from the first seat: a, e, d, c, b.
        ring = ring[:1] + ring[1:][::-1]
    last = set(roles.get(step.end_with, ())) if step.end_with else set()
    if step.order == "quietest-first":
        order = sorted(ring, key=lambda p: (airtime.get(p, 0.0), seat[p]))
    else:
        start = 0
        m = len(ring)
        if step.order == "fixed":
            wanted: tuple[str, ...] = ()
            if step.start == "random":
                start = rng.randrange(m)
            elif step.start == "rotate-per-lap":
                start = (lap - 1) % m
            elif step.start == "rotate-per-meeting":
                start = meeting % m
            elif step.start == "keeper-first" and keeper_role:
                wanted = roles.get(keeper_role, ())
            elif step.start == "role" and step.start_role:
                wanted = roles.get(step.start_role, ())
            holders = [ring.index(p) for p in wanted if p in ring and p not in last]
            if holders:
                start = holders[0]
        order = ring[start:] + ring[:start]
    # The `end_with` role speaks last whatever the starter.
    return tuple([p for p in order if p not in last] + [p for p in order if p in last])


def step_seconds(step: LeafStep, size: int) -> float | None:
    """The fixed duration of a timed step, or None (rounds and untimed readings)."""
    if isinstance(step, RoundStep):
        return None
    if isinstance(step, ReadStep) and step.duration is None:
        return None
    assert step.duration is not None
    return float(duration_seconds(step.duration, size))


def turn_seconds(step: RoundStep, speakers: int, size: int) -> float | None:
    """Time per turn: `time`, or the lap `budget` shared by the speakers; None if untimed."""
    if step.turn.time is not None:
        return float(step.turn.time)
    if step.turn.budget is not None:
        return duration_seconds(step.turn.budget, size) / max(1, speakers)
    return None


def estimate(run: RunStep, speakers: int, size: int) -> float:
    """A rough length of one run step: untimed turns and readings take typical times."""
    step = run.step
    if isinstance(step, RoundStep):
        per = turn_seconds(step, speakers, size)
        return step.lap_count * speakers * (UNTIMED_TURN if per is None else per)
    seconds = step_seconds(step, size)
    return UNTIMED_READ if seconds is None else seconds
