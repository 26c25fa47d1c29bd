"""After the session: airtime per person as bars, overtime, steps done, and saving it."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Static

from circlekeeper.engine import timeline
from circlekeeper.engine.events import CommandTaken
from circlekeeper.i18n import N_, _, ngettext
from circlekeeper.records.summary import clock
from circlekeeper.tui.format import meeting_line, plain, shown
from circlekeeper.tui.guard import Guarded
from circlekeeper.tui.host import AppHost, host_of
from circlekeeper.tui.local import LocalScreen, styles

if TYPE_CHECKING:
    from circlekeeper.records.changes import AgendaChange
    from circlekeeper.records.summary import Summary
    from circlekeeper.tui.driver import Driver

log = logging.getLogger(__name__)

BAR = "█"


def summarize_driver(driver: Driver) -> Summary:
    """The records summary of a finished session: its numbers, notes, and who the circle was."""
    from datetime import datetime

    from circlekeeper.records.summary import summarize, with_circle

    config = driver.config
    started = driver.started_wall
    summary = summarize(
        driver.events,
        config.practice.title,
        config.circle,
        started=None if started is None else datetime.fromtimestamp(started).astimezone(),
        walls=driver.walls,
    )
    return with_circle(
        summary, config.plan, circle_name=config.circle_name, session_id=driver.session_id
    )


def airtime_bars(
    circle: tuple[str, ...],
    airtime: Mapping[str, float],
    overtime: Mapping[str, float],
    width: int = 30,
) -> Text:
    """One row per person in seat order: name, a bar scaled to the longest airtime, the
    time, overtime. Times read as the saved summary reads them (`clock`: one rule)."""
    text = Text()
    longest = max([airtime.get(n, 0.0) for n in circle] + [1.0])
    name_width = max((len(n) for n in circle), default=4)
    for name in circle:
        spoke = airtime.get(name, 0.0)
        over = overtime.get(name, 0.0)
        filled = round(width * spoke / longest)
        text.append(f"{shown(name):<{name_width}}  ")
        text.append(BAR * filled, style="bold")
        text.append(" " * (width - filled) + f"  {clock(spoke)}")
        if clock(over) != clock(0):
            text.append("  " + _("(+{time} over)").format(time=clock(over)), style="italic")
        text.append("\n")
    text.rstrip()
    return text


def agenda_changes(changes: Sequence[AgendaChange]) -> Text:
    """The agenda's changes and the topics, one line each with its session time (as written:
    a typed title keeps its square brackets). The export says the same `AgendaChange.line`."""
    text = Text()
    for change in changes:
        text.append(f"{timeline.clock(change.at)}  ", style="dim")
        text.append(shown(change.line()) + "\n")
    text.rstrip()
    return text


class SummaryScreen(Guarded, LocalScreen[None]):
    """What happened in the circle; w saves it as Markdown."""

    CSS_PATH = styles("summary")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "save", N_("Save summary"), id="summary.save"),
        Binding("q", "app.quit", N_("Quit"), id="summary.quit"),
    ]

    def __init__(self, driver: Driver) -> None:
        super().__init__(id="summary")
        self.driver = driver
        self.saved_to: str | None = None

    @property
    def ck(self) -> AppHost:
        """The app, as far as a screen may ask of it."""
        return host_of(self)

    def compose(self) -> ComposeResult:
        config = self.driver.config
        # The very summary the saved file is written from: the screen and the file agree.
        summary = summarize_driver(self.driver)
        airtime, overtime = summary.airtime, summary.overtime
        done = sum(1 for step in summary.steps if step.outcome == "done")
        skipped = sum(1 for step in summary.steps if step.outcome == "skipped")
        total = sum(airtime.values())
        over = sum(overtime.values())
        with VerticalScroll(id="summary-body"):
            finished = _("{practice}: finished").format(practice=config.practice.title)
            title = plain(finished, style="bold")
            line = meeting_line(config.plan, config.circle_name)
            if line:
                title.append(f"\n{shown(line)}", style="not bold")
            yield Static(title, id="summary-title")
            figures = [
                ngettext(
                    "{n} step done, {skipped} skipped", "{n} steps done, {skipped} skipped", done
                ).format(n=done, skipped=skipped),
                _("{time} spoken").format(time=clock(total)),
                _("{time} overtime").format(time=clock(over)),
            ]
            yield Static("  ·  ".join(figures), id="summary-figures")
            yield Static(_("Airtime"), classes="section-title")
            yield Static(airtime_bars(summary.circle, airtime, overtime), id="airtime")
            changes = agenda_changes(summary.changes)
            if changes.plain:
                yield Static(_("Agenda changes"), classes="section-title")
                yield Static(changes, id="agenda-changes")
            if self.driver.session_id:
                notes = sum(
                    1
                    for e in self.driver.events
                    if isinstance(e, CommandTaken) and e.command.get("command") == "note"
                )
                kept = (
                    ngettext("{n} note kept.", "{n} notes kept.", notes).format(n=notes) + " "
                    if notes
                    else ""
                )
                share = _("A reportback to share: {command}").format(
                    command=f"circlekeeper export {self.driver.session_id}"
                )
                yield Static(kept + share, id="summary-export")
            with Horizontal(id="summary-buttons"):
                yield Button(_("Save summary") + " (w)", id="save", variant="primary")
                yield Button(_("Quit") + " (q)", id="quit")
            yield Static("", id="saved-to")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or quit."""
        if event.button.id == "save":
            self.action_save()
        else:
            self.app.exit(0)

    def action_save(self) -> None:
        """Save the summary as a Markdown file and say where it went."""
        self.ck.guard(N_("saving the summary"), self._save)

    def _save(self) -> None:
        from circlekeeper.records.summary import save_summary

        path = save_summary(summarize_driver(self.driver))
        self.saved_to = str(path)
        said = _("Saved to {path}").format(path=path)
        self.query_one("#saved-to", Static).update(plain(said))
        self.notify(said, title=_("Summary"), timeout=6)
