"""What a session looks like from outside: the snapshot a screen draws, the agenda with its
estimates, and the forecast of when a round ends.

The estimate of a practice for a circle of N (the library, `check`) is the live agenda's of
a session set up for N people, so the same practice gives the same number everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from circlekeeper.engine.cues import Due, StepRun, next_sound
from circlekeeper.engine.events import EndReason
from circlekeeper.engine.plan import RunStep, eligible, estimate, unroll
from circlekeeper.engine.setup import CirclePlan, plan_circle
from circlekeeper.engine.state import AgendaItem, Phase, Snapshot
from circlekeeper.engine.stick import Round, Stick
from circlekeeper.script.model import Practice, RoundStep
from circlekeeper.script.texts import TextValue, localize, step_title


@dataclass(frozen=True)
class AgendaRow:
    """One top-level step of the practice: its runs (loops unrolled) and their estimate."""

    title: str
    kind: str
    first: int
    """The run index of its first run."""
    count: int
    seconds: float


def agenda_rows(
    practice: Practice, plan: CirclePlan, runs: tuple[RunStep, ...]
) -> tuple[AgendaRow, ...]:
    """The agenda of a session: per top-level step, its title, kind, runs and estimate."""
    size = len(plan.names)
    silent = frozenset(r.id for r in practice.roles if not r.speaks)
    rows: list[AgendaRow] = []
    pos = 0
    for i, step in enumerate(practice.steps):
        total = 0.0
        count = 0
        # Unrolling keeps each top-level step's runs together and in order.
        while pos + count < len(runs) and runs[pos + count].agenda == i:
            run = runs[pos + count]
            speakers = 0
            if isinstance(run.step, RoundStep):
                roles = {**plan.roles, **run.bindings}
                speakers = len(eligible(run.step, plan.names, roles, silent))
            total += estimate(run, speakers, size, plan.language, practice.language)
            count += 1
        title = step_title(step, plan.language, practice.language)
        rows.append(AgendaRow(title, step.kind, pos, count, total))
        pos += count
    return tuple(rows)


def _anonymous_plan(practice: Practice, size: int) -> CirclePlan:
    """A circle of `size` nobodies: estimates depend on how many people, never on who."""
    names = tuple(f"person {i}" for i in range(1, max(1, size) + 1))
    return plan_circle(practice, names, seed=0)


def step_estimates(practice: Practice, size: int) -> list[tuple[str, str, float]]:
    """(title, kind, seconds) for each top-level step, for a circle of `size` people.

    Raises `PlanError` when the practice cannot run for that many people.
    """
    plan = _anonymous_plan(practice, size)
    runs = unroll(practice, plan.names, plan.roles, plan.seed, plan.starter)
    return [(row.title, row.kind, row.seconds) for row in agenda_rows(practice, plan, runs)]


def estimate_seconds(practice: Practice, size: int) -> float:
    """Estimated length of the whole practice for a circle of `size` people."""
    return sum(seconds for _, _, seconds in step_estimates(practice, size))


def round_forecast(r: Round, a: float, laps: int | None) -> float | None:
    """Seconds until a timed round ends if every turn to come runs its full time."""
    if r.per_turn is None or laps is None or r.spec.order == "popcorn":
        return None
    current = 0.0
    if r.turn is not None:
        current = r.turn.remaining(a) or 0.0
    turns_left = len(r.queue) + max(0, laps - r.lap) * len(r.speakers)
    return current + turns_left * r.per_turn


class Projected(Protocol):
    """What the projection reads of a session."""

    practice: Practice
    plan: CirclePlan
    stick: Stick
    rows: tuple[AgendaRow, ...]
    reasons: dict[int, EndReason]
    """How each run step that ended, ended."""

    @property
    def phase(self) -> Phase:
        """ready, running, paused or ended."""
        ...

    @property
    def position(self) -> int:
        """The run index of the current step (-1 before the start)."""
        ...

    @property
    def step(self) -> StepRun | None:
        """The running step."""
        ...

    def session_time(self, now: float) -> float:
        """Session time at machine time `now`, read-only."""
        ...

    def active_at(self, now_s: float) -> float:
        """The active clock at session time `now_s`."""
        ...

    def due(self) -> list[Due]:
        """The cues still to come in this step, soonest first."""
        ...


def agenda(s: Projected) -> tuple[AgendaItem, ...]:
    """The agenda with each row's status."""
    items = []
    current = s.step.run.agenda if s.step is not None else None
    for i, row in enumerate(s.rows):
        status: Literal["done", "current", "todo", "skipped"] = "todo"
        runs = range(row.first, row.first + row.count)
        ended = [s.reasons[j] for j in runs if j in s.reasons]
        if i == current:
            status = "current"
        elif row.count and len(ended) == row.count:
            status = "skipped" if all(r == "skip" for r in ended) else "done"
        elif not row.count and (s.position >= row.first or s.phase == "ended"):
            status = "skipped"  # nothing to run (a loop over nobody)
        items.append(AgendaItem(row.title, row.kind, status, row.seconds))
    return tuple(items)


