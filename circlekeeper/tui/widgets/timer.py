"""The big countdown: Textual `Digits`, readable across a room, with a flash for every bell."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static

from circlekeeper.i18n import _
from circlekeeper.tui.format import clock_text, plain, wall_hhmm
from circlekeeper.tui.guard import Guarded

FLASH_SECONDS = 1.0


class BigTimer(Guarded, Vertical):
    """Remaining time in big digits, what it counts, and the wall-clock end."""

    DEFAULT_CSS = """
    BigTimer {
        height: auto;
        padding: 0 1;
        border: heavy $primary;
    }
    BigTimer Digits { width: 100%; text-align: center; text-style: bold; color: $text; }
    BigTimer #timer-caption { width: 100%; text-align: center; color: $text-muted; }
    BigTimer.overtime Digits { color: $warning; }
    BigTimer.up Digits { color: $text-muted; }
    BigTimer.paused { border: heavy $warning; }
    BigTimer.paused Digits { color: $text-disabled; }
    BigTimer.flash { background: $accent; border: heavy $accent; }
    BigTimer.flash Digits { color: $background; }
    """

    _caption = ""

    def compose(self) -> ComposeResult:
        yield Digits("--:--", id="timer-digits")
        yield Static("", id="timer-caption")

    def show(
        self,
        remaining: float | None,
        *,
        what: str,
        ends_wall: float | None,
        ends_what: str = "step",
        overtime: float = 0.0,
        paused: bool = False,
        estimated: bool = False,
        up: bool = False,
    ) -> None:
        """Draw the countdown (`up`: the time counted up, for an open-ended step); `what`
        says whose time it is, `ends_what` what ends at `ends_wall` (a turn, a step)."""
        digits = self.query_one(Digits)
        if overtime > 0:
            digits.update("+" + clock_text(overtime))
        else:
            digits.update(clock_text(remaining))
        caption = what
        end = wall_hhmm(ends_wall)
        if end and not paused:
            if estimated:
                ends = _("ends about {time}")
            elif ends_what == "turn":
                ends = _("turn ends {time}")
            else:
                ends = _("step ends {time}")
            caption += "  ·  " + ends.format(time=end)
        if paused:
            caption += "  ·  " + _("PAUSED")
        if caption != self._caption:
            # Same length: no need to lay out the whole screen again.
            same = len(caption) == len(self._caption)
            self._caption = caption
            self.query_one("#timer-caption", Static).update(plain(caption), layout=not same)
        self.set_class(overtime > 0, "overtime")
        self.set_class(up, "up")
        self.set_class(paused, "paused")

    def flash(self) -> None:
        """Flash the timer for about a second: the visual bell."""
        self.add_class("flash")
        self.set_timer(FLASH_SECONDS, lambda: self.remove_class("flash"))
