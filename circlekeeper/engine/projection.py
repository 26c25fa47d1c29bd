"""What a session looks like from outside: the snapshot a screen draws, the agenda with its
estimates, and the forecast: when the step in progress ends, and when each step to come
starts, if every step runs as planned (timed steps to their time, untimed turns, readings and
discussions as estimated).

The estimate of a practice for a circle of N (the library, `check`) is the live agenda's of
a session set up for N people, so the same practice gives the same number everywhere.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from circlekeeper.engine.agenda import Agenda, AgendaRow, agenda_rows, flexible
from circlekeeper.engine.cues import Due, StepRun, next_sound
from circlekeeper.engine.events import EndReason
from circlekeeper.engine.exchange import Exchange
from circlekeeper.engine.plan import UNTIMED_RESPONSE, UNTIMED_TURN, unroll
from circlekeeper.engine.setup import CirclePlan, plan_circle
from circlekeeper.engine.stack import Stack
from circlekeeper.engine.state import AgendaItem, Phase, PlannedStep, Snapshot
from circlekeeper.engine.stick import Round, Stick
from circlekeeper.script.model import ConsentStep, Practice
from circlekeeper.script.texts import TextValue, localize, step_title


def _anonymous_plan(practice: Practice, size: int) -> CirclePlan:
    """A circle of `size` nobodies: estimates depend on how many people, never on who."""
    names = tuple(f"person {i}" for i in range(1, max(1, size) + 1))
    return plan_circle(practice, names, seed=0)


def step_rows(practice: Practice, size: int) -> tuple[AgendaRow, ...]:
    """The agenda rows of a first meeting for a circle of `size` people: each top-level step
    that runs, its title (in the practice's language), kind, estimate and place.

    Raises `PlanError` when the practice cannot run for that many people.
    """
    plan = _anonymous_plan(practice, size)
    return agenda_rows(practice, plan, unroll(practice, plan))


def step_estimates(practice: Practice, size: int) -> list[tuple[str, str, float]]:
    """(title, kind, seconds) for each top-level step, for a circle of `size` people.

    Raises `PlanError` when the practice cannot run for that many people.
    """
    return [(row.title, row.kind, row.seconds) for row in step_rows(practice, size)]


def estimate_seconds(practice: Practice, size: int) -> float:
    """Estimated length of the whole practice for a circle of `size` people."""
    return sum(seconds for _, _, seconds in step_estimates(practice, size))


def turns_left(r: Round, a: float, laps: int, per: float) -> float:
    """Seconds until a round's `laps` laps are over if every turn to come takes `per`: the
    turn in progress its time left (untimed: `per` from its start), then the rest."""
    current = 0.0
    if r.turn is not None:
        left = r.turn.remaining(a)
        current = max(0.0, r.turn.seg_start + per - a) if left is None else left
    return current + (len(r.queue) + max(0, laps - r.lap) * len(r.speakers)) * per


def round_forecast(r: Round, a: float, laps: int | None) -> float | None:
    """Seconds until a timed round ends if every turn to come runs its full time."""
    if r.per_turn is None or laps is None or r.popcorn:
        return None
    return turns_left(r, a, laps, r.per_turn)


def round_left(r: Round, a: float) -> float:
    """Seconds until a round ends as planned: turns timed or as estimated, its laps as the
    estimate counts them (until everyone passes: one lap spoken, then passes; a consent
    round: the round under way)."""
    spec = r.spec
    if isinstance(spec, ConsentStep):
        return turns_left(r, a, r.lap, UNTIMED_RESPONSE if r.per_turn is None else r.per_turn)
    per = UNTIMED_TURN if r.per_turn is None else r.per_turn
    if spec.until == "all-pass":
        return 0.0 if r.lap > 1 else turns_left(r, a, 1, per)
    return turns_left(r, a, spec.lap_count, per)


def step_left(st: StepRun, a: float, planned: float) -> float:
    """Seconds until the step in progress ends as planned (`planned`: its estimate)."""
    left = None if st.deadline is None else max(0.0, st.deadline - a)
    if st.round is not None:
        turns = round_left(st.round, a)
        return turns if left is None else min(left, turns)
    if left is not None:
        return left
    return max(0.0, planned - (a - st.start_a))


class Projected(Protocol):
    """What the projection reads of a session."""

    practice: Practice
    plan: CirclePlan
    stick: Stick
    agenda: Agenda
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
    running = s.step is not None
    for row in s.agenda.agenda_rows():
        status: Literal["done", "current", "todo", "skipped"] = "todo"
        runs = range(row.first, row.first + row.count)
        ended = [s.reasons[j] for j in runs if j in s.reasons]
        if running and s.position in runs:
            status = "current"
        elif row.count and len(ended) == row.count:
            status = "skipped" if all(r == "skip" for r in ended) else "done"
        elif not row.count and (s.position >= row.first or s.phase == "ended"):
            status = "skipped"  # nothing to run (a loop over nobody)
        items.append(AgendaItem(row.title, row.kind, status, row.seconds))
    return tuple(items)


def forecast_end(s: Projected, now_s: float, a: float) -> float | None:
    """Session time the last step ends if every step runs as planned (None once over)."""
    if s.phase == "ended":
        return None
    left = 0.0
    st = s.step
    if st is not None:
        left = step_left(st, a, s.agenda.estimates[st.run.id])
    return now_s + left + s.agenda.tail(s.position)


def ahead(s: Projected, now: float) -> tuple[PlannedStep, ...]:
    """The step in progress and every step to come, each with its forecast start and end.

    Read-only, like `snapshot`: call `advance(now)` first."""
    if s.phase == "ended":
        return ()
    now_s = s.session_time(now)
    a = s.active_at(now_s)
    agenda = s.agenda
    lang, default = s.plan.language, s.practice.language
    out: list[PlannedStep] = []
    t = now_s
    st = s.step
    if st is not None:
        run = st.run
        left = step_left(st, a, agenda.estimates[run.id])
        elapsed = max(0.0, a - st.start_a)
        flex = flexible(run.step)
        out.append(
            PlannedStep(
                run.id,
                st.title,
                run.step.kind,
                True,
                elapsed + left,
                t - elapsed,
                t + left,
                flex,
                run.focus,
            )
        )
        t += left
    for run in agenda.runs[s.position + 1 :]:
        seconds = agenda.estimates[run.id]
        title = step_title(run.step, lang, default)
        flex = flexible(run.step)
        out.append(
            PlannedStep(
                run.id, title, run.step.kind, False, seconds, t, t + seconds, flex, run.focus
            )
        )
        t += seconds
    return tuple(out)


def _texts(values: list[TextValue], language: str, default: str) -> tuple[str, ...]:
    return tuple(localize(v, language, default) for v in values)


def _round_fields(r: Round, st: StepRun, a: float, wall: float | None) -> dict[str, Any]:
    """What a round or a consent round adds to the snapshot."""
    spec = r.spec
    consent = isinstance(spec, ConsentStep)
    laps: int | None = None
    if isinstance(spec, ConsentStep):
        laps = spec.max_rounds
    elif spec.until == "laps":
        laps = spec.lap_count  # until everyone passes, nobody knows how many laps
    fields: dict[str, Any] = {
        "lap": r.lap,
        "laps": laps,
        "queue": tuple(r.queue),
        "spoken": tuple(r.spoken),
        "passed": tuple(r.passed),
        "popcorn": r.popcorn,
        "addressee": r.turn.to if r.turn is not None else None,
    }
    if isinstance(spec, ConsentStep):
        fields["ask"] = r.prompt
        fields["responses"] = dict(r.responses)
        fields["response_kinds"] = tuple(spec.responses)
        fields["amending"] = r.amending
    elif r.lap:
        fields["step_text"] = r.prompt
    if st.deadline is None and wall is not None:
        # A consent round is forecast to its current round: more may follow objections.
        left = round_forecast(r, a, r.lap if consent else laps)
        if left is not None:
            fields["step_ends_wall"], fields["step_ends_estimated"] = wall + left, True
    return fields


def _exchange_fields(ex: Exchange) -> dict[str, Any]:
    """What an exchange adds to the snapshot."""
    return {
        "part": ex.part,
        "pair_speaker": ex.speaker,
        "listener": ex.listener if ex.part else ex.chosen,
        "pair": ex.pair or None,
        "pairs": ex.total,
        "loop": ex.loop if ex.part else None,
        "heard": tuple(ex.heard),
        "ask": ex.prompt,
        "addressee": ex.turn.to if ex.turn is not None else None,
        # With `next_pair: chosen`, between pairs the facilitator picks who speaks.
        "popcorn": ex.part is None and ex.spec.next_pair == "chosen",
    }


def _stack_fields(stack: Stack, s: Projected) -> dict[str, Any]:
    """What a speaking queue adds to the snapshot."""
    order = stack.ordered(s.stick.airtime)
    return {
        "queue": tuple(q.who for q in order),
        "queue_kinds": tuple(q.kind for q in order),
        "request_kinds": tuple(stack.spec.kinds),
        "spoken": tuple(stack.spoken),
        "popcorn": True,
    }


def _group_fields(st: StepRun) -> dict[str, Any]:
    """What a breakout adds to the snapshot: groups, hosts, focus, who speaks in each."""
    speakers: tuple[str, ...] = ()
    if st.swap_every:
        speakers = tuple(g[(st.swap_k - 1) % len(g)] for g in st.groups if g)
    return {
        "groups": st.groups,
        "group_hosts": st.hosts,
        "group_focus": st.group_focus,
        "group_speakers": speakers,
    }


def _timer_fields(fields: dict[str, Any], wall: float | None) -> dict[str, Any]:
    """The one rule for the main countdown: the speaker's turn when it is timed (or past its
    time), else the step when it is; its end on the wall clock belongs to what it counts."""
    turn_left = fields.get("turn_remaining")
    overtime = fields.get("turn_overtime", 0.0)
    if fields.get("speaker") is not None and (turn_left is not None or overtime):
        ends = None
        if wall is not None and turn_left is not None and not overtime:
            ends = wall + turn_left
        return {"timer": "turn", "timer_remaining": turn_left, "timer_ends_wall": ends}
    if fields.get("step_remaining") is not None:
        return {
            "timer": "step",
            "timer_remaining": fields["step_remaining"],
            "timer_ends_wall": fields.get("step_ends_wall"),
            "timer_ends_estimated": fields.get("step_ends_estimated", False),
        }
    return {}


def snapshot(s: Projected, now: float, wall: float | None = None) -> Snapshot:
    """What the screen shows at machine time `now`; `wall` (epoch seconds at `now`) dates
    the step's end. Read-only: it fires no cue."""
    now_s = s.session_time(now)
    a = s.active_at(now_s)
    st = s.step if s.phase != "ended" else None
    plan = s.plan
    lang, default = plan.language, s.practice.language
    roles = dict(plan.roles)
    air = dict(s.stick.airtime)
    over = dict(s.stick.overtime)
    fields: dict[str, Any] = {}
    if st is not None:
        step = st.run.step
        roles.update(st.run.bindings)
        fields.update(
            step_index=st.run.index,
            step_kind=step.kind,
            step_title=st.title,
            step_text=st.text,
            stems=_texts(list(getattr(step, "stems", [])), lang, default),
            step_elapsed=max(0.0, a - st.start_a),
            groups=st.groups,
            participants=st.people,
            timebox=getattr(step, "timebox", None),
            step_note=None if step.note is None else localize(step.note, lang, default),
            lead=roles.get(step.lead, ()) if step.lead else (),
            can_undo=s.stick.can_undo(st.round),
            stack=st.stack is not None,
        )
        if st.deadline is not None:
            fields["step_remaining"] = max(0.0, st.deadline - a)
            if wall is not None:
                fields["step_ends_wall"] = wall + fields["step_remaining"]
        cue = next_sound(st, s.due())
        if cue is not None:
            fields["next_cue"], fields["next_cue_in"] = cue[0], max(0.0, cue[1] - a)
        if st.groups:
            fields.update(_group_fields(st))
        if st.round is not None:
            fields.update(_round_fields(st.round, st, a, wall))
        if st.exchange is not None:
            fields.update(_exchange_fields(st.exchange))
            part = getattr(st.exchange.spec.parts, st.exchange.part or "", None)
            if part is not None:
                fields["stems"] += _texts(list(part.stems), lang, default)
        if st.stack is not None:
            fields.update(_stack_fields(st.stack, s))
        turn = st.turn
        if turn is not None:
            fields.update(
                speaker=turn.speaker,
                turn_allowed=turn.allowed,
                turn_remaining=turn.remaining(a),
                turn_overtime=turn.overtime(a),
            )
            air[turn.speaker] += max(0.0, a - turn.seg_start)
            over[turn.speaker] += max(0.0, turn.overtime(a) - turn.ot_seg0)
    focus = st.run.focus if st is not None and st.run.focus else plan.focus
    ends = forecast_end(s, now_s, a)
    if ends is not None and wall is not None:
        fields["ends_wall"] = wall + (ends - now_s)
    fields.update(_timer_fields(fields, wall))
    return Snapshot(
        now=now_s,
        phase=s.phase,
        practice=s.practice.title,
        circle=plan.names,
        roles=roles,
        agenda=agenda(s),
        step_index=fields.pop("step_index", None),
        step_kind=fields.pop("step_kind", None),
        step_title=fields.pop("step_title", None),
        step_text=fields.pop("step_text", None),
        stems=fields.pop("stems", ()),
        focus=focus if s.phase != "ended" else None,
        step_remaining=fields.pop("step_remaining", None),
        step_elapsed=fields.pop("step_elapsed", 0.0),
        step_ends_wall=fields.pop("step_ends_wall", None),
        speaker=fields.pop("speaker", None),
        lap=fields.pop("lap", None),
        laps=fields.pop("laps", None),
        turn_remaining=fields.pop("turn_remaining", None),
        turn_overtime=fields.pop("turn_overtime", 0.0),
        queue=fields.pop("queue", ()),
        spoken=fields.pop("spoken", ()),
        passed=fields.pop("passed", ()),
        groups=fields.pop("groups", ()),
        next_cue=fields.pop("next_cue", None),
        next_cue_in=fields.pop("next_cue_in", None),
        airtime=air,
        overtime=over,
        starter=plan.starter,
        host=plan.host,
        meeting=plan.meeting + 1,
        meetings=plan.meetings,
        ends=ends,
        topics=tuple(s.agenda.topics),
        **fields,
    )
