"""Many viewers of a shared view, in a process of their own.

Usage: `python bench/share_viewers.py URL N SECONDS`.

Each viewer opens the event stream and records every state it gets, until it sees the session
end or SECONDS pass. Prints one JSON object: for each viewer, its states reduced to what the
load test and the benchmark need (speaker, phase, and how long after it was sent it arrived:
the server stamps `sent` with the same system-wide monotonic clock this process reads).
Loopback only: the URL must name 127.0.0.1 or localhost.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp


async def viewer(session: aiohttp.ClientSession, url: str, until: float) -> dict[str, Any]:
    """One viewer: its states, or what went wrong."""
    states: list[dict[str, Any]] = []
    error = None
    try:
        async with session.get(url) as response:
            if response.status != 200:
                return {"states": [], "error": f"HTTP {response.status}"}
            data: list[str] = []
            while time.monotonic() < until:
                left = until - time.monotonic()
                raw = await asyncio.wait_for(response.content.readline(), max(left, 0.01))
                if not raw:
                    error = "the stream ended"
                    break
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("data:"):
                    data.append(line[len("data:") :].lstrip())
                elif not line and data:
                    arrived = time.monotonic()
                    try:
                        state = json.loads("".join(data))
                    except ValueError:  # a ping's data is a plain number
                        state = None
                    data = []
                    if isinstance(state, dict):
                        states.append(
                            {
                                "speaker": state.get("speaker"),
                                "phase": state.get("phase"),
                                "bells": state.get("bells"),
                                "latency": arrived - float(state.get("sent", arrived)),
                            }
                        )
                        if state.get("phase") == "ended":
                            break
                elif not line:
                    data = []
    except (TimeoutError, aiohttp.ClientError, ConnectionError) as problem:
        error = f"{type(problem).__name__}: {problem}"
    return {"states": states, "error": error}


def events_url(url: str) -> str:
    """The event stream of a page's link (`/?key=...` → `/events?key=...`)."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("share_viewers: loopback addresses only")
    return urlunsplit((parts.scheme, parts.netloc, "/events", parts.query, ""))


async def main(url: str, count: int, seconds: float) -> dict[str, Any]:
    """Run `count` viewers for at most `seconds`."""
    until = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        results = await asyncio.gather(
            *(viewer(session, events_url(url), until) for _ in range(count))
        )
    return {"viewers": results}


if __name__ == "__main__":
    link, n, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(asyncio.run(main(link, n, limit))))
