"""SVG snapshots of every screen at 80x24 and 120x40 (mock clock, fixed wall clock, no blink).

Regenerate with `pytest tests/tui --snapshot-update` and look at the SVGs before committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from conftest import (
    NAMES,
    WALL,
    LiveApp,
    MockClock,
    all_drawn,
    config,
    session_factory,
    settled,
    until,
)
from textual.pilot import Pilot
from textual.widgets import Input

from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.widgets.timer import BigTimer

SIZES = [(80, 24), (120, 40)]
Compare = Callable[..., bool]


async def steady(pilot: Pilot[Any]) -> None:
    """Wait for workers (and the library's check), tick once, stop what blinks or flashes."""
    app = pilot.app
    await settled(pilot)
    live = getattr(app, "live_screen", None)
    if live is not None:
        live.tick()
        for timer in live.query(BigTimer):
            timer.remove_class("flash")
    for field in app.screen.query(Input):
        field.cursor_blink = False
    app.clear_notifications()
    await pilot.pause()
    await all_drawn(pilot)


def run(*steps: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]], Any]:
    async def before(pilot: Pilot[Any]) -> None:
        await steady(pilot)
        for step in steps:
            await step(pilot)
            await steady(pilot)

    return before


def library() -> Any:
    return make_app(
        clock=MockClock(),
        wall=lambda: 1_780_000_000.0,
        sink=RecordingSink(),
        session_factory=session_factory,
        load_user_keymap=False,
    )


@pytest.mark.parametrize("size", SIZES)
def test_library(snap_compare: Compare, size: tuple[int, int]) -> None:
    assert snap_compare(library(), terminal_size=size, run_before=run())


@pytest.mark.parametrize("size", SIZES)
def test_library_broken_script(snap_compare: Compare, size: tuple[int, int]) -> None:
    async def go_to_broken(pilot: Pilot[Any]) -> None:
        await pilot.press("end")

    assert snap_compare(library(), terminal_size=size, run_before=run(go_to_broken))


@pytest.mark.parametrize("size", SIZES)
def test_setup(snap_compare: Compare, size: tuple[int, int]) -> None:
    async def set_up(pilot: Pilot[Any]) -> None:
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.id == "setup", "the setup screen")
        await pilot.press(*"Ana, Ben, Cy, Dee")

    assert snap_compare(library(), terminal_size=size, run_before=run(set_up))


async def _next(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, CircleKeeperApp) and isinstance(app.clock, MockClock)
    app.clock.advance(35)
    await pilot.press("space")


