"""Ninety minutes of a live session on an accelerated clock, headless: the whole app (screen,
driver, sound router) runs a session of sits and a round of hard turns to its end. Every cue
the engine plans sounds once, at its time; nothing the session keeps grows with its length.
"""

from __future__ import annotations

import asyncio
from typing import Any

from conftest import WALL, MockClock, config, session_factory, showing, until
from test_keys import live

from circlekeeper.engine.events import BellDue, PromptDue
from circlekeeper.engine.rehearse import simulate
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import make_app
from circlekeeper.tui.driver import Driver
from circlekeeper.tui.screens.summary import SummaryScreen

NINETY = {
    "title": "Ninety minutes",
    "kind": "sit",
    "steps": [
        {
            "kind": "sit",
            "title": "Arriving",
            "duration": "30m",
            "bells": {
                "start": "bowl x3",
                "interval": {"every": "5m", "sound": "chime", "say": "Breathe."},
                "end": "bowl",
            },
        },
        {
            "kind": "round",
            "title": "Sharing",
            "prompts": ["What is alive in you?", "What do you take with you?"],
            "turn": {"time": "5m", "warning": "30s", "end": "hard"},
        },
        {
            "kind": "sit",
            "title": "Closing",
            "duration": "20m",
            "bells": {
                "at": [{"at": "10m", "sound": "bowl", "say": "Ten minutes left."}],
                "end": "bowl x2",
            },
        },
    ],
}
STEP_S = 2.5
"""The accelerated clock's step: every cue of this practice falls on one, and it is shorter
than the router's stall threshold, so no cue is ever overdue."""


class TimedSink(RecordingSink):
    """Records, with each bell and each spoken text, the session time it was asked at."""

    heard: list[tuple[float, str, str]]

    def __init__(self) -> None:
        super().__init__()
        self.heard = []
        self.app: Any = None

    def bell(
        self, sound: str, strikes: int = 1, volume: float = 1.0, at: float | None = None
    ) -> None:
        super().bell(sound, strikes, volume, at)
        self.heard.append((self._now(), "bell", f"{sound} x{strikes}"))

    def speak(self, text: str, language: str = "en", at: float | None = None) -> None:
        super().speak(text, language, at)
        self.heard.append((self._now(), "speak", text))

    def _now(self) -> float:
        driver: Driver = self.app.driver
        return round(driver.session_now(), 3)


def planned() -> list[tuple[float, str, str]]:
    """What the engine plans, the session run in simulated time with no one at the keys."""
    out: list[tuple[float, str, str]] = []
    for event in simulate(session_factory(config(NINETY)), only_actions=True):
        if isinstance(event, BellDue):
            out.append((round(event.t, 3), "bell", f"{event.sound} x{event.strikes}"))
            if event.say:
                out.append((round(event.t, 3), "speak", event.say))
        elif isinstance(event, PromptDue):
            out.append((round(event.t, 3), "speak", event.text))
    return out


def footprint(app: Any) -> tuple[int, int, int, int]:
    """What would grow if something accumulated: widgets, tasks, toasts, screens."""
    return (
        len(list(app.screen.walk_children())),
        len(asyncio.all_tasks()),
        len(app._notifications),
        len(app.screen_stack),
    )


async def test_ninety_minutes_every_cue_once_at_its_time_and_nothing_accumulates() -> None:
    clock = MockClock()
    sink = TimedSink()
    app = make_app(
        config=config(NINETY),
        clock=clock,
        wall=lambda: WALL,
        sink=sink,
        session_factory=session_factory,
        load_user_keymap=False,
    )
    sink.app = app
    expected = planned()
    assert expected[-1][0] == 90 * 60  # the closing bowls
    async with app.run_test(size=(100, 30)) as pilot:
        while not live(app).driver.session.started:
            await pilot.pause(0.01)
        screen = live(app)
        seen: list[tuple[int, int, int, int]] = []
        steps = 0
        while not screen.driver.session.ended:
            clock.advance(STEP_S)
            screen.tick()
            steps += 1
            if steps % 24 == 0:  # a minute of session time: let the screen draw it
                await pilot.pause()
                seen.append(footprint(app))
            assert steps <= 90 * 60 / STEP_S + 10, "the session did not end"
        await until(pilot, lambda: showing(app, SummaryScreen), "the SummaryScreen")
        assert isinstance(app.screen, SummaryScreen)
        assert not app.errors
    assert sink.heard == expected
    router = screen.driver.sound
    assert router.dropped == 0 and not router._held
    # Minute after minute, the same widgets and screens; no toast and no task piles up.
    middle = seen[5:-5]
    assert len(middle) > 60
    widgets, tasks, toasts, stack = zip(*middle, strict=True)
    assert len(set(widgets)) == 1 and len(set(stack)) == 1 and max(toasts) == 0
    # Tasks come and go with the timers; a leak would climb minute after minute.
    assert max(tasks) - min(tasks) <= 6
    assert max(tasks[-10:]) <= max(tasks[:10]) + 3
