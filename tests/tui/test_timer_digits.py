"""The big countdown draws its glyphs straight into strips: the very strips Textual's own
`Digits` would draw, in every state the timer has."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.filter import NoColor
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Digits

from circlekeeper.tui.themes import CIRCLE_THEME, HIGH_CONTRAST_THEME
from circlekeeper.tui.widgets.timer import BigDigits, BigTimer

VALUES = ("--:--", "09:59", "00:00", "+01:30", "1:05:00", "11:11")
STATES = ("", "overtime", "up", "paused", "flash")


class TimerApp(App[None]):
    """The timer alone, as the live screen styles it."""

    def __init__(self, align: str = "center") -> None:
        super().__init__()
        self.align = align

    def compose(self) -> ComposeResult:
        yield BigTimer(id="timer")

    def on_mount(self) -> None:
        self.query_one(BigDigits).styles.text_align = self.align  # type: ignore[assignment]


def textuals_strips(digits: BigDigits) -> list[Strip]:
    """What Textual's `Digits` draws for the same widget, value and style."""
    Digits._render_content(digits)
    return list(digits._render_cache.lines)


def ours(digits: BigDigits, monkeypatch: pytest.MonkeyPatch | None = None) -> list[Strip]:
    """What the timer draws; with `monkeypatch`, it must not hand over to Textual's way."""
    if monkeypatch is not None:

        def handed_over(self: Digits) -> None:
            raise AssertionError(f"drawn Textual's way: {self.value!r} in {self.size}")

        with monkeypatch.context() as patch:
            patch.setattr(Digits, "_render_content", handed_over)
            digits._render_content()
    else:
        digits._render_content()
    return list(digits._render_cache.lines)


@pytest.mark.parametrize("align", ["center", "left", "right"])
@pytest.mark.parametrize("size", [(100, 12), (31, 12)])
async def test_the_same_strips_as_textuals_digits(
    align: str, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = TimerApp(align)
    async with app.run_test(size=size) as pilot:
        timer = app.query_one(BigTimer)
        digits = app.query_one(BigDigits)
        compared = 0
        for state in STATES:
            if state:
                timer.add_class(state)
            for value in VALUES:
                digits.update(value)
                await pilot.pause()
                width = digits.size.width
                expected = textuals_strips(digits)
                got = ours(digits, monkeypatch)
                assert got == expected, (state, value, size, align)
                assert all(strip.cell_length == width for strip in got)
                compared += 1
            if state:
                timer.remove_class(state)
        assert compared == len(STATES) * len(VALUES)


async def test_a_box_too_small_for_the_glyphs_goes_textuals_way() -> None:
    app = TimerApp()
    async with app.run_test(size=(12, 12)) as pilot:
        digits = app.query_one(BigDigits)
        digits.update("1:05:00")  # 17 cells of glyphs in a box of 10
        await pilot.pause()
        assert digits.size.width < 17
        assert ours(digits) == textuals_strips(digits)


def textuals_lines(digits: BigDigits, crop: Region) -> list[Strip]:
    """The lines Textual's styles cache makes of the widget's content for `crop`."""
    digits._styles_cache.clear()
    return Widget.render_lines(digits, crop)


@pytest.mark.parametrize("theme", ["circle", "high-contrast"])
async def test_the_lines_handed_to_the_screen_are_textuals(theme: str) -> None:
    app = TimerApp()
    async with app.run_test(size=(60, 12)) as pilot:
        app.register_theme(CIRCLE_THEME)
        app.register_theme(HIGH_CONTRAST_THEME)
        app.theme = CIRCLE_THEME.name if theme == "circle" else HIGH_CONTRAST_THEME.name
        timer = app.query_one(BigTimer)
        digits = app.query_one(BigDigits)
        assert digits._bare_box()
        width, height = digits.size
        crops = [
            Region(0, 0, width, height),
            Region(0, 1, width, 1),
            Region(7, 0, width - 20, height),
        ]
        compared = 0
        for state in STATES:
            timer.set_class(bool(state), state or "none")
            for value in VALUES:
                digits.update(value)
                await pilot.pause()
                for crop in crops:
                    ours = digits.render_lines(crop)
                    assert ours == textuals_lines(digits, crop), (state, value, crop)
                    assert [s.cell_length for s in ours] == [crop.width] * crop.height
                    compared += 1
            timer.set_class(False, state or "none")
        assert compared == len(STATES) * len(VALUES) * len(crops)


async def test_a_line_filter_is_applied_as_textual_applies_it() -> None:
    app = TimerApp()
    async with app.run_test(size=(60, 12)) as pilot:
        digits = app.query_one(BigDigits)
        digits.update("12:34")
        await pilot.pause()
        crop = Region(0, 0, *digits.size)
        unfiltered = digits.render_lines(crop)
        app._filters.append(NoColor())
        ours = digits.render_lines(crop)
        assert ours == textuals_lines(digits, crop)
        assert ours != unfiltered  # the filter did take the colours out


@pytest.mark.parametrize(
    "css",
    [
        "border: round red",
        "padding: 0 2",
        "outline: solid blue",
        "tint: red 30%",
        "opacity: 0.5",
        "text-opacity: 0.5",
        "hatch: cross green",
    ],
)
async def test_a_box_that_adds_something_goes_textuals_way(css: str) -> None:
    app = TimerApp()
    async with app.run_test(size=(60, 12)) as pilot:
        digits = app.query_one(BigDigits)
        digits.set_styles(css + ";")
        digits.update("12:34")
        await pilot.pause()
        assert not digits._bare_box(), css
        crop = Region(0, 0, *digits.size)
        assert digits.render_lines(crop) == textuals_lines(digits, crop)
