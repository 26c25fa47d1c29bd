"""A sound call that hangs for good, under a live session: the real player on a fake PortAudio
whose `stop()` never returns. The session answers every key while the sound thread is still
stuck, the timers keep time, and sound comes back on a new stream."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import WALL, MockClock, config, session_factory, until
from test_keys import live, snap

from circlekeeper.sound import player
from circlekeeper.sound.player import AudioSink
from circlekeeper.tui.app import make_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sound"))
from fake_sounddevice import FakeSD


def more_events(app: Any, count: int) -> Callable[[], bool]:
    """Whether the session has said more than `count` events."""
    return lambda: len(live(app).driver.events) > count


@pytest.fixture
def hanging_sd(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSD]:
    """A PortAudio whose stream `stop()` blocks until the test ends."""
    monkeypatch.setitem(player.WATCHDOG, "stop", 0.3)
    monkeypatch.setattr(player, "IDLE_S", 0.2)  # the player stops the stream soon: it hangs
    sd = FakeSD()
    sd.stop_blocks = True
    yield sd
    sd.release.set()


async def test_a_hung_sound_device_never_holds_up_a_key_or_the_clock(
    hanging_sd: FakeSD,
) -> None:
    sink = AudioSink(None, importer=lambda: hanging_sd, speech=False)
    assert sink.wait_ready(10)
    clock = MockClock()
    app = make_app(
        config=config(),
        clock=clock,
        wall=lambda: WALL,
        sink=sink,
        session_factory=session_factory,
        load_user_keymap=False,
    )
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: live(app).driver.session.started, "the session")
            await pilot.press("b")  # a bell: the stream runs, then idles, and stop() hangs
            await until(pilot, lambda: sink.rescues >= 1, "the hung thread left behind")
            assert not hanging_sd.release.is_set()  # the stop() is still hung
            # New streams behave (a sound server back); one more may have hung meanwhile.
            hanging_sd.stop_blocks = False
            for _ in range(3):
                turns = len(live(app).driver.events)
                await pilot.press("space")
                await until(pilot, more_events(app, turns), "the next turn")
            await until(pilot, lambda: sink.status().ok, "sound back on a new stream")
            await pilot.press("b")  # heard on the new stream
            await until(pilot, lambda: len(hanging_sd.streams) >= 2, "a new stream")
            before = snap(app).turn_remaining
            clock.advance(7)
            await until(pilot, lambda: snap(app).turn_remaining == before - 7, "the countdown")
            banner = str(live(app).query_one("#sound-banner").render())
            assert "not responding" not in banner
            assert not hanging_sd.release.is_set()
            assert app.is_running and not app.errors
    finally:
        hanging_sd.release.set()
        sink.close()
        sink.wait_closed(5)
