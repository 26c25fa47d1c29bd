"""The run list of a practice, who takes part in a step and in what order, and how long a
step takes (timed, or as estimated).

Loops (`for-each`, `repeat`) and `group` blocks are unrolled once, when the session is set
up, so the running engine only ever sees plain steps in a row; steps whose `when` leaves
them out of this meeting are left out here. The estimate here is the only one: the
library, `check` and the live agenda all come to it (through `projection`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from circlekeeper.engine.setup import CirclePlan
from circlekeeper.script.model import (
    BreakoutStep,
    ConsentStep,
    DiscussionStep,
    ExchangeStep,
    ForEachStep,
    GroupStep,
    Practice,
    ReadStep,
    RepeatStep,
    RoundStep,
    SilenceStep,
    SitStep,
    Step,
    StepBase,
    StickStep,
    duration_seconds,
)
from circlekeeper.script.texts import localize
from circlekeeper.script.validate import MAX_STEP_RUNS

LeafStep = (
    ReadStep
    | SilenceStep
    | SitStep
    | RoundStep
    | ConsentStep
    | ExchangeStep
    | DiscussionStep
    | BreakoutStep
)
Roles = Mapping[str, tuple[str, ...]]

UNTIMED_TURN = 120.0
"""Seconds an untimed turn is assumed to take, for estimates and rehearsals."""
UNTIMED_RESPONSE = 30.0
"""Seconds an untimed turn of a consent round takes (a response, in a breath or two)."""
AMEND_SECONDS = 180.0
"""Seconds a proposal takes to amend between consent rounds, in rehearsals."""
UNTIMED_DISCUSSION = 600.0
"""Seconds an open discussion without a time box is assumed to take."""
EXCHANGE_PART_SECONDS: dict[str, float] = {"speak": 120.0, "reflect": 60.0, "confirm": 20.0}
"""Seconds each untimed part of an exchange is assumed to take."""
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
    id: str = ""
    """Its stable id on the live agenda: the step's own `id`, else one the agenda gives it."""


def _holders(roles: Roles, role_ids: Sequence[str]) -> set[str]:
    return {name for rid in role_ids for name in roles.get(rid, ())}


def runs_here(step: StepBase, plan: CirclePlan) -> bool:
    """Whether `step` runs at this meeting (its `when`, if it has one)."""
    return step.when is None or step.when.matches(plan.meeting + 1, plan.meetings)


def unroll(
    practice: Practice,
    plan: CirclePlan,
    name: Callable[[LeafStep, int], str] | None = None,
) -> tuple[RunStep, ...]:
    """The run list: every leaf step in the order it runs at this meeting; `name` gives each
    its id (the step, and its run index).

    A `for-each` goes round the circle from the starter's seat, in a seeded random order,
    or in the focus order chosen at setup.
    """
    names, roles = plan.names, plan.roles
    first = names.index(plan.starter) if plan.starter in names else 0
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
            if not runs_here(step, plan):
                continue
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
                if step.order == "chosen" and plan.focus_order:
                    people = list(plan.focus_order)
                if step.only:
                    allowed = _holders({**roles, **bindings}, step.only)
                    people = [p for p in people if p in allowed]
                if step.order == "random":
                    random.Random(f"{plan.seed}:for-each:{loops}").shuffle(people)
                for person in people:
                    inner = {**bindings, step.as_: (person,)}
                    walk(step.steps, row, person, inner, (*stack, id(step)))
            else:
                step_id = "" if name is None else name(step, len(out))
                out.append(RunStep(len(out), row, step, focus, bindings, step_id))
                if len(out) > MAX_STEP_RUNS:
                    # `check` refuses such a script for its largest circle (the same limit,
                    # counted the same way); only a larger circle can get here.
                    raise PlanError(
                        f"the practice would run more than {MAX_STEP_RUNS} steps for "
                        f"{len(names)} people"
                    )

    walk(practice.steps, None, None, {}, ())
    return tuple(out)


