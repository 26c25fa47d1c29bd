"""`circlekeeper rehearse`: run a practice in simulated time and print its timeline.

No waiting and no sound. Time jumps from one deadline to the next. The simulated
facilitator moves on as a typical session would: each speaker uses their whole turn,
untimed turns and readings take what the estimate says (two minutes a turn, a reading at
reading pace), popcorn rounds go in circle order, a round that runs until everyone passes
is spoken once round and then passed, a consent round consents, an exchange's pairs are
heard at the first reflection. An actions file adds what the facilitator does at given
session times (a pass, a pick, an objection...), and with `only_actions` nothing else is
done: the timeline is then exactly what a live session given those keys would be.

The circle is set up by `plan_circle`, as for a live session; roles asked at setup get
their default holders unless they are given.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from circlekeeper.engine.actions import Action
from circlekeeper.engine.clock import ceil_ms, time_of_day
from circlekeeper.engine.commands import Command, Next, Pass, Pick, Respond
from circlekeeper.engine.events import (
    ConsentRoundEnded,
    Event,
    Passed,
    StepStarted,
    TurnEnded,
    TurnStarted,
)
from circlekeeper.engine.exchange import Exchange
from circlekeeper.engine.plan import (
    AMEND_SECONDS,
    UNTIMED_RESPONSE,
    UNTIMED_TURN,
    estimate,
    part_seconds,
)
from circlekeeper.engine.session import Session
from circlekeeper.engine.setup import plan_circle, unknown_roles
from circlekeeper.engine.state import Snapshot
from circlekeeper.engine.timeline import clock, describe
from circlekeeper.script.errors import shown
from circlekeeper.script.model import ConsentStep, DiscussionStep, Practice, RoundStep

_C1 = re.compile(r"[\x7f-\x9f]")
"""Control characters JSON leaves as they are (DEL and C1: an 8-bit CSI acts in a terminal)."""
MAX_MOVES = 10_000
"""A rehearsal that needs more moves than this is cut short, and says so. A move is a cue
that rings or a command taken; the longest built-in practice for its largest circle takes
under 500, and 10,000 rehearse in about two seconds."""
CUT_SHORT = 3
"""`rehearse`'s exit status when the timeline stops before the session's end."""
START = 1_000.0
"""The simulated machine clock at the start: session times count from 0 all the same."""

Move = tuple[Command, float]
"""What the simulated facilitator does next, and at what session time."""


class Rehearsal:
    """Drives one session cue to cue, with the simulated facilitator and the actions."""

    def __init__(self, session: Session, actions: Sequence[Action], auto: bool) -> None:
        self.session = session
        self.actions = list(actions)
        self.auto = auto
        self.now = 0.0
        self.turn_started = 0.0
        self.step_started = 0.0
        self.lap_over = 0.0
        self.events: list[Event] = []
        self.acted: set[int] = set()
        """Indexes (in `events`) of the answers to actions of the file."""
        self.cut_short = False
        """The rehearsal stopped at `MAX_MOVES`, before the session ended."""

    def _note(self, fresh: list[Event]) -> None:
        for event in fresh:
            if isinstance(event, TurnStarted):
                self.turn_started = event.t
            elif isinstance(event, StepStarted):
                self.step_started = event.t
            elif isinstance(event, ConsentRoundEnded):
                self.lap_over = event.t
        self.events.extend(fresh)

    def _waits_for_pick(self) -> bool:
        """The facilitator will pick (an action to come does): the simulation must not."""
        return any(isinstance(a.command, Pick) for a in self.actions)

    def auto_move(self, snap: Snapshot) -> Move | None:
        """What a typical facilitator does next, and when (None: nothing, time moves on)."""
        s = self.session
        run = s.runs[snap.step_index] if snap.step_index is not None else None
        if run is None:
            return None
        step = run.step
        st = s.step
        if isinstance(step, ConsentStep):
            return self._consent_move(snap, step)
        if isinstance(step, RoundStep):
            return self._round_move(snap, step)
        if st is not None and st.exchange is not None:
            return self._exchange_move(st.exchange)
        if isinstance(step, DiscussionStep) and snap.speaker is not None:
            return Next(), ceil_ms(self.turn_started + UNTIMED_TURN)
        if snap.step_remaining is None:
            # An untimed step takes as long as the estimate says it does.
            took = estimate(run, 0, len(s.plan.names), s.plan.language, s.practice.language)
            return Next(), ceil_ms(self.step_started + took)
        return None

    def _round_move(self, snap: Snapshot, step: RoundStep) -> Move | None:
        if snap.speaker is None:
            if snap.popcorn and self._waits_for_pick():
                return None
            return Next(), self.now
        if step.until == "all-pass" and (snap.lap or 0) > 1 and step.passing != "not-allowed":
            return Pass(), self.now
        if snap.turn_remaining is None:
            return Next(), ceil_ms(self.turn_started + UNTIMED_TURN)
        if step.turn.end == "soft" or snap.turn_remaining == 0:
            # The speaker uses the whole turn, then hands the stick on.
            return Next(), ceil_ms(self.now + snap.turn_remaining)
        return None

    def _consent_move(self, snap: Snapshot, step: ConsentStep) -> Move | None:
        if snap.amending:
            return Next(), ceil_ms(self.lap_over + AMEND_SECONDS)
        if snap.speaker is None:
            return None
        took = UNTIMED_RESPONSE if snap.turn_allowed is None else snap.turn_allowed
        return Respond(snap.speaker, "consent"), ceil_ms(self.turn_started + took)

    def _exchange_move(self, ex: Exchange) -> Move | None:
        if ex.part is None:
            if self._waits_for_pick():
                return None
            waiting = [p for p in ex.people if p not in ex.heard]
            return (Pick(waiting[0]), self.now) if waiting else (Next(), self.now)
        return Next(), ceil_ms(self.turn_started + part_seconds(ex.spec, ex.part))

    def run(self) -> list[Event]:
        """From start to end in simulated time; every time here is session time. After
        `MAX_MOVES` the rehearsal stops where it is, unended, with `cut_short` set."""
        s = self.session
        self._note(s.start(START))
        for _ in range(MAX_MOVES):
            if s.ended:
                break
            move = self.auto_move(s.snapshot(START + self.now)) if self.auto else None
            acting = self.actions[0].at if self.actions else None
            targets = [t for t in (move and move[1], s.next_due(), acting) if t is not None]
            if not targets:
                # Nothing scheduled and nothing to do: end rather than wait forever.
                self._note(s.end(START + self.now))
                break
            self.now = max(self.now, min(targets))
            fresh = s.advance(START + self.now)
            if fresh:
                self._note(fresh)
            elif acting is not None and acting <= self.now:
                action = self.actions.pop(0)
                first = len(self.events)
                self._note(s.do(action.command, START + self.now))
                self.acted.update(range(first, len(self.events)))
            elif move is not None and move[1] <= self.now:
                self._note(s.do(move[0], START + self.now))
        self.cut_short = not s.ended
        return self.events


def simulate(
    session: Session, actions: Sequence[Action] = (), *, only_actions: bool = False
) -> list[Event]:
    """Drive `session` from start to end in simulated time, cue to cue, with `actions` at
    their times (and, unless `only_actions`, the simulated facilitator in between)."""
    return Rehearsal(session, actions, not only_actions).run()


def _fail(message: str, err: TextIO) -> int:
    print(f"circlekeeper: {message}", file=err)
    return 2


def _load(practice_arg: str) -> Practice:
    """A path or a practice name, loaded; raises ScriptErrors."""
    from circlekeeper.script.loader import load_practice
    from circlekeeper.script.resolve import resolve_practice

    return load_practice(resolve_practice(practice_arg))


def run_rehearse(
    practice_arg: str,
    circle: list[str],
    *,
    seed: int | None,
    as_json: bool,
    actions_path: str | None = None,
    only_actions: bool = False,
    start: str | None = None,
    meeting: int = 1,
    roles: Mapping[str, Sequence[str]] | None = None,
    focus_order: Sequence[str] | None = None,
    focus_history: Sequence[str | None] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    circle_name: str | None = None,
) -> int:
    """Print the simulated timeline of a practice; 0 when it ran to its end, 2 on bad input,
    `CUT_SHORT` (3) when it stopped at `MAX_MOVES` (the timeline printed up to there).

    `meeting` counts from 1 (the circle's first meeting); `roles` maps role ids to people.
    A saved circle's rehearsal names it (`circle_name`): the text timeline then begins with
    the meeting, its host and a series' focus; `focus_history` is who was in focus at each
    meeting it recorded.
    `start` is the clock at the start (`HH:MM`, by default 00:00: the session's own time),
    which an action's time of day (`end-at`) counts from.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    names = [n.strip() for n in circle if n.strip()]
    if not names:
        return _fail("name at least one person with --circle", err)
    if meeting < 1:
        return _fail("--meeting counts from 1 (the circle's first meeting)", err)
    if only_actions and actions_path is None:
        return _fail("--only-actions needs --actions FILE", err)
    try:
        start_of_day = 0 if start is None else time_of_day(start)
    except ValueError:
        return _fail(f"--start takes a time of day like 19:30, not {start!r}", err)
    from circlekeeper.script.errors import ScriptErrors

    try:
        practice = _load(practice_arg)
        actions: list[Action] = []
        if actions_path is not None:
            from pathlib import Path

            from circlekeeper.engine.actions import load_actions

            actions = load_actions(Path(actions_path), practice=practice, start=start_of_day)
    except ScriptErrors as exc:
        # Each error is already `path:line:col: message`; print them as `check` does.
        for error in exc.errors:
            print(error, file=err)
        return 2
    except Exception as exc:  # one line to the user, never a traceback
        return _fail(str(exc) or type(exc).__name__, err)
    problem = unknown_roles(practice, roles or {})
    if problem is not None:
        return _fail(problem, err)
    try:
        plan = plan_circle(
            practice,
            names,
            seed=seed,
            meeting=meeting - 1,
            given_roles=roles,
            focus_order=focus_order,
            focus_history=focus_history,
        )
        for warning in plan.warnings:
            print(f"circlekeeper: warning: {warning}", file=err)
        if not as_json and (circle_name or meeting > 1 or plan.meetings is not None):
            about = f"{plan.meeting_label} · hosted by {plan.host}"
            about = f"{circle_name} · {about}" if circle_name else about
            out.write(shown(about, lines=False) + "\n")
        rehearsal = Rehearsal(Session(practice, plan), actions, not only_actions)
        events = rehearsal.run()
    except ValueError as exc:
        return _fail(str(exc), err)
    _print(events, rehearsal.acted, as_json, out, None if start is None else start_of_day)
    if rehearsal.cut_short:
        print(
            f"circlekeeper: the rehearsal stopped after {MAX_MOVES:,} moves, at "
            f"{clock(rehearsal.now)} of session time, before the session ended: "
            "the timeline above is cut short",
            file=err,
        )
        return CUT_SHORT
    return 0


def _print(
    events: list[Event], acted: set[int], as_json: bool, out: TextIO, start: int | None
) -> None:
    titles: dict[int, str] = {}
    passer: str | None = None
    for i, event in enumerate(events):
        if as_json:
            # JSON escapes C0 controls itself; C1 ones (an 8-bit CSI) it would write raw.
            data = json.dumps(event.to_json(), ensure_ascii=False)
            out.write(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", data) + "\n")
            continue
        # A pass closes the turn too; its "done, spoke 0:00" line adds nothing for a reader.
        if isinstance(event, TurnEnded) and event.speaker == passer:
            passer = None
            continue
        passer = event.speaker if isinstance(event, Passed) else None
        line = describe(event, titles, acted=i in acted, start=start)
        if line is not None:
            # A script's texts reach the terminal here: no escape sequence of theirs acts.
            out.write(f"[{clock(event.t)}] {shown(line, lines=False)}\n")
    out.flush()
