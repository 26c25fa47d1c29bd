"""A session cut short, offered by the library and resumed: the same step, speaker and time
left, the airtime so far, in a guardian pause until the circle is ready. Also the scribe's
note key, and `run --resume` before the app starts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CHECK_IN, NAMES, WALL, MockClock, session_factory, showing, until
from test_keys import live, settle, snap

from circlekeeper.engine import plan_circle
from circlekeeper.engine.events import CommandTaken
from circlekeeper.records.journal import list_journals, read_journal, unfinished_journals
from circlekeeper.script.loader import load_practice
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui import launch
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.config import SessionConfig
from circlekeeper.tui.screens.dialogs import NoteDialog, ResumeOfferDialog
from circlekeeper.tui.screens.library import LibraryScreen
from circlekeeper.tui.screens.live import LiveScreen


def write_practice(folder: Path) -> Path:
    """The check-in as a file: a session is resumed from its practice's path. (JSON is
    YAML 1.2, and indented it is a script a person can read.)"""
    path = folder / "check-in.yaml"
    path.write_text(json.dumps({"format": 1, **CHECK_IN}, indent=2), encoding="utf-8")
    return path


def journaling_app(clock: MockClock, path: Path | None = None) -> CircleKeeperApp:
    """The app as `circlekeeper` makes it, journals and all: straight into the check-in at
    `path`, or (without one) the library."""
    config = None
    if path is not None:
        practice = load_practice(path)
        plan = plan_circle(practice, NAMES, seed=1)
        config = SessionConfig(practice=practice, path=path, plan=plan, silent=True)
    return make_app(
        config=config,
        clock=clock,
        wall=lambda: WALL,
        sink=RecordingSink(),
        session_factory=session_factory,
        journal_factory=launch.default_journal,
        load_user_keymap=False,
    )


async def offered(pilot: Any) -> ResumeOfferDialog:
    """The library's offer of a session cut short, once it is up: the library looks for
    one in a thread after its first frame, then pushes the dialog, then the dialog mounts."""
    app = pilot.app
    await until(pilot, lambda: showing(app, ResumeOfferDialog), "the offer of the session")
    assert isinstance(app.screen, ResumeOfferDialog)
    return app.screen


async def resumed(pilot: Any) -> None:
    """The resumed session's live screen, once it is up."""
    await until(pilot, lambda: showing(pilot.app, LiveScreen), "the resumed session")


