"""The shared view's web server: aiohttp, in the app's own event loop, read-only, behind a key.

Routes (GET and HEAD only, each needs `?key=`):
- `/`: the page (HTML, CSS and JS inline; a content security policy forbids anything else).
- `/state`: the latest snapshot as JSON.
- `/events`: server-sent events; the latest snapshot at once, then one per change, and a
  `ping` event now and then so a page can tell a live stream from a lost one.

The app pushes snapshots (`publish`) and bells (`bell`); nothing comes back. Each viewer has
a small queue: a viewer too slow to keep up is dropped (its browser reconnects and starts
afresh), so a stalled phone costs the session nothing. No failure here is raised to the
caller: it is logged and handed to `on_failure`, and the session goes on.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from circlekeeper import i18n
from circlekeeper.i18n import N_, _
from circlekeeper.share.address import share_url, url_host
from circlekeeper.share.projection import Translations, changed, project

if TYPE_CHECKING:
    from circlekeeper.engine.state import Snapshot

log = logging.getLogger(__name__)

QUEUE_SIZE = 16
"""Messages a viewer may fall behind by before it is dropped."""
HEARTBEAT = 15.0
"""Seconds between pings; the page calls the session lost after several missed ones."""
WRITE_TIMEOUT = 10.0
"""Seconds one write to a viewer may take before the viewer is dropped."""
MAX_VIEWERS = 500
"""More would risk the process's file descriptors; the rest are told to come back later."""
SHUTDOWN_TIMEOUT = 1.0
RETRY_MS = 2000
"""How soon a browser reconnects after losing the stream."""
KEY_BYTES = 16
"""128 random bits: the link is the only credential, and it goes into a QR code."""

SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",
}
COMMON_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
FORBIDDEN = N_("403: this shared view opens only with its full link (the key is missing or wrong).")


