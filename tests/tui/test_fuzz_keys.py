"""Random keys through every screen: no crash, no error reported, never stuck.

Hypothesis draws a start (the library, or a live session of a practice that has every kind
of step, or one with exchanges, consent rounds or a queue) and a sequence of keys from every
key any screen binds, plus typing keys and jumps of the session clock. The keys travel the
library, setup, the live screen in whatever step it has reached, the agenda and its forms,
every dialog, the help and the summary.

Stuck, defined: the app no longer answers. Checked after every sequence, it is one of
- a key not taken within `WATCHDOG` seconds (the event loop blocked, or waiting forever);
- a screen with no way out: escape, pressed up to ten times, does not lead back to the
  library, the live session or the summary;
- a base screen that ignores its own keys: on the live screen `?` must open the keys and
  escape close them, and `q` (with `y` when it asks) must end the app with status 0.
A crash is an exception out of the app; an error is anything the app caught and reported
(`app.errors`). Keys that leave the app at once outside a session (`q` and ctrl+q at the
library, setup or summary) are not sent mid-sequence: they would only end the example.

`make test` presses at least `MIN_KEYS` keys; `make fuzz` (CIRCLEKEEPER_FUZZ=N) N times as many
sequences.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from conftest import FIXTURE_PRACTICES, WALL
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual import events

from circlekeeper.engine import MockClock, plan_circle
from circlekeeper.script import load_practice
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.app import default_session as session_factory
from circlekeeper.tui.config import SessionConfig
from circlekeeper.tui.screens.dialogs import ConfirmDialog, HelpScreen
from circlekeeper.tui.screens.library import LibraryScreen
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.screens.summary import SummaryScreen

TESTS = Path(__file__).resolve().parents[1]
STARTS = [
    "library",
    str(TESTS / "script" / "good" / "every-kind.yaml"),
    str(TESTS / "engine" / "practices" / "nvc-dyad.yaml"),
    str(TESTS / "engine" / "practices" / "sociocratic-consent.yaml"),
    str(TESTS / "engine" / "practices" / "open-discussion.yaml"),
    str(TESTS / "engine" / "practices" / "world-cafe.yaml"),
    str(FIXTURE_PRACTICES / "check-in.yaml"),
]
NAMES = ("Ana", "Ben", "Cy", "Dee", "Eve", "Fay")
SCALE = max(1, int(os.environ.get("CIRCLEKEEPER_FUZZ", "1") or "1"))
SEQUENCES = 20 * SCALE
MIN_KEYS = 2_000 * SCALE
WATCHDOG = 60.0
"""Seconds a key may take on a loaded machine before the app counts as stuck."""

BOUND = [
    *"abcdefghijklmnoprstuvwxyz",
    *"123456789",
    "space",
    "enter",
    "escape",
    "tab",
    "shift+tab",
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "backspace",
    "delete",
    "plus",
    "minus",
    "question_mark",
    "comma",
    "left_square_bracket",
    "ctrl+p",
    "ctrl+s",
    "ctrl+up",
    "ctrl+down",
    "alt+up",
    "alt+down",
    "shift+up",
    "shift+down",
    "right_square_bracket",
    "f2",
    "q",
    "ctrl+q",
]
KEY_CHARACTERS = {
    "space": " ",
    "plus": "+",
    "minus": "-",
    "question_mark": "?",
    "comma": ",",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "enter": "\r",
    "tab": "\t",
    "escape": "\x1b",
    "backspace": "\x7f",
}
"""The character each named key types, as the terminal driver would give it."""
QUITS = {"q", "ctrl+q"}
ENDINGS = {*QUITS, "y", "enter"}
"""Keys after which the app may be on its way out (a quit, or its confirmation)."""
"""Keys that end the app at once when no session runs."""

Step = list[str] | float
"""A burst of one to four keys, or seconds for the session clock to jump."""
STEPS = st.one_of(
    st.lists(st.sampled_from(BOUND), min_size=1, max_size=4),
    st.lists(st.sampled_from(BOUND), min_size=1, max_size=4),  # keys twice as often
    st.sampled_from([1.0, 5.0, 30.0, 90.0, 400.0]),
)

pressed: list[int] = []
"""Keys delivered by each sequence of this run."""


def _app(start: str) -> tuple[CircleKeeperApp, MockClock]:
    clock = MockClock(1_234.5)
    config = None
    if start != "library":
        practice = load_practice(Path(start))
        size = practice.size.max if practice.size is not None else len(NAMES)
        names = NAMES[: max(2, min(len(NAMES), size))]
        plan = plan_circle(practice, names, seed=3)
        config = SessionConfig(practice=practice, path=Path(start), plan=plan, silent=False)
    app = make_app(
        config=config,
        clock=clock,
        wall=lambda: WALL,
        sink=RecordingSink(),
        session_factory=session_factory,
        load_user_keymap=False,
    )
    return app, clock


def _over(app: CircleKeeperApp) -> bool:
    return app.return_code is not None or not app.is_running


async def _tick(app: CircleKeeperApp) -> None:
    live = app.live_screen
    if isinstance(live, LiveScreen) and app.session_running:
        live.tick()


async def _press(pilot: Any, key: str) -> None:
    """A key as Pilot sends it, then every message it caused handled (watchdog: stuck)."""
    await asyncio.wait_for(pilot.press(key), WATCHDOG)


async def _type(pilot: Any, keys: list[str]) -> None:
    """A burst of keys as a fast typist sends them: the app takes each and handles what it
    caused, without Pilot's idle waits (two 20 ms sleeps a key); the watchdog still says
    when it is stuck."""
    app = pilot.app
    for key in keys:
        if _over(app):
            return
        app.post_message(events.Key(key, KEY_CHARACTERS.get(key, key if len(key) == 1 else None)))
        if key in ENDINGS:
            # The app may be leaving: no key may reach it after its last screen has gone
            # (a terminal stops reading then; a queue filled in advance would not).
            await asyncio.wait_for(pilot._wait_for_screen(), WATCHDOG)
    await asyncio.wait_for(pilot._wait_for_screen(), WATCHDOG)


async def _answers(app: CircleKeeperApp, pilot: Any) -> None:
    """The app still answers (see "Stuck" above): out of any screen, its own keys work."""
    for _ in range(10):
        if _over(app) or isinstance(app.screen, LibraryScreen | LiveScreen | SummaryScreen):
            break
        await _press(pilot, "escape")
    if _over(app):
        return
    assert isinstance(app.screen, LibraryScreen | LiveScreen | SummaryScreen), (
        f"no way out of {type(app.screen).__name__}"
    )
    if isinstance(app.screen, LiveScreen) and app.session_running:
        await _press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen), "? did not open the keys"
        await _press(pilot, "escape")
        assert isinstance(app.screen, LiveScreen), "escape did not close the keys"
    await _press(pilot, "q")
    if not _over(app) and isinstance(app.screen, ConfirmDialog):
        await _press(pilot, "y")
    await asyncio.wait_for(_until_over(app), WATCHDOG)


async def _until_over(app: CircleKeeperApp) -> None:
    while not _over(app):
        await asyncio.sleep(0.02)


async def _drive(start: str, steps: list[Step]) -> int:
    app, clock = _app(start)
    delivered = 0
    async with app.run_test(size=(80, 24)) as pilot:
        await asyncio.wait_for(pilot.pause(), WATCHDOG)
        for step in steps:
            if _over(app):
                break
            if isinstance(step, float):
                clock.advance(step)
                await _tick(app)
                await asyncio.wait_for(pilot.pause(), WATCHDOG)
                continue
            keys = step if app.session_running else [k for k in step if k not in QUITS]
            if keys:
                await _type(pilot, keys)
                delivered += len(keys)
        assert app.errors == [], app.errors
        await _answers(app, pilot)
    assert app.return_code == 0, app.return_code
    assert app.errors == [], app.errors
    return delivered


@settings(
    max_examples=SEQUENCES,
    deadline=None,
    derandomize=SCALE == 1,
    # In `make test` a failing sequence is printed as found: shrinking a long one through a
    # live app takes many minutes, which the suite's budget has not got; `make fuzz` shrinks.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, *((Phase.shrink,) if SCALE > 1 else ())),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.sampled_from(STARTS), st.lists(STEPS, min_size=110, max_size=120))
def _sequences(start: str, steps: list[Step]) -> None:
    pressed.append(asyncio.run(_drive(start, steps)))


def test_random_keys_through_every_screen_never_crash_or_stick() -> None:
    pressed.clear()
    _sequences()
    assert sum(pressed) >= MIN_KEYS, (sum(pressed), len(pressed))


def test_the_keys_cover_every_binding_of_every_screen() -> None:
    """The alphabet holds every key a screen binds, so no screen keeps a key unfuzzed."""
    from textual.binding import Binding

    from circlekeeper.tui.screens import agenda, agenda_forms, dialogs, library, live, setup
    from circlekeeper.tui.screens import summary as summary_screen

    bound: set[str] = set()
    for module in (agenda, agenda_forms, dialogs, library, live, setup, summary_screen):
        for value in vars(module).values():
            if getattr(value, "__module__", None) != module.__name__:
                continue  # Textual's own widgets: their keys are typed in them, not ours
            for binding in getattr(value, "BINDINGS", None) or []:
                if isinstance(binding, Binding):
                    bound.update(key.strip() for key in binding.key.split(","))
    bound.update(b.key for b in live.SESSION_BINDINGS)
    assert bound - set(BOUND) == set()


async def test_ctrl_p_under_a_dialog_over_the_palette_opens_no_second_palette() -> None:
    """Found by the fuzzer: ctrl+p, ctrl+q, ctrl+p ended the app on a duplicate id."""
    app, _ = _app(STARTS[1])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p", "ctrl+q", "ctrl+p")
        names = [type(screen).__name__ for screen in app.screen_stack]
        assert names[-2:] == ["_Palette", "ConfirmDialog"]
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, LiveScreen) and app.session_running
        assert app.errors == []


async def test_a_page_key_as_the_palette_opens_does_not_end_the_app() -> None:
    """Found by the fuzzer: ctrl+p then page down, typed fast, raised KeyError in Textual's
    command list and ended the app mid-session."""
    for page in ("pagedown", "pageup"):
        app, _ = _app(STARTS[1])
        async with app.run_test(size=(80, 24)) as pilot:
            await _type(pilot, ["ctrl+p", page])
            assert type(app.screen).__name__ == "_Palette"
            await pilot.press("escape")
            assert isinstance(app.screen, LiveScreen) and app.session_running
        assert app.errors == []
