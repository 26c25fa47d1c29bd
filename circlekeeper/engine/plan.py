"""The run list of a practice, who speaks in a round and in what order, and how long a
step takes (timed, or as estimated).

Loops (`for-each`, `repeat`) and `group` blocks are unrolled once, when the session is set
up, so the running engine only ever sees plain steps in a row. The estimate here is the only
one: the library, `check` and the live agenda all come to it (through `projection`).
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
from circlekeeper.script.texts import localize
from circlekeeper.script.validate import MAX_STEP_RUNS

LeafStep = ReadStep | SilenceStep | SitStep | RoundStep | DiscussionStep | BreakoutStep
Roles = Mapping[str, tuple[str, ...]]

UNTIMED_TURN = 120.0
"""Seconds an untimed turn is assumed to take, for estimates and rehearsals."""
WORDS_PER_MINUTE = 150
"""Reading pace of a read step without a duration, for estimates and rehearsals."""
MIN_READ_SECONDS = 20.0
"""Even a short reading takes a moment to settle into."""


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
    practice: Practice, names: tuple[str, ...], roles: Roles, seed: int, starter: str
) -> tuple[RunStep, ...]:
    """The run list: every leaf step in the order it runs.

    A `for-each` goes round the circle from the starter's seat (or in a seeded random order).
    """
    first = names.index(starter) if starter in names else 0
    around = names[first:] + names[:first]
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
                people = list(around)
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
                if len(out) > MAX_STEP_RUNS:
                    # `check` refuses such a script for its largest circle (the same limit,
                    # counted the same way); only a larger circle can get here.
                    raise PlanError(
                        f"the practice would run more than {MAX_STEP_RUNS} steps for "
                        f"{len(names)} people"
                    )

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
    starter: str,
    keeper_role: str | None,
    airtime: Mapping[str, float],
    rng: random.Random,
) -> tuple[str, ...]:
    """The order of one lap of a fixed or quietest-first round (popcorn: the queue's order).

    The stick goes round from the starter's seat (or the first speaker after it).
    """
    if not speakers:
        return ()
    seat = {name: i for i, name in enumerate(names)}
    first = seat.get(starter, 0)
    ring = sorted(speakers, key=lambda p: (seat[p] - first) % len(names))
    if step.direction == "counterclockwise":
        # Going the other way round from the first seat: a, e, d, c, b.
        ring = ring[:1] + ring[1:][::-1]
    last = set(roles.get(step.end_with, ())) if step.end_with else set()
    if step.order == "quietest-first":
        place = {p: i for i, p in enumerate(ring)}
        order = sorted(ring, key=lambda p: (airtime.get(p, 0.0), place[p]))
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
                # The meeting rotation counts from the first seat, like the host's: not from
                # the starter, which would rotate twice.
                wanted = (sorted(speakers, key=seat.__getitem__)[meeting % m],)
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


def reading_seconds(text: str) -> float:
    """How long reading `text` aloud takes, in whole seconds, at least `MIN_READ_SECONDS`."""
    return max(MIN_READ_SECONDS, float(round(len(text.split()) * 60 / WORDS_PER_MINUTE)))


def estimate(run: RunStep, speakers: int, size: int, language: str, default: str) -> float:
    """How long one run step takes: its own time, or typical times for untimed turns and
    readings (in `language`)."""
    step = run.step
    if isinstance(step, RoundStep):
        per = turn_seconds(step, speakers, size)
        return step.lap_count * speakers * (UNTIMED_TURN if per is None else per)
    seconds = step_seconds(step, size)
    if seconds is not None:
        return seconds
    assert isinstance(step, ReadStep)  # the only step that may have no duration
    return reading_seconds(localize(step.text, language, default))
