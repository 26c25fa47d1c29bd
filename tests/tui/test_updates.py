"""The countdown hands a new second straight to its screen's update, and anything more than
a repaint goes Textual's way."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import LiveApp, all_drawn, until
from test_compositor import silent_sit

from circlekeeper.tui.widgets.timer import BigDigits


def spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple[Any, Any]]:
    """Each call of `owner.name` from now on, as (arguments, result)."""
    calls: list[tuple[Any, Any]] = []
    real = getattr(owner, name)

    def spying(*args: Any) -> Any:
        result = real(*args)
        calls.append((args, result))
        return result

    monkeypatch.setattr(owner, name, spying)
    return calls


async def test_a_new_second_is_painted_without_a_message_to_the_screen(
    live_app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with silent_sit(live_app) as (pilot, clock, screen):
        app = screen.app
        displayed = spy(monkeypatch, app, "_display")
        posted = spy(monkeypatch, screen, "post_message")
        digits = screen.query_one(BigDigits)
        before = digits.value
        clock.advance(1.0)
        screen.tick()
        assert digits.value != before
        await until(pilot, lambda: bool(displayed), "the new second painted")
        await all_drawn(pilot)
        await pilot.pause()
        # The new second reached the terminal (its glyphs, as the digits draw them now).
        painted = [update.render_segments(app.console) for (_, update), _ in displayed if update]
        glyphs = digits.render_line(1).text.strip()
        assert glyphs and any(glyphs in sent for sent in painted)
        # The digits handed their repaint straight to the screen's update: no message
        # went to the screen for them.
        assert not [m for (m,), _ in posted if getattr(m, "widget", None) is digits]


async def test_digits_that_need_a_new_layout_go_textuals_way(
    live_app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with silent_sit(live_app) as (pilot, _, screen):
        digits = screen.query_one(BigDigits)
        handed = spy(monkeypatch, digits, "_hand_to_screen")
        digits.update("1:05:00")  # longer than before: its size may change
        assert handed == [((), False)] and digits._layout_required
        await until(pilot, lambda: not digits._layout_required, "the new layout")
        await all_drawn(pilot)
        assert digits.value == "1:05:00"
        digits.update("1:04:59")  # as long: a repaint only
        assert handed[-1] == ((), True) and digits in screen._dirty_widgets
        await until(pilot, lambda: digits not in screen._dirty_widgets, "the repaint")
