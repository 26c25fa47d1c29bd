"""A hundred viewers on loopback while the real app runs a round that moves on by itself.

Bounded: a round of five 2-second turns, viewers in their own process with a 90 s limit.
Correctness only (speed and CPU are in `make bench`): every viewer gets every change, once,
in order; the engine keeps its schedule; nobody is dropped; the session has no trouble.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from pathlib import Path

import pytest

from circlekeeper.engine import plan_circle
from circlekeeper.engine.events import SessionEnded, TurnStarted
from circlekeeper.script.model import Practice
from circlekeeper.tui.app import make_app
from circlekeeper.tui.config import SessionConfig

from .sharing import eventually

VIEWERS = 100
LIMIT = 90.0
VIEWER_SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "share_viewers.py"
NAMES = ("Ana", "Ben", "Cy", "Dee", "Eli")
QUICK_ROUND = {
    "title": "Quick round",
    "kind": "other",
    "steps": [
        {"kind": "read", "title": "Welcome", "text": "Welcome."},
        {"kind": "round", "title": "One word", "turn": {"time": "2s", "end": "hard"}},
    ],
}


@pytest.mark.e2e
async def test_a_hundred_viewers_get_every_change_and_the_session_keeps_time() -> None:
    practice = Practice.model_validate(QUICK_ROUND)
    config = SessionConfig(
        practice=practice,
        path=None,
        plan=plan_circle(practice, NAMES, seed=1),
        silent=True,
        share="",
    )
    app = make_app(config=config, load_user_keymap=False)  # the real monotonic clock
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        server = app.share
        assert server is not None and server.failure is None
        viewers = await asyncio.create_subprocess_exec(
            sys.executable,
            str(VIEWER_SCRIPT),
            server.url,
            str(VIEWERS),
            str(LIMIT),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await eventually(lambda: server.viewers == VIEWERS, "every viewer connected", LIMIT)
            before = server.published
            await pilot.press("space")  # the round begins; from here the clock moves it on
            out, err = await asyncio.wait_for(viewers.communicate(), LIMIT + 30)
        finally:
            if viewers.returncode is None:
                viewers.kill()
        assert viewers.returncode == 0, err.decode()[-2000:]
        driver = app.driver
        assert driver is not None
        changes = server.published - before
        dropped, errors = server.dropped, list(app.errors)
        failure = server.failure
        events = list(driver.events)

    results = json.loads(out)["viewers"]
    assert len(results) == VIEWERS
    turns = [e for e in events if isinstance(e, TurnStarted)]
    spoke = [e.speaker for e in turns]
    assert sorted(spoke) == sorted(NAMES)
    for result in results:
        assert result["error"] is None, result["error"]
        states = result["states"]
        # The state at connection, then every change, each exactly once.
        assert len(states) == 1 + changes
        speakers = [s["speaker"] for s in states]
        assert [s for i, s in enumerate(speakers) if s and s != speakers[i - 1]] == spoke
        assert states[-1]["phase"] == "ended"
    # One message per change, not per tick: a start, five turns and the end, give or take
    # the moments a timer reaches zero.
    assert changes <= 3 * len(NAMES) + 3
    # The engine kept its schedule: each hard-ended turn took exactly its two seconds.
    starts = [e.t for e in turns]
    assert [b - a for a, b in itertools.pairwise(starts)] == pytest.approx(
        [2.0] * (len(NAMES) - 1), abs=1e-9
    )
    (end,) = [e for e in events if isinstance(e, SessionEnded)]
    assert end.t == pytest.approx(starts[-1] + 2.0, abs=1e-9)
    assert dropped == 0 and errors == [] and failure is None
