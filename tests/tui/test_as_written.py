"""Texts from a script or a person show exactly as written on every screen: square brackets
are never read as markup (a `[/]` used to end the app), control characters never reach the
terminal as they are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import WALL, MockClock, session_factory, settled, showing, until
from textual.widget import Widget
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets._toast import Toast

from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.screens.dialogs import HelpScreen, NoteDialog, PickDialog
from circlekeeper.tui.screens.library import LibraryScreen
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.screens.setup import SetupScreen
from circlekeeper.tui.screens.summary import SummaryScreen

ESC = "\x1b"
PRACTICE = """\
format: 1
title: "Brackets [/] and [b]bold[/b]"
summary: "Say [pass] if you want"
kind: check-in
size: {min: 3, max: 6}
language: en
roles:
  - id: host
    name: "Host [b]"
    assign: ask
keeper_role: host
steps:
  - kind: read
    id: welcome
    title: "Welcome [/] \\x1b[31mred"
    note: "For [i]you[/i] only"
    lead: host
    duration: 20s
    text: "Say [pass] if you want. A [/] and [link=http://x]link[/link]."
  - kind: round
    id: round
    title: "Round [b]"
    prompts:
      - "Lap one [pass]"
      - "Lap two [/b]"
    stems: ["I [like]...", "I \\x1b[2Jwish"]
    turn: {time: 10s, end: hard}
    passing: to-end
    bells: {end: bowl}
"""
NAMES = ("Ana", "B[/]en", "[b]Cy")


def screen_text(app: CircleKeeperApp) -> str:
    """Everything the screens and notifications show, as text."""
    parts: list[str] = []
    for screen in app.screen_stack:
        for widget in screen.query("*").results(Widget):
            if isinstance(widget, Static | Toast):
                parts.append(str(widget.render()))
            elif isinstance(widget, OptionList):
                parts += [
                    str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)
                ]
            elif isinstance(widget, Select):
                parts.append(str(widget.query_one("SelectCurrent Static").render()))
    return "\n".join(parts)


def said_as_written(app: CircleKeeperApp, *texts: str) -> None:
    shown = screen_text(app)
    assert ESC not in shown
    for text in texts:
        assert text.replace(ESC, "\\x1b") in shown, text


async def test_brackets_and_escapes_show_as_written_from_the_library_to_the_summary(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "own"
    folder.mkdir()
    (folder / "brackets.yaml").write_text(PRACTICE, "utf-8")
    sink = RecordingSink()
    clock = MockClock()
    app = make_app(
        extra_dirs=[folder],
        clock=clock,
        wall=lambda: WALL,
        sink=sink,
        session_factory=session_factory,
        load_user_keymap=False,
    )
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settled(pilot)
        library = app.screen
        assert isinstance(library, LibraryScreen)
        options = library.query_one(OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        options.highlighted = next(i for i, r in enumerate(rows) if "Brackets" in r)
        await until(pilot, lambda: "Say [pass]" in screen_text(app), "the practice's preview")
        said_as_written(app, "Brackets [/] and [b]bold[/b]", "Say [pass] if you want")

        await pilot.press("enter")
        await until(pilot, lambda: showing(app, SetupScreen), "the setup screen")
        setup = app.screen
        setup.query_one("#setup-names", Input).value = ", ".join(NAMES[:2])
        await until(pilot, lambda: "2. B[/]en" in screen_text(app), "the names in the circle")
        setup.query_one("#role-host", Select).value = "B[/]en"
        await until(pilot, lambda: "(chosen)" in screen_text(app), "the host chosen")
        said_as_written(app, "Host [b]", "1. Ana", "2. B[/]en", "Host [b]: B[/]en (chosen)")

        # Two people for a practice made for three: said, with the title as written.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: showing(app, LiveScreen), "the live session")
        await until(pilot, lambda: bool(app.screen.query(Toast)), "the warning on screen")
        said_as_written(
            app,
            "Welcome [/] \x1b[31mred",
            "Say [pass] if you want. A [/] and [link=http://x]link[/link].",
            "For [i]you[/i] only",
            "'Brackets [/] and [b]bold[/b]' is made for at least 3 people",
        )
        clock.advance(21)
        await until(pilot, lambda: "Lap one [pass]" in screen_text(app), "the round's first lap")
        said_as_written(app, "Round [b]", "“I [like]...”", "Speaking: Ana  ·  next: B[/]en")

        for key, dialog in (("question_mark", HelpScreen), ("w", NoteDialog)):
            await pilot.press(key)
            await until(pilot, lambda d=dialog: showing(app, d), key)  # type: ignore[misc]
            if dialog is NoteDialog:
                said_as_written(app, "During “Round [b]”, Ana speaking")
            await pilot.press("escape")
            await until(pilot, lambda: showing(app, LiveScreen), "back to the session")

        clock.advance(10)  # Ana's time is up: B[/]en
        await until(pilot, lambda: "Speaking: B[/]en" in screen_text(app), "B[/]en's turn")
        clock.advance(10)
        await until(pilot, lambda: "Lap two [/b]" in screen_text(app), "the second lap")
        clock.advance(21)
        await until(pilot, lambda: showing(app, SummaryScreen), "the summary")
        said_as_written(app, "Brackets [/] and [b]bold[/b]: finished", "B[/]en")
        await pilot.press("w")
        await until(pilot, lambda: app.screen.saved_to is not None, "the summary saved")  # type: ignore[attr-defined]
        assert not app.errors
        assert app.is_running


async def test_a_person_named_with_brackets_is_picked_as_written(tmp_path: Path) -> None:
    from conftest import config

    data: dict[str, Any] = {
        "title": "Popcorn [/]",
        "kind": "other",
        "steps": [
            {"kind": "round", "title": "Pick [b]", "order": "popcorn", "turn": {"time": "1m"}}
        ],
    }
    app = make_app(
        config=config(data, NAMES),
        clock=MockClock(),
        wall=lambda: WALL,
        sink=RecordingSink(),
        session_factory=session_factory,
        load_user_keymap=False,
    )
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: showing(app, LiveScreen), "the live session")
        await pilot.press("k")
        await until(pilot, lambda: showing(app, PickDialog), "the picker")
        said_as_written(app, "1  Ana", "2  B[/]en", "3  [b]Cy")
        await pilot.press("3")
        await until(pilot, lambda: showing(app, LiveScreen), "back to the session")
        await until(pilot, lambda: "Speaking: [b]Cy" in screen_text(app), "[b]Cy speaking")
        said_as_written(app, "Speaking: [b]Cy", "● [b]Cy")  # the speaker, and in the circle
        app.notify("[/] from a message", title="[b]")
        await until(pilot, lambda: bool(app.screen.query(Toast)), "the notification")
        said_as_written(app, "[/] from a message")
        assert not app.errors and app.is_running
