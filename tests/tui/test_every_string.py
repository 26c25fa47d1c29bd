"""Every string of the interface goes through the catalogue: each screen is drawn in a
pseudo-language that changes every letter of every string the catalogue knows
(`Next` → `Ñéẋť`), and no plain English word may be left on it but the data: the practice's
own words, people's names, key names.

A string added to a screen without `_()` shows up here as a plain word, with the screen it
was on.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FIXTURE_PRACTICES,
    NAMES,
    LiveApp,
    MockClock,
    session_factory,
    settled,
    until,
)
from rich.console import Console
from textual.pilot import Pilot

from circlekeeper import i18n
from circlekeeper.i18n.pseudo import PseudoCatalogue, template_messages
from circlekeeper.i18n.pseudo import pseudo as pseudo_text
from circlekeeper.script.errors import ScriptErrors
from circlekeeper.script.loader import load_practice
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import make_app
from circlekeeper.tui.screens.summary import SummaryScreen

EVERY_KIND: dict[str, Any] = {
    "title": "Every kind",
    "kind": "other",
    "size": {"min": 5, "max": 8},  # four people: the session warns before it starts
    "roles": [
        {"id": "host", "name": "Host", "assign": "rotate"},
        {"id": "guardian", "name": "Guardian", "assign": "ask"},  # given by default: said
    ],
    "steps": [
        {"kind": "read", "title": "Welcome", "text": "Welcome all."},
        {
            "kind": "round",
            "title": "Check-in round",
            "prompt": "How are you arriving?",
            "turn": {"time": "2m", "warning": "30s"},
            "stems": ["Right now I feel"],
            "note": "Keep it short.",
        },
        {"kind": "round", "title": "Popcorn round", "order": "popcorn", "turn": {"time": "1m"}},
        {"kind": "silence", "title": "Quiet", "duration": "1m"},
        {
            "kind": "sit",
            "title": "Sitting",
            "duration": "10m",
            "bells": {"start": "bowl x3", "interval": {"every": "5m", "sound": "chime"}},
        },
        {
            "kind": "breakout",
            "title": "Pairs",
            "group_size": 2,
            "duration": "5m",
            "prompt": "Share a challenge.",
        },
        {
            "kind": "exchange",
            "title": "Mutual comprehension",
            "prompt": "How are you now?",
            "parts": {"reflect": {"prompt": "What did you hear?"}},
        },
        {"kind": "consent", "proposal": "We buy a bell", "prompt": "Consent?", "max_rounds": 2},
        {"kind": "discussion", "title": "Talk", "prompt": "What now?", "stack": True},
        {"kind": "read", "title": "Goodbye", "text": "Thank you."},
    ],
}

KEYS = {"esc", "enter", "tab", "space", "ctrl", "alt", "shift", "up", "down", "left", "right"}
"""Key names the footer and the help show as keys are."""
DATA = {"yaml", *(word for name in i18n.NAMES.values() for word in name.split())}
"""File names' endings, and each language by its own name (as a language menu lists it)."""
WORD = re.compile(r"[A-Za-z]{2,}")
EDGES = "█▌▐▎▊▏…"
"""Where a dialog, a panel or an ellipsis cuts the words under it off."""


def data_words(*things: Any) -> set[str]:
    """The words of the data on screen (a practice's texts, names), which stay as written."""
    words: set[str] = set()

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield str(k)
                yield from walk(v)
        elif isinstance(value, list | tuple | set):
            for v in value:
                yield from walk(v)

    for thing in things:
        for text in walk(thing):
            words.update(WORD.findall(text))
    return words


def library_words() -> set[str]:
    """The words of the fixture library's practices, and of the broken one's problems."""
    practices = [p.read_text(encoding="utf-8") for p in FIXTURE_PRACTICES.glob("*.yaml")]
    # A script's problems read as `circlekeeper check` says them: in the format's words,
    # English, like the format's reference (they are for the script's author).
    problems = ""
    try:
        load_practice(FIXTURE_PRACTICES / "broken.yaml")
    except ScriptErrors as error:
        problems = str(error)
    return data_words(practices, problems, str(FIXTURE_PRACTICES))


def screen_text(app: Any) -> str:
    """What the screen shows, as plain text (as a screenshot would)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The interface speaks the pseudo-language, whatever language a session asks for."""
    catalogue = PseudoCatalogue(template_messages())
    i18n.use_catalogue(catalogue, requested="en", interface="en")
    monkeypatch.setattr(i18n, "set_language", lambda code=None: "en")


class Screens:
    """What each screen showed, by name; and the words on it that are not data."""

    def __init__(self, allowed: set[str]) -> None:
        self.allowed = {w.casefold() for w in allowed | KEYS | DATA | {"circlekeeper"}}
        self.shown: dict[str, str] = {}

    async def look(self, pilot: Pilot[Any], name: str) -> None:
        await until(pilot, lambda: pilot.app.screen.is_mounted, f"{name}: the screen up")
        live = getattr(pilot.app, "live_screen", None)
        if live is not None:
            live.tick()
        await pilot.pause()
        self.shown[name] = screen_text(pilot.app)

    def plain(self, text: str) -> set[str]:
        """The words on screen that are neither marked nor data. A word cut off by a
        dialog's edge (or an ellipsis) counts as data when it is part of a data word."""
        found: set[str] = set()
        for m in WORD.finditer(text):
            word = m.group().casefold()
            if word in self.allowed:
                continue
            around = text[m.start() - 1 : m.start()] + text[m.end() : m.end() + 1]
            if any(c in EDGES for c in around) and any(word in w for w in self.allowed):
                continue
            found.add(m.group())
        return found

    def english(self) -> dict[str, list[str]]:
        leaks: dict[str, list[str]] = {}
        for name, text in self.shown.items():
            words = sorted(self.plain(text))
            if words:
                leaks[name] = words
        return leaks


