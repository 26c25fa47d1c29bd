"""Every key of the live session, driven through Pilot with a mock clock and a recording sink."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import NAMES, POPCORN, LiveApp, showing, until
from textual.widgets import Digits

from circlekeeper.tui.screens.dialogs import ConfirmDialog, HelpScreen
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.widgets.timer import BigTimer


def live(app: Any) -> LiveScreen:
    """The live screen, even under a dialog."""
    screen = app.live_screen
    assert isinstance(screen, LiveScreen), app.screen_stack
    return screen


def snap(app: Any) -> Any:
    return live(app).driver.snapshot()


async def settle(pilot: Any) -> None:
    """Let the app process what was sent, then tick once (ticks are also driven by a timer)."""
    await pilot.pause()
    live(pilot.app).tick()
    await pilot.pause()


async def test_starts_with_ana_holding_the_stick(live_app: LiveApp) -> None:
    app, clock, _ = live_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert snap(app).speaker == "Ana"
        clock.advance(10)
        await settle(pilot)
        assert snap(app).turn_remaining == pytest.approx(110)
        assert "01:50" in str(app.screen.query_one(Digits).value)


async def test_space_moves_the_stick_to_the_next_person(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert snap(app).speaker == "Ben"
        assert "Ana" in snap(app).spoken


async def test_pass_sends_the_speaker_to_the_end_of_the_queue(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        now = snap(app)
        assert now.speaker == "Ben"
        assert "Ana" in now.passed
        assert now.queue[-1] == "Ana"


async def test_plus_and_minus_change_the_turn_by_thirty_seconds(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        before = snap(app).turn_remaining
        await pilot.press("plus")
        await settle(pilot)
        assert snap(app).turn_remaining == pytest.approx(before + 30)
        await pilot.press("minus")
        await settle(pilot)
        assert snap(app).turn_remaining == pytest.approx(before)


async def test_guardian_pause_freezes_everything(live_app: LiveApp) -> None:
    app, clock, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        clock.advance(5)
        await pilot.press("g")
        await settle(pilot)
        frozen = snap(app)
        assert frozen.phase == "paused"
        assert live(app).has_class("paused")
        assert live(app).query_one("#pause-banner").display
        clock.advance(300)  # long past the end of Ana's turn
        await settle(pilot)
        assert snap(app).turn_remaining == pytest.approx(frozen.turn_remaining)
        assert snap(app).speaker == "Ana"
        await pilot.press("g")
        await settle(pilot)
        assert snap(app).phase == "running"
        assert not live(app).has_class("paused")
        clock.advance(5)
        await settle(pilot)
        assert snap(app).turn_remaining == pytest.approx(frozen.turn_remaining - 5)


async def test_b_rings_a_bell_and_flashes(live_app: LiveApp) -> None:
    app, _, sink = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        sink.calls.clear()
        await pilot.press("b")
        await pilot.pause()
        assert sink.kinds() == ["bell"]
        assert live(app).query_one(BigTimer).has_class("flash")


async def test_silent_skips_sound_but_still_flashes(live_app: LiveApp) -> None:
    app, _, sink = live_app(silent=True)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("b")
        await pilot.pause()
        assert "bell" not in sink.kinds()
        assert "speak" not in sink.kinds()
        assert live(app).query_one(BigTimer).has_class("flash")
        assert live(app).query_one("#sound-banner").display


async def test_m_mutes_and_unmutes(live_app: LiveApp) -> None:
    app, _, sink = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert ("mute", (True,)) in sink.calls
        assert "Muted" in str(live(app).query_one("#sound-banner").render())
        await pilot.press("m")
        await settle(pilot)
        assert sink.calls[-1] == ("mute", (False,))


async def test_s_skips_the_step(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        assert snap(app).step_title == "Check-in round"
        await pilot.press("s")
        await settle(pilot)
        now = snap(app)
        assert now.step_title == "Closing silence"
        assert now.agenda[0].status == "skipped"
        assert now.agenda[1].status == "current"


async def test_u_undoes_the_last_next(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert snap(app).speaker == "Ben"
        await pilot.press("u")
        await settle(pilot)
        assert snap(app).speaker == "Ana"
        assert "Ana" not in snap(app).spoken


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quit_asks_first(live_app: LiveApp, key: str) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press(key)
        await until(pilot, lambda: showing(app, ConfirmDialog), "the ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await until(pilot, lambda: showing(app, LiveScreen), "the LiveScreen")
        assert isinstance(app.screen, LiveScreen)
        assert app.is_running
        await pilot.press(key)
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    assert live_driver_ended(app)


def live_driver_ended(app: Any) -> bool:
    return bool(app.driver and app.driver.session.ended)


async def test_question_mark_shows_help(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: showing(app, HelpScreen), "the HelpScreen")
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys").render())
        for word in ("space", "pass", "guardian pause", "undo", "mute", "skip"):
            assert word in keys.lower()
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, LiveScreen), "the LiveScreen")
        assert isinstance(app.screen, LiveScreen)


async def test_ctrl_z_does_not_suspend_a_live_session(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+z")
        await pilot.pause()
        app.action_suspend_process()  # even when asked for directly
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, LiveScreen)


async def test_number_keys_pick_in_a_popcorn_round(live_app: LiveApp) -> None:
    app, _, _ = live_app(POPCORN)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert snap(app).popcorn
        await pilot.press("3")
        await settle(pilot)
        assert snap(app).speaker == NAMES[2]
