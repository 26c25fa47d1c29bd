"""The shared view's server through aiohttp's test client: keys, routes, the event stream."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import replace
from importlib import resources
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from circlekeeper.share.server import ShareServer, page

from .sharing import NAMES, SERVER_START, Live, eventually, next_event, state_event

Client = Callable[..., Awaitable[TestClient[Any, Any]]]
KEY = "k3y-Only-For-These-Tests_0123456"


@pytest.fixture
def live() -> Live:
    return Live()


@pytest.fixture
def server(live: Live) -> ShareServer:
    made = ShareServer(key=KEY, language="en", clock=live.server_clock.now)
    made.publish(live.snapshot())
    return made


async def test_every_route_needs_the_key(aiohttp_client: Client, server: ShareServer) -> None:
    client = await aiohttp_client(server.web_app())
    for path in ("/", "/state", "/events", "/nothing-here"):
        for query in ("", "?key=", "?key=wrong", f"?key={KEY.upper()}", f"?key={KEY}x"):
            response = await client.get(path + query)
            assert response.status == 403, (path, query)
            assert "key" in await response.text()
    assert (await client.get(f"/?key={KEY}")).status == 200
    assert (await client.get(f"/nothing-here?key={KEY}")).status == 404


async def test_only_get_and_head(aiohttp_client: Client, server: ShareServer) -> None:
    client = await aiohttp_client(server.web_app())
    before = await (await client.get(f"/state?key={KEY}")).json()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in ("/", "/state", "/events"):
            response = await client.request(method, f"{path}?key={KEY}", data=b"speaker=Cy")
            assert response.status == 405, (method, path)
    after = await (await client.get(f"/state?key={KEY}")).json()
    assert {k: v for k, v in after.items() if k != "sent"} == {
        k: v for k, v in before.items() if k != "sent"
    }
    for path in ("/", "/state", "/events"):
        response = await client.head(f"{path}?key={KEY}")
        assert response.status == 200
        assert await response.read() == b""
    assert server.viewers == 0  # a HEAD of the stream opens none


async def test_the_state_as_json(aiohttp_client: Client, live: Live, server: ShareServer) -> None:
    live.do("next")
    live.wait(10.0)
    server.publish(live.snapshot())
    live.wait(5.0)  # asked for a little later: `sent` tells the page how much later
    client = await aiohttp_client(server.web_app())
    response = await client.get(f"/state?key={KEY}")
    assert response.status == 200
    assert response.content_type == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    state = await response.json()
    for field in ("step", "prompt", "speaker", "next", "remaining", "paused", "circle"):
        assert field in state
    assert (state["speaker"], state["next"], state["remaining"]) == ("Ana", "Ben", 50.0)
    assert state["at"] == SERVER_START + 10.0
    assert state["sent"] == SERVER_START + 15.0


async def test_before_the_first_snapshot_the_page_is_told_to_wait(
    aiohttp_client: Client,
) -> None:
    client = await aiohttp_client(ShareServer(key=KEY).web_app())
    assert (await (await client.get(f"/state?key={KEY}")).json())["phase"] == "waiting"


async def test_the_page_is_self_contained(aiohttp_client: Client, server: ShareServer) -> None:
    client = await aiohttp_client(server.web_app())
    response = await client.get(f"/?key={KEY}")
    html = await response.text()
    assert response.content_type == "text/html"
    assert response.headers["Referrer-Policy"] == "no-referrer"  # the key never leaks on
    # Nothing from another host: no src or href but a data: URL, no @import, no url(http...).
    assert re.findall(r"""(?:src|href)\s*=\s*["'](?!data:)""", html) == []
    assert "@import" not in html and "url(" not in html
    # The policy allows exactly the inline script and style, by hash, and nothing else.
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    for tag in ("script", "style"):
        (body,) = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert html.encode() == page()[0]


async def test_a_stream_gets_the_state_at_once_then_one_per_change(
    aiohttp_client: Client, live: Live, server: ShareServer
) -> None:
    client = await aiohttp_client(server.web_app())
    stream = await client.get(f"/events?key={KEY}")
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    first = await state_event(stream)
    assert first["step"] == "Welcome" and first["speaker"] is None
    sent = server.published
    live.do("next")
    server.publish(live.snapshot())
    change = await state_event(stream)
    assert (change["speaker"], change["next"]) == ("Ana", "Ben")
    for _ in range(30):  # thirty ticks of a running turn: nothing new to say
        server.publish(live.wait(1.0))
    assert server.published == sent + 1
    live.do("next")
    server.publish(live.snapshot())
    # The next thing on the stream is the new speaker: no tick came in between.
    then = await state_event(stream)
    assert then["speaker"] == "Ben"
    assert then["remaining"] == 60.0
    assert then["at"] == SERVER_START + 30.0
    stream.close()


