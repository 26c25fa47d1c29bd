"""The live screen holds the session's clock until sound is ready, then the closing bell is
left to ring: the sink outlives the session and is let go when the app is done."""

from __future__ import annotations

import pytest
from conftest import LiveApp
from test_keys import live, settle

from circlekeeper.tui.screens import live as live_module


async def test_the_session_waits_for_sound_then_starts(live_app: LiveApp) -> None:
    app, clock, sink = live_app()
    sink.is_ready = False
    async with app.run_test() as pilot:
        await settle(pilot)
        screen = live(app)
        assert screen.getting_ready and not screen.driver.session.started
        assert "Getting ready" in str(screen.query_one("#sound-banner").render())
        assert [k for k in sink.kinds() if k in ("bell", "speak")] == []
        clock.advance(5)  # the session clock does not run while getting ready
        sink.is_ready = True
        await pilot.pause(0.2)
        await settle(pilot)
        assert screen.driver.session.started and not screen.getting_ready
        assert screen.driver.snapshot().now == 0, "session time counts from the start"
        assert ("speak", ("How are you arriving?", "en")) in sink.calls


async def test_getting_ready_is_bounded(live_app: LiveApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_module, "READY_WAIT_S", 0.2)
    app, _, sink = live_app()
    sink.is_ready = False  # sound never gets ready: the circle starts anyway
    async with app.run_test() as pilot:
        await pilot.pause(0.5)
        await settle(pilot)
        assert live(app).driver.session.started


async def test_space_starts_at_once_while_getting_ready(live_app: LiveApp) -> None:
    app, _, sink = live_app()
    sink.is_ready = False
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert live(app).driver.session.started
        assert live(app).driver.snapshot().step_title == "Check-in round"


async def test_silent_starts_at_once(live_app: LiveApp) -> None:
    app, _, sink = live_app(silent=True)
    sink.is_ready = False
    async with app.run_test() as pilot:
        await settle(pilot)
        assert live(app).driver.session.started


async def test_the_closing_bell_rings_on_under_the_summary(live_app: LiveApp) -> None:
    from conftest import CHECK_IN

    app, _, sink = live_app(CHECK_IN)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.driver is not None and app.driver.session.ended
    assert not sink.closed, "ending the session does not cut the sound"
    app.release_sound(3.0)
    assert sink.closed and sink.linger == 3.0
