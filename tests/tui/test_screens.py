"""Library and setup: what the facilitator sees before the circle starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURE_PRACTICES, MockClock, session_factory
from textual.widgets import Button, Input, OptionList, Select, Switch

from circlekeeper.records.circles import CircleStore
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.screens.library import LibraryScreen
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.screens.setup import SetupScreen, split_names


def library_app(extra: list[Path] | None = None) -> tuple[CircleKeeperApp, RecordingSink]:
    sink = RecordingSink()
    app = make_app(
        extra_dirs=extra or [],
        clock=MockClock(),
        wall=lambda: 1_780_000_000.0,
        sink=sink,
        session_factory=session_factory,
        load_user_keymap=False,
    )
    return app, sink


async def loaded(pilot: object) -> LibraryScreen:
    app = pilot.app  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


def listed(screen: LibraryScreen) -> list[str]:
    options = screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def open_setup(app: CircleKeeperApp, pilot: Any) -> SetupScreen:
    """From the loaded library, enter on the highlighted practice: its setup screen."""
    await loaded(pilot)
    await pilot.press("enter")
    await pilot.pause()
    setup = app.screen
    assert isinstance(setup, SetupScreen)
    return setup


async def test_library_groups_by_kind_and_lists_broken_scripts() -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        rows = listed(screen)
        assert rows.index("Check-in") < rows.index("Sitting") < rows.index("Could not load")
        assert any("Crew check-in" in r for r in rows)
        assert any("broken.yaml" in r for r in rows)
        broken = next(e for e in screen.entries if e.practice is None)
        assert broken.errors and ":7:18:" in broken.errors[0]


async def test_library_preview_shows_steps_duration_and_sources() -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        preview = str(screen.query_one("#preview").render())
        assert "Crew check-in" in preview
        assert "Check-in round" in preview
        assert "The Circle Way" in preview
        assert "with 5" in preview  # the estimate is for the ideal size


async def test_library_shows_the_error_of_a_broken_script(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    app, _ = library_app([tmp_path])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        options = screen.query_one(OptionList)
        rows = listed(screen)
        options.highlighted = next(i for i, r in enumerate(rows) if "mine.yaml" in r)
        await pilot.pause()
        preview = str(screen.query_one("#preview").render())
        assert "could not be loaded" in preview
        assert "mine.yaml:" in preview


async def test_library_to_setup_to_live_session() -> None:
    app, sink = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        assert setup.practice.title == "Crew check-in"
        await pilot.press(*"Ana, Ben, Cy")
        await pilot.pause()
        assert setup.names == ["Ana", "Ben", "Cy"]
        setup.query_one("#setup-starter", Select).value = "Ben"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        # Seats stay as typed; Ben starts.
        plan = app.screen.driver.config.plan
        assert (plan.names, plan.starter, plan.host) == (("Ana", "Ben", "Cy"), "Ben", "Ana")
        assert app.screen.driver.snapshot().speaker is None  # the welcome reading first
        assert "prepare" in sink.kinds()


async def test_setup_reorders_and_saves_a_circle() -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-names", Input).value = "Ana, Ben, Cy"
        await pilot.pause()
        order = setup.query_one("#setup-order", OptionList)
        order.focus()
        order.highlighted = 0
        await pilot.press("alt+down")
        await pilot.pause()
        assert setup.names == ["Ben", "Ana", "Cy"]
        setup.query_one("#setup-circle-name", Input).value = "Tuesday crew"
        setup.query_one("#setup-sound", Switch).value = False
        setup.query_one("#setup-save", Button).press()
        await pilot.pause()
        saved = CircleStore().get("Tuesday crew")
        assert saved is not None and saved.people == ("Ben", "Ana", "Cy")


async def test_setup_picks_a_saved_circle() -> None:
    CircleStore().save("Crew", ["Dee", "Eli", "Fay"])
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-saved", Select).value = "Crew"
        await pilot.pause()
        assert setup.names == ["Dee", "Eli", "Fay"]
        assert setup.query_one("#setup-names", Input).value == "Dee, Eli, Fay"


def test_split_names_drops_blanks_and_repeats() -> None:
    assert split_names(" Ana,, Ben ,ana, Cy\nDee") == ["Ana", "Ben", "Cy", "Dee"]


def test_fixture_library_is_used() -> None:
    from circlekeeper.paths import builtin_practices_dir

    assert builtin_practices_dir() == FIXTURE_PRACTICES


async def test_setup_finds_outputs_in_a_thread_and_picks_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from circlekeeper.sound.player import Output

    outputs = [
        Output(0, "Built-in Audio", "ALSA", 2, 48000.0, True),
        Output(3, "USB Speaker", "ALSA", 2, 44100.0, False),
    ]
    monkeypatch.setattr("circlekeeper.sound.player.load_sounddevice", lambda: object())
    monkeypatch.setattr("circlekeeper.sound.player.list_outputs", lambda sd: outputs)
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-find-outputs", Button).press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        listing = setup.query_one("#setup-outputs", OptionList)
        assert listing.display and listing.option_count == 2
        listing.focus()
        listing.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        assert setup.query_one("#setup-device", Input).value == "USB Speaker"


async def test_setup_shows_the_engines_roles_and_asks_for_the_others() -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-names", Input).value = "Ana, Ben, Cy"
        await pilot.pause()
        shown = str(setup.query_one("#setup-roles").render())
        assert "Host: Ana (rotate)" in shown
        assert "Guardian: Ben (chosen by default)" in shown
        # Who starts is not who hosts: choosing a starter rotates nothing.
        setup.query_one("#setup-starter", Select).value = "Ben"
        await pilot.pause()
        shown = str(setup.query_one("#setup-roles").render())
        assert "Starts: Ben" in shown and "Host: Ana (rotate)" in shown
        setup.query_one("#role-guardian", Select).value = "Cy"
        await pilot.pause()
        assert "Guardian: Cy (chosen)" in str(setup.query_one("#setup-roles").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert app.screen.driver.config.roles == {"host": ("Ana",), "guardian": ("Cy",)}


async def test_a_saved_circle_of_four_is_hosted_by_each_in_turn() -> None:
    CircleStore().save("Crew", ["Ana", "Ben", "Cy", "Dee"])
    hosts: list[str] = []
    for _ in range(4):
        app, _ = library_app()
        async with app.run_test(size=(100, 40)) as pilot:
            setup = await open_setup(app, pilot)
            setup.query_one("#setup-saved", Select).value = "Crew"
            await pilot.pause()
            setup.query_one("#setup-sound", Switch).value = False
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, LiveScreen)
            config = app.screen.driver.config
            hosts.append(config.roles["host"][0])
            assert config.plan.host == config.roles["host"][0] == config.plan.starter
    assert hosts == ["Ana", "Ben", "Cy", "Dee"]
    saved = CircleStore().get("Crew")
    assert saved is not None and [m.host for m in saved.meetings] == hosts


async def test_setup_prepares_speech_and_hands_the_sink_to_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from circlekeeper.sound.api import SoundStatus

    class Preparing(RecordingSink):
        def status(self) -> SoundStatus:
            return SoundStatus(ok=True, detail="Speakers", prepared=2, to_prepare=5)

    made: list[Preparing] = []

    def fake_make_sink(**_: object) -> Preparing:
        made.append(Preparing())
        return made[-1]

    monkeypatch.setattr("circlekeeper.sound.player.make_sink", fake_make_sink)
    app = make_app(
        clock=MockClock(),
        wall=lambda: 1_780_000_000.0,
        session_factory=session_factory,
        load_user_keymap=False,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, SetupScreen)
        status = str(setup.query_one("#setup-sound-status").render())
        assert "preparing speech 2/5" in status
        assert "prepare" in made[0].kinds()
        setup.query_one("#setup-names", Input).value = "Ana, Ben"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, LiveScreen)
        assert app.screen.driver.sink is made[0]
        assert len(made) == 1  # no second load
        assert not made[0].closed