def participants(
    step: StepBase,
    names: tuple[str, ...],
    roles: Roles,
    silent_roles: frozenset[str] = frozenset(),
) -> tuple[str, ...]:
    """Who takes part in a step, in circle order: its `only` and `without` roles, and (for
    turns) not the holders of roles that do not speak, unless the step names them."""
    people = list(names)
    only: list[str] = list(getattr(step, "only", ()))
    without: list[str] = list(getattr(step, "without", ()))
    if only:
        allowed = _holders(roles, only)
        people = [p for p in people if p in allowed]
    named = set(only)
    if isinstance(step, StickStep):
        named |= {r for r in (step.end_with, step.start_role) if r}
    if isinstance(step, ExchangeStep):
        named |= {r for r in (step.first, step.listener) if r}
    # Roles that do not speak are left out, unless this step names them explicitly.
    mute = _holders(roles, [r for r in silent_roles if r not in named])
    keep = _holders(roles, list(named))
    out = _holders(roles, without)
    return tuple(p for p in people if (p not in mute or p in keep) and p not in out)


def eligible(
    step: StickStep,
    names: tuple[str, ...],
    roles: Roles,
    silent_roles: frozenset[str],
) -> tuple[str, ...]:
    """Who takes a turn in this round, in circle order (before direction and starter)."""
    return participants(step, names, roles, silent_roles)


def addressee(step: StickStep, speaker: str, names: tuple[str, ...], roles: Roles) -> str | None:
    """Whom `speaker` addresses in a round with an `addressee` (None: nobody in particular)."""
    spec = step.addressee if isinstance(step, RoundStep) else None
    if spec is None or speaker not in names or len(names) < 2:
        return None
    seat = names.index(speaker)
    if spec.to == "next-seat":
        return names[(seat + 1) % len(names)]
    if spec.to == "previous-seat":
        return names[seat - 1]
    return next((p for p in roles.get(spec.role or "", ()) if p != speaker), None)


def lap_order(
    step: StickStep,
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
    """The fixed duration (or time box) of a step, or None for an open-ended one."""
    duration = step.duration
    return None if duration is None else float(duration_seconds(duration, size))


def turn_seconds(step: StickStep, speakers: int, size: int) -> float | None:
    """Time per turn: `time`, or the lap `budget` shared by the speakers; None if untimed."""
    if step.turn.time is not None:
        return float(step.turn.time)
    if step.turn.budget is not None:
        return duration_seconds(step.turn.budget, size) / max(1, speakers)
    return None


def part_seconds(step: ExchangeStep, part: str) -> float:
    """How long one part of an exchange takes: its `time`, or as estimated."""
    time = getattr(step.parts, part).time
    return EXCHANGE_PART_SECONDS[part] if time is None else float(time)


def reading_seconds(text: str) -> float:
    """How long reading `text` aloud takes, in whole seconds, at least `MIN_READ_SECONDS`."""
    return max(MIN_READ_SECONDS, float(round(len(text.split()) * 60 / WORDS_PER_MINUTE)))


def run_estimate(
    run: RunStep, practice: Practice, plan: CirclePlan, silent: frozenset[str]
) -> float:
    """How long `run` takes in this circle (`silent`: the roles that do not speak)."""
    speakers = 0
    if isinstance(run.step, StickStep | ExchangeStep):
        roles = {**plan.roles, **run.bindings}
        speakers = len(participants(run.step, plan.names, roles, silent))
    return estimate(run, speakers, len(plan.names), plan.language, practice.language)


def estimate(run: RunStep, speakers: int, size: int, language: str, default: str) -> float:
    """How long one run step takes: its own time, or typical times for untimed turns, parts
    and readings (in `language`); `speakers` is how many take part in a round or exchange.

    A round that runs until everyone passes is counted as one lap spoken (the next is passed).
    """
    step = run.step
    box = step_seconds(step, size)
    if isinstance(step, StickStep):
        per = turn_seconds(step, speakers, size)
        if isinstance(step, ConsentStep):
            total = speakers * (UNTIMED_RESPONSE if per is None else per)
        else:
            laps = 1 if step.until == "all-pass" else step.lap_count
            total = laps * speakers * (UNTIMED_TURN if per is None else per)
        return total if box is None else min(total, box)
    if isinstance(step, ExchangeStep):
        pairs = (step.pairs or speakers) if speakers >= 2 else 0
        total = pairs * sum(part_seconds(step, p) for p in EXCHANGE_PART_SECONDS)
        return total if box is None else min(total, box)
    if box is not None:
        return box
    if isinstance(step, DiscussionStep):
        return UNTIMED_DISCUSSION if step.timebox is None else float(step.timebox)
    assert isinstance(step, ReadStep)  # the only other step that may have no duration
    return reading_seconds(localize(step.text, language, default))
