"""The talking stick: rounds, laps and turns; next, pass, pick, undo and more time for a
turn; and the airtime ledger.

Every command here checks first and raises `Refusal` (saying why, for the facilitator)
before it changes anything. Times are on the session's active clock (pauses cut out).
A turn carries its own cue rules (warning, end cue, hard or soft end), so the cue table
treats a round's turn, an exchange's part and a discussion's floor alike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Protocol

from circlekeeper.engine import consent
from circlekeeper.engine.commands import Refusal
from circlekeeper.engine.events import (
    EndReason,
    Event,
    LapStarted,
    Passed,
    TimeChanged,
    TurnEnded,
    TurnStarted,
    Undone,
)
from circlekeeper.engine.plan import RunStep, addressee, eligible, lap_order, turn_seconds
from circlekeeper.engine.setup import CirclePlan
from circlekeeper.i18n import msg
from circlekeeper.script.model import ConsentStep, CueSpec, Practice, RoundStep
from circlekeeper.script.texts import TextValue, lap_prompt, speech_at_lap, speech_at_turn

MAX_LAPS = 20
"""Laps after which an `until: all-pass` round without `laps` or `prompts` stops even if
people keep speaking."""


@dataclass
class Turn:
    """The stick (or the floor) in one person's hand; undo starts a new segment of it."""

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
    warn: float | None = None
    """Seconds before the deadline at which the warning cue sounds (None: no warning)."""
    warn_cue: CueSpec | None = None
    end_cue: CueSpec | None = None
    """Sounded when the turn's time is up."""
    hard: bool = False
    """A hard end: the stick moves on by itself when the time is up."""
    to: str | None = None
    """Whom the speaker addresses."""

    def remaining(self, a: float) -> float | None:
        """Seconds left at active time `a` (None: untimed); never negative."""
        return None if self.deadline is None else max(0.0, self.deadline - a)

    def overtime(self, a: float) -> float:
        """Seconds past the allowed time at active time `a`."""
        if self.deadline is None:
            return self.ot_base
        return self.ot_base + max(0.0, a - max(self.deadline, self.ot_mark))


@dataclass
class Round:
    """A round's moving parts: who speaks, who is waiting, who has spoken or passed."""

    spec: RoundStep | ConsentStep
    index: int
    """The run index of its step (undo never reaches into another step)."""
    speakers: tuple[str, ...]
    roles: dict[str, tuple[str, ...]]
    """The circle's roles with the enclosing loops' bindings."""
    lap: int = 0
    order: tuple[str, ...] = ()
    prompt: str | None = None
    """The current lap's prompt, in the session's language."""
    per_turn: float | None = None
    queue: list[str] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    passed_once: set[str] = field(default_factory=set)
    turn: Turn | None = None
    airtime: dict[str, float] = field(default_factory=dict)
    """Seconds each person spoke in this step."""
    responses: dict[str, str] = field(default_factory=dict)
    """A consent round: each person's response in the current round."""
    history: list[dict[str, str]] = field(default_factory=list)
    """A consent round: the responses of each round that is over."""
    amending: bool = False
    """A consent round: objections stand; the proposal is being amended before the next."""
    decided: str | None = None
    """A consent round: the result, once there is one."""

    def copy(self) -> Round:
        """A copy that shares nothing mutable with this one."""
        return replace(
            self,
            queue=list(self.queue),
            spoken=list(self.spoken),
            passed=list(self.passed),
            passed_once=set(self.passed_once),
            turn=None if self.turn is None else replace(self.turn),
            airtime=dict(self.airtime),
            responses=dict(self.responses),
            history=[dict(h) for h in self.history],
        )

    @property
    def popcorn(self) -> bool:
        """The facilitator picks who speaks next."""
        return self.spec.order == "popcorn"


@dataclass
class UndoRecord:
    """The round as it was just before the last next, pass, pick or response."""

    what: str
    index: int
    a: float
    round: Round


class StickHost(Protocol):
    """What the stick needs of the session."""

    @property
    def active(self) -> float:
        """Now, on the active clock."""
        ...

    def stamp(self) -> float:
        """Session time of what happens now."""
        ...

    def emit(self, event: Event) -> None:
        """Say that something happened."""
        ...

    def speak(self, text: TextValue | None) -> None:
        """Speak a prompt now (nothing when None)."""
        ...

    def localize(self, text: TextValue | None) -> str | None:
        """A text in the session's language."""
        ...

    def finish_step(self, reason: EndReason) -> None:
        """End the running step and start the next."""
        ...


