"""The big countdown: Textual `Digits`, readable across a room, with a flash for every bell."""

from __future__ import annotations

from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import NoScreen
from textual.geometry import Region
from textual.renderables.digits import Digits as DigitsGlyphs
from textual.strip import Strip
from textual.widget import _RenderCache
from textual.widgets import Digits, Static

from circlekeeper.i18n import _
from circlekeeper.tui.format import clock_text, plain, wall_hhmm
from circlekeeper.tui.guard import Guarded

FLASH_SECONDS = 1.0


class BigDigits(Digits):
    """Textual's `Digits`, its three lines of glyphs laid straight into strips.

    The countdown changes every second of a sit. Textual draws it through Rich (a
    renderable, aligned, rendered by a console, cut into lines): four times the work of
    padding three lines of glyphs, for the same strips (a test holds them equal). Anything
    else (a selection, a box too small, an alignment it does not know) goes Textual's way.
    """

    def _render_content(self) -> None:
        width, height = self.size
        align = self.styles.text_align
        if self.text_selection is not None or align not in ("left", "center", "right"):
            super()._render_content()
            return
        style = self.rich_style
        rendered = DigitsGlyphs(self.value, style).render(style)
        rows = [seg for seg in rendered if isinstance(seg, Segment) and seg.text != "\n"]
        wide = max((len(seg.text) for seg in rows), default=0)
        if height < len(rows) or width < wide:
            super()._render_content()
            return
        strips = []
        for seg in rows:
            excess = width - len(seg.text)
            left = 0 if align == "left" else excess if align == "right" else excess // 2
            parts = [Segment(" " * left, style)] if left else []
            parts.append(seg)
            if excess - left:
                parts.append(Segment(" " * (excess - left), style))
            strips.append(Strip(parts, width))
        strips.extend(Strip.blank(width, style) for _ in range(height - len(rows)))
        self._render_cache = _RenderCache(self.size, strips)
        self._dirty_regions.clear()

    def check_idle(self) -> None:
        """A new second goes straight to the screen's update, not through a turn of this
        widget's message loop and then one of the screen's (the same hand-over they make;
        anything more than a repaint goes their way)."""
        if self._repaint_required and self._hand_to_screen():
            return
        super().check_idle()

    def _hand_to_screen(self) -> bool:
        if (
            self._layout_required
            or self._scroll_required
            or self._refresh_styles_required
            or self._recompose_required
            or self._next_callbacks
            or not self._is_mounted
            or self._closing
            or not self.display
        ):
            return False
        try:
            screen = self.screen
        except NoScreen:
            return False
        if self.app._batch_count or self not in screen._compositor:
            return False
        # What this widget's idle handler posts and the screen's update handler and idle
        # handler then do: mark it dirty, and have the screen paint it.
        self._repaint_required = False
        screen._dirty_widgets.add(self)
        screen._update_timer.resume()
        return True

    def _bare_box(self) -> bool:
        """True when Textual's styles cache would hand the content lines back unchanged:
        no border, outline, padding, hatch, tint, opacity or links to lay over them."""
        styles = self.styles
        return (
            not any(edge for edge, _color in styles.border)
            and not any(edge for edge, _color in styles.outline)
            and not any(styles.padding)
            and not (styles.has_rule("hatch") and styles.hatch != "none")
            and not styles.tint.a
            and styles.text_opacity == 1.0
            and self.opacity == 1.0
            and not (self.auto_links and self.hover_style._link_id)
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        """The cached lines as they are, when the box adds nothing to them.

        The styles cache would rebuild each line of the countdown every second to add a
        border or a tint it does not have (a test holds the lines equal to its own)."""
        if not self._bare_box():
            return super().render_lines(crop)
        strips = [self.render_line(y) for y in crop.line_range]
        filters = self.get_line_filters()
        if filters:
            background = self.background_colors[1]
            for line_filter in filters:
                strips = [strip.apply_filter(line_filter, background) for strip in strips]
        if crop.column_span != (0, self.size.width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips


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
    _digits: Digits | None = None

    def compose(self) -> ComposeResult:
        yield BigDigits("--:--", id="timer-digits")
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
        digits = self._digits
        if digits is None:  # looked up once: the countdown changes every second
            digits = self._digits = self.query_one(Digits)
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
