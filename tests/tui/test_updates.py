"""A screen paints on the event loop's next turn after a change, at most once a frame, and
nothing stays scheduled after it: no frame timer wakes the main thread a frame later."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import LiveApp, all_drawn, until
from test_compositor import silent_sit

from circlekeeper.tui.updates import PromptUpdate
from circlekeeper.tui.widgets.timer import BigDigits


class FakeApp:
    def __init__(self) -> None:
        self._exit = False
        self.errors: list[BaseException] = []

    def _handle_exception(self, error: BaseException) -> None:
        self.errors.append(error)


class FakeScreen:
    """What `PromptUpdate` uses of a screen."""

    def __init__(self, fail: bool = False) -> None:
        self.app = FakeApp()
        self._closing = self._closed = False
        self.updates = 0
        self.fail = fail

    def _on_timer_update(self) -> None:
        self.updates += 1
        if self.fail:
            raise RuntimeError("broken paint")


def scheduled_updates() -> list[asyncio.TimerHandle]:
    """Timed callbacks of a `PromptUpdate` waiting in the running loop."""
    loop: Any = asyncio.get_running_loop()
    return [
        h
        for h in loop._scheduled
        if not h.cancelled() and getattr(h._callback, "__func__", None) is PromptUpdate._run
    ]


async def turn() -> None:
    """Let the loop run what is ready now."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_resumed_many_times_it_updates_once_on_the_next_turn() -> None:
    screen = FakeScreen()
    update = PromptUpdate(screen, period=30.0)  # type: ignore[arg-type]
    update.resume()
    update.resume()
    assert update.pending and screen.updates == 0
    await turn()
    assert screen.updates == 1 and not update.pending
    assert scheduled_updates() == []


async def test_an_update_right_after_one_waits_out_the_frame() -> None:
    screen = FakeScreen()
    update = PromptUpdate(screen, period=30.0)  # type: ignore[arg-type]
    update.resume()
    await turn()
    ran_at = asyncio.get_running_loop().time()
    update.resume()
    waiting = scheduled_updates()
    assert len(waiting) == 1 and waiting[0].when() >= ran_at + 29.0
    await turn()
    assert screen.updates == 1
    update.pause()
    assert scheduled_updates() == [] and not update.pending


async def test_a_paused_or_closed_screen_is_not_painted() -> None:
    screen = FakeScreen()
    update = PromptUpdate(screen)  # type: ignore[arg-type]
    update.resume()
    update.pause()
    await turn()
    assert screen.updates == 0
    screen._closing = True
    update.resume()
    await turn()
    assert screen.updates == 0 and not update.pending


async def test_a_failing_paint_goes_to_the_app_as_textuals_timer_sends_it() -> None:
    screen = FakeScreen(fail=True)
    update = PromptUpdate(screen)  # type: ignore[arg-type]
    update.resume()
    await turn()
    assert screen.updates == 1
    assert [str(e) for e in screen.app.errors] == ["broken paint"]


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


async def test_a_new_second_is_painted_and_nothing_wakes_after_it(
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
        # Textual's frame timer was never made, and nothing of ours waits to run.
        assert screen._Screen__update_timer is None  # type: ignore[attr-defined]
        assert not screen._update_timer.pending
        assert scheduled_updates() == []


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