def _texts(values: list[TextValue], language: str, default: str) -> tuple[str, ...]:
    return tuple(localize(v, language, default) for v in values)


def snapshot(s: Projected, now: float, wall: float | None = None) -> Snapshot:
    """What the screen shows at machine time `now`; `wall` (epoch seconds at `now`) dates
    the step's end. Read-only: it fires no cue."""
    now_s = s.session_time(now)
    a = s.active_at(now_s)
    st = s.step if s.phase != "ended" else None
    lang, default = s.plan.language, s.practice.language
    roles = dict(s.plan.roles)
    air = dict(s.stick.airtime)
    step_remaining = step_ends_wall = next_cue_in = None
    ends_estimated = False
    next_cue = speaker = None
    lap = laps = None
    turn_remaining: float | None = None
    turn_overtime = extra_ot = 0.0
    queue: tuple[str, ...] = ()
    spoken: tuple[str, ...] = ()
    passed: tuple[str, ...] = ()
    popcorn = False
    turn_allowed: float | None = None
    lead: tuple[str, ...] = ()
    text = st.text if st is not None else None
    if st is not None:
        roles.update(st.run.bindings)
        if st.deadline is not None:
            step_remaining = max(0.0, st.deadline - a)
            if wall is not None:
                step_ends_wall = wall + step_remaining
        cue = next_sound(st, s.due())
        if cue is not None:
            next_cue, next_cue_in = cue[0], max(0.0, cue[1] - a)
        r = st.round
        if r is not None:
            # Until everyone passes, nobody knows how many laps there will be.
            lap, laps = r.lap, None if r.spec.until == "all-pass" else r.spec.lap_count
            queue, spoken, passed = tuple(r.queue), tuple(r.spoken), tuple(r.passed)
            popcorn = r.spec.order == "popcorn"
            text = r.prompt if r.lap else text
            if st.deadline is None and wall is not None:
                left = round_forecast(r, a, laps)
                if left is not None:
                    step_ends_wall, ends_estimated = wall + left, True
        if st.stack is not None:
            queue, spoken, popcorn = tuple(st.stack.queue), tuple(st.stack.spoken), True
        turn = st.turn
        if turn is not None:
            speaker = turn.speaker
            turn_allowed = turn.allowed
            turn_remaining = turn.remaining(a)
            turn_overtime = turn.overtime(a)
            air[speaker] += max(0.0, a - turn.seg_start)
            extra_ot = max(0.0, turn_overtime - turn.ot_seg0)
        step_lead = st.run.step.lead
        lead = roles.get(step_lead, ()) if step_lead else ()
    over = dict(s.stick.overtime)
    if speaker is not None:
        over[speaker] += extra_ot
    step = st.run.step if st is not None else None
    return Snapshot(
        now=now_s,
        phase=s.phase,
        practice=s.practice.title,
        circle=s.plan.names,
        roles=roles,
        agenda=agenda(s),
        step_index=st.run.index if st is not None else None,
        step_kind=step.kind if step is not None else None,
        step_title=st.title if st is not None else None,
        step_text=text,
        stems=_texts(getattr(step, "stems", []), lang, default),
        focus=st.run.focus if st is not None else None,
        step_remaining=step_remaining,
        step_elapsed=max(0.0, a - st.start_a) if st is not None else 0.0,
        step_ends_wall=step_ends_wall,
        speaker=speaker,
        lap=lap,
        laps=laps,
        turn_remaining=turn_remaining,
        turn_overtime=turn_overtime,
        queue=queue,
        spoken=spoken,
        passed=passed,
        groups=st.groups if st is not None else (),
        next_cue=next_cue,
        next_cue_in=next_cue_in,
        airtime=air,
        overtime=over,
        can_undo=st is not None and s.stick.can_undo(st.round),
        popcorn=popcorn,
        stack=st is not None and st.stack is not None,
        step_note=None if step is None or step.note is None else localize(step.note, lang, default),
        lead=lead,
        turn_allowed=turn_allowed,
        step_ends_estimated=ends_estimated,
        starter=s.plan.starter,
        host=s.plan.host,
    )
