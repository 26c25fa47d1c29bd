"""The session engine: a pure state machine driven by time and commands.

Time only comes in as arguments. Every deadline lives on the *active* clock: session
time with pauses cut out. A pause therefore freezes every deadline at once (the same as
shifting each by the pause length on resume), and airtime measured on it excludes pauses.

Like h11's `_state.py`, what may happen in each phase is written down once (`ACCEPTS`,
`MOVES`); everything that happened goes out as events (`events.py`).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from circlekeeper.engine.circle import Circle, SessionOptions, assign_roles
from circlekeeper.engine.events import (
    BellDue,
    EndReason,
    Event,
    GroupsFormed,
    LapStarted,
    Passed,
    Paused,
    PromptDue,
    Resumed,
    SessionEnded,
    SessionStarted,
    StackChanged,
    StepEnded,
    StepStarted,
    SwapDue,
    TimeChanged,
    TurnEnded,
    TurnStarted,
    TurnTimeUp,
    TurnWarning,
    Undone,
)
from circlekeeper.engine.groups import Groups, form_groups, record
from circlekeeper.engine.plan import (
    DEFAULT_TITLES,
    RunStep,
    eligible,
    estimate,
    lap_order,
    step_seconds,
    turn_seconds,
    unroll,
)
from circlekeeper.engine.state import AgendaItem, Phase, Snapshot
from circlekeeper.engine.texts import localize, pick_language
from circlekeeper.script.model import (
    BreakoutStep,
    CueSpec,
    DiscussionStep,
    Practice,
    ReadStep,
    RoundStep,
    SilenceStep,
    SitStep,
    TimedCue,
)

Command = Literal[
    "start", "advance", "next", "pass", "pick", "extend", "pause", "resume", "skip", "undo", "end"
]

_LIVE: frozenset[Command] = frozenset(
    {"advance", "next", "pass", "pick", "extend", "skip", "undo", "end"}
)
ACCEPTS: dict[Phase, frozenset[Command]] = {
    "ready": frozenset({"start"}),
    "running": _LIVE | {"pause"},
    # The stick may still move during a pause; only the clock is frozen.
    "paused": _LIVE | {"resume"},
    "ended": frozenset(),
}
"""Which commands each phase accepts; any other returns [] and changes nothing."""

MOVES: dict[tuple[Phase, Command], Phase] = {
    ("ready", "start"): "running",
    ("running", "pause"): "paused",
    ("paused", "resume"): "running",
    ("running", "end"): "ended",
    ("paused", "end"): "ended",
}
"""Phase changes made by commands. Running out of steps also moves to "ended"."""

MAX_LAPS = 20
"""Laps after which an `until: all-pass` round stops even if people keep speaking."""

_END_BELL: frozenset[str] = frozenset({"time", "next", "done", "all-pass"})
_RETURN_CUE: frozenset[str] = frozenset({"time", "next", "skip", "done"})
_INF = float("inf")

# Order of cues that fall due at the same moment: bells first, the step's end last.
_PRIORITY = {
    "at": 0,
    "interval": 1,
    "halfway": 2,
    "swap": 3,
    "warning": 4,
    "turn-warning": 5,
    "turn-up": 6,
    "end": 9,
}


@dataclass
class _Turn:
    """The talking stick in one person's hand (one segment: undo starts a new one)."""

    speaker: str
    lap: int
    allowed: float | None
    seg_start: float
    deadline: float | None
    ot_base: float = 0.0
    """Overtime counted before `ot_mark` (earlier segments, or before an extension)."""
    ot_mark: float = 0.0
    ot_seg0: float = 0.0
    """Overtime already reported by an earlier segment of the same turn."""
    warned: bool = False
    timed_up: bool = False

    def remaining(self, a: float) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - a)

    def overtime(self, a: float) -> float:
        if self.deadline is None:
            return self.ot_base
        return self.ot_base + max(0.0, a - max(self.deadline, self.ot_mark))


@dataclass
class _Round:
    """A round's moving parts: who speaks, who is waiting, who has spoken or passed."""

    spec: RoundStep
    speakers: tuple[str, ...]
    lap: int = 0
    order: tuple[str, ...] = ()
    per_turn: float | None = None
    queue: list[str] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    passed_once: set[str] = field(default_factory=set)
    turn: _Turn | None = None

    def copy(self) -> _Round:
        return replace(
            self,
            queue=list(self.queue),
            spoken=list(self.spoken),
            passed=list(self.passed),
            passed_once=set(self.passed_once),
            turn=None if self.turn is None else replace(self.turn),
        )


