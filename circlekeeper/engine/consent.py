"""Consent rounds (sociocracy): each person in turn gives a response; with objections the
proposal is amended and the round goes again, until nobody objects or the rounds run out.

A consent round is a round of the talking stick whose turns end with a response. When
everyone has responded: no objection is consent (concerns and stand-asides are recorded
with it); objections and rounds to spare leave the step amending, until the facilitator
starts the next round; objections after the last round are "no consent". The facilitator
can end it at any time as "no consent" or "amend and return". However it ends, one
`DecisionMade` event says how, with every round's responses: the journal keeps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from circlekeeper.engine.commands import Refusal
from circlekeeper.engine.events import ConsentRoundEnded, DecisionMade, ResponseGiven
from circlekeeper.i18n import N_, msg
from circlekeeper.script.model import ConsentStep

if TYPE_CHECKING:
    from circlekeeper.engine.stick import Round, Stick

WAYS_OUT: tuple[str, ...] = ("no-consent", "amend-and-return")
"""How the facilitator may end a consent round before it decides itself."""

RESPONSE_WORDS: dict[str, str] = {
    "consent": "consents",
    "concern": "consents with a concern",
    "stand-aside": "stands aside",
    "objection": "objects",
}
"""How each response reads after a name."""
ALREADY: dict[str, str] = {
    "consent": N_("{name} consents already"),
    "concern": N_("{name} consents with a concern already"),
    "stand-aside": N_("{name} stands aside already"),
    "objection": N_("{name} objects already"),
}
"""A response given again, refused."""


def _spec(r: Round) -> ConsentStep:
    assert isinstance(r.spec, ConsentStep)
    return r.spec


def respond(stick: Stick, r: Round, who: str, response: str) -> None:
    """`who` responds: the speaker's response ends their turn; someone who has responded in
    this round may change theirs."""
    spec = _spec(r)
    if response not in spec.responses:
        raise Refusal(
            msg(
                "'{response}' is not a response here; the responses are: {responses}",
                response=response,
                responses=", ".join(spec.responses),
            )
        )
    if who not in stick.plan.names:
        raise Refusal(msg("{who} is not in this circle", who=who))
    if who not in r.speakers:
        raise Refusal(msg("{who} does not take part in this consent round", who=who))
    if r.amending:
        raise Refusal(msg("this consent round is over; the next one starts with next"))
    holder = r.turn.speaker if r.turn is not None else None
    if who != holder and who not in r.responses:
        if who in r.queue:
            raise Refusal(msg("{name}'s turn has not come yet", name=who))
        if holder:
            raise Refusal(msg("it is {name}'s turn", name=holder))
        raise Refusal(msg("{name} has not had a turn yet", name=who))
    if who != holder and r.responses[who] == response:
        already = ALREADY.get(response)
        raise Refusal(
            msg(already, name=who)
            if already
            else msg("{name} gave this response already", name=who)
        )
    record = stick.remember("respond", r)
    r.responses[who] = response
    stick.host.emit(ResponseGiven(stick.host.stamp(), who, response, r.lap))
    stick.undo_record = record
    if who == holder:
        stick.end_turn(r)
        stick.move_on(r)


def next_round(stick: Stick, r: Round) -> None:
    """`next` in a consent round: after objections, the next round starts; during a turn it
    waits for the speaker's response."""
    if r.amending:
        stick.undo_record = None
        stick.start_lap(r, r.lap + 1)
        return
    if r.turn is not None:
        raise Refusal(msg("waiting for {name}'s response", name=r.turn.speaker))
    raise Refusal(msg("nobody is waiting to respond"))


def lap_over(stick: Stick, r: Round) -> None:
    """Everyone has responded: consent, another round after amending, or no consent."""
    spec = _spec(r)
    objections = tuple(p for p in r.order if r.responses.get(p) == "objection")
    r.history.append(dict(r.responses))
    host = stick.host
    host.emit(ConsentRoundEnded(host.stamp(), r.lap, dict(r.responses), objections))
    if not objections:
        decide(stick, r, "consent")
    elif r.lap >= spec.max_rounds:
        decide(stick, r, "no-consent")
    else:
        r.amending = True


def decide(stick: Stick, r: Round, result: str) -> None:
    """The consent step is decided: say so, and move on."""
    outcome(stick, r, result)
    stick.host.finish_step("done")


def way_out(stick: Stick, r: Round, result: str) -> None:
    """The facilitator ends the consent round as `result` (no-consent, amend-and-return)."""
    if result not in WAYS_OUT:
        raise Refusal(
            msg(
                "a consent round can be ended as {ways}, not '{result}'",
                ways=" or ".join(WAYS_OUT),
                result=result,
            )
        )
    if r.turn is not None:
        stick.end_turn(r)
    if r.responses and not r.amending:
        r.history.append(dict(r.responses))
    decide(stick, r, result)


def outcome(stick: Stick, r: Round, result: str) -> None:
    """Say, once, how the consent step ended."""
    if r.decided is not None:
        return
    r.decided = result
    host = stick.host
    proposal = host.localize(_spec(r).proposal)
    rounds = tuple(dict(h) for h in r.history)
    host.emit(DecisionMade(host.stamp(), result, len(rounds), rounds, proposal))


def abandon(stick: Stick, r: Round) -> None:
    """The step ends before it decided (skipped, time up, the session ended): undecided."""
    if r.decided is not None:
        return
    if r.responses and not r.amending:
        r.history.append(dict(r.responses))
    outcome(stick, r, "undecided")