@pytest.mark.parametrize("size", SIZES)
def test_live(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    app, _, _ = live_app()

    async def pass_and_talk(pilot: Pilot[Any]) -> None:
        await _next(pilot)
        await pilot.press("p")
        pilot.app.clock.advance(50)  # type: ignore[attr-defined]

    assert snap_compare(app, terminal_size=size, run_before=run(pass_and_talk))


@pytest.mark.parametrize("size", SIZES)
def test_live_paused(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    app, _, _ = live_app(silent=True)

    async def pause(pilot: Pilot[Any]) -> None:
        await pilot.press("g")

    assert snap_compare(app, terminal_size=size, run_before=run(pause))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    app, _, _ = live_app()

    async def ask(pilot: Pilot[Any]) -> None:
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=size, run_before=run(ask))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_quit(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    app, _, _ = live_app()

    async def quit_(pilot: Pilot[Any]) -> None:
        await pilot.press("q")

    assert snap_compare(app, terminal_size=size, run_before=run(quit_))


@pytest.mark.parametrize("size", SIZES)
def test_suspend(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    wall, boot = [1_780_000_000.0], [86_400.0]
    app, _, _ = live_app(wall=lambda: wall[0], since_boot=lambda: boot[0])

    async def sleep(pilot: Pilot[Any]) -> None:
        wall[0] += 600
        boot[0] += 600  # the monotonic clock stood still

    assert snap_compare(app, terminal_size=size, run_before=run(sleep))


@pytest.mark.parametrize("size", SIZES)
def test_summary(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    app, _, _ = live_app()

    async def finish(pilot: Pilot[Any]) -> None:
        await _next(pilot)
        await _next(pilot)
        await pilot.press("p")
        pilot.app.clock.advance(20)  # type: ignore[attr-defined]
        await pilot.app.live_screen.run_action("end_session")  # type: ignore[attr-defined]

    assert snap_compare(app, terminal_size=size, run_before=run(finish))


@pytest.mark.parametrize("size", SIZES)
def test_high_contrast(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    app, _, _ = live_app(high_contrast=True)
    assert snap_compare(app, terminal_size=size, run_before=run(_next))


@pytest.mark.parametrize("size", SIZES)
def test_live_popcorn(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    from conftest import POPCORN

    app, _, _ = live_app(POPCORN)
    assert snap_compare(app, terminal_size=size, run_before=run())


@pytest.mark.parametrize("size", SIZES)
def test_live_breakout(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    from test_sound_and_records import GROUPS

    app, _, _ = live_app(GROUPS, names=("Ana", "Ben", "Cy", "Dee", "Eli"))
    assert snap_compare(app, terminal_size=size, run_before=run())


@pytest.mark.parametrize("size", SIZES)
def test_pick_dialog(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    from conftest import POPCORN

    app, _, _ = live_app(POPCORN)

    async def pick(pilot: Pilot[Any]) -> None:
        await pilot.press("k")

    assert snap_compare(app, terminal_size=size, run_before=run(pick))


def _agenda_app(live_app: LiveApp) -> Any:
    from circlekeeper.engine.commands import AddTopic, Insert

    app, _, _ = live_app()

    async def edit(pilot: Pilot[Any]) -> None:
        driver = pilot.app.live_screen.driver  # type: ignore[attr-defined]
        driver.do(
            Insert(
                {"kind": "breakout", "title": "Pairs [draft]", "group_size": 2, "duration": "4m"}
            )
        )
        driver.do(AddTopic("Budget for the retreat [open]"))
        await pilot.press("e")

    return app, edit


@pytest.mark.parametrize("size", SIZES)
def test_agenda(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    app, edit = _agenda_app(live_app)
    assert snap_compare(app, terminal_size=size, run_before=run(edit))


@pytest.mark.parametrize("size", SIZES)
def test_agenda_form(snap_compare: Compare, live_app: LiveApp, size: tuple[int, int]) -> None:
    app, edit = _agenda_app(live_app)

    async def breakout_form(pilot: Pilot[Any]) -> None:
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("3")

    assert snap_compare(app, terminal_size=size, run_before=run(edit, breakout_form))


GERMAN = {
    "title": "Ankommen",
    "kind": "check-in",
    "steps": [
        {
            "kind": "round",
            "title": {"en": "Check-in round", "de": "Ankommensrunde"},
            "prompt": {"en": "How are you arriving?", "de": "Wie kommst du an?"},
            "turn": {"time": "2m", "warning": "30s"},
            "stems": [{"en": "Right now I feel", "de": "Gerade fühle ich"}],
        },
        {"kind": "silence", "title": {"en": "Silence", "de": "Stille"}, "duration": "1m"},
    ],
}


def test_live_in_german(snap_compare: Compare) -> None:
    """The live screen in German at 80x24 (German runs long): every word fits."""
    app = make_app(
        config=config(GERMAN, NAMES, language="de"),
        clock=MockClock(),
        wall=lambda: WALL,
        sink=RecordingSink(),
        session_factory=session_factory,
        load_user_keymap=False,
    )

    async def pass_and_talk(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        pilot.app.clock.advance(100)  # type: ignore[attr-defined]

    assert snap_compare(app, terminal_size=(80, 24), run_before=run(pass_and_talk))
