"""What the live screen shows of an exchange, a consent round and a speaking queue: who is
in which part, the responses so far, who waits with what kind of request, and the keys."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.widgets import Static

from circlekeeper.engine.state import Snapshot
from circlekeeper.i18n import N_, _
from circlekeeper.tui.format import kind_word, response_word, shown

PART_WORDS = {
    "speak": N_("{holder} speaks to {other}"),
    "reflect": N_("{holder} reflects back to {other}"),
    "confirm": N_("{holder} confirms with {other}"),
}
"""Who does what to whom in each part of an exchange."""
RESPONSE_MARKS = {"consent": "✓", "concern": "~", "stand-aside": "↷", "objection": "✗"}
"""A symbol for each response, besides its colour."""
RESPONSE_STYLES = {"consent": "", "concern": "italic", "stand-aside": "dim", "objection": "bold"}


class TalkView(Static):
    """One block under the speaker line: exchange, consent round or queue (else hidden)."""

    DEFAULT_CSS = """
    TalkView { height: auto; padding: 0 1; }
    """

    def show(self, snap: Snapshot) -> None:
        """Draw the block from a snapshot."""
        text = talk_text(snap)
        self.update(text)
        self.display = bool(text)


def talk_text(snap: Snapshot) -> Text:
    """The block's text for this snapshot (empty when the step has no such talk)."""
    if snap.step_kind == "exchange":
        return _exchange(snap)
    if snap.step_kind == "consent":
        return _consent(snap)
    if snap.request_kinds:
        return _queue(snap)
    return Text()


def _exchange(snap: Snapshot) -> Text:
    text = Text()
    if snap.part is None or snap.pair_speaker is None:
        text.append(_("Pick who speaks next (1-9 or k)"), style="bold")
        if snap.listener:
            text.append("; " + _("{name} will listen").format(name=shown(snap.listener)))
    else:
        holder = snap.listener if snap.part == "reflect" else snap.pair_speaker
        other = snap.pair_speaker if snap.part == "reflect" else snap.listener
        text.append(
            _("Pair {pair} of {pairs}: ").format(pair=snap.pair, pairs=snap.pairs), style="bold"
        )
        part = PART_WORDS.get(snap.part)
        said = (
            _(part).format(holder=shown(holder), other=shown(other))
            if part
            else shown(f"{holder} {other}")
        )
        text.append(said)
        if snap.loop and snap.loop > 1:
            text.append(" " + _("(time {n})").format(n=snap.loop))
        if snap.ask:
            text.append("\n")
            text.append(shown(snap.ask), style="bold")
    if snap.heard:
        heard = _("Heard: {names}").format(names=shown(", ".join(snap.heard)))
        text.append("\n" + heard, style="dim")
    text.append(
        "\n" + _("space next part · c confirm · a add more · n next pair · l listener"), "dim"
    )
    return text


def _consent(snap: Snapshot) -> Text:
    text = Text()
    text.append(
        _("Consent round {round} of {rounds}").format(round=snap.lap, rounds=snap.laps),
        style="bold",
    )
    if snap.ask:
        text.append(f": {shown(snap.ask)}")
    if snap.responses:
        text.append("\n")
        for i, (who, response) in enumerate(snap.responses.items()):
            if i:
                text.append("   ")
            mark = RESPONSE_MARKS.get(response, "?")
            text.append(
                f"{shown(who)} {mark} {response_word(response)}",
                style=RESPONSE_STYLES.get(response, ""),
            )
    if snap.amending:
        objecting = [who for who, r in snap.responses.items() if r == "objection"]
        text.append("\n")
        text.append_text(
            Text.from_markup(
                _(
                    "Objection from {names}: amend the proposal, then [b]space[/b] starts the "
                    "next round"
                ).format(names=escape(shown(", ".join(objecting))))
            )
        )
    text.append("\n" + _("r records a response · d ends it (no consent / amend and return)"), "dim")
    return text


def _queue(snap: Snapshot) -> Text:
    text = Text()
    if snap.queue:
        text.append(_("Waiting to speak: "), style="bold")
        for i, (who, kind) in enumerate(zip(snap.queue, snap.queue_kinds, strict=False)):
            if i:
                text.append(", ")
            text.append(f"{i + 1}. {shown(who)}")
            if kind != "new-point":
                text.append(f" ({kind_word(kind)})", style="bold")
    else:
        text.append(_("Nobody is waiting to speak"), style="dim")
    text.append(
        "\n" + _("h asks to speak (with a kind) · space gives the floor to the next"), "dim"
    )
    return text