async def test_a_bell_reaches_the_stream(
    aiohttp_client: Client, live: Live, server: ShareServer
) -> None:
    client = await aiohttp_client(server.web_app())
    stream = await client.get(f"/events?key={KEY}")
    assert (await state_event(stream))["bells"] == 0
    server.bell()  # a bell rung by hand: no snapshot follows, it goes out on its own
    assert (await state_event(stream))["bells"] == 1
    server.bell()
    server.publish(live.do("next"))  # a bell and a change at once: one message
    both = await state_event(stream)
    assert (both["bells"], both["speaker"]) == (2, "Ana")
    server.publish(live.do("next"))
    assert (await state_event(stream))["speaker"] == "Ben"  # nothing came in between
    stream.close()


async def test_pings_keep_a_quiet_stream_alive(aiohttp_client: Client, live: Live) -> None:
    server = ShareServer(key=KEY, clock=live.server_clock.now, heartbeat=0.05)
    server.publish(live.snapshot())
    client = await aiohttp_client(server.web_app())
    stream = await client.get(f"/events?key={KEY}")
    await state_event(stream)
    name, sent = await next_event(stream)
    assert (name, sent) == ("ping", SERVER_START)
    stream.close()


async def test_a_viewer_that_leaves_is_let_go(aiohttp_client: Client, server: ShareServer) -> None:
    client = await aiohttp_client(server.web_app())
    streams = [await client.get(f"/events?key={KEY}") for _ in range(3)]
    for stream in streams:
        await state_event(stream)
    assert server.viewers == 3
    streams[0].close()
    await eventually(lambda: server.viewers == 2, "the closed stream was let go")
    for stream in streams[1:]:
        stream.close()
    await eventually(lambda: server.viewers == 0, "every stream was let go")


def stalled_viewer(port: int | None) -> socket.socket:
    """A viewer that asks for the stream and never reads a byte (a phone gone to sleep)."""
    assert port is not None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET /events?key={KEY} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    return sock


def bulky(live: Live) -> Any:
    """A snapshot of a circle of 200 long names: tens of kilobytes a message."""
    names = tuple(
        f"{name}-{i:03d}-of-a-rather-large-congregation" for i in range(50) for name in NAMES
    )
    return replace(live.snapshot(), circle=names, queue=names, spoken=names)


async def test_a_stalled_viewer_is_dropped_and_the_others_get_everything(
    aiohttp_client: Client, live: Live
) -> None:
    server = ShareServer(key=KEY, clock=live.server_clock.now, queue_size=4)
    base = bulky(live)
    server.publish(base)
    client = await aiohttp_client(server.web_app())
    healthy = await client.get(f"/events?key={KEY}")
    await state_event(healthy)
    stalled = stalled_viewer(client.port)
    try:
        await eventually(lambda: server.viewers == 2, "the stalled viewer connected")
        got: list[str | None] = []

        async def read_all(count: int) -> None:
            for _ in range(count):
                got.append((await state_event(healthy))["speaker"])

        sent = 0
        reader = asyncio.create_task(read_all(2000))
        while server.dropped == 0 and sent < 2000:  # bounded: about 60 MB at most
            sent += 1
            server.publish(replace(base, speaker=f"speaker {sent}"))
            # A healthy phone keeps up with the circle's pace of changes.
            await eventually(lambda n=sent: len(got) == n, f"the healthy viewer got change {sent}")
        assert server.dropped == 1, f"still not dropped after {sent} messages"
        assert server.viewers == 1
        reader.cancel()
        # The healthy viewer saw every change, in order.
        assert got == [f"speaker {i}" for i in range(1, sent + 1)]
    finally:
        stalled.close()
        healthy.close()


