"""The driver's promises: keymaps, the command palette, suspend detection, errors kept on
screen, time that stays right when the event loop stalls, and the summary at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import WALL, LiveApp, showing, until
from test_keys import live, settle, snap

from circlekeeper.engine.commands import Command
from circlekeeper.engine.events import Event
from circlekeeper.paths import config_dir
from circlekeeper.tui.screens.dialogs import SuspendDialog
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.screens.summary import SummaryScreen


async def test_user_keymap_remaps_by_binding_id(live_app: LiveApp) -> None:
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "keymap.toml").write_text('next = "n"\nguardian = "f5"\n', encoding="utf-8")
    app, _, _ = live_app(load_user_keymap=True)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert snap(app).speaker == "Ben"
        await pilot.press("f5")
        await settle(pilot)
        assert snap(app).phase == "paused"


async def test_a_broken_keymap_is_reported_not_fatal(live_app: LiveApp) -> None:
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "keymap.toml").write_text("next = [", encoding="utf-8")
    app, _, _ = live_app(load_user_keymap=True)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert any("keymap.toml" in n.message for n in app._notifications)
        await pilot.press("space")
        await settle(pilot)
        assert snap(app).speaker == "Ben"


async def test_command_palette_runs_session_commands(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Pass")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, LiveScreen)
        assert "Ana" in snap(app).passed


class Wall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = WALL

    def __call__(self) -> float:
        return self.now


class Boot(Wall):
    """CLOCK_BOOTTIME, which runs on while the computer sleeps."""

    def __init__(self) -> None:
        self.now = 86_400.0


@pytest.mark.parametrize("choice", ["r", "a", "e"])
async def test_a_suspend_pauses_and_asks(live_app: LiveApp, choice: str) -> None:
    wall, boot = Wall(), Boot()
    app, clock, _ = live_app(wall=wall, since_boot=boot)
    async with app.run_test() as pilot:
        await settle(pilot)
        clock.advance(10)
        wall.now += 10
        boot.now += 10
        await settle(pilot)
        before = snap(app)
        # Lid closed: the monotonic clock stood still, boot time and the wall did not.
        wall.now += 600
        boot.now += 600
        await settle(pilot)
        assert isinstance(app.screen, SuspendDialog)
        assert snap(app).phase == "paused"
        await pilot.press(choice)
        await pilot.pause()
        if choice == "e":
            await until(pilot, lambda: showing(app, SummaryScreen), "the summary")
            assert isinstance(app.screen, SummaryScreen)
            return
        await settle(pilot)
        after = snap(app)
        if choice == "r":
            assert after.phase == "running"
            assert after.turn_remaining == pytest.approx(before.turn_remaining)
            assert after.speaker == "Ana"
        else:
            assert after.phase == "running"
            assert after.now == pytest.approx(before.now + 600, abs=1)


async def test_no_suspend_dialog_for_ordinary_ticks(live_app: LiveApp) -> None:
    wall, boot = Wall(), Boot()
    app, clock, _ = live_app(wall=wall, since_boot=boot)
    async with app.run_test() as pilot:
        for _ in range(5):
            clock.advance(30)
            boot.now += 30
            wall.now += 30.5
            await settle(pilot)
        assert isinstance(app.screen, LiveScreen)
        assert snap(app).phase == "running"


async def test_an_exception_in_an_event_handler_is_shown_not_fatal(
    live_app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _, _ = live_app()

    def boom(self: Any, event: Any) -> None:
        raise RuntimeError("injected failure")

    async with app.run_test() as pilot:
        await settle(pilot)
        monkeypatch.setattr(LiveScreen, "show_event", boom)
        await pilot.press("space")  # routes TurnEnded/TurnStarted through show_event
        await settle(pilot)
        assert app.is_running
        banner = live(app).query_one("#error-banner")
        assert banner.display
        assert "injected failure" in str(banner.render())
        assert any("injected failure" in e for e in app.errors)
        monkeypatch.undo()
        await pilot.press("space")
        await settle(pilot)
        assert snap(app).speaker == "Cy"  # keys still work


async def test_an_exception_in_the_engine_tick_is_shown_not_fatal(
    live_app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, clock, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        session = live(app).driver.session
        monkeypatch.setattr(session, "advance", lambda now: 1 / 0)
        clock.advance(1)
        # The app's own scheduled tick (not one driven by the test) runs into the failure.
        for _ in range(40):
            if app.errors:
                break
            await pilot.pause(0.1)
        assert app.is_running
        assert any("ZeroDivisionError" in e for e in app.errors)


async def test_time_stays_right_when_the_event_loop_stalls(live_app: LiveApp) -> None:
    app, clock, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        clock.advance(47)  # as if no tick ran for 47 s: no ticks are counted
        await settle(pilot)
        assert snap(app).turn_remaining == pytest.approx(73)
        digits = live(app).query_one("#timer-digits")
        assert "01:13" in str(digits.value)  # type: ignore[attr-defined]


async def test_bells_and_prompts_reach_the_sink(live_app: LiveApp) -> None:
    app, clock, sink = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        clock.advance(95)  # past the 30 s turn warning
        await settle(pilot)
        assert "bell" in sink.kinds()
        assert "prepare" in sink.kinds()


async def test_the_end_shows_the_summary_and_saves_it(live_app: LiveApp) -> None:
    app, clock, _ = live_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        clock.advance(20)
        await pilot.press("space")
        clock.advance(40)
        await pilot.press("space")
        await settle(pilot)
        await live(app).run_action("end_session")
        await until(pilot, lambda: showing(app, SummaryScreen), "the SummaryScreen")
        assert isinstance(app.screen, SummaryScreen)
        airtime = str(app.screen.query_one("#airtime").render())
        assert "Ana" in airtime and "█" in airtime
        await pilot.press("w")
        await pilot.pause()
        saved = app.screen.saved_to
        assert saved is not None
        assert Path(saved).is_file()
        assert "Saved to" in str(app.screen.query_one("#saved-to").render())
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_announce_mode_speaks_every_change_of_speaker(live_app: LiveApp) -> None:
    from dataclasses import replace

    app, _, sink = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        driver = live(app).driver
        driver.config = replace(driver.config, announce=True)
        await pilot.press("space")
        await settle(pilot)
        assert ("speak", ("Ben", "en")) in sink.calls


@pytest.mark.parametrize(
    ("key", "command"), [("space", "next"), ("p", "pass"), ("g", "pause"), ("s", "skip")]
)
async def test_an_exception_in_a_command_is_shown_not_fatal(
    live_app: LiveApp, monkeypatch: pytest.MonkeyPatch, key: str, command: str
) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        session = live(app).driver.session
        original = session.do

        def broken(given: Command, now: float) -> list[Event]:
            if given.name == command:
                raise IndexError("a bug in the engine")
            return original(given, now)

        monkeypatch.setattr(session, "do", broken)
        await pilot.press(key)
        await settle(pilot)
        assert app.is_running
        assert any("IndexError" in e for e in app.errors)
        assert live(app).query_one("#error-banner").display
        await pilot.press("b")  # other keys still work
        await pilot.pause()
        assert "bell" in app.driver.sink.kinds()  # type: ignore[union-attr]


async def test_f2_switches_to_the_high_contrast_theme(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        assert app.theme == "circlekeeper"
        await pilot.press("f2")
        await pilot.pause()
        assert app.theme == "circlekeeper-high-contrast"


async def test_a_failure_on_every_tick_is_shown_once(
    live_app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, clock, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        monkeypatch.setattr(live(app).driver.session, "advance", lambda now: 1 / 0)
        for _ in range(5):
            clock.advance(1)
            live(app).tick()
        await pilot.pause()
        assert len(app.errors) == 5
        toasts = [n for n in app._notifications if "ZeroDivisionError" in n.message]
        assert len(toasts) == 1
