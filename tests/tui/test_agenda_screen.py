"""The agenda screen and the palette's agenda commands, driven through Pilot with a mock clock
and a recording sink: every change goes to the engine, the screen shows what it answers, and
the session (its bells too) goes on meanwhile."""

from __future__ import annotations

from typing import Any

from conftest import CHECK_IN, LiveApp, showing, until
from textual.widgets import DataTable, Input, Static

from circlekeeper.engine.commands import AddTopic, Next
from circlekeeper.engine.events import (
    CommandTaken,
    Refused,
    StepInserted,
    StepStarted,
)
from circlekeeper.tui.commands import SessionCommands
from circlekeeper.tui.screens.agenda import AgendaScreen
from circlekeeper.tui.screens.agenda_forms import StepForm, TextDialog, form_step, read_length
from circlekeeper.tui.screens.dialogs import ChoiceDialog, ConfirmDialog
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.screens.summary import SummaryScreen, summarize_driver

BIG = {
    **CHECK_IN,
    "steps": [
        *CHECK_IN["steps"],
        {"kind": "discussion", "title": "Open discussion", "duration": "20m"},
    ],
}
"""Check-in round (8 min), closing silence (1 min), goodbye (20 s), a discussion (20 min)."""


def live(app: Any) -> LiveScreen:
    screen = app.live_screen
    assert isinstance(screen, LiveScreen), app.screen_stack
    return screen


async def settle(pilot: Any) -> None:
    await pilot.pause()
    live(pilot.app).tick()
    await pilot.pause()


def table_rows(app: Any) -> list[list[str]]:
    """The agenda screen's rows, as plain text."""
    screen = app.screen
    assert isinstance(screen, AgendaScreen), app.screen_stack
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def taken(app: Any, name: str) -> list[dict[str, Any]]:
    """The commands of this name the engine took."""
    return [
        e.command
        for e in live(app).driver.events
        if isinstance(e, CommandTaken) and e.command["command"] == name
    ]


async def open_agenda(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("e")
    await until(pilot, lambda: showing(pilot.app, AgendaScreen), "the AgendaScreen")
    assert isinstance(pilot.app.screen, AgendaScreen)


async def test_e_opens_the_agenda_with_ids_clock_times_and_the_forecast_end(
    live_app: LiveApp,
) -> None:
    app, _, _ = live_app(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(pilot)
        # The wall clock reads 20:26:40 at the start (UTC in the tests).
        assert table_rows(app) == [
            ["▶", "s1", "now", "Check-in round", "round", "8 min"],
            ["", "s2", "20:35", "Closing silence", "silence", "1 min"],
            ["", "s3", "20:36", "Goodbye", "read", "20 s"],
            ["", "s4", "20:36", "Open discussion", "discussion", "20 min"],
        ]
        head = str(app.screen.query_one("#agenda-head", Static).render())
        assert "forecast end 20:56" in head
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, LiveScreen), "the LiveScreen")
        assert isinstance(app.screen, LiveScreen)


