"""The agenda: the practice's top-level steps with a mark for done, current, to come, skipped."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from circlekeeper.engine.state import AgendaItem
from circlekeeper.i18n import _, ngettext
from circlekeeper.tui.format import duration_text, shown

MARKS = {"done": "✓", "current": "▶", "todo": "·", "skipped": "⤼"}


class AgendaView(Static):
    """A list of steps; the current one bold, past ones dim."""

    DEFAULT_CSS = """
    AgendaView { height: auto; padding: 0 1; }
    """

    def show(
        self, agenda: tuple[AgendaItem, ...], ends: str | None = None, topics: int = 0
    ) -> None:
        """Draw the agenda (`ends`: the forecast end, `HH:MM`; `topics`: how many wait)."""
        self.update(agenda_text(agenda, ends, topics))


def agenda_text(agenda: tuple[AgendaItem, ...], ends: str | None = None, topics: int = 0) -> Text:
    """The agenda as styled text, one row per step, with progress and the forecast end at the
    top and the topics waiting at the bottom."""
    text = Text()
    done = sum(1 for item in agenda if item.status in ("done", "skipped"))
    step = _("Step {number} of {count}").format(
        number=min(done + 1, len(agenda)), count=len(agenda)
    )
    text.append(step + "\n", style="bold")
    for item in agenda:
        style = {"done": "dim", "current": "bold reverse", "todo": "", "skipped": "dim strike"}
        row = f"{MARKS.get(item.status, '·')} {shown(item.title)}"
        if item.estimate is not None and item.status in ("todo", "current"):
            row += f" ({duration_text(item.estimate)})"
        text.append(row + "\n", style=style.get(item.status, ""))
    if topics:
        waiting = ngettext("{n} topic waiting", "{n} topics waiting", topics).format(n=topics)
        text.append(waiting + "\n", style="italic")
    if ends:
        text.append(_("ends ~{time}").format(time=ends) + " · ")
    text.append(_("e: agenda"), style="dim")
    return text
