"""Exchanges: a speaker addresses a listener, the listener reflects back, and the speaker
confirms ("is that it?") or adds, until heard; then the pair changes.

Restorative Circles' mutual comprehension, the clearing model and an NVC dyad share this
shape. Each loop has three parts, each with its own prompt, stems and optional time: the
speaker speaks, the listener reflects, the speaker confirms. `next` moves through them
(confirming at the end); `more` sends the speaker back to add (up to `max_loops`
reflections); `confirm` ends the pair as heard; `next-pair` ends it as it stands. The pair
then changes by the step's rule: the listener speaks next (by default to the one they
heard), everyone in turn around the circle to the next seat, or a speaker the facilitator
picks. Both people's airtime is booked: the speaker's for speaking and confirming, the
listener's for reflecting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from circlekeeper.engine.commands import Refusal
from circlekeeper.engine.events import (
    ListenerChosen,
    PairEnded,
    PairStarted,
    PartStarted,
    TurnStarted,
)
from circlekeeper.engine.plan import RunStep, participants
from circlekeeper.engine.stick import Stick, Turn
from circlekeeper.i18n import msg, msg_n
from circlekeeper.script.model import ExchangePart, ExchangeStep
from circlekeeper.script.texts import speech_at_part

NEXT_PART: dict[str, str] = {"speak": "reflect", "reflect": "confirm"}


@dataclass
class Exchange:
    """The moving parts of an exchange step."""

    spec: ExchangeStep
    people: tuple[str, ...]
    """Who takes part, in the order the pair goes round (direction applied)."""
    total: int
    """How many pairs in all."""
    pair: int = 0
    """Pairs begun so far."""
    speaker: str | None = None
    listener: str | None = None
    part: str | None = None
    """speak, reflect or confirm; None between pairs (waiting for a pick)."""
    loop: int = 1
    turn: Turn | None = None
    prompt: str | None = None
    """The current part's prompt, in the session's language."""
    chosen: str | None = None
    """A listener chosen before the speaker was picked."""
    heard: list[str] = field(default_factory=list)
    """Speakers who confirmed they were heard, in order."""
    spoke: list[str] = field(default_factory=list)
    """Everyone who has been a speaker in this exchange, in order."""
    airtime: dict[str, float] = field(default_factory=dict)


def _around(people: tuple[str, ...], who: str) -> list[str]:
    """Everyone after `who` in `people`, going round once (`who` last)."""
    i = people.index(who)
    return list(people[i + 1 :] + people[: i + 1])


def _seat_after(people: tuple[str, ...], who: str) -> str:
    """The next person after `who` in `people` (wrapping round); `people` has two or more,
    `who` among them."""
    return people[(people.index(who) + 1) % len(people)]


class Pairs:
    """Runs the exchange of the current step; books airtime through the stick."""

    def __init__(self, stick: Stick) -> None:
        self.stick = stick
        self.host = stick.host

    def open(self, run: RunStep, spec: ExchangeStep) -> Exchange:
        """The exchange of `run`, and its first pair (unless the facilitator picks)."""
        plan = self.stick.plan
        roles = {**plan.roles, **run.bindings}
        people = participants(spec, plan.names, roles)
        if spec.direction == "counterclockwise" and people:
            people = people[:1] + people[1:][::-1]
        ex = Exchange(spec, people, spec.pairs or len(people))
        if len(people) < 2:
            return ex
        first = next((p for p in roles.get(spec.first or "", ()) if p in people), None)
        if first is None and spec.next_pair != "chosen":
            first = plan.starter if plan.starter in people else people[0]
        if first is not None:
            listener = next(
                (p for p in roles.get(spec.listener or "", ()) if p in people and p != first),
                _seat_after(people, first),
            )
            self._begin_pair(ex, first, listener)
        return ex

    # -- parts -----------------------------------------------------------------------------

    def _begin_pair(self, ex: Exchange, speaker: str, listener: str) -> None:
        ex.pair += 1
        ex.speaker, ex.listener, ex.loop, ex.chosen = speaker, listener, 1, None
        if speaker not in ex.spoke:
            ex.spoke.append(speaker)
        self.host.emit(PairStarted(self.host.stamp(), ex.pair, speaker, listener))
        self._begin_part(ex, "speak")

    def _begin_part(self, ex: Exchange, part: str) -> None:
        assert ex.speaker is not None and ex.listener is not None
        spec: ExchangePart = getattr(ex.spec.parts, part)
        holder, to = (ex.listener, ex.speaker) if part == "reflect" else (ex.speaker, ex.listener)
        a = self.host.active
        ex.part = part
        ex.prompt = self.host.localize(spec.prompt)
        self.host.emit(
            PartStarted(self.host.stamp(), part, ex.speaker, ex.listener, ex.loop, ex.prompt)
        )
        ex.turn = Turn(
            holder,
            ex.pair,
            None if spec.time is None else float(spec.time),
            a,
            None if spec.time is None else a + spec.time,
            ot_mark=a,
            warn=None if spec.warning is None else float(spec.warning),
            warn_cue=ex.spec.warning_cue,
            to=to,
        )
        self.host.emit(TurnStarted(self.host.stamp(), holder, ex.pair, ex.turn.allowed, to))
        self.host.speak(speech_at_part(ex.spec, part))

    def _end_part(self, ex: Exchange) -> None:
        if ex.turn is not None:
            self.stick.book(ex.turn, ex.airtime)
            ex.turn = None

    def _end_pair(self, ex: Exchange, confirmed: bool) -> None:
        assert ex.speaker is not None and ex.listener is not None
        self._end_part(ex)
        if confirmed:
            ex.heard.append(ex.speaker)
        self.host.emit(
            PairEnded(self.host.stamp(), ex.pair, ex.speaker, ex.listener, confirmed, ex.loop)
        )
        ex.part = None
        ex.prompt = None
        self._next_pair(ex)

    def _next_pair(self, ex: Exchange) -> None:
        """The pair changes by the step's rule, or the exchange is over."""
        if ex.pair >= ex.total:
            self.host.finish_step("done")
            return
        speaker, listener = ex.speaker, ex.listener
        assert speaker is not None and listener is not None
        rule = ex.spec.next_pair
        if rule == "listener-speaks":
            if listener not in ex.spoke:
                # The one who listened speaks, by default to the one they heard.
                self._begin_pair(ex, listener, speaker)
                return
            # They have spoken already: the next who has not, so that everyone is heard.
            waiting = [p for p in _around(ex.people, listener) if p not in ex.spoke]
            nxt = waiting[0] if waiting else _seat_after(ex.people, listener)
            self._begin_pair(ex, nxt, _seat_after(ex.people, nxt))
        elif rule == "around":
            nxt = _seat_after(ex.people, speaker)
            self._begin_pair(ex, nxt, _seat_after(ex.people, nxt))
        else:
            ex.speaker = ex.listener = None  # the facilitator picks the next speaker

    def close(self, ex: Exchange) -> None:
        """The step ends: whoever holds the floor is done."""
        self._end_part(ex)

    # -- commands ----------------------------------------------------------------------------

    def _running(self, ex: Exchange) -> str:
        if ex.part is None:
            raise Refusal(msg("no pair is speaking; pick who speaks next"))
        return ex.part

    def next(self, ex: Exchange) -> bool:
        """The next part (after confirming: the next pair). False: no pair is speaking, so
        the step itself ends."""
        if ex.part is None:
            return False
        if ex.part == "confirm":
            self._end_pair(ex, confirmed=True)
            return True
        self._end_part(ex)
        self._begin_part(ex, NEXT_PART[ex.part])
        return True

    def confirm(self, ex: Exchange) -> None:
        """The speaker was heard: the pair is done."""
        part = self._running(ex)
        if part == "speak":
            if ex.listener is None:
                raise Refusal(msg("nobody has reflected yet"))
            raise Refusal(msg("{name} has not reflected yet", name=ex.listener))
        self._end_pair(ex, confirmed=True)

    def more(self, ex: Exchange) -> None:
        """The speaker adds what is missing: back to speaking, for another reflection."""
        part = self._running(ex)
        if part == "speak":
            raise Refusal(msg("{speaker} is speaking already", speaker=ex.speaker))
        cap = ex.spec.max_loops
        if cap is not None and ex.loop >= cap:
            raise Refusal(
                msg_n(
                    "{name} has reflected {n} time: confirm, or move on to the next pair",
                    "{name} has reflected {n} times: confirm, or move on to the next pair",
                    cap,
                    name=ex.listener,
                )
            )
        self._end_part(ex)
        ex.loop += 1
        self._begin_part(ex, "speak")

    def next_pair(self, ex: Exchange) -> None:
        """This pair ends now, heard or not; the next begins."""
        self._running(ex)
        self._end_pair(ex, confirmed=False)

    def choose_listener(self, ex: Exchange, who: str) -> None:
        """The speaker chooses who listens (before the listener starts reflecting)."""
        if who not in self.stick.plan.names:
            raise Refusal(msg("{who} is not in this circle", who=who))
        if who not in ex.people:
            raise Refusal(msg("{who} does not take part in this exchange", who=who))
        if who == ex.speaker:
            raise Refusal(msg("{who} is speaking; choose someone else to listen", who=who))
        if ex.part in ("reflect", "confirm"):
            raise Refusal(msg("{listener} is listening in this pair already", listener=ex.listener))
        if who == (ex.listener if ex.part else ex.chosen):
            raise Refusal(msg("{who} is listening already", who=who))
        if ex.part is None:
            ex.chosen = who  # for the speaker the facilitator picks next
            return
        assert ex.speaker is not None and ex.turn is not None
        ex.listener = who
        ex.turn.to = who
        self.host.emit(ListenerChosen(self.host.stamp(), ex.speaker, who))

    def pick(self, ex: Exchange, who: str) -> None:
        """`next_pair: chosen`: `who` speaks next (to the listener chosen, or the next seat)."""
        if who not in self.stick.plan.names:
            raise Refusal(msg("{who} is not in this circle", who=who))
        if ex.spec.next_pair != "chosen":
            raise Refusal(msg("this exchange changes pairs by itself; use next-pair to move on"))
        if ex.part is not None:
            raise Refusal(
                msg(
                    "{speaker} and {listener} are still in a pair",
                    speaker=ex.speaker,
                    listener=ex.listener,
                )
            )
        if who not in ex.people:
            raise Refusal(msg("{who} does not take part in this exchange", who=who))
        chosen = ex.chosen
        listener = chosen if chosen and chosen != who else _seat_after(ex.people, who)
        self._begin_pair(ex, who, listener)