@dataclass
class _StepRun:
    """The running step and the cues it has sounded so far."""

    run: RunStep
    title: str
    text: str | None
    start_a: float
    deadline: float | None
    at_cues: list[TimedCue]
    at_i: int = 0
    interval_k: int = 1
    interval_due: float = _INF
    halfway_done: bool = False
    warning_done: bool = False
    swap_k: int = 1
    groups: Groups = ()
    round: _Round | None = None
    stack: list[str] | None = None
    """Taking stack in a discussion: who asked to speak, in order (None: no stack)."""
    floor: _Turn | None = None
    """Who has the floor in a discussion taking stack."""
    floor_spoken: list[str] = field(default_factory=list)
    airtime: dict[str, float] = field(default_factory=dict)


@dataclass
class _UndoRecord:
    what: str
    pos: int
    a: float
    round: _Round
    """The round as it was just before the command."""


class Session:
    """One live run of a practice with one circle. Commands return the events they caused."""

    def __init__(
        self,
        practice: Practice,
        circle: Circle,
        options: SessionOptions = SessionOptions(),  # noqa: B008 - frozen, safe to share
    ) -> None:
        if not circle.names:
            raise ValueError("a circle needs at least one person")
        if len(set(circle.names)) != len(circle.names):
            raise ValueError("each name in the circle must be different")
        self.practice = practice
        self.circle = circle
        self.options = options
        self._names = tuple(circle.names)
        self._seed = (
            options.seed if options.seed is not None else random.SystemRandom().randrange(2**32)
        )
        assigned = assign_roles(practice, self._names, meeting=options.meeting, seed=self._seed)
        self._roles: dict[str, tuple[str, ...]] = {**assigned, **circle.roles}
        self._silent = frozenset(r.id for r in practice.roles if not r.speaks)
        self._lang = options.language or practice.language
        self._runs = unroll(practice, self._names, self._roles, self._seed)
        self._rows = self._agenda_rows()

        self._phase: Phase = "ready"
        self._t0 = 0.0
        self._last_s = 0.0
        self._now_s = 0.0
        self._a = 0.0
        self._paused_total = 0.0
        self._pause_began = 0.0
        self._last_t = 0.0
        self._out: list[Event] = []
        self._pos = -1
        self._step: _StepRun | None = None
        self._due: tuple[float, int, str] | None = None
        self._due_at = _INF
        self._cands: list[tuple[float, int, str]] = []
        self._undo: _UndoRecord | None = None
        self._reasons: dict[int, EndReason] = {}
        self._air = dict.fromkeys(self._names, 0.0)
        self._ot = dict.fromkeys(self._names, 0.0)
        self._met: Counter[frozenset[str]] = Counter()
        self._last_groups: Groups | None = None

    # ----------------------------------------------------------------- state
    @property
    def phase(self) -> Phase:
        """ready, running, paused or ended."""
        return self._phase

    @property
    def started(self) -> bool:
        """Whether `start` has been called."""
        return self._phase != "ready"

    @property
    def paused(self) -> bool:
        """Whether a guardian pause holds every timer."""
        return self._phase == "paused"

    @property
    def ended(self) -> bool:
        """Whether the session is over."""
        return self._phase == "ended"

    @property
    def runs(self) -> tuple[RunStep, ...]:
        """The steps as they will run, loops unrolled."""
        return self._runs

    def next_due(self) -> float | None:
        """Session time of the next scheduled cue or deadline (None if none, or paused)."""
        if self._phase != "running" or self._due is None:
            return None
        return max(self._due[0] + self._paused_total, self._last_s)

    # -------------------------------------------------------------- commands
    def start(self, now: float) -> list[Event]:
        """Begin the session at `now`; session time counts from here."""
        if "start" not in ACCEPTS[self._phase]:
            return []
        self._t0 = float(now) if math.isfinite(float(now)) else 0.0
        self._phase = MOVES[("ready", "start")]
        self._out = []
        self._emit(SessionStarted(0.0, self.practice.title, self._names, dict(self._roles)))
        self._start_step(0)
        self._run_due(self._a)
        return self._finish()

    def advance(self, now: float) -> list[Event]:
        """Let time pass up to `now`: every cue that came due fires, at its own time."""
        if self._phase != "running":
            # A paused session has nothing due; only the clamp needs updating.
            if self._phase == "paused":
                self._clamp(now)
            return []
        now_s = self._clamp(now)
        a = now_s - self._paused_total
        if a < self._due_at:
            # The common case at ten ticks a second: nothing due, nothing to do.
            self._a = a
            return []
        self._out = []
        self._now_s = now_s
        self._run_due(a)
        return self._finish()

    def next(self, now: float) -> list[Event]:
        """Move on: the next speaker in a round, else the next step."""
        return self._command("next", now, self._do_next)

    def pass_stick(self, now: float) -> list[Event]:
        """The speaker passes (if the round allows it)."""
        return self._command("pass", now, self._do_pass)

    def pick(self, name: str, now: float) -> list[Event]:
        """Give the stick to `name`, who has not spoken yet in this lap."""
        return self._command("pick", now, lambda: self._do_pick(name))

    def extend(self, seconds: float, now: float) -> list[Event]:
        """Add (or take away) time: the current turn if timed, else the current step."""
        return self._command("extend", now, lambda: self._do_extend(float(seconds)))

    def pause(self, now: float) -> list[Event]:
        """Guardian pause: every timer freezes."""
        return self._command("pause", now, self._do_pause)

    def resume(self, now: float) -> list[Event]:
        """Lift the pause; every deadline moves on by its length."""
        return self._command("resume", now, self._do_resume)

    def skip(self, now: float) -> list[Event]:
        """End the current step now, with reason "skip"."""
        return self._command("skip", now, lambda: self._finish_step("skip"))

    def undo(self, now: float) -> list[Event]:
        """Take back the last next or pass."""
        return self._command("undo", now, self._do_undo)

    def end(self, now: float) -> list[Event]:
        """End the whole session now."""
        return self._command("end", now, self._do_end)

    # ------------------------------------------------------------- machinery
    def _clamp(self, now: float) -> float:
        """Session time of `now`, never earlier than any time seen before."""
        now_f = float(now)
        if not math.isfinite(now_f):
            return self._last_s  # a broken clock reading is no reason to jump anywhere
        now_s = max(now_f - self._t0, self._last_s)
        self._last_s = now_s
        return now_s

    def _active(self, now_s: float) -> float:
        if self._phase == "paused":
            return self._pause_began - self._paused_total
        return now_s - self._paused_total

    def _command(self, cmd: Command, now: float, action: Callable[[], object]) -> list[Event]:
        if cmd not in ACCEPTS[self._phase]:
            return []
        self._out = []
        self._now_s = self._clamp(now)
        self._run_due(self._active(self._now_s))
        # Catching up may have ended the session; then the command no longer applies.
        if cmd in ACCEPTS[self._phase]:
            action()
            self._refresh()
            self._run_due(self._a)
        return self._finish()

    def _finish(self) -> list[Event]:
        self._refresh()
        out, self._out = self._out, []
        return out

    def _stamp(self) -> float:
        t = self._now_s if self._phase == "paused" else self._a + self._paused_total
        self._last_t = max(self._last_t, t)
        return self._last_t

    def _emit(self, event: Event) -> None:
        self._out.append(event)

    def _run_due(self, a_now: float) -> None:
        """Fire every cue due up to active time `a_now`, in time order, each at its time."""
        self._refresh()
        guard = 0
        while self._due is not None and self._due[0] <= a_now and self._phase != "ended":
            due, _, kind = self._due
            self._a = max(self._a, due)
            self._fire(kind)
            self._refresh()
            guard += 1
            if guard > 1_000_000:  # pragma: no cover - a bug, never a hang in a live circle
                break
        self._a = max(self._a, a_now)

    def _refresh(self) -> None:
        self._cands = self._candidates()
        self._due = min(self._cands) if self._cands else None
        self._due_at = _INF if self._due is None or self._phase != "running" else self._due[0]

    def _candidates(self) -> list[tuple[float, int, str]]:
        """The next occurrence of every kind of timed cue still to come in this step."""
        st = self._step
        if st is None or self._phase == "ended":
            return []
        step = st.run.step
        bells = step.bells
        dl = st.deadline
        out: list[tuple[float, int, str]] = []
        if st.at_i < len(st.at_cues):
            due = st.start_a + st.at_cues[st.at_i].at
            if dl is None or due <= dl:
                out.append((due, _PRIORITY["at"], "at"))
        if bells.interval is not None and (dl is None or st.interval_due < dl):
            out.append((st.interval_due, _PRIORITY["interval"], "interval"))
        if dl is not None:
            if bells.halfway is not None and not st.halfway_done:
                out.append((st.start_a + (dl - st.start_a) / 2, _PRIORITY["halfway"], "halfway"))
            if isinstance(step, BreakoutStep) and step.swap_every:
                due = st.start_a + st.swap_k * step.swap_every
                if due < dl:
                    out.append((due, _PRIORITY["swap"], "swap"))
            w = bells.warning
            if w is not None and not st.warning_done and w < dl - st.start_a:
                out.append((dl - w, _PRIORITY["warning"], "warning"))
            out.append((dl, _PRIORITY["end"], "end"))
        r = st.round
        turn = r.turn if r is not None else None
        if r is not None and turn is not None and turn.deadline is not None:
            tdl = turn.deadline
            w = r.spec.turn.warning
            if w is not None and not turn.warned and w < (r.per_turn or 0.0):
                out.append((tdl - w, _PRIORITY["turn-warning"], "turn-warning"))
            if not turn.timed_up:
                out.append((tdl, _PRIORITY["turn-up"], "turn-up"))
        return out

    def _interval_due(self, st: _StepRun, k: int) -> float:
        spec = st.run.step.bells.interval
        assert spec is not None
        due = st.start_a + k * spec.every
        if spec.jitter:
            # Seeded per bell, so a rehearsal and the live run ring at the same moments.
            spread = min(float(spec.jitter), spec.every * 0.45)
            rng = random.Random(f"{self._seed}:{st.run.index}:interval:{k}")
            due += rng.uniform(-spread, spread)
        return due

    def _fire(self, kind: str) -> None:
        st = self._step
        assert st is not None
        step = st.run.step
        bells = step.bells
        if kind == "at":
            cue: CueSpec = st.at_cues[st.at_i]
            st.at_i += 1
            self._bell(cue, "at")
        elif kind == "interval":
            assert bells.interval is not None
            st.interval_k += 1
            st.interval_due = self._interval_due(st, st.interval_k)
            self._bell(bells.interval, "interval")
        elif kind == "halfway":
            assert bells.halfway is not None
            st.halfway_done = True
            self._bell(bells.halfway, "halfway")
        elif kind == "swap":
            assert isinstance(step, BreakoutStep)
            self._emit(SwapDue(self._stamp(), st.swap_k))
            st.swap_k += 1
            self._bell(step.swap_cue, "swap")
        elif kind == "warning":
            st.warning_done = True
            self._bell(bells.warning_cue, "warning")
        elif kind == "end":
            self._finish_step("time")
        else:
            r = st.round
            assert r is not None and r.turn is not None
            turn = r.turn
            if kind == "turn-warning":
                turn.warned = True
                self._emit(TurnWarning(self._stamp(), turn.speaker, turn.remaining(self._a) or 0.0))
                self._bell(r.spec.turn.warning_cue, "warning")
            else:
                turn.timed_up = True
                hard = r.spec.turn.end == "hard"
                self._emit(TurnTimeUp(self._stamp(), turn.speaker, hard))
                if r.spec.turn.end_cue is not None:
                    self._bell(r.spec.turn.end_cue, "time-up")
                if hard:
                    # Automatic moves cannot be undone: the last next/pass is history now.
                    self._undo = None
                    self._end_turn(r)
                    # In popcorn the stick goes back to the middle until someone is picked.
                    self._move_on(r, wait=r.spec.order == "popcorn")

    def _bell(self, cue: CueSpec, reason: str) -> None:
        say = localize(cue.say, self._lang, self.practice.language)
        self._emit(BellDue(self._stamp(), cue.sound, cue.strikes, reason, say))

    def _prompt(self, text: str | dict[str, str] | None) -> None:
        if text is None:
            return
        lang = pick_language(text, self._lang, self.practice.language)
        said = localize(text, self._lang, self.practice.language)
        assert said is not None
        self._emit(PromptDue(self._stamp(), said, lang))

    # ----------------------------------------------------------------- steps
    def _text(self, text: str | dict[str, str] | None) -> str | None:
        return localize(text, self._lang, self.practice.language)

    def _title(self, step: object) -> str:
        title = self._text(getattr(step, "title", None))
        if title:
            return title
        if isinstance(step, SitStep) and step.mode == "walking":
            return "Walking"
        return DEFAULT_TITLES.get(str(getattr(step, "kind", "")), "Step")

    def _start_step(self, pos: int) -> None:
        # A loop, not recursion: rounds nobody may speak in end at once, maybe many in a row.
        while True:
            self._pos = pos
            self._undo = None
            if pos >= len(self._runs):
                self._step = None
                self._end_session("done")
                return
            round_ = self._open_step(self._runs[pos])
            if round_ is None:
                return
            if round_.speakers:
                self._start_lap(round_, 1)
                return
            self._end_step("done")
            pos += 1

    def _open_step(self, run: RunStep) -> _Round | None:
        """Start `run`: its events, bells and prompt; returns its round, if it is one."""
        step = run.step
        raw_text = _step_text(step)
        duration = step_seconds(step, len(self._names))
        a = self._a
        st = _StepRun(
            run=run,
            title=self._title(step),
            text=self._text(raw_text),
            start_a=a,
            deadline=None if duration is None else a + duration,
            at_cues=sorted(step.bells.at, key=lambda c: c.at),
        )
        self._step = st
        if step.bells.interval is not None:
            st.interval_due = self._interval_due(st, 1)
        self._emit(
            StepStarted(
                self._stamp(),
                run.index,
                run.agenda,
                step.kind,
                st.title,
                st.text,
                duration,
                run.focus,
            )
        )
        if isinstance(step, BreakoutStep):
            rng = random.Random(f"{self._seed}:breakout:{run.index}")
            st.groups = form_groups(step, self._names, self._last_groups, self._met, rng)
            record(st.groups, self._met)
            self._last_groups = st.groups
            self._emit(GroupsFormed(self._stamp(), st.groups))
        if step.bells.start is not None:
            self._bell(step.bells.start, "start")
        if step.speak and not (isinstance(step, RoundStep) and step.prompt is None):
            self._prompt(raw_text)
        if isinstance(step, DiscussionStep) and step.stack:
            st.stack = []
        if not isinstance(step, RoundStep):
            return None
        roles = {**self._roles, **run.bindings}
        speakers = eligible(step, self._names, roles, self._silent)
        st.round = _Round(step, speakers)
        return st.round

    def _finish_step(self, reason: EndReason) -> None:
        """End the current step for `reason` and start the next one at the same moment."""
        if self._step is None:
            return
        self._end_step(reason)
        self._start_step(self._pos + 1)

    def _end_step(self, reason: EndReason) -> None:
        st = self._step
        assert st is not None
        step = st.run.step
        if st.round is not None and st.round.turn is not None:
            self._end_turn(st.round)
        if st.floor is not None:
            self._book(st.floor)
            st.floor = None
        if reason in _RETURN_CUE and isinstance(step, BreakoutStep):
            self._bell(step.return_cue, "return")
        if reason in _END_BELL and step.bells.end is not None:
            self._bell(step.bells.end, "end")
        counted = st.round is not None or st.stack is not None
        airtime = dict(st.airtime) if counted else {}
        self._emit(StepEnded(self._stamp(), st.run.index, reason, airtime))
        self._reasons[st.run.index] = reason
        self._step = None
        self._undo = None

    def _end_session(self, reason: Literal["done", "end"]) -> None:
        self._phase = "ended"
        self._emit(SessionEnded(self._stamp(), dict(self._air), dict(self._ot), reason))

    # ---------------------------------------------------------------- rounds
    def _start_lap(self, r: _Round, lap: int) -> None:
        spec = r.spec
        st = self._step
        assert st is not None
        roles = {**self._roles, **st.run.bindings}
        r.lap = lap
        r.order = lap_order(
            spec,
            r.speakers,
            self._names,
            roles,
            lap=lap,
            meeting=self.options.meeting,
            keeper_role=self.practice.keeper_role,
            airtime=self._air,
            # The same draw every lap: a random starter, then around the circle each time.
            rng=random.Random(f"{self._seed}:round:{st.run.index}"),
        )
        r.queue = list(r.order)
        r.spoken, r.passed, r.passed_once = [], [], set()
        r.per_turn = turn_seconds(spec, len(r.order), len(self._names))
        lap_prompt = spec.prompts[lap - 1] if lap <= len(spec.prompts) else spec.prompt
        self._emit(LapStarted(self._stamp(), lap, self._text(lap_prompt), r.order))
        if spec.speak and lap <= len(spec.prompts):
            self._prompt(spec.prompts[lap - 1])
        if spec.order != "popcorn":
            self._begin_turn(r, r.queue.pop(0))

    def _begin_turn(self, r: _Round, speaker: str) -> None:
        a = self._a
        allowed = r.per_turn
        deadline = None if allowed is None else a + allowed
        r.turn = _Turn(speaker, r.lap, allowed, a, deadline, ot_mark=a)
        self._emit(TurnStarted(self._stamp(), speaker, r.lap, allowed))

    def _end_turn(self, r: _Round) -> str:
        """Close the open turn, book its airtime, and say who it was."""
        turn = r.turn
        assert turn is not None
        self._book(turn)
        r.turn = None
        if turn.speaker in r.passed:
            r.passed.remove(turn.speaker)
        if turn.speaker not in r.spoken:
            r.spoken.append(turn.speaker)
        return turn.speaker

    def _book(self, turn: _Turn) -> None:
        """Book a finished turn's airtime and overtime, and say so."""
        a = self._a
        spoke = max(0.0, a - turn.seg_start)
        over = max(0.0, turn.overtime(a) - turn.ot_seg0)
        self._air[turn.speaker] += spoke
        self._ot[turn.speaker] += over
        st = self._step
        assert st is not None
        st.airtime[turn.speaker] = st.airtime.get(turn.speaker, 0.0) + spoke
        self._emit(TurnEnded(self._stamp(), turn.speaker, spoke, over))

    def _move_on(self, r: _Round, *, wait: bool = False) -> None:
        """After a turn: the next in the queue (or, with `wait`, nobody until a pick), or the
        lap is over."""
        if r.queue:
            if not wait:
                self._begin_turn(r, r.queue.pop(0))
            return
        if r.spec.until == "all-pass":
            if not r.spoken:
                self._finish_step("all-pass")
                return
            if r.lap >= MAX_LAPS:
                self._finish_step("done")
                return
        elif r.lap >= r.spec.lap_count:
            self._finish_step("done")
            return
        self._start_lap(r, r.lap + 1)

    def _current_round(self) -> _Round | None:
        return None if self._step is None else self._step.round

    def _remember(self, what: str, r: _Round) -> _UndoRecord:
        return _UndoRecord(what, self._pos, self._a, r.copy())

    def _do_next(self) -> None:
        if self._step is None:
            return
        if self._step.stack is not None and self._next_on_stack(self._step):
            return
        r = self._step.round
        if r is None:
            self._finish_step("next")
            return
        if r.turn is None:
            # Popcorn with nobody holding the stick: the next in circle order.
            if r.queue:
                self._undo = self._remember("next", r)
                self._begin_turn(r, r.queue.pop(0))
            return
        rec = self._remember("next", r)
        self._end_turn(r)
        self._undo = rec
        self._move_on(r)

    def _do_pass(self) -> None:
        r = self._current_round()
        if r is None or r.turn is None or r.spec.passing == "not-allowed":
            return
        rec = self._remember("pass", r)
        speaker = r.turn.speaker
        again = r.spec.passing == "to-end" and speaker not in r.passed_once
        self._emit(Passed(self._stamp(), speaker, again))
        self._end_turn(r)
        # A pass is not speaking: undo the bookkeeping `_end_turn` did for a spoken turn.
        r.spoken.remove(speaker)
        if speaker not in r.passed:
            r.passed.append(speaker)
        if again:
            r.passed_once.add(speaker)
            r.queue.append(speaker)
        self._undo = rec
        self._move_on(r)

    def _next_on_stack(self, st: _StepRun) -> bool:
        """Taking stack: the floor passes to the first in the queue. False: nothing to do
        (floor open, nobody waiting), so `next` ends the step."""
        assert st.stack is not None
        if st.floor is None and not st.stack:
            return False
        if st.floor is not None:
            self._book(st.floor)
            if st.floor.speaker not in st.floor_spoken:
                st.floor_spoken.append(st.floor.speaker)
            st.floor = None
        if st.stack:
            self._give_floor(st, st.stack.pop(0))
            self._emit(StackChanged(self._stamp(), tuple(st.stack)))
        return True

    def _give_floor(self, st: _StepRun, name: str) -> None:
        st.floor = _Turn(name, 1, None, self._a, None, ot_mark=self._a)
        self._emit(TurnStarted(self._stamp(), name, 1, None))

    def _do_pick(self, name: str) -> None:
        st = self._step
        if st is not None and st.stack is not None:
            # Taking stack: raise a hand; an open floor goes to them at once.
            speaking = st.floor.speaker if st.floor is not None else None
            if name not in self._names or name == speaking or name in st.stack:
                return
            if st.floor is None:
                self._give_floor(st, name)
            else:
                st.stack.append(name)
                self._emit(StackChanged(self._stamp(), tuple(st.stack)))
            return
        r = self._current_round()
        if r is None or name not in r.queue:
            return
        rec = self._remember("pick", r)
        if r.turn is not None:
            self._end_turn(r)
        r.queue.remove(name)
        self._undo = rec
        self._begin_turn(r, name)

    def _do_undo(self) -> None:
        rec = self._undo
        st = self._step
        if rec is None or st is None or st.round is None or rec.pos != self._pos:
            return
        dropped = st.round.turn.speaker if st.round.turn is not None else None
        r = rec.round.copy()
        old = r.turn
        a = self._a
        allowed: float | None = None
        if old is not None:
            allowed = old.remaining(rec.a)
            overtime = old.overtime(rec.a)
            r.turn = replace(
                old,
                allowed=allowed,
                seg_start=a,
                deadline=None if allowed is None else a + allowed,
                ot_base=overtime,
                ot_mark=a,
                ot_seg0=overtime,
            )
        # The withdrawn turn gets no TurnEnded: its time is not counted for anyone.
        st.round = r
        self._undo = None
        self._emit(Undone(self._stamp(), rec.what, old.speaker if old else None, dropped))
        if r.turn is not None:
            self._emit(TurnStarted(self._stamp(), r.turn.speaker, r.turn.lap, allowed))

    def _do_extend(self, seconds: float) -> None:
        st = self._step
        if st is None or seconds == 0 or not math.isfinite(seconds):
            return
        a = self._a
        r = st.round
        if r is not None and r.turn is not None and r.turn.deadline is not None:
            turn = r.turn
            rem = turn.remaining(a) or 0.0
            new = max(0.0, rem + seconds)
            if new == rem:
                return
            turn.ot_base = turn.overtime(a)
            turn.ot_mark = a
            turn.deadline = a + new
            if new > 0:
                turn.timed_up = False
            w = r.spec.turn.warning
            if w is not None and new > w:
                turn.warned = False
            self._emit(TimeChanged(self._stamp(), new - rem, "turn"))
        elif st.deadline is not None:
            rem = max(0.0, st.deadline - a)
            new = max(0.0, rem + seconds)
            if new == rem:
                return
            st.deadline = a + new
            w = st.run.step.bells.warning
            if w is not None and new > w:
                st.warning_done = False
            if st.start_a + (st.deadline - st.start_a) / 2 < a:
                st.halfway_done = True
            self._emit(TimeChanged(self._stamp(), new - rem, "step"))

    def _do_pause(self) -> None:
        self._phase = MOVES[("running", "pause")]
        self._pause_began = self._now_s
        self._emit(Paused(self._stamp()))
        self._bell(self.practice.guardian.pause_cue, "pause")

    def _do_resume(self) -> None:
        paused_for = self._now_s - self._pause_began
        self._paused_total += paused_for
        self._phase = MOVES[("paused", "resume")]
        self._a = self._now_s - self._paused_total
        self._emit(Resumed(self._stamp(), paused_for))
        self._bell(self.practice.guardian.resume_cue, "resume")

    def _do_end(self) -> None:
        if self._step is not None:
            self._end_step("end")
        self._end_session("end")

    # -------------------------------------------------------------- snapshot
    def _agenda_rows(self) -> list[tuple[str, str, int, int, float]]:
        """Per top-level step: title, kind, its first run index, how many runs, estimate."""
        size = len(self._names)
        rows: list[tuple[str, str, int, int, float]] = []
        pos = 0
        for i, step in enumerate(self.practice.steps):
            total = 0.0
            count = 0
            # Unrolling keeps each top-level step's runs together and in order.
            while pos + count < len(self._runs) and self._runs[pos + count].agenda == i:
                run = self._runs[pos + count]
                speakers = 0
                if isinstance(run.step, RoundStep):
                    roles = {**self._roles, **run.bindings}
                    speakers = len(eligible(run.step, self._names, roles, self._silent))
                total += estimate(run, speakers, size)
                count += 1
            rows.append((self._title(step), step.kind, pos, count, total))
            pos += count
        return rows

    def _agenda(self) -> tuple[AgendaItem, ...]:
        items = []
        current = self._step.run.agenda if self._step is not None else None
        for i, (title, kind, first, count, total) in enumerate(self._rows):
            status: Literal["done", "current", "todo", "skipped"] = "todo"
            ended = [self._reasons[j] for j in range(first, first + count) if j in self._reasons]
            if i == current:
                status = "current"
            elif count and len(ended) == count:
                status = "skipped" if all(r == "skip" for r in ended) else "done"
            elif not count and (self._pos >= first or self._phase == "ended"):
                status = "skipped"  # nothing to run (a loop over nobody)
            items.append(AgendaItem(title, kind, status, total))
        return tuple(items)

    def _next_cue(self) -> tuple[str, float] | None:
        st = self._step
        if st is None:
            return None
        step = st.run.step
        for due, _, kind in sorted(self._cands):
            cue: CueSpec | None = None
            reason = kind
            if kind == "at":
                cue = st.at_cues[st.at_i]
            elif kind == "interval":
                cue = step.bells.interval
            elif kind == "halfway":
                cue = step.bells.halfway
            elif kind == "swap" and isinstance(step, BreakoutStep):
                cue = step.swap_cue
            elif kind == "warning":
                cue = step.bells.warning_cue
            elif kind == "turn-warning" and st.round is not None:
                cue, reason = st.round.spec.turn.warning_cue, "warning"
            elif kind == "turn-up" and st.round is not None:
                cue, reason = st.round.spec.turn.end_cue, "time-up"
            elif kind == "end":
                cue = step.return_cue if isinstance(step, BreakoutStep) else step.bells.end
                reason = "return" if isinstance(step, BreakoutStep) else "end"
            if cue is not None:
                return f"{cue.sound} x{cue.strikes} ({reason})", due
        return None

    def snapshot(self, now: float, wall: float | None = None) -> Snapshot:
        """What the screen shows at `now`; `wall` (epoch seconds at `now`) dates the step's end.

        Read-only: it does not fire cues, so call `advance(now)` first.
        """
        now_f = float(now) if math.isfinite(float(now)) else self._t0 + self._last_s
        now_s = max(now_f - self._t0, self._last_s) if self.started else 0.0
        a = self._active(now_s)
        st = self._step if self._phase != "ended" else None
        roles = dict(self._roles)
        air = dict(self._air)
        step_remaining = step_ends_wall = next_cue_in = None
        ends_estimated = False
        next_cue = None
        speaker = None
        lap = laps = None
        turn_remaining = None
        turn_overtime = 0.0
        queue: tuple[str, ...] = ()
        spoken: tuple[str, ...] = ()
        passed: tuple[str, ...] = ()
        popcorn = False
        turn_allowed: float | None = None
        extra_ot = 0.0
        lead: tuple[str, ...] = ()
        if st is not None:
            roles.update(st.run.bindings)
            if st.deadline is not None:
                step_remaining = max(0.0, st.deadline - a)
                if wall is not None:
                    step_ends_wall = wall + step_remaining
            cue = self._next_cue()
            if cue is not None:
                next_cue, next_cue_in = cue[0], max(0.0, cue[1] - a)
            r = st.round
            if r is not None:
                # Until everyone passes, nobody knows how many laps there will be.
                lap, laps = r.lap, None if r.spec.until == "all-pass" else r.spec.lap_count
                queue, spoken, passed = tuple(r.queue), tuple(r.spoken), tuple(r.passed)
                popcorn = r.spec.order == "popcorn"
                if st.deadline is None and wall is not None:
                    left = self._round_forecast(r, a, laps)
                    if left is not None:
                        step_ends_wall, ends_estimated = wall + left, True
            turn = r.turn if r is not None else st.floor
            if st.stack is not None:
                queue, spoken, popcorn = tuple(st.stack), tuple(st.floor_spoken), True
            if turn is not None:
                speaker = turn.speaker
                turn_allowed = turn.allowed
                turn_remaining = turn.remaining(a)
                turn_overtime = turn.overtime(a)
                air[speaker] += max(0.0, a - turn.seg_start)
                extra_ot = max(0.0, turn_overtime - turn.ot_seg0)
            lead = roles.get(st.run.step.lead, ()) if st.run.step.lead else ()
        over = dict(self._ot)
        if speaker is not None:
            over[speaker] += extra_ot
        step = st.run.step if st is not None else None
        return Snapshot(
            now=now_s,
            phase=self._phase,
            practice=self.practice.title,
            circle=self._names,
            roles=roles,
            agenda=self._agenda(),
            step_index=st.run.index if st is not None else None,
            step_kind=step.kind if step is not None else None,
            step_title=st.title if st is not None else None,
            step_text=st.text if st is not None else None,
            stems=tuple(
                s for s in (self._text(x) for x in getattr(step, "stems", [])) if s is not None
            ),
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
            can_undo=self._undo is not None and self._undo.pos == self._pos,
            popcorn=popcorn,
            stack=st is not None and st.stack is not None,
            step_note=self._text(step.note) if step is not None else None,
            lead=lead,
            turn_allowed=turn_allowed,
            step_ends_estimated=ends_estimated,
        )

    @staticmethod
    def _round_forecast(r: _Round, a: float, laps: int | None) -> float | None:
        """Seconds until a timed round ends if every turn to come runs its full time."""
        if r.per_turn is None or laps is None or r.spec.order == "popcorn":
            return None
        current = 0.0
        if r.turn is not None:
            current = r.turn.remaining(a) or 0.0
        turns_left = len(r.queue) + max(0, laps - r.lap) * len(r.speakers)
        return current + turns_left * r.per_turn


def _step_text(step: object) -> str | dict[str, str] | None:
    """The main text of a step: what is read, asked or guided."""
    if isinstance(step, ReadStep):
        return step.text
    if isinstance(step, SitStep):
        return step.guidance
    if isinstance(step, RoundStep):
        if step.prompt is not None:
            return step.prompt
        return step.prompts[0] if step.prompts else None
    if isinstance(step, SilenceStep | DiscussionStep | BreakoutStep):
        return step.prompt
    return None