class Stick:
    """Moves the stick and keeps the ledger of who spoke how long."""

    def __init__(self, practice: Practice, plan: CirclePlan, host: StickHost) -> None:
        self.practice = practice
        self.plan = plan
        self.host = host
        self.silent = frozenset(r.id for r in practice.roles if not r.speaks)
        self.airtime = dict.fromkeys(plan.names, 0.0)
        self.overtime = dict.fromkeys(plan.names, 0.0)
        self.undo_record: UndoRecord | None = None

    # -- rounds and laps ---------------------------------------------------------------------

    def open_round(self, run: RunStep, step: RoundStep | ConsentStep) -> Round:
        """The round of `run`, before its first lap."""
        roles = {**self.plan.roles, **run.bindings}
        speakers = eligible(step, self.plan.names, roles, self.silent)
        return Round(step, run.index, speakers, roles)

    def start_lap(self, r: Round, lap: int) -> None:
        """Start lap `lap`: its order, its prompt, and (unless popcorn) the first turn."""
        spec = r.spec
        r.lap = lap
        r.order = lap_order(
            spec,
            r.speakers,
            self.plan.names,
            r.roles,
            lap=lap,
            meeting=self.plan.meeting,
            starter=self.plan.starter,
            keeper_role=self.practice.keeper_role,
            airtime=self.airtime,
            # The same draw every lap: a random starter, then around the circle each time.
            rng=random.Random(f"{self.plan.seed}:round:{r.index}"),
        )
        r.queue = list(r.order)
        r.spoken, r.passed, r.passed_once = [], [], set()
        r.responses, r.amending = {}, False
        r.per_turn = turn_seconds(spec, len(r.order), len(self.plan.names))
        r.prompt = self.host.localize(lap_prompt(spec, lap))
        self.host.emit(LapStarted(self.host.stamp(), lap, r.prompt, r.order))
        self.host.speak(speech_at_lap(spec, lap))
        if not r.popcorn:
            self.begin_turn(r, r.queue.pop(0))

    def begin_turn(self, r: Round, speaker: str) -> None:
        """`speaker` takes the stick, with the round's time and cues for a turn."""
        a = self.host.active
        allowed = r.per_turn
        rules = r.spec.turn
        warn = rules.warning
        if warn is not None and warn >= (allowed or 0.0):
            warn = None  # a share of a budget too short for its warning
        to = addressee(r.spec, speaker, self.plan.names, r.roles)
        r.turn = Turn(
            speaker,
            r.lap,
            allowed,
            a,
            None if allowed is None else a + allowed,
            ot_mark=a,
            warn=warn,
            warn_cue=rules.warning_cue,
            end_cue=rules.end_cue,
            hard=rules.end == "hard",
            to=to,
        )
        self.host.emit(TurnStarted(self.host.stamp(), speaker, r.lap, allowed, to))
        self.host.speak(speech_at_turn(r.spec))

    def end_turn(self, r: Round, *, spoke: bool = True) -> str:
        """Close the open turn, book its airtime (none for a pass), and say who it was."""
        turn = r.turn
        assert turn is not None
        self.book(turn, r.airtime, counted=spoke)
        r.turn = None
        if turn.speaker in r.passed and spoke:
            r.passed.remove(turn.speaker)
        if turn.speaker not in r.spoken and spoke:
            r.spoken.append(turn.speaker)
        return turn.speaker

    def book(self, turn: Turn, step_airtime: dict[str, float], *, counted: bool = True) -> None:
        """Book a finished turn's airtime and overtime, and say so. A turn that is not
        `counted` (it ended in a pass) books nothing: holding the stick is not speaking."""
        a = self.host.active
        spoke = max(0.0, a - turn.seg_start) if counted else 0.0
        over = max(0.0, turn.overtime(a) - turn.ot_seg0) if counted else 0.0
        self.airtime[turn.speaker] += spoke
        self.overtime[turn.speaker] += over
        step_airtime[turn.speaker] = step_airtime.get(turn.speaker, 0.0) + spoke
        self.host.emit(TurnEnded(self.host.stamp(), turn.speaker, spoke, over))

    def close(self, r: Round | None) -> None:
        """The step ends: whoever holds the stick is done."""
        if r is not None and r.turn is not None:
            self.end_turn(r)
        self.undo_record = None

    def move_on(self, r: Round, *, wait: bool = False) -> None:
        """After a turn: the next in the queue (with `wait`, nobody until a pick), or the lap
        is over."""
        if r.queue:
            if not wait:
                self.begin_turn(r, r.queue.pop(0))
            return
        spec = r.spec
        if isinstance(spec, ConsentStep):
            consent.lap_over(self, r)
            return
        if spec.until == "all-pass":
            if not r.spoken:
                self.host.finish_step("all-pass")
                return
            if r.lap >= (spec.max_laps or MAX_LAPS):
                self.host.finish_step("done")
                return
        elif r.lap >= spec.lap_count:
            self.host.finish_step("done")
            return
        self.start_lap(r, r.lap + 1)

    def time_up(self, r: Round) -> None:
        """A hard end: the stick moves on by itself (popcorn: back to the middle)."""
        # Automatic moves cannot be undone: the last next/pass is history now.
        self.undo_record = None
        self.end_turn(r)
        self.move_on(r, wait=r.popcorn)

    def remember(self, what: str, r: Round) -> UndoRecord:
        """The round as it is now, for an undo of `what`."""
        return UndoRecord(what, r.index, self.host.active, r.copy())

    # -- commands ----------------------------------------------------------------------------

    def next(self, r: Round) -> None:
        """Move the stick on: the speaker is done; popcorn waits for a pick."""
        if isinstance(r.spec, ConsentStep):
            consent.next_round(self, r)
            return
        if r.turn is None:
            if not r.queue:
                raise Refusal(msg("nobody is waiting to speak"))
            # Popcorn with nobody holding the stick: the next in circle order.
            self.undo_record = self.remember("next", r)
            self.begin_turn(r, r.queue.pop(0))
            return
        record = self.remember("next", r)
        self.end_turn(r)
        self.undo_record = record
        self.move_on(r, wait=r.popcorn)

    def pass_stick(self, r: Round | None) -> None:
        """The speaker passes: to the end of the queue, or out of this lap."""
        if r is None:
            raise Refusal(msg("passing is only for rounds"))
        if isinstance(r.spec, ConsentStep):
            raise Refusal(msg("nobody passes in a consent round: stand aside instead"))
        if r.spec.passing == "not-allowed":
            raise Refusal(msg("passing is not allowed in this round"))
        if r.turn is None:
            raise Refusal(msg("nobody holds the stick"))
        record = self.remember("pass", r)
        speaker = r.turn.speaker
        again = r.spec.passing == "to-end" and speaker not in r.passed_once
        self.host.emit(Passed(self.host.stamp(), speaker, again))
        self.end_turn(r, spoke=False)
        if speaker not in r.passed:
            r.passed.append(speaker)
        if again:
            r.passed_once.add(speaker)
            r.queue.append(speaker)
        self.undo_record = record
        if r.spec.until == "all-pass" and not r.spoken and set(r.order) <= set(r.passed):
            # One pass from each person is a whole lap of passes: nobody waits for the
            # second chance that passing to the end would give.
            self.host.finish_step("all-pass")
            return
        self.move_on(r, wait=r.popcorn)

    def pick(self, r: Round, name: str) -> None:
        """Give the stick to `name`."""
        if name not in self.plan.names:
            raise Refusal(msg("{name} is not in this circle", name=name))
        if isinstance(r.spec, ConsentStep) and r.amending:
            raise Refusal(msg("the consent round is over; the next one starts with next"))
        if name not in r.queue:
            raise Refusal(self._why_not_waiting(r, name))
        holder = r.turn.speaker if r.turn is not None else None
        if isinstance(r.spec, ConsentStep) and holder is not None and holder not in r.responses:
            raise Refusal(msg("waiting for {name}'s response", name=holder))
        record = self.remember("pick", r)
        if r.turn is not None:
            self.end_turn(r)
        r.queue.remove(name)
        self.undo_record = record
        self.begin_turn(r, name)

    @staticmethod
    def _why_not_waiting(r: Round, name: str) -> str:
        if r.turn is not None and r.turn.speaker == name:
            return msg("{name} holds the stick already", name=name)
        if name not in r.speakers:
            return msg("{name} does not speak in this round", name=name)
        if name in r.passed:
            return msg("{name} has passed in this lap", name=name)
        return msg("{name} has already spoken in this lap", name=name)

    def undo(self, r: Round | None) -> Round:
        """The round as it was before the last next, pass, pick or response; the person who
        had the stick then holds it again, with the time they had left."""
        record = self.undo_record
        if record is None or r is None or record.index != r.index:
            raise Refusal(msg("nothing to undo"))
        dropped = r.turn.speaker if r.turn is not None else None
        restored = record.round.copy()
        old = restored.turn
        a = self.host.active
        allowed: float | None = None
        if old is not None:
            allowed = old.remaining(record.a)
            overtime = old.overtime(record.a)
            restored.turn = replace(
                old,
                allowed=allowed,
                seg_start=a,
                deadline=None if allowed is None else a + allowed,
                ot_base=overtime,
                ot_mark=a,
                ot_seg0=overtime,
            )
        # The withdrawn turn gets no TurnEnded: its time is not counted for anyone. What
        # was spoken before the command stays booked for this step.
        restored.airtime = r.airtime
        self.undo_record = None
        speaker = old.speaker if old else None
        self.host.emit(Undone(self.host.stamp(), record.what, speaker, dropped))
        if restored.turn is not None:
            turn = restored.turn
            self.host.emit(TurnStarted(self.host.stamp(), turn.speaker, turn.lap, allowed, turn.to))
        return restored

    def can_undo(self, r: Round | None) -> bool:
        """Whether `undo` would do something now."""
        return self.undo_record is not None and r is not None and self.undo_record.index == r.index

    def extend_turn(self, turn: Turn, seconds: float) -> None:
        """`seconds` more (or less) for a timed turn, from now."""
        assert turn.deadline is not None
        a = self.host.active
        rem = turn.remaining(a) or 0.0
        new = max(0.0, rem + seconds)
        if new == rem:
            raise Refusal(msg("{name}'s time is already up", name=turn.speaker))
        turn.ot_base = turn.overtime(a)
        turn.ot_mark = a
        turn.deadline = a + new
        if new > 0:
            turn.timed_up = False
        if turn.warn is not None and new > turn.warn:
            turn.warned = False
        self.host.emit(TimeChanged(self.host.stamp(), new - rem, "turn"))
