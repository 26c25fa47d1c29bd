"""Walking the run list: which step runs, and what starting and ending a step says and rings.

A step starts with its events, its start bell, its prompt, its breakout groups, its round's
first lap or its exchange's first pair; it ends once, for one reason, with its end cues and
the airtime spoken in it. Running out of steps ends the session (through the phase table,
in the session).
"""

from __future__ import annotations

import math
import random
from typing import Literal, Protocol

from circlekeeper.engine import consent
from circlekeeper.engine.commands import Refusal
from circlekeeper.engine.cues import CueHost, StepRun, end_cues, interval_due
from circlekeeper.engine.events import (
    EndReason,
    GroupsFormed,
    StepEnded,
    StepStarted,
    TimeChanged,
)
from circlekeeper.engine.exchange import Pairs
from circlekeeper.engine.groups import Breakouts
from circlekeeper.engine.plan import RunStep, participants, step_seconds
from circlekeeper.engine.setup import CirclePlan
from circlekeeper.engine.stack import Floor, Stack
from circlekeeper.engine.stick import Stick
from circlekeeper.i18n import msg
from circlekeeper.script.model import (
    BreakoutStep,
    ConsentStep,
    DiscussionStep,
    ExchangeStep,
    Practice,
    RoundStep,
)
from circlekeeper.script.texts import TextValue, speech_at_start, step_text, step_title


class StepsHost(CueHost, Protocol):
    """What walking the steps needs of the session."""

    def speak(self, text: TextValue | None) -> None:
        """Speak a prompt now (nothing when None)."""
        ...

    def end_session(self, reason: Literal["done", "end"]) -> None:
        """The session is over."""
        ...


