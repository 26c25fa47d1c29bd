"""The cue table: every kind of timed cue a running step has, one row each.

A row says when its cue is next due (on the active clock, pauses cut out), which cue it
rings and why, and what firing it does. The session asks every row for its next time, fires
the earliest (ties broken by `priority`: bells first, the step's end last), and shows the
soonest that rings as the screen's "next sound". Adding a kind of cue is one row.

`StepRun` is the running step: its run, its deadline and how far its cues have got.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from circlekeeper.engine.events import EndReason, Event, SwapDue, TurnTimeUp, TurnWarning
from circlekeeper.engine.exchange import Exchange
from circlekeeper.engine.groups import Groups
from circlekeeper.engine.plan import RunStep
from circlekeeper.engine.stack import Stack
from circlekeeper.engine.stick import Round, Turn
from circlekeeper.i18n import N_, Msg, msg
from circlekeeper.script.model import BreakoutStep, CueSpec, OpenEnded, TimedCue

INF = float("inf")

END_BELL_REASONS: frozenset[str] = frozenset({"time", "next", "done", "all-pass"})
"""A step's `bells.end` rings when it ends for one of these (not when skipped or ended)."""
RETURN_REASONS: frozenset[str] = frozenset({"time", "next", "skip", "done"})
"""A breakout's return cue calls people back for these (not when the session ends)."""


@dataclass
class StepRun:
    """The running step and the cues it has sounded so far."""

    run: RunStep
    title: str
    text: str | None
    """The text shown now (a round: the current lap's prompt)."""
    start_a: float
    deadline: float | None
    at_cues: list[TimedCue]
    at_i: int = 0
    interval_k: int = 1
    interval_due: float = INF
    halfway_done: bool = False
    warning_done: bool = False
    timebox_done: bool = False
    swap_k: int = 1
    swap_every: float | None = None
    """Seconds between swap signals of a breakout (None: no swaps)."""
    groups: Groups = ()
    hosts: tuple[str, ...] = ()
    """The host of each breakout group (empty: no hosts)."""
    group_focus: tuple[str, ...] = ()
    """The member in focus in each breakout group (empty: no focus)."""
    moves_on: bool = False
    """A breakout whose people move straight on to another breakout: no return cue."""
    people: tuple[str, ...] = ()
    """Who takes part in the step."""
    round: Round | None = None
    stack: Stack | None = None
    """Taking stack in a discussion: who asked to speak, and who has the floor."""
    exchange: Exchange | None = None

    @property
    def turn(self) -> Turn | None:
        """Whoever holds the stick (a round), the floor (a discussion's stack) or the part
        of an exchange."""
        if self.round is not None:
            return self.round.turn
        if self.exchange is not None:
            return self.exchange.turn
        return self.stack.floor if self.stack is not None else None


class CueHost(Protocol):
    """What firing a cue may do to the session."""

    @property
    def seed(self) -> int:
        """The session's seed (interval jitter)."""
        ...

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

    def ring(self, cue: CueSpec | None, reason: str) -> None:
        """Ring `cue` now (nothing when None)."""
        ...

    def finish_step(self, reason: EndReason) -> None:
        """End the running step and start the next."""
        ...

    def turn_time_up(self, hard: bool) -> None:
        """The stick's time ran out; with a hard end it moves on."""
        ...


def end_cues(st: StepRun, reason: str) -> list[tuple[CueSpec, str]]:
    """The cues a step rings when it ends for `reason`, in order."""
    step = st.run.step
    found: list[tuple[CueSpec, str]] = []
    if reason in RETURN_REASONS and isinstance(step, BreakoutStep) and not st.moves_on:
        found.append((step.return_cue, "return"))
    if reason in END_BELL_REASONS and step.bells.end is not None:
        found.append((step.bells.end, "end"))
    return found


def interval_due(st: StepRun, k: int, seed: int) -> float:
    """When the k-th interval bell of the step rings (active time)."""
    spec = st.run.step.bells.interval
    assert spec is not None
    due = st.start_a + k * spec.every
    if spec.jitter:
        # Seeded per bell, so a rehearsal and the live run ring at the same moments.
        spread = min(float(spec.jitter), spec.every * 0.45)
        rng = random.Random(f"{seed}:{st.run.index}:interval:{k}")
        due += rng.uniform(-spread, spread)
    return due


# -- at: bells at fixed times from the start ---------------------------------------------


def _at_due(st: StepRun) -> float | None:
    if st.at_i >= len(st.at_cues):
        return None
    due = st.start_a + st.at_cues[st.at_i].at
    return due if st.deadline is None or due <= st.deadline else None


