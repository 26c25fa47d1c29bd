"""Faults injected into every kind of code Textual calls: handlers, timers, workers, dialog
answers. The app stays up, the error is shown and written with its traceback to the private
error log in the state folder, and the next key works."""

from __future__ import annotations

import inspect
import logging
import os
import stat
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import WALL, LiveApp, config, session_factory, settled, showing, until
from test_keys import live, settle, snap
from test_screens import library_app
from test_sound_and_records import journaling_app
from textual.app import App, ComposeResult
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from circlekeeper import errorlog
from circlekeeper.engine import MockClock
from circlekeeper.paths import state_dir
from circlekeeper.records.journal import read_journal
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui import app as app_module
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.guard import HANDLER_PREFIXES, Guarded
from circlekeeper.tui.local import LocalModal
from circlekeeper.tui.screens import agenda, agenda_forms, dialogs, library, setup, summary
from circlekeeper.tui.screens import live as live_module
from circlekeeper.tui.screens.agenda import AgendaFlows, AgendaScreen
from circlekeeper.tui.screens.library import LibraryScreen
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.screens.setup import SetupScreen
from circlekeeper.tui.widgets import agenda as agenda_widget
from circlekeeper.tui.widgets import circle, qrcode, talk, timer

MODULES = (
    app_module,
    agenda,
    agenda_forms,
    dialogs,
    library,
    live_module,
    setup,
    summary,
    agenda_widget,
    circle,
    qrcode,
    talk,
    timer,
)


class Injected(RuntimeError):
    """The fault a test injects."""


def boom(*args: Any, **kwargs: Any) -> Any:
    raise Injected("injected fault")


@pytest.fixture
def error_log() -> Iterator[Path]:
    """The error log in the (test's own) state folder, as a real session keeps it."""
    path = errorlog.install()
    assert path is not None
    yield path
    errorlog.uninstall()


def our_nodes() -> list[type[DOMNode]]:
    """Every screen, widget and app class circlekeeper defines."""
    found: list[type[DOMNode]] = []
    for module in MODULES:
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and value.__module__ == module.__name__
                and issubclass(value, (Screen, Widget, App))
            ):
                found.append(value)
    return found


def test_every_screen_and_the_app_is_guarded_and_so_is_every_handler() -> None:
    nodes = our_nodes()
    assert LiveScreen in nodes and CircleKeeperApp in nodes and len(nodes) > 12
    for node in nodes:
        source = inspect.getsource(node)
        handlers = [
            name
            for name, value in vars(node).items()
            if name.startswith(HANDLER_PREFIXES) and inspect.isfunction(value)
        ]
        needs = (
            issubclass(node, (Screen, App))
            or bool(handlers)
            or any(call in source for call in ("set_timer(", "set_interval(", "call_later("))
        )
        if not needs:
            continue
        assert issubclass(node, Guarded), f"{node.__name__} is not guarded"
        for name in handlers:
            assert getattr(vars(node)[name], "_circlekeeper_guarded", False), (node, name)


def logged(path: Path) -> str:
    for handler in logging.getLogger("circlekeeper").handlers:
        handler.flush()
    return path.read_text(encoding="utf-8") if path.exists() else ""


async def held_up(app: CircleKeeperApp, pilot: Any, path: Path, label: str) -> None:
    """The fault was reported, not fatal: in `errors`, in the log with its traceback."""
    await until(pilot, lambda: any("injected fault" in e for e in app.errors), "the report")
    assert app.is_running
    assert any(label in e for e in app.errors), app.errors
    text = logged(path)
    assert "Traceback" in text and "Injected: injected fault" in text and label in text


Trigger = Callable[[CircleKeeperApp, Any, pytest.MonkeyPatch], Awaitable[str]]
"""Injects a fault and makes the app run into it; returns the label the report names."""