async def test_a_viewer_whose_writes_hang_is_dropped(aiohttp_client: Client, live: Live) -> None:
    server = ShareServer(key=KEY, clock=live.server_clock.now, queue_size=10_000, write_timeout=0.2)
    base = bulky(live)
    server.publish(base)
    client = await aiohttp_client(server.web_app())
    stalled = stalled_viewer(client.port)
    try:
        await eventually(lambda: server.viewers == 1, "the stalled viewer connected")
        for i in range(2000):
            if server.dropped:
                break
            server.publish(replace(base, speaker=f"speaker {i}"))
            await asyncio.sleep(0)
        await eventually(lambda: server.dropped == 1, "the hung write timed out")
        assert server.viewers == 0
    finally:
        stalled.close()


async def test_too_many_viewers_are_asked_to_come_back(aiohttp_client: Client, live: Live) -> None:
    server = ShareServer(key=KEY, clock=live.server_clock.now, max_viewers=2)
    server.publish(live.snapshot())
    client = await aiohttp_client(server.web_app())
    streams = [await client.get(f"/events?key={KEY}") for _ in range(2)]
    third = await client.get(f"/events?key={KEY}")
    assert third.status == 503
    assert third.headers["Retry-After"] == "60"
    for stream in streams:
        stream.close()


async def test_a_failure_is_reported_and_never_raised(live: Live) -> None:
    failures: list[str] = []
    server = ShareServer(key=KEY, clock=live.server_clock.now, on_failure=failures.append)
    assert server.publish(object()) is False  # type: ignore[arg-type]
    assert server.failure is not None and "AttributeError" in server.failure
    assert failures == [server.failure]
    server.publish(object())  # type: ignore[arg-type]
    assert len(failures) == 1  # the same trouble is reported once
    assert server.publish(live.snapshot()) is True  # and the next good snapshot goes out


async def test_closing_sends_the_end_then_ends_every_stream(live: Live) -> None:
    from circlekeeper.share.address import bind

    server = ShareServer(bind("127.0.0.1", 0), key=KEY, clock=live.server_clock.now)
    server.publish(live.snapshot())
    await server.start()
    assert server.failure is None
    host, port = server.sock.getsockname()[:2]  # type: ignore[union-attr]
    assert server.url == f"http://127.0.0.1:{port}/?key={KEY}"
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /events?key={KEY} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await reader.readuntil(b'"step":"Welcome"')
    server.publish(live.do("end"))
    await server.close()
    # What was queued went out before the server hung up (EOF): the viewers see the end.
    rest = await asyncio.wait_for(reader.read(), 20)
    assert rest.count(b"data:") == 1 and b'"phase":"ended"' in rest
    writer.close()
    with pytest.raises(OSError):
        await asyncio.open_connection(host, port)


def test_every_word_of_the_page_is_in_the_catalogue() -> None:
    from circlekeeper.share.words import WORDS

    html = resources.files("circlekeeper.share").joinpath("page.html").read_text("utf-8")
    used = set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', html))
    used |= set(re.findall(r'data-t[ap]?="([^"]*)"', html))
    used |= set(re.findall(r'setConn\("[a-z]+", "([^"]*)"\)', html))
    assert used, "the page looks its words up with t() and data-t"
    assert used <= set(WORDS), sorted(used - set(WORDS))
    # And no word is kept for nothing: each is in the page, where t() finds it.
    assert [w for w in WORDS if f'"{w}"' not in html] == []


async def test_the_page_carries_its_words_in_every_language(
    aiohttp_client: Client, server: ShareServer
) -> None:
    client = await aiohttp_client(server.web_app())
    html = await (await client.get(f"/?key={KEY}")).text()
    (data,) = re.findall(r'<script type="application/json" id="words">(.*?)</script>', html)
    words = json.loads(data)
    assert set(words) == {"de", "es", "fr", "pt-BR"}
    assert words["de"]["The circle"] == "Der Kreis"
    assert words["pt-BR"]["Lap {lap} of {laps}"] == "Volta {lap} de {laps}"
    state = await (await client.get(f"/state?key={KEY}")).json()
    assert state["interface"] == "en"


async def test_the_server_says_no_in_the_interface_language(
    aiohttp_client: Client, server: ShareServer
) -> None:
    from circlekeeper import i18n

    i18n.set_language("fr")
    client = await aiohttp_client(server.web_app())
    response = await client.get("/?key=wrong")
    assert response.status == 403
    assert "lien complet" in await response.text()