def _at_cue(st: StepRun) -> tuple[CueSpec | None, str]:
    return st.at_cues[st.at_i], "at"


def _at_fire(host: CueHost, st: StepRun) -> None:
    cue = _at_cue(st)
    st.at_i += 1
    host.ring(*cue)


# -- interval: bells every so often --------------------------------------------------------


def _interval_due(st: StepRun) -> float | None:
    if st.run.step.bells.interval is None:
        return None
    return st.interval_due if st.deadline is None or st.interval_due < st.deadline else None


def _interval_cue(st: StepRun) -> tuple[CueSpec | None, str]:
    return st.run.step.bells.interval, "interval"


def _interval_fire(host: CueHost, st: StepRun) -> None:
    st.interval_k += 1
    st.interval_due = interval_due(st, st.interval_k, host.seed)
    host.ring(*_interval_cue(st))


# -- halfway --------------------------------------------------------------------------------


def _halfway_due(st: StepRun) -> float | None:
    if st.deadline is None or st.run.step.bells.halfway is None or st.halfway_done:
        return None
    return st.start_a + (st.deadline - st.start_a) / 2


def _halfway_cue(st: StepRun) -> tuple[CueSpec | None, str]:
    return st.run.step.bells.halfway, "halfway"


def _halfway_fire(host: CueHost, st: StepRun) -> None:
    st.halfway_done = True
    host.ring(*_halfway_cue(st))


# -- swap: the next person speaks inside each breakout group -----------------------------


def _swap_due(st: StepRun) -> float | None:
    if st.deadline is None or not st.swap_every:
        return None
    due = st.start_a + st.swap_k * st.swap_every
    # A hair before the end is the end: a turn of a few ms would be no turn.
    return due if due < st.deadline - 0.5 else None


def _swap_cue(st: StepRun) -> tuple[CueSpec | None, str]:
    step = st.run.step
    return (step.swap_cue if isinstance(step, BreakoutStep) else None), "swap"


def _swap_fire(host: CueHost, st: StepRun) -> None:
    # Inside each group the next member speaks, round and round the group's size.
    speakers = tuple(g[st.swap_k % len(g)] for g in st.groups if g)
    host.emit(SwapDue(host.stamp(), st.swap_k, speakers))
    st.swap_k += 1
    host.ring(*_swap_cue(st))


# -- timebox: a soft time box, the step goes on ---------------------------------------------


def _timebox_due(st: StepRun) -> float | None:
    step = st.run.step
    if st.timebox_done or not isinstance(step, OpenEnded) or step.timebox is None:
        return None
    due = st.start_a + step.timebox
    return due if st.deadline is None or due < st.deadline else None


def _timebox_cue(st: StepRun) -> tuple[CueSpec | None, str]:
    step = st.run.step
    return (step.timebox_cue if isinstance(step, OpenEnded) else None), "timebox"


def _timebox_fire(host: CueHost, st: StepRun) -> None:
    st.timebox_done = True
    host.ring(*_timebox_cue(st))


# -- warning: the step is nearly over ------------------------------------------------------


def _warning_due(st: StepRun) -> float | None:
    w = st.run.step.bells.warning
    if st.deadline is None or w is None or st.warning_done or w >= st.deadline - st.start_a:
        return None
    return st.deadline - w


def _warning_cue(st: StepRun) -> tuple[CueSpec | None, str]:
    return st.run.step.bells.warning_cue, "warning"


def _warning_fire(host: CueHost, st: StepRun) -> None:
    st.warning_done = True
    host.ring(*_warning_cue(st))


# -- turn warning: the speaker's time is nearly up -----------------------------------------


def _timed_turn(st: StepRun) -> Turn | None:
    turn = st.turn
    return turn if turn is not None and turn.deadline is not None else None


def _turn_warning_due(st: StepRun) -> float | None:
    turn = _timed_turn(st)
    if turn is None or turn.warn is None or turn.warned:
        return None
    assert turn.deadline is not None
    return turn.deadline - turn.warn


def _turn_warning_cue(st: StepRun) -> tuple[CueSpec | None, str]:
    turn = st.turn
    return (turn.warn_cue if turn is not None else None), "warning"


def _turn_warning_fire(host: CueHost, st: StepRun) -> None:
    turn = _timed_turn(st)
    assert turn is not None
    turn.warned = True
    host.emit(TurnWarning(host.stamp(), turn.speaker, turn.remaining(host.active) or 0.0))
    host.ring(*_turn_warning_cue(st))


