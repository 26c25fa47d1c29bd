"""Sound status on screen, the sound loader thread, the journal, groups and focus people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import (
    CHECK_IN,
    NAMES,
    WALL,
    LiveApp,
    MockClock,
    config,
    session_factory,
    showing,
    until,
)
from test_keys import live, settle, snap

from circlekeeper.engine.events import BellDue
from circlekeeper.records.journal import Journal, read_journal
from circlekeeper.sound.api import RecordingSink, SoundStatus
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.config import SessionConfig
from circlekeeper.tui.screens.dialogs import PickDialog


class StatusSink(RecordingSink):
    """A recording sink that reports a chosen status."""

    def __init__(self, status: SoundStatus) -> None:
        super().__init__()
        self._status = status

    def status(self) -> SoundStatus:
        return self._status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (SoundStatus(ok=False, detail="the output device vanished"), "Sound unavailable"),
        (SoundStatus(ok=True, detail="default", prepared=3, to_prepare=9), "Preparing speech 3/9"),
    ],
)
async def test_the_sound_banner_shows_the_sinks_state(status: SoundStatus, expected: str) -> None:
    sink = StatusSink(status)
    setup = config()
    app = make_app(
        config=setup,
        clock=MockClock(),
        wall=lambda: WALL,
        sink=sink,
        session_factory=session_factory,
        load_user_keymap=False,
    )
    async with app.run_test() as pilot:
        await settle(pilot)
        banner = live(app).query_one("#sound-banner")
        assert banner.display
        assert expected in str(banner.render())


LoaderCalls = list[dict[str, Any]]


@pytest.fixture
def sink_loader(monkeypatch: pytest.MonkeyPatch) -> tuple[LoaderCalls, RecordingSink]:
    """Stands in for the real sink loader: what it was asked for, and the sink it hands out."""
    loaded = RecordingSink()
    asked: LoaderCalls = []

    def fake_make_sink(**kwargs: Any) -> RecordingSink:
        asked.append(kwargs)
        return loaded

    monkeypatch.setattr("circlekeeper.sound.player.make_sink", fake_make_sink)
    return asked, loaded


def app_loading_sound(config: SessionConfig) -> Any:
    """An app given no sink, so it loads the real one in a thread after the first frame."""
    return make_app(
        config=config,
        clock=MockClock(),
        wall=lambda: WALL,
        session_factory=session_factory,
        load_user_keymap=False,
    )


async def test_the_real_sink_loads_in_a_thread_and_prepares_speech(
    sink_loader: tuple[LoaderCalls, RecordingSink],
) -> None:
    asked, loaded = sink_loader
    app = app_loading_sound(config(device="USB"))
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert live(app).driver.sink is loaded
        assert asked[0]["device"] == "USB"
        prepared = [text for kind, texts in loaded.calls if kind == "prepare" for text in texts]
        assert prepared[0] == ("How are you arriving?", "en"), "the opening words come first"
        await pilot.press("b")
        await pilot.pause()
        assert "bell" in loaded.kinds()


async def test_the_sink_gets_the_practices_own_sounds_from_its_folder(
    sink_loader: tuple[LoaderCalls, RecordingSink], tmp_path: Path
) -> None:
    asked, _ = sink_loader
    data = {**CHECK_IN, "sounds": {"temple": {"file": "temple.wav", "volume": 0.5}}}
    script = tmp_path / "own-bell.yaml"
    app = app_loading_sound(config(data, path=script, language="en"))
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await settle(pilot)
    assert set(asked[0]["sounds"]) == {"temple"}
    assert asked[0]["sounds"]["temple"].file == "temple.wav"
    assert asked[0]["sounds_dir"] == tmp_path


def journaling_app(
    folder: Path, clock: MockClock, sink: RecordingSink | None = None
) -> tuple[CircleKeeperApp, list[Journal]]:
    """A check-in app whose journals are written to `folder` (and listed as they open),
    playing into `sink` (a new recording sink unless given)."""
    journals: list[Journal] = []

    def journal(config: SessionConfig) -> Journal:
        made = Journal.create(config.practice.title, None, config.circle, directory=folder)
        journals.append(made)
        return made

    app = make_app(
        config=config(),
        clock=clock,
        wall=lambda: WALL,
        sink=sink or RecordingSink(),
        session_factory=session_factory,
        journal_factory=journal,
        load_user_keymap=False,
    )
    return app, journals


async def test_the_journal_gets_every_event_and_a_closing_summary(tmp_path: Path) -> None:
    clock = MockClock()
    app, journals = journaling_app(tmp_path, clock)
    async with app.run_test() as pilot:
        await settle(pilot)
        clock.advance(12)
        await pilot.press("space")
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    contents = read_journal(journals[0].path)
    names = [event.name for event in contents.events]
    assert names[:2] == ["command_taken", "session_started"]
    assert "passed" in names
    assert names[-1] == "session_ended"
    assert contents.ended


async def test_a_bell_rung_by_hand_is_journaled_on_session_time(tmp_path: Path) -> None:
    clock = MockClock(5_000.0)  # far from 0: a machine time would stand out
    app, journals = journaling_app(tmp_path, clock)
    async with app.run_test() as pilot:
        await settle(pilot)
        clock.advance(30)
        await pilot.press("space")
        await settle(pilot)
        clock.advance(40)
        await pilot.press("b")
        await settle(pilot)
        clock.advance(50)
        await pilot.press("space")
        await settle(pilot)
    events = read_journal(journals[0].path).events
    manual = [i for i, e in enumerate(events) if isinstance(e, BellDue) and e.reason == "manual"]
    assert len(manual) == 1
    i = manual[0]
    assert events[i].t == 70.0
    assert events[i - 1].t <= events[i].t <= events[i + 1].t == 120.0


GROUPS = {
    "title": "Pairs and cases",
    "kind": "other",
    "steps": [
        {
            "kind": "breakout",
            "title": "Pairs",
            "group_size": 2,
            "duration": "5m",
            "prompt": "Share a challenge.",
        },
        {
            "kind": "for-each",
            "title": "Case clinic",
            "steps": [{"kind": "discussion", "title": "Coaching", "duration": "3m"}],
        },
    ],
}


async def test_breakout_groups_and_the_focus_person_are_shown(live_app: LiveApp) -> None:
    app, _, _ = live_app(GROUPS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        groups = str(live(app).query_one("#groups").render())
        assert "Group 1:" in groups and "Group 2:" in groups
        assert "time left in this step" in str(live(app).query_one("#timer-caption").render())
        assert "step ends" in str(live(app).query_one("#timer-caption").render())
        await pilot.press("space")
        await settle(pilot)
        assert snap(app).focus == NAMES[0]
        assert f"focus: {NAMES[0]}" in str(live(app).query_one("#step-title").render())


async def test_the_popcorn_picker(live_app: LiveApp) -> None:
    from conftest import POPCORN

    app, _, _ = live_app(POPCORN)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("k")
        await until(pilot, lambda: showing(app, PickDialog), "the PickDialog")
        assert isinstance(app.screen, PickDialog)
        await pilot.press("down", "down", "enter")  # the third person
        await pilot.pause()
        await settle(pilot)
        assert snap(app).speaker == NAMES[2]


async def test_a_refused_pick_says_why_and_the_picker_greys_out_who_spoke(
    live_app: LiveApp,
) -> None:
    from conftest import POPCORN

    app, _, _ = live_app(POPCORN)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert snap(app).speaker == NAMES[1]
        await pilot.press("space")  # Ben is done; somebody else next
        await settle(pilot)
        await pilot.press("2")  # Ben again, in the same lap
        await settle(pilot)
        assert snap(app).speaker != NAMES[1]
        # The engine's reason, shown as it is.
        messages = [n.message for n in app._notifications]
        assert "Ben has already spoken in this lap" in messages
        await pilot.press("k")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PickDialog)
        listing = dialog.query_one("#pick-list")
        ben = listing.get_option(NAMES[1])  # type: ignore[attr-defined]
        assert ben.disabled
