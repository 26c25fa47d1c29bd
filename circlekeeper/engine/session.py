"""The session front: the clocks, the phase table, and the one way in for commands.

Time only comes in as arguments. Session time counts from `start`, kept to the millisecond;
every deadline lives on the *active* clock, session time with pauses cut out. A pause
therefore freezes every deadline at once, and airtime measured on it excludes pauses.

Like h11's `_state.py`, everything that changes the phase is one table (`PHASE_TABLE`,
keyed by phase and trigger), the engine's own moves included; what happened goes out as
events (`events.py`). Every command goes through `do(command, now)` and answers: an
accepted one with `CommandTaken` and what it caused, a refused one with one `Refused` that
says why. The rest lives in its own room: the cue table (`cues.py`), the talking stick
(`stick.py`), the snapshot and agenda (`projection.py`), seats and roles (`setup.py`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal

from circlekeeper.engine.agenda import Agenda
from circlekeeper.engine.chime import LINE_ROW, BellLine
from circlekeeper.engine.clock import ceil_ms
from circlekeeper.engine.commands import (
    NOTE_MAX,
    Command,
    End,
    Extend,
    Next,
    Note,
    Pass,
    Pause,
    Pick,
    Refusal,
    Resume,
    RingBell,
    Skip,
    Start,
    Undo,
)
from circlekeeper.engine.cues import INF, Due, StepRun, due_cues
from circlekeeper.engine.edits import Edits
from circlekeeper.engine.events import (
    BellDue,
    CommandTaken,
    EndReason,
    Event,
    Paused,
    PromptDue,
    Refused,
    Resumed,
    SessionEnded,
    SessionStarted,
)
from circlekeeper.engine.phases import PHASE_TABLE, why_refused
from circlekeeper.engine.plan import RunStep
from circlekeeper.engine.projection import forecast_end, snapshot
from circlekeeper.engine.setup import CirclePlan
from circlekeeper.engine.state import Phase, Snapshot
from circlekeeper.engine.steps import Steps
from circlekeeper.engine.stick import Stick
from circlekeeper.engine.talk import Talk
from circlekeeper.i18n import msg
from circlekeeper.script.model import CueSpec, Practice
from circlekeeper.script.sounds import BUILTIN_SOUNDS
from circlekeeper.script.texts import (
    TextValue,
    localize,
    spoken,
)


class Session:
    """One live run of a practice with one circle. Commands return the events they caused."""

    def __init__(self, practice: Practice, plan: CirclePlan) -> None:
        self.practice = practice
        self.plan = plan
        self.agenda = Agenda(practice, plan)
        """The live agenda: the run list, its ids and estimates, the topics."""
        self.stick = Stick(practice, plan, self)
        self.steps = Steps(practice, plan, self.agenda.runs, self.stick, self)
        self.reasons = self.steps.reasons
        self._handlers: dict[type[Command], Callable[[Command], None]] = {
            Start: self._start,
            Extend: self._extend,
            Pause: self._pause,
            Resume: self._resume,
            Skip: self._skip,
            End: self._end,
            RingBell: self._ring_by_hand,
            **Talk(self.steps, self).handlers,
            Note: self._note,
            **Edits(self.agenda, self.steps, self, self._forecast_end).handlers,
        }
        self.line = BellLine(dict(practice.sounds))
        """Cues that fell due together, waiting to ring one after the other."""
        self._closing = False
        """Out of steps, with cues still waiting in line: the session ends when they rang."""
        self._phase: Phase = "ready"
        self._t0 = 0.0
        self._now = 0.0
        """The machine time the command being handled was given at."""
        self._last_s = 0.0
        """The latest session time seen."""
        self._now_s = 0.0
        """Session time of the command being handled."""
        self._a = 0.0
        """The active clock, as far as the session has got."""
        self._paused_total = 0.0
        self._pause_began = 0.0
        self._last_t = 0.0
        """The latest time given to an event (events never go back in time)."""
        self._out: list[Event] = []
        self._due: list[Due] = []
        self._due_at = INF

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
    def runs(self) -> Sequence[RunStep]:
        """The steps as they will run, loops unrolled, with the agenda's changes so far."""
        return self.agenda.runs

    @property
    def position(self) -> int:
        """The run index of the current step (-1 before the start)."""
        return self.steps.position

    @property
    def step(self) -> StepRun | None:
        """The running step."""
        return self.steps.current

    @property
    def seed(self) -> int:
        """The seed of every random choice in this session."""
        return self.plan.seed

    @property
    def active(self) -> float:
        """Now, on the active clock."""
        return self._a

    def next_due(self) -> float | None:
        """Session time of the next scheduled cue or deadline (None if none, or paused):
        the first millisecond at which `advance` fires it."""
        if self._phase != "running" or not self._due:
            return None
        due = self._due[0][0]
        t = ceil_ms(due + self._paused_total)
        while t - self._paused_total < due:  # float noise in the sum: one ms later then
            t = round(t + 0.001, 3)
        return max(t, self._last_s)

    def due(self) -> list[Due]:
        """The cues still to come in this step, soonest first."""
        return list(self._due)

    def session_time(self, now: float) -> float:
        """Session time at machine time `now`: never earlier than any seen, to the ms."""
        if self._phase == "ready":
            return 0.0
        now_f = float(now)
        if not math.isfinite(now_f):
            return self._last_s  # a broken clock reading is no reason to jump anywhere
        # To the nearest millisecond, as round(x, 3) does but cheaper: this runs every tick.
        now_s = math.floor((now_f - self._t0) * 1000 + 0.5) / 1000
        return now_s if now_s > self._last_s else self._last_s

    def active_at(self, now_s: float) -> float:
        """The active clock at session time `now_s` (frozen during a pause)."""
        if self._phase == "paused":
            return self._pause_began - self._paused_total
        return now_s - self._paused_total

    def snapshot(self, now: float, wall: float | None = None) -> Snapshot:
        """What the screen shows at `now`; `wall` (epoch seconds at `now`) dates the step's end.

        Read-only: it does not fire cues, so call `advance(now)` first.
        """
        return snapshot(self, now, wall)

    # --------------------------------------------------------------- commands
    def do(self, command: Command, now: float) -> list[Event]:
        """Take `command` at machine time `now`; the events it caused, or one `Refused`.

        Time catches up first (cues due by `now` fire at their own times, as `advance(now)`
        would); then the command is looked up in the phase table and handled.
        """
        self._out = []
        self._now = now
        if self.started:
            self._now_s = self._clamp(now)
            if not self.ended:
                self._run_due(self.active_at(self._now_s))
        handler = self._handlers.get(type(command))
        reason = why_refused(self._phase, command.name)
        if reason is not None or handler is None:
            self._refuse(command, reason or msg("the session cannot do that"))
            return self._finish()
        taken_at = self._now_s
        last_t, mark = self._last_t, len(self._out)
        self._last_t = max(last_t, taken_at)
        try:
            handler(command)
        except Refusal as refusal:
            # Handlers refuse before they change anything.
            assert len(self._out) == mark, "a command was refused after it changed something"
            self._last_t = last_t
            self._refuse(command, refusal.reason)
            return self._finish()
        self._out.insert(mark, CommandTaken(taken_at, command.to_json()))
        self._run_due(self._a)
        return self._finish()

    def advance(self, now: float) -> list[Event]:
        """Let time pass up to `now`: every cue that came due fires, at its own time."""
        if self._phase != "running":
            # A paused session has nothing due; only the clamp needs updating.
            if self._phase == "paused":
                self._clamp(now)
            return []
        now_s = self._last_s = self.session_time(now)
        a = now_s - self._paused_total
        if a < self._due_at:
            # The common case at ten ticks a second: nothing due, nothing to do.
            self._a = a
            return []
        self._out = []
        self._now_s = now_s
        self._run_due(a)
        return self._finish()

    def start(self, now: float) -> list[Event]:
        """Begin the session at `now`; session time counts from here."""
        return self.do(Start(), now)

    def next(self, now: float) -> list[Event]:
        """Move on: the next speaker in a round, else the next step."""
        return self.do(Next(), now)

    def pass_stick(self, now: float) -> list[Event]:
        """The speaker passes (if the round allows it)."""
        return self.do(Pass(), now)

    def pick(self, name: str, now: float) -> list[Event]:
        """Give the stick to `name`, who has not spoken yet in this lap."""
        return self.do(Pick(name), now)

    def extend(self, seconds: float, now: float) -> list[Event]:
        """Add (or take away) time: the current turn if timed, else the current step."""
        return self.do(Extend(float(seconds)), now)

    def pause(self, now: float) -> list[Event]:
        """Guardian pause: every timer freezes."""
        return self.do(Pause(), now)

    def resume(self, now: float) -> list[Event]:
        """Lift the pause; every deadline moves on by its length."""
        return self.do(Resume(), now)

    def skip(self, now: float) -> list[Event]:
        """End the current step now, with reason "skip"."""
        return self.do(Skip(), now)

    def undo(self, now: float) -> list[Event]:
        """Take back the last next, pass or pick."""
        return self.do(Undo(), now)

    def end(self, now: float) -> list[Event]:
        """End the whole session now."""
        return self.do(End(), now)

    def note(self, text: str, now: float) -> list[Event]:
        """Keep the scribe's note, on session time."""
        return self.do(Note(text), now)

    # --------------------------------------------------------------- handlers
    def _start(self, _: Command) -> None:
        now = float(self._now)
        self._t0 = now if math.isfinite(now) else 0.0
        self._move("start")
        plan = self.plan
        self.emit(
            SessionStarted(
                0.0,
                self.practice.title,
                plan.names,
                dict(plan.roles),
                plan.meeting + 1,
                plan.meetings,
                plan.focus,
            )
        )
        self.steps.start(0)

    def _running_step(self) -> StepRun:
        if self.step is None:  # never while running: the session ends with its last step
            raise Refusal(msg("there is no step running"))
        return self.step

    def _extend(self, command: Command) -> None:
        assert isinstance(command, Extend)
        self.steps.extend(command.seconds)

    def _pause(self, _: Command) -> None:
        self._move("pause")
        self._pause_began = self._now_s
        self.emit(Paused(self.stamp()))
        self.ring(self.practice.guardian.pause_cue, "pause", now=True)

    def _resume(self, _: Command) -> None:
        paused_for = self._now_s - self._pause_began
        self._paused_total += paused_for
        self._move("resume")
        self._a = self._now_s - self._paused_total
        self.emit(Resumed(self.stamp(), paused_for))
        self.ring(self.practice.guardian.resume_cue, "resume", now=True)

    def _skip(self, _: Command) -> None:
        self._running_step()
        self.steps.finish("skip")

    def _end(self, _: Command) -> None:
        if self.step is not None:
            self.steps.end("end")
        self.end_session("end")

    def _ring_by_hand(self, command: Command) -> None:
        assert isinstance(command, RingBell)
        if command.sound not in BUILTIN_SOUNDS and command.sound not in self.practice.sounds:
            raise Refusal(msg("there is no sound called '{sound}'", sound=command.sound))
        if not 1 <= command.strikes <= 12:
            raise Refusal(msg("a bell is struck 1 to 12 times"))
        self.emit(BellDue(self.stamp(), command.sound, command.strikes, "manual"))

    def _note(self, command: Command) -> None:
        assert isinstance(command, Note)
        # Its `CommandTaken` is the record: the journal keeps it, the export reads it.
        if not command.text.strip():
            raise Refusal(msg("an empty note is not kept"))
        if len(command.text) > NOTE_MAX:
            raise Refusal(
                msg("a note is kept up to {n} characters; this one is longer", n=NOTE_MAX)
            )

    # ------------------------------------------------------------- machinery
    def _move(self, trigger: str) -> None:
        """Change phase as the table says; a move it does not list is a bug."""
        self._phase = PHASE_TABLE[(self._phase, trigger)]

    def _clamp(self, now: float) -> float:
        """Session time of `now`, remembered as the latest seen."""
        self._last_s = self.session_time(now)
        return self._last_s

    def _refuse(self, command: Command, reason: str) -> None:
        t = max(self._last_t, self._now_s) if self.started else 0.0
        self.emit(Refused(t, command.to_json(), reason))

    def _forecast_end(self) -> float:
        return forecast_end(self, self._now_s, self._a) or self._now_s

    def _finish(self) -> list[Event]:
        self._refresh()
        out, self._out = self._out, []
        return out

    def stamp(self) -> float:
        """Session time of what happens now (never before an earlier event, to the ms)."""
        t = self._now_s if self._phase == "paused" else self._a + self._paused_total
        self._last_t = max(self._last_t, round(t, 3))
        return self._last_t

    def emit(self, event: Event) -> None:
        """Say that something happened."""
        self._out.append(event)

    def _run_due(self, a_now: float) -> None:
        """Fire every cue due up to active time `a_now`, in time order, each at its time."""
        self._refresh()
        guard = 0
        while self._due and self._due[0][0] <= a_now and self._phase != "ended":
            due, _, row = self._due[0]
            self._a = max(self._a, due)
            if row is LINE_ROW:
                self._ring_waiting()
            else:
                assert self.step is not None
                row.fire(self, self.step)
            self._refresh()
            guard += 1
            if guard > 1_000_000:  # pragma: no cover - a bug, never a hang in a live circle
                break
        self._a = max(self._a, a_now)

    def _refresh(self) -> None:
        self._due = due_cues(self.step) if self._phase != "ended" else []
        waiting = self.line.due
        if waiting is not None and self._phase != "ended":
            self._due.append((waiting, LINE_ROW.priority, LINE_ROW))
            self._due.sort(key=lambda item: (item[0], item[1]))
        running = self._due and self._phase == "running"
        self._due_at = self._due[0][0] if running else INF

    def ring(self, cue: CueSpec | None, reason: str, *, now: bool = False) -> None:
        """Ring `cue`, with its words in the session's language: now, or (a cue that falls
        due with others) after the ones before it; the same cue twice at once rings once.
        With `now` it does not wait in line (the guardian's cues)."""
        if cue is None:
            return
        said = spoken(cue.say, self.plan.language, self.practice.language)
        words, language = said if said is not None else (None, None)
        if now or self.line.ask(self._a, cue.sound, cue.strikes, reason, words, language):
            self.emit(BellDue(self.stamp(), cue.sound, cue.strikes, reason, words, language))

    def _ring_waiting(self) -> None:
        """The next cue waiting in line rings; the last one of a finished session ends it."""
        cue = self.line.pop()
        self.emit(
            BellDue(self.stamp(), cue.sound, cue.strikes, cue.reason, cue.words, cue.language)
        )
        if self._closing and self.line.due is None:
            self.end_session("done")

    def speak(self, text: TextValue | None) -> None:
        """Speak a prompt now, in the session's language."""
        said = spoken(text, self.plan.language, self.practice.language)
        if said is not None:
            self.emit(PromptDue(self.stamp(), *said))

    def localize(self, text: TextValue | None) -> str | None:
        """A text in the session's language."""
        return None if text is None else localize(text, self.plan.language, self.practice.language)

    def finish_step(self, reason: EndReason) -> None:
        """End the current step for `reason` and start the next one at the same moment."""
        self.steps.finish(reason)

    def turn_time_up(self, hard: bool) -> None:
        """The speaker's time is up; a hard end moves the stick on by itself."""
        if hard and self.step is not None and self.step.round is not None:
            self.stick.time_up(self.step.round)

    def end_session(self, reason: Literal["done", "end"]) -> None:
        """The session is over: out of steps ("done"), or ended by hand ("end"). Out of steps
        with cues still waiting in line, it ends once they have rung."""
        if reason == "done" and self.line.due is not None:
            self._closing = True
            return
        self._move(reason)
        air, over = dict(self.stick.airtime), dict(self.stick.overtime)
        self.emit(SessionEnded(self.stamp(), air, over, reason))