# -- turn time-up ----------------------------------------------------------------------------


def _turn_up_due(st: StepRun) -> float | None:
    turn = _timed_turn(st)
    if turn is None or turn.timed_up:
        return None
    return turn.deadline


def _turn_up_cue(st: StepRun) -> tuple[CueSpec | None, str]:
    turn = st.turn
    return (turn.end_cue if turn is not None else None), "time-up"


def _turn_up_fire(host: CueHost, st: StepRun) -> None:
    turn = _timed_turn(st)
    assert turn is not None
    turn.timed_up = True
    host.emit(TurnTimeUp(host.stamp(), turn.speaker, turn.hard))
    host.ring(*_turn_up_cue(st))
    host.turn_time_up(turn.hard)


# -- end: the step's time is up --------------------------------------------------------------


def _end_due(st: StepRun) -> float | None:
    return st.deadline


def _end_cue(st: StepRun) -> tuple[CueSpec | None, str]:
    cues = end_cues(st, "time")
    return cues[0] if cues else (None, "end")


def _end_fire(host: CueHost, st: StepRun) -> None:
    host.finish_step("time")  # rings `end_cues(st, "time")` as the step ends


@dataclass(frozen=True)
class CueRow:
    """One kind of timed cue."""

    kind: str
    priority: int
    """Order among cues due at the same moment: lower first."""
    due: Callable[[StepRun], float | None]
    """When it is next due on the active clock; None: not (any more) in this step."""
    cue: Callable[[StepRun], tuple[CueSpec | None, str]]
    """What it rings (None: nothing) and the reason given with it."""
    fire: Callable[[CueHost, StepRun], None]
    """What firing it does: its bookkeeping, its events, its bell, and any move it makes."""


CUES: tuple[CueRow, ...] = (
    CueRow("at", 0, _at_due, _at_cue, _at_fire),
    CueRow("interval", 1, _interval_due, _interval_cue, _interval_fire),
    CueRow("halfway", 2, _halfway_due, _halfway_cue, _halfway_fire),
    CueRow("swap", 3, _swap_due, _swap_cue, _swap_fire),
    CueRow("timebox", 4, _timebox_due, _timebox_cue, _timebox_fire),
    CueRow("warning", 4, _warning_due, _warning_cue, _warning_fire),
    CueRow("turn-warning", 5, _turn_warning_due, _turn_warning_cue, _turn_warning_fire),
    CueRow("turn-up", 6, _turn_up_due, _turn_up_cue, _turn_up_fire),
    CueRow("end", 9, _end_due, _end_cue, _end_fire),
)
"""Every kind of timed cue, in priority order."""

Due = tuple[float, int, CueRow]


def due_cues(st: StepRun | None) -> list[Due]:
    """The next occurrence of every kind of cue still to come in this step, soonest first."""
    if st is None:
        return []
    found: list[Due] = []
    for row in CUES:
        due = row.due(st)
        if due is not None:
            found.append((due, row.priority, row))
    found.sort(key=lambda item: (item[0], item[1]))
    return found


SOUND_NAMES: dict[str, str] = {
    "bowl": N_("bowl"),
    "chime": N_("chime"),
    "clappers": N_("clappers"),
    "gong": N_("gong"),
    "warning": N_("warning"),
}
"""The built-in sounds, as a screen names them, short (a practice's own sounds keep their
names)."""
REASON_WORDS: dict[str, str] = {
    "return": N_("return"),
    "end": N_("end"),
    "at": N_("at its time"),
    "interval": N_("interval"),
    "halfway": N_("halfway"),
    "swap": N_("swap"),
    "timebox": N_("timebox"),
    "warning": N_("warning"),
    "time-up": N_("time up"),
}
"""Why a cue rings, as a screen says it."""


def next_sound(st: StepRun | None, due: list[Due]) -> tuple[str, float] | None:
    """What rings next ("bowl x1 (end)", a `Msg` a screen says in its language) and when
    (active time), from `due_cues`."""
    if st is None:
        return None
    for when, _, row in due:
        cue, reason = row.cue(st)
        if cue is not None:
            sound = SOUND_NAMES.get(cue.sound)
            why = REASON_WORDS.get(reason)
            return msg(
                "{sound} x{strikes} ({reason})",
                sound=cue.sound if sound is None else Msg(cue.sound, sound),
                strikes=cue.strikes,
                reason=reason if why is None else Msg(reason, why),
            ), when
    return None
