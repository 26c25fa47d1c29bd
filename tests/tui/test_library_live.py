"""Every built-in practice run by the app as a facilitator would, held against its rehearsal.

The app runs under Pilot with a mock clock (never starting at 0) and a recording sink; the
facilitator's moves are those the rehearsal simulates, taken at the same session times. What
the session says (its events), what reaches the sink (bells at their due times, words,
stopping a step's reading) and what the screen shows (the step, its prompt, the speaker) must
be the rehearsal's.

Sizes: the smallest and the ideal circle of each practice, so that the whole library stays
within about two minutes here; `CIRCLEKEEPER_EVERY_SIZE=1` adds the largest (up to 200
people; the engine alone is rehearsed at every size of every range in
tests/engine/test_rehearse_library.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import WALL
from test_keys import live, settle
from textual.widgets import Static

from circlekeeper.engine import MockClock, Session, plan_circle
from circlekeeper.engine.commands import End, command_from_json
from circlekeeper.engine.rehearse import simulate
from circlekeeper.script.loader import load_practice
from circlekeeper.script.model import Practice
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import default_session, make_app
from circlekeeper.tui.config import SessionConfig
from circlekeeper.tui.screens.live import LiveScreen

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "practices"
LIBRARY = {path.stem: load_practice(path) for path in sorted(LIBRARY_DIR.glob("*.yaml"))}
SEED = 7
START = 7_000.0
EVERY_SIZE = os.environ.get("CIRCLEKEEPER_EVERY_SIZE") == "1"
"""Set to 1 to add each practice's largest circle (62 circles, about five minutes here); by
default each practice runs at its smallest and its ideal size (about two minutes)."""


def sizes(practice: Practice) -> list[int]:
    """The circle sizes a practice is run at."""
    size = practice.size
    largest = (size.max,) if EVERY_SIZE else ()
    return sorted({size.min, size.ideal or size.min, *largest})


CIRCLES = [(name, n) for name, practice in LIBRARY.items() for n in sizes(practice)]


def plain(value: Any) -> Any:
    """An event's JSON form with times rounded to the microsecond (clock sums differ in the
    last bits)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def expected_sound(timeline: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What the sink should be asked, in order, from the rehearsal alone: each bell, a cue's
    words after it, a step's words, the reading stopped when a step ends. (When each sounds
    is the sound tests' and the live suite's to hold: the router places cues on the real
    monotonic clock, not this test's.)"""
    calls: list[tuple[Any, ...]] = []
    for event in timeline:
        kind = event["event"]
        if kind == "step_ended":
            calls.append(("hush",))
        elif kind == "bell_due":
            calls.append(("bell", event["sound"], event["strikes"]))
            if event.get("say"):
                calls.append(("speak", event["say"]))
        elif kind == "prompt_due":
            calls.append(("speak", event["text"]))
    return calls


def heard(sink: RecordingSink) -> list[tuple[Any, ...]]:
    """What the sink was asked, in the same shape (`due` holds a time for each bell and
    each text, in call order)."""
    calls: list[tuple[Any, ...]] = []
    dues = iter(sink.due)
    for kind, args in sink.calls:
        if kind == "hush":
            calls.append(("hush",))
        elif kind == "bell":
            assert next(dues) is not None, "a timed bell is given its time"
            calls.append(("bell", args[0], args[1]))
        elif kind == "speak":
            next(dues)
            calls.append(("speak", args[0]))
    return calls


async def tick(pilot: Any, screen: LiveScreen) -> None:
    """Let the app catch up with the clock, as its own timer would (until the session ends
    and the summary takes the screen's place)."""
    await pilot.pause()
    if not screen.driver.session.ended:
        screen.tick()
    await pilot.pause()


@pytest.mark.parametrize(("name", "size"), CIRCLES, ids=[f"{n}-{s}" for n, s in CIRCLES])
async def test_the_app_runs_the_practice_as_rehearsed(name: str, size: int) -> None:
    practice = LIBRARY[name]
    circle = [f"P{i:02d}" for i in range(1, size + 1)]
    plan = plan_circle(practice, circle, seed=SEED)
    timeline = [plain(e.to_json()) for e in simulate(Session(practice, plan))]
    clock = MockClock(START)
    sink = RecordingSink()
    config = SessionConfig(practice=practice, path=None, plan=plan, silent=False)
    app = make_app(
        config=config,
        clock=clock,
        wall=lambda: WALL + clock.now() - START,
        sink=sink,
        session_factory=default_session,
        load_user_keymap=False,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = live(app)
        driver = screen.driver
        assert driver.session.started, "the session starts at once: sound is ready"
        title = prompt = speaker = None
        times = sorted({e["t"] for e in timeline})
        for t in times:
            clock.set(START + t)
            await tick(pilot, screen)
            for event in (e for e in timeline if e["t"] == t):
                if event["event"] == "command_taken" and event["command"]["command"] != "start":
                    screen.handle(driver.do(command_from_json(event["command"])))
                elif event["event"] == "session_ended" and not driver.session.ended:
                    screen.handle(driver.do(End()))
                elif event["event"] == "step_started":
                    title, prompt, speaker = event["title"], event["text"], None
                elif event["event"] == "lap_started":
                    prompt = event["prompt"]
                elif event["event"] == "turn_started":
                    speaker = event["speaker"]
                elif event["event"] == "turn_ended":
                    speaker = None
            await tick(pilot, screen)
            if driver.session.ended:
                break
            shown = " ".join(str(screen.query_one("#step-title").render()).split())
            assert title is None or " ".join(title.split()) in shown, (t, title, shown)
            words = " ".join(" ".join(str(w.render()) for w in screen.query(Static)).split())
            assert prompt is None or " ".join(prompt.split()) in words, (t, prompt, words)
            if speaker is not None:
                line = str(screen.query_one("#speaker-line").render())
                assert speaker in line, (t, speaker, line)
        said = [plain(json.loads(json.dumps(e.to_json()))) for e in driver.events]
        assert said == json.loads(json.dumps(timeline))
        assert heard(sink) == expected_sound(timeline)
