"""Builders for the shared-view tests: a running engine session, and a reader of event streams."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import ClientResponse

from circlekeeper.engine import MockClock, Session, plan_circle
from circlekeeper.engine.state import Snapshot
from circlekeeper.script.model import Practice

START = 7_000.0
"""Session clock at the start (never 0: a machine time must not hide among session times)."""
SERVER_START = 3_333.25
"""The server's own clock at the start, deliberately unlike the session's."""
WALL = 1_780_000_000.0
NAMES = ("Ana", "Ben", "Cy", "Dee")

PRACTICE: dict[str, Any] = {
    "title": "Shared circle",
    "kind": "check-in",
    "steps": [
        {"kind": "read", "title": "Welcome", "text": "Welcome, everyone."},
        {
            "kind": "round",
            "title": "Check-in",
            "prompt": "How are you arriving?",
            "stems": ["Right now I feel..."],
            "turn": {"time": "1m", "end": "soft"},
            "laps": 2,
        },
        {"kind": "breakout", "title": "Pairs", "group_size": 2, "duration": "5m"},
    ],
}

TWO_LANGUAGES: dict[str, Any] = {
    "title": "Zweisprachig",
    "kind": "check-in",
    "language": "de",
    "steps": [
        {
            "kind": "round",
            "title": {"de": "Runde", "en": "Round"},
            "prompt": {"de": "Wie kommst du an?", "en": "How are you arriving?"},
            "stems": [{"de": "Ich fühle", "en": "I feel"}, "Danke"],
            "turn": {"time": "1m"},
        }
    ],
}


class Live:
    """A started engine session, its clock, and the server's clock moving with it."""

    def __init__(
        self,
        data: dict[str, Any] = PRACTICE,
        names: tuple[str, ...] = NAMES,
        language: str | None = None,
    ) -> None:
        self.practice = Practice.model_validate(data)
        self.session = Session(
            self.practice, plan_circle(self.practice, names, seed=1, language=language)
        )
        self.now = START
        self.server_clock = MockClock(SERVER_START)
        self.session.start(self.now)

    def snapshot(self) -> Snapshot:
        """The session now, with its wall-clock ends."""
        return self.session.snapshot(self.now, wall=WALL + self.now)

    def wait(self, seconds: float) -> Snapshot:
        """Let time pass on both clocks."""
        self.now += seconds
        self.server_clock.advance(seconds)
        self.session.advance(self.now)
        return self.snapshot()

    def do(self, command: str, *args: Any) -> Snapshot:
        """Run an engine command now."""
        getattr(self.session, command)(*args, self.now)
        return self.snapshot()


async def next_event(response: ClientResponse, timeout: float = 20.0) -> tuple[str, Any]:
    """The next server-sent event on a stream: (event name, data parsed as JSON)."""

    async def read() -> tuple[str, Any]:
        name, data = "message", list[str]()
        while True:
            raw = await response.content.readline()
            if not raw:
                raise EOFError("the stream ended")
            line = raw.decode("utf-8").rstrip("\n")
            if not line:
                if data:
                    return name, json.loads("\n".join(data))
                name = "message"  # a block without data (the `retry:` line)
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)

    return await asyncio.wait_for(read(), timeout)


async def state_event(response: ClientResponse) -> dict[str, Any]:
    """The next state on a stream, skipping pings."""
    while True:
        name, data = await next_event(response)
        if name == "message":
            assert isinstance(data, dict)
            return data


async def eventually(check: Any, what: str, deadline: float = 20.0) -> None:
    """Poll `check()` until true (generous deadline: a loaded 2-core machine)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not check():
        if loop.time() > end:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.01)