@lru_cache(maxsize=1)
def page() -> tuple[bytes, str]:
    """The page and its content security policy: only its own inline script and style
    (pinned by hash) run, and it may connect only to where it came from."""
    from circlekeeper.share.words import words_json

    html = resources.files("circlekeeper.share").joinpath("page.html").read_text("utf-8")
    # Data, not code: the policy's hashes are of the page's one script, which reads it.
    html = html.replace(
        '<script type="application/json" id="words">{}</script>',
        f'<script type="application/json" id="words">{words_json()}</script>',
    )

    def hashes(tag: str) -> str:
        found = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)
        return " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() + "'"
            for t in found
        )

    policy = (
        "default-src 'none'; "
        f"script-src {hashes('script')}; style-src {hashes('style')}; "
        "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    return html.encode("utf-8"), policy


@dataclass(eq=False)
class Viewer:
    """One open event stream: its queue of messages to send, and its connection."""

    queue: asyncio.Queue[bytes | None]
    transport: asyncio.Transport | None
    sent: int = field(default=0)


class ShareServer:
    """Serves one session's shared view; `publish` and `bell` feed it."""

    def __init__(
        self,
        sock: socket.socket | None = None,
        *,
        key: str | None = None,
        language: str = "",
        interface: str | None = None,
        translations: Translations | None = None,
        clock: Callable[[], float] = time.monotonic,
        queue_size: int = QUEUE_SIZE,
        heartbeat: float = HEARTBEAT,
        write_timeout: float = WRITE_TIMEOUT,
        max_viewers: int = MAX_VIEWERS,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        self.sock = sock
        self.key = key or secrets.token_urlsafe(KEY_BYTES)
        self._key = self.key.encode("utf-8")
        self.language = language
        self.interface = interface or i18n.interface()
        """The session's interface language: the page's, unless its viewer picks another."""
        self.translations = translations or {}
        self.clock = clock
        self.queue_size = queue_size
        self.heartbeat = heartbeat
        self.write_timeout = write_timeout
        self.max_viewers = max_viewers
        self.on_failure = on_failure
        self.failure: str | None = None
        """What went wrong, once something did (the session shows it)."""
        self.dropped = 0
        """Viewers dropped for falling behind or stalling."""
        self.published = 0
        """Snapshots sent to the viewers (changes only)."""
        self._viewers: set[Viewer] = set()
        self._state: dict[str, Any] | None = None
        self._snap: Snapshot | None = None
        self._snap_at = 0.0
        self._bells = 0
        self._bell_pending = False
        self._closing = False
        self._ended = False
        self._runner: web.AppRunner | None = None
        self._app: web.Application | None = None

    # -- what the app calls -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """The link to open, with its key."""
        if self.sock is None:
            raise RuntimeError("this server was made without a socket")
        port = int(self.sock.getsockname()[1])
        return share_url(url_host(self.sock), port, self.key)

    @property
    def viewers(self) -> int:
        """Event streams open now."""
        return len(self._viewers)

    @property
    def state(self) -> dict[str, Any] | None:
        """The latest state sent to viewers."""
        return self._state

    def publish(self, snap: Snapshot) -> bool:
        """Take the session's latest snapshot; send it on if anything a viewer sees changed.

        Never raises. True when it was sent.
        """
        try:
            self._snap, self._snap_at = snap, self.clock()
            self._bell_pending = False
            return self._send(snap, self._snap_at)
        except Exception as error:
            self._fail("sending the session to viewers", error)
            return False

    def bell(self) -> None:
        """A bell rang: every page flashes. Sent with the next snapshot, or on its own if
        none follows at once (a bell rung by hand)."""
        self._bells += 1
        self._bell_pending = True
        try:
            asyncio.get_running_loop().call_soon(self._flush_bell)
        except RuntimeError:  # no loop (a synchronous caller): send it now
            self._flush_bell()

    def _flush_bell(self) -> None:
        if not self._bell_pending or self._snap is None:
            return
        self._bell_pending = False
        try:
            self._send(self._snap, self._snap_at)
        except Exception as error:
            self._fail("sending a bell to viewers", error)

    def _send(self, snap: Snapshot, at: float) -> bool:
        state = project(
            snap,
            at=at,
            bells=self._bells,
            language=self.language,
            translations=self.translations,
        )
        state["interface"] = self.interface
        if not changed(self._state, state):
            return False
        self._state = state
        self.published += 1
        self._broadcast(_message(state, self.clock()))
        return True

    async def start(self) -> None:
        """Listen on the socket given; ShareError-free: a failure goes to `on_failure`."""
        if self.sock is None:
            raise RuntimeError("this server was made without a socket")
        try:
            runner = web.AppRunner(
                self.web_app(),
                access_log=None,
                handle_signals=False,
                shutdown_timeout=SHUTDOWN_TIMEOUT,
                handler_cancellation=True,
            )
            await runner.setup()
            self._runner = runner
            await web.SockSite(runner, self.sock).start()
        except Exception as error:
            self._fail("starting the shared view", error)

    async def close(self) -> None:
        """End every stream and stop listening; quick, and never raises."""
        self._closing = True
        self._end_streams()
        runner, self._runner = self._runner, None
        if runner is not None:
            try:
                await asyncio.wait_for(runner.cleanup(), SHUTDOWN_TIMEOUT * 3)
            except Exception as error:  # closing must not be the session's last problem
                log.warning("closing the shared view: %s", error)
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()

    def _fail(self, what: str, error: BaseException) -> None:
        message = f"{what}: {type(error).__name__}: {error}"
        log.error("shared view: %s", message, exc_info=error)
        if message == self.failure:
            return
        self.failure = message
        if self.on_failure is not None:
            try:
                self.on_failure(message)
            except Exception:
                log.exception("reporting a shared-view failure failed")

    # -- the web application ----------------------------------------------------------------

    def web_app(self) -> web.Application:
        """The aiohttp application (the tests serve it with their own test server)."""
        if self._app is None:
            app = web.Application(middlewares=[self._guard])
            app.router.add_get("/", self._page)
            app.router.add_get("/state", self._state_json)
            app.router.add_get("/events", self._events)
            app.on_response_prepare.append(_headers)
            app.cleanup_ctx.append(self._heartbeats)
            app.on_shutdown.append(self._on_shutdown)
            self._app = app
        return self._app

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        """Every route needs the key; compared in constant time."""
        given = request.query.get("key", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._key):
            return web.Response(status=403, text=_(FORBIDDEN).rstrip("\n") + "\n")
        response: web.StreamResponse = await handler(request)
        return response

    async def _page(self, request: web.Request) -> web.Response:
        body, policy = page()
        return web.Response(
            body=body,
            content_type="text/html",
            charset="utf-8",
            headers={"Content-Security-Policy": policy},
        )

    async def _state_json(self, request: web.Request) -> web.Response:
        return web.Response(text=_json(self._state, self.clock()), content_type="application/json")

    async def _events(self, request: web.Request) -> web.StreamResponse:
        if request.method == "HEAD":
            return web.Response(headers=SSE_HEADERS)
        if self._closing:
            raise web.HTTPServiceUnavailable(text=_("The session is closing.") + "\n")
        if len(self._viewers) >= self.max_viewers:
            raise web.HTTPServiceUnavailable(
                text=_("Too many viewers at once; try again in a minute.") + "\n",
                headers={"Retry-After": "60"},
            )
        response = web.StreamResponse(headers=SSE_HEADERS)
        await response.prepare(request)
        transport = request.transport
        viewer = Viewer(
            asyncio.Queue(self.queue_size),
            transport if isinstance(transport, asyncio.Transport) else None,
        )
        self._viewers.add(viewer)
        try:
            first = f"retry: {RETRY_MS}\n\n".encode() + _message(self._state, self.clock())
            await self._write(viewer, response, first)
            while True:
                message = await viewer.queue.get()
                if message is None:
                    break
                await self._write(viewer, response, message)
        except (ConnectionError, TimeoutError):
            pass  # gone or stalled: dropped below
        finally:
            self._viewers.discard(viewer)
        return response

    async def _write(self, viewer: Viewer, response: web.StreamResponse, data: bytes) -> None:
        try:
            await asyncio.wait_for(response.write(data), self.write_timeout)
        except TimeoutError:
            self._drop(viewer)
            raise
        viewer.sent += 1

    def _broadcast(self, message: bytes) -> None:
        for viewer in list(self._viewers):
            try:
                viewer.queue.put_nowait(message)
            except asyncio.QueueFull:
                self._drop(viewer)

    def _drop(self, viewer: Viewer) -> None:
        """Let go of a viewer that cannot keep up: its browser reconnects and starts afresh."""
        if viewer not in self._viewers:
            return
        self._viewers.discard(viewer)
        self.dropped += 1
        _end(viewer)
        if viewer.transport is not None:
            viewer.transport.abort()  # frees what is buffered for it at once

    def _end_streams(self) -> None:
        """Each stream ends after what is queued for it (the session's end, say)."""
        if self._ended:
            return
        self._ended = True
        for viewer in list(self._viewers):
            try:
                viewer.queue.put_nowait(None)
            except asyncio.QueueFull:
                self._drop(viewer)

    async def _on_shutdown(self, app: web.Application) -> None:
        self._closing = True
        self._end_streams()

    async def _heartbeats(self, app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(self._beat(), name="share-heartbeat")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                self._broadcast(f"event: ping\ndata: {self.clock():.3f}\n\n".encode())
            except Exception as error:
                self._fail("pinging viewers", error)


def _end(viewer: Viewer) -> None:
    """Empty a dropped viewer's queue and leave the end mark in it."""
    with contextlib.suppress(asyncio.QueueEmpty):
        while True:
            viewer.queue.get_nowait()
    viewer.queue.put_nowait(None)


def _json(state: dict[str, Any] | None, sent: float) -> str:
    """A state as JSON, stamped with when it is sent (on the same clock as its `at`)."""
    body: dict[str, Any] = dict(state) if state is not None else {"phase": "waiting"}
    body["sent"] = sent
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _message(state: dict[str, Any] | None, sent: float) -> bytes:
    """One server-sent event carrying a state (JSON has no raw newlines: one data line)."""
    return f"data: {_json(state, sent)}\n\n".encode()


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in COMMON_HEADERS.items():
        response.headers.setdefault(name, value)