class Steps:
    """The current step of the run list, and how each step that ended, ended."""

    def __init__(
        self,
        practice: Practice,
        plan: CirclePlan,
        runs: list[RunStep],
        stick: Stick,
        host: StepsHost,
    ) -> None:
        self.practice = practice
        self.plan = plan
        self.runs = runs
        """The run list, as the agenda keeps it (edits change it in place)."""
        self.stick = stick
        self.floor = Floor(stick)
        self.pairs = Pairs(stick)
        self.host = host
        self.position = -1
        """The run index of the current step (-1 before the start)."""
        self.current: StepRun | None = None
        self.reasons: dict[int, EndReason] = {}
        self.breakouts = Breakouts()

    def start(self, pos: int) -> None:
        """Start run step `pos` (past the last one: the session is done)."""
        # A loop, not recursion: steps nobody may take part in end at once, many in a row.
        while True:
            self.position = pos
            self.stick.undo_record = None
            if pos >= len(self.runs):
                self.current = None
                self.host.end_session("done")
                return
            if self._open(self.runs[pos]):
                return
            self.end("done")
            pos += 1

    def _open(self, run: RunStep) -> bool:
        """Start `run`: its events, bells and prompt, its round, exchange or queue. False when
        nobody can take part, so it ends at once."""
        host = self.host
        step = run.step
        lang, default = self.plan.language, self.practice.language
        duration = step_seconds(step, len(self.plan.names))
        a = host.active
        st = StepRun(
            run=run,
            title=step_title(step, lang, default),
            text=step_text(step, lang, default),
            start_a=a,
            deadline=None if duration is None else a + duration,
            at_cues=sorted(step.bells.at, key=lambda c: c.at),
        )
        self.current = st
        roles = {**self.plan.roles, **run.bindings}
        silent = self.stick.silent if isinstance(step, ExchangeStep) else frozenset()
        st.people = participants(step, self.plan.names, roles, silent)
        if step.bells.interval is not None:
            st.interval_due = interval_due(st, 1, host.seed)
        started = StepStarted(
            host.stamp(),
            run.index,
            run.agenda,
            step.kind,
            st.title,
            st.text,
            duration,
            run.focus,
            run.id,
        )
        host.emit(started)
        if isinstance(step, BreakoutStep):
            self._form_groups(st, step)
        host.ring(step.bells.start, "start")
        host.speak(speech_at_start(step))
        if isinstance(step, DiscussionStep) and step.stack is not None:
            st.stack = Stack(step.stack, st.people)
        if isinstance(step, ExchangeStep):
            st.exchange = self.pairs.open(run, step)
            return len(st.exchange.people) >= 2
        if not isinstance(step, RoundStep | ConsentStep):
            return True
        st.round = self.stick.open_round(run, step)
        if not st.round.speakers:
            return False
        self.stick.start_lap(st.round, 1)
        return True

    def _form_groups(self, st: StepRun, step: BreakoutStep) -> None:
        host = self.host
        rng = random.Random(f"{host.seed}:breakout:{st.run.index}")
        st.groups, st.hosts, st.group_focus = self.breakouts.form(step, self.plan.names, rng)
        host.emit(GroupsFormed(host.stamp(), st.groups, st.hosts, st.group_focus))
        self.refresh_next()
        if step.turn_each and st.deadline is not None and st.groups:
            # Every member gets a turn: as many turns as the largest group has members.
            st.swap_every = (st.deadline - st.start_a) / max(len(g) for g in st.groups)
        elif step.swap_every:
            st.swap_every = float(step.swap_every)

    def refresh_next(self) -> None:
        """What the step in progress needs to know of the next one: a breakout calls people
        back, unless another breakout follows (the agenda may have changed since it began)."""
        st = self.current
        if st is not None and isinstance(st.run.step, BreakoutStep):
            nxt = self.position + 1
            st.moves_on = nxt < len(self.runs) and isinstance(self.runs[nxt].step, BreakoutStep)

    def finish(self, reason: EndReason) -> None:
        """End the current step for `reason` and start the next one at the same moment."""
        if self.current is None:
            return
        self.end(reason)
        self.start(self.position + 1)

    def end(self, reason: EndReason) -> None:
        """End the current step, once: who holds the stick is done, its end cues ring."""
        st = self.current
        assert st is not None
        self.stick.close(st.round)
        if st.stack is not None:
            self.floor.close(st.stack)
        if st.exchange is not None:
            self.pairs.close(st.exchange)
        if st.round is not None and isinstance(st.round.spec, ConsentStep):
            consent.abandon(self.stick, st.round)
        for cue, why in end_cues(st, reason):
            self.host.ring(cue, why)
        talk = st.round or st.stack or st.exchange
        airtime = dict(talk.airtime) if talk is not None else {}
        self.host.emit(StepEnded(self.host.stamp(), st.run.index, reason, airtime))
        self.reasons[st.run.index] = reason
        self.current = None

    def extend(self, seconds: float) -> None:
        """`seconds` more (or less) from now: for the speaker's turn if it is timed, else for
        the step."""
        if not math.isfinite(seconds) or seconds == 0:
            raise Refusal(msg("give a number of seconds to add or take away"))
        st = self.current
        if st is None:
            raise Refusal(msg("there is no step running"))
        turn = st.turn
        talk = st.round or st.exchange
        if turn is not None and turn.deadline is not None:
            self.stick.extend_turn(turn, seconds)
        elif st.deadline is not None:
            self._extend_step(st, seconds)
        elif talk is not None and turn is None:
            raise Refusal(msg("nobody holds the stick"))
        elif talk is not None:
            raise Refusal(msg("this turn is untimed: it ends when you move on"))
        else:
            raise Refusal(msg("this step is untimed: it ends when you move on"))

    def _extend_step(self, st: StepRun, seconds: float) -> None:
        assert st.deadline is not None
        rem = max(0.0, st.deadline - self.host.active)
        new = max(0.0, rem + seconds)
        if new == rem:
            raise Refusal(msg("this step's time is already up"))
        self.set_deadline(st, new)
        self.host.emit(TimeChanged(self.host.stamp(), new - rem, "step"))

    def set_deadline(self, st: StepRun, left: float) -> None:
        """The step in progress ends `left` seconds from now."""
        a = self.host.active
        st.deadline = a + max(0.0, left)
        # The warning sounds again if the new time reaches back past it; half time has
        # passed if it now lies behind us.
        w = st.run.step.bells.warning
        if w is not None and left > w:
            st.warning_done = False
        if st.start_a + (st.deadline - st.start_a) / 2 < a:
            st.halfway_done = True