async def test_a_breakout_in_pairs_inserted_mid_round_runs_next(live_app: LiveApp) -> None:
    app, clock, sink = live_app(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(pilot)
        await pilot.press("i")
        await until(pilot, lambda: showing(app, ChoiceDialog), "the ChoiceDialog")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("3")  # a breakout
        await until(pilot, lambda: showing(app, StepForm), "the StepForm")
        assert isinstance(app.screen, StepForm)
        # Group size 2 and 4 minutes are offered: enter takes them.
        await pilot.press("enter")
        await pilot.pause()
        assert taken(app, "insert") == [
            {
                "command": "insert",
                "step": {
                    "kind": "breakout",
                    "group_size": 2,
                    "title": "Breakout in pairs",
                    "duration": "4m",
                },
                "after": "s1",
            }
        ]
        assert table_rows(app)[1] == ["", "s5", "20:35", "Breakout in pairs", "breakout", "4 min"]
        # The session goes on under the agenda: the first speaker's warning rings.
        clock.advance(95.0)
        await settle(pilot)
        assert any(kind == "bell" for kind, *_ in sink.calls)
        await pilot.press("escape")
        clock.advance(8 * 60.0)
        await settle(pilot)
        driver = live(app).driver
        # Nobody pressed space: the turns are soft, so move the stick on to the round's end.
        for _ in range(4):
            driver.do(Next())
        started = [e for e in driver.events if isinstance(e, StepStarted)]
        assert [e.title for e in started] == ["Check-in round", "Breakout in pairs"]
        await settle(pilot)
        title = str(live(app).query_one("#step-title", Static).render())
        assert title == "Breakout in pairs"
        # The summary lists the change, and its saved steps the breakout as it ran.
        clock.advance(240.0)
        await settle(pilot)
        await live(app).run_action("end_session")
        await until(pilot, lambda: showing(app, SummaryScreen), "the SummaryScreen")
        assert isinstance(app.screen, SummaryScreen)
        changes = str(app.screen.query_one("#agenda-changes", Static).render())
        assert '00:00  s5 "Breakout in pairs" [breakout, 4:00] inserted after s1' in changes
        steps = summarize_driver(driver).steps
        assert [(step.title, step.seconds) for step in steps][1] == ("Breakout in pairs", 240.0)


async def test_remove_asks_first_and_the_step_in_progress_stays(live_app: LiveApp) -> None:
    app, _, _ = live_app(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(pilot)
        await pilot.press("x")  # the step in progress is selected
        await until(pilot, lambda: showing(app, AgendaScreen), "the AgendaScreen")
        assert isinstance(app.screen, AgendaScreen)
        assert taken(app, "remove") == []
        await pilot.press("down", "x")
        await until(pilot, lambda: showing(app, ConfirmDialog), "the ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert taken(app, "remove") == [{"command": "remove", "step": "s2"}]
        assert [row[1] for row in table_rows(app)] == ["s1", "s3", "s4"]


async def test_steps_move_up_and_down_and_stay_selected(live_app: LiveApp) -> None:
    app, _, _ = live_app(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(pilot)
        await pilot.press("down", "down", "down", "left_square_bracket")
        await pilot.pause()
        assert [row[1] for row in table_rows(app)] == ["s1", "s2", "s4", "s3"]
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert [row[1] for row in table_rows(app)] == ["s1", "s4", "s2", "s3"]
        screen = app.screen
        assert isinstance(screen, AgendaScreen)
        selected = screen.selected_step()
        assert selected is not None and selected.id == "s4"
        await pilot.press("left_square_bracket")  # next already: nothing to do
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert [row[1] for row in table_rows(app)] == ["s1", "s2", "s4", "s3"]
        assert taken(app, "move") == [
            {"command": "move", "step": "s4", "after": "s2"},
            {"command": "move", "step": "s4", "after": "s1"},
            {"command": "move", "step": "s4", "after": "s2"},
        ]


async def test_a_length_is_typed_in_minutes_or_with_a_unit(live_app: LiveApp) -> None:
    app, _, _ = live_app(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(pilot)
        await pilot.press("down", "d")
        await until(pilot, lambda: showing(app, TextDialog), "the TextDialog")
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"5x", "enter")
        await pilot.pause()
        problem = str(app.screen.query_one("#text-problem", Static).render())
        assert "write a length like 5m" in problem
        field = app.screen.query_one(Input)
        field.value = "5"
        await pilot.press("enter")
        await pilot.pause()
        assert taken(app, "set-duration") == [
            {"command": "set-duration", "step": "s2", "seconds": 300.0}
        ]
        assert table_rows(app)[1][-1] == "5 min"


async def test_end_at_a_clock_time_or_hear_why_not(live_app: LiveApp) -> None:
    app, _, _ = live_app(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"20:50", "enter")
        await pilot.pause()
        # 20:50:00 is 23 min 20 s after the start at 20:26:40.
        assert taken(app, "end-at") == [{"command": "end-at", "at": 1_400.0}]
        head = str(app.screen.query_one("#agenda-head", Static).render())
        assert "forecast end 20:50" in head
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"20:30", "enter")
        await pilot.pause()
        refusals = [e.reason for e in live(app).driver.events if isinstance(e, Refused)]
        assert refusals and refusals[-1].startswith("the steps left need at least")
        assert any("the steps left need" in n.message for n in app._notifications)


async def test_topics_show_as_written_and_come_forward_as_a_step(live_app: LiveApp) -> None:
    app, _, _ = live_app(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")  # from the live screen: a topic, quickly
        await pilot.pause()
        await pilot.press(*"Budget [draft]", "enter")
        await pilot.pause()
        assert taken(app, "add-topic") == [{"command": "add-topic", "text": "Budget [draft]"}]
        side = live(app).query_one("#agenda", Static).render()
        assert "1 topic waiting" in str(side)
        await pilot.press("e")
        await pilot.pause()
        assert table_rows(app)[-1] == ["•", "t1", "", "Budget [draft]", "topic", ""]
        await pilot.press("down", "down", "down", "down", "f")
        await pilot.pause()
        await pilot.press("4")  # a discussion
        await pilot.pause()
        form = app.screen
        assert isinstance(form, StepForm)
        assert form.query_one("#form-title", Input).value == "Budget [draft]"
        await pilot.press("enter")
        await pilot.pause()
        inserted = [e for e in live(app).driver.events if isinstance(e, StepInserted)]
        assert [(e.title, e.kind, e.topic) for e in inserted] == [
            ("Budget [draft]", "discussion", "t1")
        ]
        rows = table_rows(app)
        assert rows[1][3] == "Budget [draft]" and all(row[4] != "topic" for row in rows)


async def test_the_palette_offers_the_agenda_commands(live_app: LiveApp) -> None:
    app, _, _ = live_app(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = SessionCommands(app.screen)
        titles = [title for _, title, _ in provider._commands()]
        for wanted in (
            "Agenda",
            "Agenda: insert a step",
            "Agenda: remove a step",
            "Agenda: move a step",
            "Agenda: change a step's length",
            "Agenda: end at a time",
            "Agenda: note a topic",
            "Agenda: bring a topic forward",
        ):
            assert wanted in titles
        live(app).driver.do(AddTopic("Snacks"))
        await app.screen.run_action("move_step")
        await until(pilot, lambda: showing(app, ChoiceDialog), "the ChoiceDialog")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("3")  # the third step to come: Open discussion
        await pilot.pause()
        await pilot.press("1")  # right after the step in progress
        await pilot.pause()
        assert taken(app, "move") == [{"command": "move", "step": "s4", "after": "s1"}]
        await live(app).run_action("bring_forward")
        await pilot.pause()
        await pilot.press("1", "2")  # the topic, then a silence
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert taken(app, "bring-forward")[0]["step"] == {
            "kind": "silence",
            "title": "Snacks",
            "duration": "1m",
        }


def test_what_the_forms_read() -> None:
    assert [read_length(t) for t in ("5", "90s", "1m30s", "", " 2M ")] == [300, 90, 90, None, 120]
    assert form_step("breakout", {"size": "3", "length": "6", "prompt": "", "title": ""}) == {
        "kind": "breakout",
        "group_size": 3,
        "title": "Breakout in threes",
        "duration": "6m",
    }
    assert form_step("discussion", {"title": "Next steps", "prompt": "", "length": ""}) == {
        "kind": "discussion",
        "title": "Next steps",
    }
    for kind, values, message in (
        ("breakout", {"size": "1", "length": "4m"}, "Group size"),
        ("silence", {"length": ""}, "Length: a silence needs one"),
        ("round", {"prompt": " "}, "Prompt: a round needs a prompt"),
        ("sit", {"length": "ten"}, "write a length like 5m"),
    ):
        try:
            form_step(kind, values)
        except ValueError as exc:
            assert message in str(exc)
        else:
            raise AssertionError(f"{kind} {values} was taken")


async def test_the_session_ending_under_the_agenda_shows_the_summary(live_app: LiveApp) -> None:
    short = {"title": "Short", "kind": "sit", "steps": [{"kind": "silence", "duration": "30s"}]}
    app, clock, _ = live_app(short)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agenda(pilot)
        agenda = app.screen
        assert isinstance(agenda, AgendaScreen)
        clock.advance(40.0)
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen), app.screen_stack
        agenda.refresh_rows()  # its timer, under the summary: nothing to draw, nothing raised
        await until(pilot, lambda: showing(app, SummaryScreen), "the SummaryScreen")
        assert isinstance(app.screen, SummaryScreen) and not app.errors