def _fail_on(screens: Screens) -> None:
    leaks = screens.english()
    assert not leaks, "plain English on screen, not through the catalogue:\n" + "\n".join(
        f"  {name}: {' '.join(words)}\n{screens.shown[name]}" for name, words in leaks.items()
    )


@pytest.mark.usefixtures("pseudo")
async def test_the_library_and_the_setup_say_every_word_through_the_catalogue() -> None:
    screens = Screens(library_words() | data_words(NAMES))
    app = make_app(
        clock=MockClock(),
        wall=lambda: 1_780_000_000.0,
        sink=RecordingSink(),
        session_factory=session_factory,
        load_user_keymap=False,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await screens.look(pilot, "library")
        await pilot.press("end")
        await screens.look(pilot, "library, a broken script")
        await pilot.press("home", "enter")
        await settled(pilot)
        await screens.look(pilot, "setup")
        await pilot.press(*"Ana, Ben, Cy, Dee")
        await settled(pilot)
        await screens.look(pilot, "setup with names")
    _fail_on(screens)


@pytest.mark.usefixtures("pseudo")
async def test_every_live_screen_and_dialog_says_every_word_through_the_catalogue(
    live_app: LiveApp,
) -> None:
    app, clock, _ = live_app(EVERY_KIND)
    screens = Screens(data_words(EVERY_KIND, NAMES))
    # Dialogs opened on a step: their keys, and how to leave them.
    dialogs = {
        "Check-in round": [("?", "escape"), ("q", "escape"), ("n", "escape"), ("e", "escape")],
        "Popcorn round": [("k", "escape")],
        "Mutual comprehension": [("l", "escape")],
        "Consent": [("r", "escape"), ("d", "escape")],
        "Talk": [("h", "escape")],
    }
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        # The warnings before the start, as the notifications say them.
        said = [f"{n.title}: {n.message}" for n in app._notifications]
        screens.shown["live: the warnings before the start"] = "\n".join(said)
        assert any(pseudo_text("Before you start") in line for line in said), said
        assert any(pseudo_text("Roles") in line for line in said), said
        app.clear_notifications()
        for index, step in enumerate(EVERY_KIND["steps"]):
            title = str(step.get("title", step["kind"].capitalize()))
            await screens.look(pilot, f"live: {title}")
            assert app.live_screen is not None
            assert app.live_screen.driver.snapshot().step_index == index, title
            for key, leave in dialogs.get(title, []):
                await pilot.press(key)
                await screens.look(pilot, f"live: {title}, {key}")
                await pilot.press(leave)
                await pilot.pause()
            if index == 1:
                clock.advance(100)  # into the warning, then over time
                await screens.look(pilot, "live: a turn's warning")
                clock.advance(40)
                await screens.look(pilot, "live: over time")
                await pilot.press("g")
                await screens.look(pilot, "live: guardian pause")
                await pilot.press("g")
            await pilot.press("s")
            await pilot.pause()
        await screens.look(pilot, "live: the session's end")
        clock.advance(20)
        assert app.live_screen is not None
        await app.live_screen.run_action("end_session")
        await settled(pilot)
        assert isinstance(app.screen, SummaryScreen), app.screen_stack
        await screens.look(pilot, "summary")
    _fail_on(screens)


@pytest.mark.usefixtures("pseudo")
async def test_the_agenda_and_its_forms_say_every_word_through_the_catalogue(
    live_app: LiveApp,
) -> None:
    app, _, _ = live_app(EVERY_KIND)
    screens = Screens(data_words(EVERY_KIND, NAMES))
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("e")
        await screens.look(pilot, "agenda")
        await pilot.press("i")
        await screens.look(pilot, "agenda: insert")
        await pilot.press("1")
        await screens.look(pilot, "agenda: a round's form")
        await pilot.press("escape", "escape", "down", "down", "enter")
        await screens.look(pilot, "agenda: a line's choices")
        await pilot.press("escape", "t")
        await screens.look(pilot, "agenda: a topic")
    _fail_on(screens)


async def test_the_offer_to_resume_and_the_resumed_session_say_every_word_through_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import CHECK_IN
    from test_resume import cut_short, journaling_app, offered, resumed, write_practice

    path = write_practice(tmp_path)
    await cut_short(path)  # in English: a session cut short, its journal left behind
    catalogue = PseudoCatalogue(template_messages())
    i18n.use_catalogue(catalogue, requested="en", interface="en")
    monkeypatch.setattr(i18n, "set_language", lambda code=None: "en")
    screens = Screens(library_words() | data_words(CHECK_IN, NAMES))
    app = journaling_app(MockClock(9_000.0))
    async with app.run_test(size=(100, 30)) as pilot:
        await offered(pilot)
        await screens.look(pilot, "the offer to resume")
        await pilot.press("r")
        await resumed(pilot)
        await screens.look(pilot, "resumed")
        assert app.live_screen is not None
        app.live_screen.action_end_session()
        await pilot.pause()
    _fail_on(screens)
