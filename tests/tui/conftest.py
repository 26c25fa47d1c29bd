"""Fixtures for the terminal UI: a mock clock, a recording sink, a fixed wall clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from circlekeeper.engine import MockClock, plan_circle
from circlekeeper.script.model import Practice
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.app import default_session as session_factory
from circlekeeper.tui.config import SessionConfig

__all__ = [
    "CHECK_IN",
    "FIXTURE_PRACTICES",
    "NAMES",
    "POPCORN",
    "WALL",
    "LiveApp",
    "MockClock",
    "config",
    "practice",
    "session_factory",
]

WALL = 1_780_000_000.0  # a fixed wall clock: snapshots show the same "ends HH:MM" every run
HERE = Path(__file__).resolve().parent
FIXTURE_PRACTICES = HERE / "practices"

CHECK_IN = {
    "title": "Check-in",
    "kind": "check-in",
    "steps": [
        {
            "kind": "round",
            "title": "Check-in round",
            "prompt": "How are you arriving?",
            "turn": {"time": "2m", "warning": "30s"},
            "stems": ["Right now I feel", "What I need is"],
        },
        {"kind": "silence", "title": "Closing silence", "duration": "1m"},
        {"kind": "read", "title": "Goodbye", "text": "Thank you all."},
    ],
}

POPCORN = {
    "title": "Popcorn",
    "kind": "other",
    "steps": [
        {"kind": "round", "title": "Popcorn round", "order": "popcorn", "turn": {"time": "1m"}},
    ],
}

NAMES = ("Ana", "Ben", "Cy", "Dee")


@pytest.fixture(autouse=True)
def _fixed_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The step's wall-clock end is shown in local time: pin the zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture(autouse=True)
def _fixture_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library shows a fixed folder of practices, not the (growing) built-in one."""
    # Names resolve through the same folder, whichever test imported the resolver first.
    # The resolver is patched first: patching it imports it, and imported after `paths` was
    # patched it would keep the stand-in as its own, for every later test in the process.
    monkeypatch.setattr(
        "circlekeeper.script.resolve.builtin_practices_dir", lambda: FIXTURE_PRACTICES
    )
    monkeypatch.setattr("circlekeeper.paths.builtin_practices_dir", lambda: FIXTURE_PRACTICES)


def practice(data: dict[str, Any] = CHECK_IN) -> Practice:
    """A practice from a dict, as the loader would build it."""
    return Practice.model_validate(data)


def config(
    data: dict[str, Any] = CHECK_IN,
    names: tuple[str, ...] = NAMES,
    *,
    path: Path | None = None,
    silent: bool = False,
    device: str | None = None,
    language: str | None = None,
    seed: int = 1,
) -> SessionConfig:
    """A session config as `run` makes one: the circle set up by `plan_circle`.

    A fixed seed: random orders and breakout groups come out the same every run.
    """
    p = practice(data)
    plan = plan_circle(p, names, seed=seed, language=language)
    return SessionConfig(practice=p, path=path, plan=plan, silent=silent, device=device)


LiveApp = Callable[..., tuple[CircleKeeperApp, Any, RecordingSink]]


@pytest.fixture
def live_app() -> LiveApp:
    """Build an app that goes straight into a session, with its clock and sink."""

    def build(
        data: dict[str, Any] = CHECK_IN,
        *,
        names: tuple[str, ...] = NAMES,
        silent: bool = False,
        wall: Callable[[], float] = lambda: WALL,
        **kwargs: Any,
    ) -> tuple[CircleKeeperApp, Any, RecordingSink]:
        clock = MockClock()
        sink = RecordingSink()
        app = make_app(
            config=config(data, names, silent=silent),
            clock=clock,
            wall=wall,
            sink=sink,
            session_factory=session_factory,
            load_user_keymap=kwargs.pop("load_user_keymap", False),
            **kwargs,
        )
        return app, clock, sink

    return build


async def until(
    pilot: Pilot[Any], check: Callable[[], bool], what: str, seconds: float = 30
) -> None:
    """Let the app run until `check()` holds; a generous deadline, for a loaded machine."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def showing(app: App[Any], kind: type[Screen[Any]]) -> bool:
    """The current screen is a `kind` and has mounted: its widgets are composed and its
    `on_mount` has run. A screen is current as soon as it is pushed, before either."""
    screen = app.screen
    return isinstance(screen, kind) and screen.is_mounted


def drawn(app: App[Any]) -> bool:
    """Every screen on show (the top one, and those seen under a dialog) has laid out and
    painted what changed. A screen under a dialog does so on its own update timer, which a
    pilot's pause does not wait for: on a loaded machine a screenshot can come first."""
    top = app.screen
    if not top.is_mounted or top._layout_required or top._repaint_required or top._dirty_widgets:
        return False
    above = top
    for screen in reversed(app.screen_stack[:-1]):
        if above.styles.background.a == 1:
            break  # nothing below an opaque screen shows
        # (A screen below keeps `_repaint_required` once it has handed its changes up.)
        if screen._layout_required or screen._dirty_widgets or screen._compositor._dirty_regions:
            return False
        above = screen
    return True


async def all_drawn(pilot: Pilot[Any]) -> None:
    """Wait until every screen on show has laid out and painted what changed. A screen seen
    under a dialog does so only when a message next reaches it (in a running session, the
    next second's tick; under a mock clock that stands still, perhaps never): while we wait,
    each is prompted to go idle, as a message would."""
    app = pilot.app

    def check() -> bool:
        for screen in app.screen_stack:
            screen.check_idle()
        return drawn(app)

    await until(pilot, check, "every screen on show drawn")


async def settled(pilot: Pilot[Any]) -> None:
    """Wait until the library (if it is showing) has checked every script, and workers end."""
    from circlekeeper.tui.screens.library import LibraryScreen

    app = pilot.app
    await pilot.pause()  # the check starts after the first frame
    screen = app.screen
    if isinstance(screen, LibraryScreen):
        await until(pilot, lambda: not screen.checking, "the library's check")
    await app.workers.wait_for_complete()
    await pilot.pause()