def library_looks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many sessions cut short were there to offer, each time a library offered (after
    its look, and after a discard): a test waits for a look before it says none is offered."""
    found: list[int] = []
    offer = LibraryScreen.offer_unfinished

    def counted(self: LibraryScreen, offers: list[Any]) -> None:
        found.append(len(offers))
        offer(self, offers)

    monkeypatch.setattr(LibraryScreen, "offer_unfinished", counted)
    return found


async def cut_short(path: Path) -> dict[str, Any]:
    """Run the check-in to Ben's turn, take a note, then die (the journal left as it is).
    Returns what the screen showed at the end."""
    clock = MockClock(3_000.0)
    app = journaling_app(clock, path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        clock.advance(50)
        await pilot.press("space")  # Ana is done after 50 s
        await settle(pilot)
        clock.advance(20)
        await pilot.press("w")
        await until(pilot, lambda: showing(app, NoteDialog), "the note dialog")
        await pilot.press(*"Ben asks for more time", "enter")
        await pilot.pause()
        clock.advance(0.3)
        await settle(pilot)
        clock.advance(0.4)
        live(app).driver.checkpoint()  # the checkpoint timer, as it fires every half second
        before = snap(app)
        driver = live(app).driver
        assert driver.journal is not None
        driver.journal.abandon()  # the process dies: the file is left as it is
        driver.journal = None
        shown = {
            "speaker": before.speaker,
            "step": before.step_title,
            "left": before.turn_remaining,
            "airtime": dict(before.airtime),
        }
    return shown


async def test_a_cut_short_session_is_offered_and_comes_back_where_it_stopped(
    tmp_path: Path,
) -> None:
    path = write_practice(tmp_path)
    before = await cut_short(path)
    assert before["speaker"] == "Ben" and before["left"] == pytest.approx(120 - 20.7)
    (contents,) = unfinished_journals()
    notes = [
        e for e in contents.events if isinstance(e, CommandTaken) and e.command["command"] == "note"
    ]
    assert [n.command["text"] for n in notes] == ["Ben asks for more time"]

    clock = MockClock(9_000.0)
    app = journaling_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        offer = await offered(pilot)
        text = str(offer.query_one("#offer-text").render())
        assert "Check-in, started" in text
        assert "In “Check-in round”, Ben speaking, 1:11 into the session" in text
        await pilot.press("r")
        await resumed(pilot)
        now = snap(app)
        assert (now.speaker, now.step_title) == ("Ben", before["step"])
        assert now.phase == "paused"
        assert abs(now.turn_remaining - before["left"]) < 1.0
        assert now.airtime == pytest.approx(before["airtime"], abs=1.0)
        banner = str(live(app).query_one("#pause-banner").render())
        assert "Resumed where it stopped. Press g when the circle is ready." in banner
        clock.advance(60)  # the circle takes its seats: nothing moves
        await settle(pilot)
        assert snap(app).turn_remaining == now.turn_remaining
        await pilot.press("g")
        await settle(pilot)
        clock.advance(10)
        await settle(pilot)
        assert snap(app).phase == "running"
        assert snap(app).turn_remaining == pytest.approx(now.turn_remaining - 10)
        assert "Resumed where" not in str(live(app).query_one("#pause-banner").render())
        live(app).action_end_session()
        await pilot.pause()
    after = read_journal(contents.path)
    assert after.resumes == 1 and after.status == "ended early"
    assert unfinished_journals() == []


async def test_a_discarded_session_is_kept_and_not_offered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_practice(tmp_path)
    await cut_short(path)
    looks = library_looks(monkeypatch)
    app = journaling_app(MockClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await offered(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ResumeOfferDialog)
    (kept,) = list_journals()
    assert read_journal(kept).status == "discarded"
    looked = len(looks)
    again = journaling_app(MockClock())
    async with again.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(looks) > looked, "the second library's look")
        assert looks[1:] == [0, 0]  # none after the discard, none in the second library
        await pilot.pause()
        assert not isinstance(again.screen, ResumeOfferDialog)


async def test_a_changed_script_is_said_and_a_missing_one_cannot_be_resumed(
    tmp_path: Path,
) -> None:
    path = write_practice(tmp_path)
    await cut_short(path)
    path.write_text(path.read_text().replace("2m", "3m"), encoding="utf-8")
    app = journaling_app(MockClock())
    async with app.run_test(size=(100, 30)) as pilot:
        offer = await offered(pilot)
        assert "check-in.yaml has changed since it began" in str(
            offer.query_one("#offer-problem").render()
        )
        await pilot.press("r")  # resume anyway
        await resumed(pilot)
        assert snap(app).turn_allowed == 180.0
        app.driver.journal.abandon()  # type: ignore[union-attr]
    path.unlink()
    gone = journaling_app(MockClock())
    async with gone.run_test(size=(100, 30)) as pilot:
        offer = await offered(pilot)
        assert "is gone" in str(offer.query_one("#offer-problem").render())
        assert not offer.query("#resume")
        await pilot.press("r")  # nothing to resume with
        await until(pilot, lambda: showing(gone, ResumeOfferDialog), "the ResumeOfferDialog")
        assert isinstance(gone.screen, ResumeOfferDialog)


def test_run_resume_hands_the_latest_to_the_app_or_says_why_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    path = write_practice(tmp_path)
    asyncio.run(cut_short(path))
    built: list[dict[str, Any]] = []

    class FakeApp:
        exit_message = None

        def run(self) -> int:
            return 0

        def release_journals(self) -> list[str]:
            return []

    def fake_make_app(**kwargs: Any) -> FakeApp:
        built.append(kwargs)
        return FakeApp()

    monkeypatch.setattr("circlekeeper.tui.app.make_app", fake_make_app)
    assert launch.resume_latest(ask=lambda q, c: None) == 0
    assert built[0]["resume"].path == unfinished_journals()[0].path
    assert built[0]["resume_changed_ok"] is False

    path.write_text(path.read_text().replace("2m", "3m"), encoding="utf-8")
    assert launch.resume_latest(ask=lambda q, c: None) == 2
    assert "changed since the session began" in capsys.readouterr().err
    assert launch.resume_latest(ask=lambda q, c: "r") == 0
    assert built[-1]["resume_changed_ok"] is True
    assert launch.resume_latest(ask=lambda q, c: "d") == 0
    assert unfinished_journals() == []
    assert launch.resume_latest(ask=lambda q, c: "r") == 2
    assert "there is no session to resume" in capsys.readouterr().err


async def test_a_note_is_journalled_on_session_time_and_escape_drops_it(tmp_path: Path) -> None:
    path = write_practice(tmp_path)
    clock = MockClock(4_000.0)
    app = journaling_app(clock, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        clock.advance(12.5)
        await pilot.press("w")
        await until(pilot, lambda: showing(app, NoteDialog), "the note dialog")
        clock.advance(30)  # the session goes on while the scribe types
        await pilot.press(*"we start at nine next time", "enter")
        await until(pilot, lambda: showing(app, LiveScreen), "back to the session")
        await pilot.press("w")
        await until(pilot, lambda: showing(app, NoteDialog), "the note dialog again")
        await pilot.press(*"never mind", "escape")
        await until(pilot, lambda: showing(app, LiveScreen), "the LiveScreen")
        assert isinstance(app.screen, LiveScreen)
        live(app).action_end_session()
        await pilot.pause()
    (journal,) = list_journals()
    notes = [
        (e.t, e.command["text"])
        for e in read_journal(journal).events
        if isinstance(e, CommandTaken) and e.command["command"] == "note"
    ]
    assert notes == [(42.5, "we start at nine next time")]
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert lines[0]["practice_sha256"] and lines[0]["plan"]["names"] == list(NAMES)


async def test_a_shared_session_comes_back_with_its_shared_view(tmp_path: Path) -> None:
    path = write_practice(tmp_path)
    practice = load_practice(path)
    plan = plan_circle(practice, NAMES, seed=1)
    shared = SessionConfig(practice=practice, path=path, plan=plan, silent=True, share="")
    app = make_app(
        config=shared,
        clock=MockClock(3_000.0),
        wall=lambda: WALL,
        sink=RecordingSink(),
        session_factory=session_factory,
        journal_factory=launch.default_journal,
        load_user_keymap=False,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.share is not None
        driver = live(app).driver
        assert driver.journal is not None
        driver.journal.abandon()  # the process dies
        driver.journal = None
    (contents,) = unfinished_journals()
    app = journaling_app(MockClock(9_000.0))
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.resume_session(contents) is None
        await settle(pilot)
        assert live(app).driver.config.share == ""
        assert app.share is not None  # served again (at a new link)
        live(app).action_end_session()
        await pilot.pause()
