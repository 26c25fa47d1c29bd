"""What the live screen shows of an exchange, a consent round and a speaking queue: who is
in which part, the responses so far, who waits with what kind of request, and the keys."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from circlekeeper.engine.state import Snapshot
from circlekeeper.tui.format import shown

PART_WORDS = {"speak": "speaks to", "reflect": "reflects back to", "confirm": "confirms with"}
RESPONSE_MARKS = {"consent": "✓", "concern": "~", "stand-aside": "↷", "objection": "✗"}
"""A symbol for each response, besides its colour."""
RESPONSE_STYLES = {"consent": "", "concern": "italic", "stand-aside": "dim", "objection": "bold"}
KIND_WORDS = {
    "process": "point of process",
    "clarify": "clarifying question",
    "reply": "reply",
    "new-point": "new point",
}


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
        text.append("Pick who speaks next (1-9 or k)", style="bold")
        if snap.listener:
            text.append(f"; {shown(snap.listener)} will listen")
    else:
        holder = snap.listener if snap.part == "reflect" else snap.pair_speaker
        other = snap.pair_speaker if snap.part == "reflect" else snap.listener
        text.append(f"Pair {snap.pair} of {snap.pairs}: ", style="bold")
        text.append(shown(f"{holder} {PART_WORDS.get(snap.part, snap.part)} {other}"))
        if snap.loop and snap.loop > 1:
            text.append(f" (time {snap.loop})")
        if snap.ask:
            text.append("\n")
            text.append(shown(snap.ask), style="bold")
    if snap.heard:
        text.append(f"\nHeard: {shown(', '.join(snap.heard))}", style="dim")
    text.append("\nspace next part · c confirm · a add more · n next pair · l listener", "dim")
    return text


def _consent(snap: Snapshot) -> Text:
    text = Text()
    text.append(f"Consent round {snap.lap} of {snap.laps}", style="bold")
    if snap.ask:
        text.append(f": {shown(snap.ask)}")
    if snap.responses:
        text.append("\n")
        for i, (who, response) in enumerate(snap.responses.items()):
            if i:
                text.append("   ")
            mark = RESPONSE_MARKS.get(response, "?")
            text.append(f"{shown(who)} {mark} {response}", style=RESPONSE_STYLES.get(response, ""))
    if snap.amending:
        objecting = [who for who, r in snap.responses.items() if r == "objection"]
        text.append(f"\nObjection from {shown(', '.join(objecting))}: amend the proposal, then ")
        text.append("space", style="bold")
        text.append(" starts the next round")
    text.append("\nr records a response · d ends it (no consent / amend and return)", "dim")
    return text


def _queue(snap: Snapshot) -> Text:
    text = Text()
    if snap.queue:
        text.append("Waiting to speak: ", style="bold")
        for i, (who, kind) in enumerate(zip(snap.queue, snap.queue_kinds, strict=False)):
            if i:
                text.append(", ")
            text.append(f"{i + 1}. {shown(who)}")
            if kind != "new-point":
                text.append(f" ({KIND_WORDS.get(kind, kind)})", style="bold")
    else:
        text.append("Nobody is waiting to speak", style="dim")
    text.append("\nh asks to speak (with a kind) · space gives the floor to the next", "dim")
    return text
