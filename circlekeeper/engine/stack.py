"""The speaking queue of a discussion (taking stack): who asked to speak, with what kind of
request, and who has the floor.

Requests are served most urgent first, as TCQ does: a point of process, then a clarifying
question, then a reply, then a new point; within a kind, in the order people asked, or (a
progressive stack) who has spoken least so far first. Every command checks first and
raises `Refusal` before it changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from circlekeeper.engine.commands import Refusal
from circlekeeper.engine.events import StackChanged, TurnStarted
from circlekeeper.i18n import msg
from circlekeeper.script.model import REQUEST_KINDS, StackSpec

if TYPE_CHECKING:
    from circlekeeper.engine.stick import Stick, Turn

KIND_WORDS: dict[str, str] = {
    "process": msg("a point of process"),
    "clarify": msg("a clarifying question"),
    "reply": msg("a reply"),
    "new-point": msg("a new point"),
}
"""How each kind of request reads in a sentence."""


@dataclass
class Request:
    """Someone waiting to speak."""

    who: str
    kind: str
    asked: int
    """Order of asking, for requests of the same kind."""


@dataclass
class Stack:
    """Taking stack in a discussion: who asked to speak, in order, and who has the floor."""

    spec: StackSpec
    people: tuple[str, ...]
    """Who takes part (and so may ask to speak)."""
    requests: list[Request] = field(default_factory=list)
    floor: Turn | None = None
    spoken: list[str] = field(default_factory=list)
    airtime: dict[str, float] = field(default_factory=dict)
    asked: int = 0

    def ordered(self, airtime: dict[str, float]) -> list[Request]:
        """The requests in the order the floor goes to them (`airtime`: the session's)."""
        rank: dict[str, int] = {kind: i for i, kind in enumerate(REQUEST_KINDS)}
        least = self.spec.order == "least-spoken"
        return sorted(
            self.requests,
            key=lambda q: (rank[q.kind], airtime.get(q.who, 0.0) if least else 0.0, q.asked),
        )

    @property
    def queue(self) -> tuple[str, ...]:
        """Who waits, in the order they asked (see `ordered` for who speaks next)."""
        return tuple(q.who for q in self.requests)


class Floor:
    """Moves the floor of a discussion's stack; books airtime through the stick."""

    def __init__(self, stick: Stick) -> None:
        self.stick = stick
        self.host = stick.host

    def waiting(self, stack: Stack) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Who waits, in the order they will speak, and the kind of each request."""
        order = stack.ordered(self.stick.airtime)
        return tuple(q.who for q in order), tuple(q.kind for q in order)

    def _changed(self, stack: Stack) -> None:
        names, kinds = self.waiting(stack)
        self.host.emit(StackChanged(self.host.stamp(), names, kinds))

    def _give(self, stack: Stack, name: str) -> None:
        from circlekeeper.engine.stick import Turn

        a = self.host.active
        stack.floor = Turn(name, 1, None, a, None, ot_mark=a)
        self.host.emit(TurnStarted(self.host.stamp(), name, 1, None))

    def close(self, stack: Stack) -> None:
        """Whoever has the floor is done."""
        if stack.floor is not None:
            self.stick.book(stack.floor, stack.airtime)
            if stack.floor.speaker not in stack.spoken:
                stack.spoken.append(stack.floor.speaker)
            stack.floor = None

    def next(self, stack: Stack) -> bool:
        """The floor passes to the first in the queue. False: the floor is open and nobody
        is waiting, so `next` ends the step."""
        if stack.floor is None and not stack.requests:
            return False
        self.close(stack)
        if stack.requests:
            first = stack.ordered(self.stick.airtime)[0]
            stack.requests.remove(first)
            self._give(stack, first.who)
            self._changed(stack)
        return True

    def raise_hand(self, stack: Stack, name: str, kind: str | None) -> None:
        """`name` asks to speak: an open floor goes to them at once, else they queue. Asking
        again with another kind changes the request's kind."""
        kinds = stack.spec.kinds
        if kind is None:
            # A plain pick is a new point, or the least urgent kind this queue takes.
            kind = "new-point" if "new-point" in kinds else kinds[-1]
        if kind not in kinds:
            offered = ", ".join(kinds)
            raise Refusal(
                msg(
                    "this queue does not take {kind} ({kinds})",
                    kind=KIND_WORDS.get(kind, kind),
                    kinds=offered,
                )
            )
        if name not in stack.people:
            raise Refusal(msg("{name} does not take part in this discussion", name=name))
        if stack.floor is not None and stack.floor.speaker == name:
            raise Refusal(msg("{name} has the floor already", name=name))
        mine = next((q for q in stack.requests if q.who == name), None)
        if mine is not None and mine.kind == kind:
            raise Refusal(msg("{name} is already waiting to speak", name=name))
        if mine is not None:
            mine.kind = kind
            self._changed(stack)
        elif stack.floor is None and not stack.requests:
            self._give(stack, name)
        else:
            stack.asked += 1
            stack.requests.append(Request(name, kind, stack.asked))
            self._changed(stack)

    def lower_hand(self, stack: Stack, name: str) -> None:
        """`name` no longer asks to speak."""
        mine = next((q for q in stack.requests if q.who == name), None)
        if mine is None:
            raise Refusal(msg("{name} is not waiting to speak", name=name))
        stack.requests.remove(mine)
        self._changed(stack)
