"""The commands that move the floor, each routed to the room of the running step: the
talking stick of a round or a consent round, the pairs of an exchange, the queue of a
discussion.

`next`, `pass`, `pick` and `undo` mean the same everywhere they make sense; `confirm`,
`more`, `next-pair` and `listener` are an exchange's, `respond` and `decide` a consent
round's, `raise` and `lower` a speaking queue's. Each handler refuses (raising `Refusal`,
before it changes anything) when the running step has no use for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from circlekeeper.engine import consent
from circlekeeper.engine.commands import (
    Command,
    Confirm,
    Decide,
    Listener,
    LowerHand,
    More,
    Next,
    NextPair,
    Pass,
    Pick,
    RaiseHand,
    Refusal,
    Respond,
    Undo,
)
from circlekeeper.engine.cues import StepRun
from circlekeeper.engine.exchange import Exchange
from circlekeeper.engine.stack import Stack
from circlekeeper.engine.steps import Steps
from circlekeeper.engine.stick import Round
from circlekeeper.i18n import msg
from circlekeeper.script.model import ConsentStep

Handler = Callable[[Command], None]


class TalkHost(Protocol):
    """What the floor's commands need of the session."""

    @property
    def step(self) -> StepRun | None:
        """The running step."""
        ...


class Talk:
    """Handlers of the floor's commands for one session."""

    def __init__(self, steps: Steps, host: TalkHost) -> None:
        self.steps = steps
        self.stick = steps.stick
        self.host = host
        self.handlers: dict[type[Command], Handler] = {
            Next: self.next,
            Pass: lambda _: self.stick.pass_stick(self._step().round),
            Pick: self.pick,
            Undo: self.undo,
            Confirm: lambda _: self.steps.pairs.confirm(self._exchange()),
            More: lambda _: self.steps.pairs.more(self._exchange()),
            NextPair: lambda _: self.steps.pairs.next_pair(self._exchange()),
            Listener: self.listener,
            Respond: self.respond,
            Decide: self.decide,
            RaiseHand: self.raise_hand,
            LowerHand: self.lower_hand,
        }

    def _step(self) -> StepRun:
        st = self.host.step
        if st is None:  # never while running: the session ends with its last step
            raise Refusal(msg("there is no step running"))
        return st

    def next(self, _: Command) -> None:
        """The next speaker, part or pair; else the next step."""
        st = self._step()
        if st.round is not None:
            self.stick.next(st.round)
        elif st.stack is not None:
            if not self.steps.floor.next(st.stack):
                self.steps.finish("next")
        elif st.exchange is not None:
            if not self.steps.pairs.next(st.exchange):
                self.steps.finish("next")
        else:
            self.steps.finish("next")

    def pick(self, command: Command) -> None:
        """Who speaks next: in a round, an exchange that picks, or a queue (a raised hand)."""
        assert isinstance(command, Pick)
        st = self._step()
        if command.who not in self.stick.plan.names:
            raise Refusal(msg("{who} is not in this circle", who=command.who))
        if st.round is not None:
            self.stick.pick(st.round, command.who)
        elif st.stack is not None:
            self.steps.floor.raise_hand(st.stack, command.who, None)
        elif st.exchange is not None:
            self.steps.pairs.pick(st.exchange, command.who)
        else:
            raise Refusal(msg("picking who speaks is only for rounds, exchanges and a queue"))

    def undo(self, _: Command) -> None:
        """Take back the last next, pass, pick or response of this round."""
        st = self.host.step
        if st is None:
            raise Refusal(msg("nothing to undo"))
        st.round = self.stick.undo(st.round)

    def _exchange(self) -> Exchange:
        ex = self._step().exchange
        if ex is None:
            raise Refusal(msg("this step is not an exchange"))
        return ex

    def listener(self, command: Command) -> None:
        """The speaker of an exchange chooses who listens."""
        assert isinstance(command, Listener)
        self.steps.pairs.choose_listener(self._exchange(), command.who)

    def _consent_round(self) -> Round:
        r = self._step().round
        if r is None or not isinstance(r.spec, ConsentStep):
            raise Refusal(msg("responses are for consent rounds"))
        return r

    def respond(self, command: Command) -> None:
        """A response in a consent round."""
        assert isinstance(command, Respond)
        consent.respond(self.stick, self._consent_round(), command.who, command.response)

    def decide(self, command: Command) -> None:
        """The facilitator's way out of a consent round."""
        assert isinstance(command, Decide)
        consent.way_out(self.stick, self._consent_round(), command.outcome)

    def _stack(self) -> Stack:
        stack = self._step().stack
        if stack is None:
            raise Refusal(msg("this step has no speaking queue"))
        return stack

    def raise_hand(self, command: Command) -> None:
        """Someone asks to speak, with a kind of request."""
        assert isinstance(command, RaiseHand)
        if command.who not in self.stick.plan.names:
            raise Refusal(msg("{who} is not in this circle", who=command.who))
        self.steps.floor.raise_hand(self._stack(), command.who, command.kind)

    def lower_hand(self, command: Command) -> None:
        """Someone no longer asks to speak."""
        assert isinstance(command, LowerHand)
        self.steps.floor.lower_hand(self._stack(), command.who)
