"""What the screens say matches the script and the session: roles given at setup or by
default, the timer's end, the facilitator's note, the summary and its saved file, every
key in the help, and a countdown that stays readable in a small window."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import CHECK_IN, WALL, LiveApp, MockClock, session_factory, settled, showing, until
from test_keys import live, settle, snap
from textual.binding import Binding
from textual.widgets import Digits, Input, OptionList, Select
from textual.widgets._toast import Toast

from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import make_app
from circlekeeper.tui.screens.dialogs import HelpScreen
from circlekeeper.tui.screens.library import LibraryScreen
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.screens.setup import SetupScreen
from circlekeeper.tui.screens.summary import SummaryScreen
from circlekeeper.tui.widgets.timer import BigTimer

COACHES = """\
format: 1
title: Coaching triads
kind: feedback
size: {min: 3, max: 8}
language: en
roles:
  - {id: coach, name: Coach, assign: ask, count: 2}
steps:
  - {kind: read, title: Begin, lead: coach, text: Welcome., note: "Check the room is quiet."}
"""


def caption(app: Any) -> str:
    return str(live(app).query_one("#timer-caption").render())


def toasts(app: Any) -> str:
    return "\n".join(str(t.render()) for t in app.screen.query(Toast).results(Toast))


async def test_a_role_of_two_gets_two_pickers_and_both_hold_it(tmp_path: Path) -> None:
    (tmp_path / "coaches.yaml").write_text(COACHES, encoding="utf-8")
    app = make_app(
        extra_dirs=[tmp_path],
        clock=MockClock(),
        wall=lambda: WALL,
        sink=RecordingSink(),
        session_factory=session_factory,
        load_user_keymap=False,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await settled(pilot)
        library = app.screen
        assert isinstance(library, LibraryScreen)
        options = library.query_one(OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        options.highlighted = next(i for i, row in enumerate(rows) if "Coaching" in row)
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, SetupScreen), "the setup screen")
        setup = app.screen
        setup.query_one("#setup-names", Input).value = "Ana, Ben, Cy, Dee"
        await pilot.pause()
        pickers = [
            s for s in setup.query(Select).results(Select) if (s.id or "").startswith("role-")
        ]
        assert [p.id for p in pickers] == ["role-coach", "role-coach-2"]
        shown = str(setup.query_one("#setup-roles").render())
        assert "Coach: Ana, Ben (chosen by default)" in shown
        pickers[0].value, pickers[1].value = "Dee", "Cy"
        await pilot.pause()
        assert "Coach: Dee, Cy (chosen)" in str(setup.query_one("#setup-roles").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: showing(app, LiveScreen), "the session")
        assert live(app).driver.config.roles == {"coach": ("Dee", "Cy")}


async def test_the_session_says_what_the_plan_warns_and_who_holds_a_role_by_default(
    live_app: LiveApp,
) -> None:
    data = {**CHECK_IN, "size": {"min": 5, "max": 8}}
    data["roles"] = [{"id": "guardian", "name": "Guardian", "assign": "ask"}]
    app, _, _ = live_app(data)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await until(pilot, lambda: len(app.screen.query(Toast)) >= 2, "both notes")
        said = toasts(app)
        assert "'Check-in' is made for at least 5 people; this circle has 4 people." in said
        assert "Guardian: Ana (chosen by default)" in said
        assert "run --roles guardian=NAME" in said


async def test_a_turns_timer_ends_with_the_turn_and_the_round_end_is_said_apart(
    live_app: LiveApp,
) -> None:
    app, clock, _ = live_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        clock.advance(30)
        await settle(pilot)
        # 90 s left of Ana's 2 minutes, from a wall clock fixed at WALL (20:26:40 UTC): the
        # turn ends at 20:28:40, so it is over by 20:29.
        assert snap(app).timer == "turn" and snap(app).timer_ends_wall == WALL + 90
        assert "Ana's time  ·  turn ends 20:29" in caption(app)
        speaker = str(live(app).query_one("#speaker-line").render())
        # The round (4 people, two laps of 2 min) is forecast on its own line, labelled so.
        assert re.search(r"round ends about \d\d:\d\d", speaker)
        await pilot.press("g")
        await settle(pilot)
        assert "PAUSED" in caption(app) and "round ends" not in str(
            live(app).query_one("#speaker-line").render()
        )


async def test_the_end_shown_moves_with_a_pause(live_app: LiveApp) -> None:
    wall = [WALL]
    app, clock, _ = live_app(wall=lambda: wall[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "turn ends 20:29" in caption(app)  # 2 minutes from 20:26:40: by 20:29
        await pilot.press("g")
        await settle(pilot)
        clock.advance(300)  # a five-minute guardian pause
        wall[0] += 300
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert "turn ends 20:34" in caption(app)


async def test_the_facilitators_note_is_shown_and_never_spoken(live_app: LiveApp) -> None:
    data = {
        "title": "Notes",
        "kind": "other",
        "steps": [{"kind": "read", "title": "Begin", "text": "Welcome.", "note": "Breathe."}],
    }
    app, _, sink = live_app(data)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        note = live(app).query_one("#step-note")
        assert note.display and str(note.render()) == "Note for you: Breathe."
        spoken = [args[0] for kind, args in sink.calls if kind == "speak"]
        assert spoken == ["Welcome."]


async def test_the_summary_screen_and_its_saved_file_agree(
    live_app: LiveApp, tmp_path: Path
) -> None:
    app, clock, _ = live_app(names=("Dee", "Ana", "Cy", "Ben"))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        # Turns of 9.6 s, 4.4 s and 0.5 s: the rounding rule shows.
        for seconds in (9.6, 4.4, 0.5):
            clock.advance(seconds)
            await settle(pilot)
            await pilot.press("space")
            await settle(pilot)
        live(app).action_end_session()
        await until(pilot, lambda: bool(app.screen.query("#airtime")), "the summary")
        assert isinstance(app.screen, SummaryScreen)
        shown = str(app.screen.query_one("#airtime").render())
        await pilot.press("w")
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        await until(pilot, lambda: summary.saved_to is not None, "saved")
        saved = Path(str(summary.saved_to)).read_text(encoding="utf-8")
    rows = [line.split() for line in shown.splitlines()]
    # Seat order, as the circle sits (Dee spoke first, then Ana, then Cy).
    assert [row[0] for row in rows] == ["Dee", "Ana", "Cy", "Ben"]
    on_screen = {row[0]: row[-1] for row in rows}
    assert on_screen == {"Dee": "0:10", "Ana": "0:04", "Cy": "0:00", "Ben": "0:00"}
    for name, time in on_screen.items():
        assert f"| {name} | {time} |" in saved


async def test_the_help_lists_every_key_the_session_answers_to(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        generic = ("scroll_", "page_", "app.focus_", "screen.copy_text")
        keys = [
            key
            for key, active in app.active_bindings.items()
            if not active.binding.action.startswith(generic)
        ]
        assert "f2" in keys and "ctrl+q" in keys and "ctrl+p" in keys
        await pilot.press("question_mark")
        await until(pilot, lambda: showing(app, HelpScreen), "the help")
        listed = str(app.screen.query_one("#help-keys").render())
        for key in keys:
            shown = app.get_key_display(Binding(key, "", ""))
            assert re.search(rf"^\s*{re.escape(shown)}\s", listed, re.M) or (
                key.isdigit() and "1-9" in listed
            ), key


@pytest.mark.parametrize("size", [(40, 12), (80, 24), (120, 40)])
async def test_the_countdown_can_be_read_at_every_size(
    live_app: LiveApp, size: tuple[int, int]
) -> None:
    app, clock, _ = live_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        clock.advance(5)
        await settle(pilot)
        screen = live(app)
        digits = screen.query_one(Digits)
        timer = screen.query_one(BigTimer)
        region = digits.region
        # All three rows of the big digits and their caption are on screen, at full width.
        assert region.height == 3 and region.bottom <= size[1] - 1
        assert region.width >= len("01:55") * 3
        assert digits.value == "01:55"
        assert "Ana's time" in caption(app)
        assert timer.region.right <= size[0]
        assert screen.has_class("-compact") == (size == (40, 12))