async def key_handler(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    patch.setattr(CircleKeeperApp, "key_rows", boom)
    await pilot.press("question_mark")  # the help screen asks the app for its key rows
    return "LiveScreen.action_help"


async def resize_handler(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    patch.setattr(LiveScreen, "_place_qr", boom)
    await pilot.resize_terminal(60, 20)
    return "LiveScreen.on_resize"


async def session_timer(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    patch.setattr(LiveScreen, "tick", boom)
    return "session-tick"


async def dialog_answer(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    patch.setattr(LiveScreen, "_do", boom)  # what the note dialog's answer calls
    await pilot.press("w")
    await until(pilot, lambda: showing(app, dialogs.NoteDialog), "the note dialog")
    await pilot.press(*"a note", "enter")
    return ": taken"  # the answer comes back through whoever pushed the dialog


async def agenda_timer(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    await pilot.press("e")
    await until(pilot, lambda: showing(app, AgendaScreen), "the agenda")
    patch.setattr(AgendaFlows, "ahead", boom)  # the agenda's once-a-second refresh runs into it
    return "agenda-refresh"


async def sound_worker(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    return "load-sound"  # the sink's loader was made to fail before the app started


@pytest.mark.parametrize(
    "trigger",
    [key_handler, resize_handler, session_timer, dialog_answer, agenda_timer, sound_worker],
    ids=lambda t: t.__name__,
)
async def test_a_fault_in_the_live_session_is_reported_and_the_session_goes_on(
    live_app: LiveApp, monkeypatch: pytest.MonkeyPatch, error_log: Path, trigger: Trigger
) -> None:
    app, clock, _ = live_app()
    if trigger is sound_worker:
        monkeypatch.setattr("circlekeeper.tui.soundload.practice_sink", boom)
        app = make_app(  # no sink given: the real one loads in a worker
            config=config(),
            clock=clock,
            wall=lambda: WALL,
            session_factory=session_factory,
            load_user_keymap=False,
        )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        if trigger is sound_worker:
            await pilot.press("space")  # start without waiting for sound
        with monkeypatch.context() as patch:
            label = await trigger(app, pilot, patch)
            clock.advance(1)
            await held_up(app, pilot, error_log, label)
        while not isinstance(app.screen, LiveScreen):
            await pilot.press("escape")
            await pilot.pause()
        # The fault is gone: the session answers keys and keeps its time.
        speaker = snap(app).speaker
        await pilot.press("space")
        await settle(pilot)
        assert snap(app).speaker != speaker
        before = snap(app).turn_remaining
        clock.advance(5)
        await until(pilot, lambda: snap(app).turn_remaining == before - 5, "the timers")
        banner = live(app).query_one("#error-banner")
        assert banner.display and "injected fault" in str(banner.render())


async def test_a_fault_in_the_library_worker_is_reported_and_the_library_answers(
    monkeypatch: pytest.MonkeyPatch, error_log: Path
) -> None:
    monkeypatch.setattr("circlekeeper.library.index.check_entry", boom)
    app, _ = library_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await held_up(app, pilot, error_log, "checking the library")
        monkeypatch.undo()
        await pilot.press("r")  # read and check again, now without the fault
        await settled(pilot)
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, SetupScreen), "the setup screen")


async def test_a_fault_in_a_setup_handler_is_reported_and_typing_goes_on(
    monkeypatch: pytest.MonkeyPatch, error_log: Path
) -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, SetupScreen), "the setup screen")
        with monkeypatch.context() as patch:
            patch.setattr(SetupScreen, "_set_names", boom)
            await pilot.press("A")
            await held_up(app, pilot, error_log, "SetupScreen.on_input_changed")
        await pilot.press(*"na, Ben")
        await pilot.pause()
        setup_screen = app.screen
        assert isinstance(setup_screen, SetupScreen)
        assert setup_screen.names == ["Ana", "Ben"]


def test_the_log_is_private_and_rotates_within_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(errorlog, "MAX_BYTES", 4_000)
    path = errorlog.install()
    try:
        assert path is not None and path.parent == state_dir()
        assert errorlog.install() == path  # once per process
        log = logging.getLogger("circlekeeper.tui.test")
        for n in range(200):
            log.error("fault number %d, with a line of detail to fill the log", n)
        logged(path)
        files = sorted(path.parent.iterdir())
        assert [f.name for f in files] == ["circlekeeper.log", "circlekeeper.log.1"]
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600
            assert file.stat().st_size <= 4_000 + 200
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert "fault number 199" in path.read_text(encoding="utf-8")
    finally:
        errorlog.uninstall()


def test_no_log_where_none_can_be_kept_and_nothing_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CIRCLEKEEPER_STATE_DIR", str(blocker / "state"))
    assert errorlog.install() is None
    assert errorlog.current() is None
    logging.getLogger("circlekeeper.tui.test").error("goes nowhere, harmlessly")
    assert not os.path.exists(blocker / "state")


# ----- a screen that fails while it is built -----


class BrokenScreen(Guarded, LocalModal[None]):
    """A dialog whose compose fails half way."""

    def compose(self) -> ComposeResult:
        yield Static("half a dialog")
        raise Injected("injected fault")


async def push_broken(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    app.push_screen(BrokenScreen(), app.answers.append)  # type: ignore[attr-defined]
    return "BrokenScreen.compose"


async def help_compose(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    patch.setattr(dialogs, "plain", boom)  # what the help's compose draws the keys with
    await pilot.press("question_mark")
    return "HelpScreen.compose"


async def agenda_compose(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    patch.setattr(agenda, "DataTable", boom)  # the agenda's table cannot be made
    await pilot.press("e")
    return "AgendaScreen.compose"


async def agenda_mount(app: CircleKeeperApp, pilot: Any, patch: pytest.MonkeyPatch) -> str:
    patch.setattr(AgendaFlows, "ahead", boom)  # the agenda's first fill, on mount
    await pilot.press("e")
    return "AgendaScreen.on_mount"


@pytest.mark.parametrize(
    "trigger",
    [push_broken, help_compose, agenda_compose, agenda_mount],
    ids=lambda t: t.__name__,
)
async def test_a_screen_that_fails_to_build_is_taken_off_and_the_session_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error_log: Path, trigger: Trigger
) -> None:
    clock = MockClock(7_000.0)
    sink = RecordingSink()
    app, journals = journaling_app(tmp_path, clock, sink)
    app.answers = []  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        session = live(app)
        clock.advance(20)
        await settle(pilot)
        calls = len(sink.calls)
        with monkeypatch.context() as patch:
            label = await trigger(app, pilot, patch)
            await held_up(app, pilot, error_log, label)
            # Taken off as if closed with no answer: the live screen is back.
            await until(pilot, lambda: app.screen is session, "the live screen back")
        if trigger is push_broken:
            assert app.answers == [None]  # type: ignore[attr-defined]
        assert app.is_running and not app.driver.session.ended  # type: ignore[union-attr]
        banner = session.query_one("#error-banner")
        assert banner.display and "injected fault" in str(banner.render())
        assert label in str(banner.render())
        # Nothing was stopped or silenced: the sink heard nothing from the failure.
        assert len(sink.calls) == calls, sink.calls[calls:]
        # The session goes on: its time, its keys, its bells, its journal.
        before = snap(app).turn_remaining
        clock.advance(75)  # Ana's two minutes: 30 s left from here, the warning bell
        await until(pilot, lambda: snap(app).turn_remaining == before - 75, "the timers")
        await until(pilot, lambda: any(k == "bell" for k, _ in sink.calls[calls:]), "the bell")
        speaker = snap(app).speaker
        await pilot.press("space")
        await settle(pilot)
        assert snap(app).speaker != speaker
    names = [event.name for event in read_journal(journals[0].path).events]
    assert names.count("turn_warning") == 1 and names.count("turn_started") >= 2


async def test_a_summary_that_fails_to_build_leaves_the_app_up_and_the_journal_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error_log: Path
) -> None:
    """The session ended; its summary cannot be drawn. Nothing of ours lies under it (the
    session was started straight away), so the summary stays, empty, and q still quits."""
    app, journals = journaling_app(tmp_path, MockClock(7_000.0))
    monkeypatch.setattr(summary, "airtime_bars", boom)  # half way through its compose
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        live(app).action_end_session()
        await held_up(app, pilot, error_log, "SummaryScreen.compose")
        assert isinstance(app.screen, summary.SummaryScreen)
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the app to quit")
    assert read_journal(journals[0].path).ended
