"""The shared view in the app: its link and QR code on screen, its failures as a banner."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from conftest import CHECK_IN, WALL, config, session_factory, showing
from test_screens import library_app, open_setup
from textual.widgets import Input, Static, Switch

from circlekeeper.engine import MockClock
from circlekeeper.share import bind
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.config import SessionConfig
from circlekeeper.tui.screens.dialogs import ShareDialog
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.widgets.qrcode import QRCode

NAMES = ("Ana", "Ben", "Cy")


def sharing_app(share: str | None = "", **kwargs: Any) -> CircleKeeperApp:
    """A session of the check-in with the shared view on (this computer, a free port)."""
    return make_app(
        config=replace(config(CHECK_IN, NAMES, silent=True), share=share),
        clock=MockClock(1_234.5),
        wall=lambda: WALL,
        sink=RecordingSink(),
        session_factory=session_factory,
        load_user_keymap=False,
        **kwargs,
    )


async def started(app: CircleKeeperApp, pilot: Any) -> LiveScreen:
    """The live screen once the shared view listens."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.live_screen
    assert isinstance(screen, LiveScreen)
    return screen


def line(screen: LiveScreen) -> str:
    share_line = screen.query_one("#share-line", Static)
    return str(share_line.render()) if share_line.display else ""


async def until(check: Any, what: str) -> None:
    """Poll with a generous deadline (a loaded 2-core machine)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + 20
    while not check():
        assert loop.time() < end, f"never happened: {what}"
        await asyncio.sleep(0.02)


async def test_the_link_is_on_the_live_screen_and_serves_the_session() -> None:
    app = sharing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(app, pilot)
        assert app.share is not None and app.share.failure is None
        url = app.share.url
        assert url.startswith("http://127.0.0.1:") and "?key=" in url
        assert url in line(screen)
        base = url.split("?")[0]
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "state?key=" + app.share.key) as got:
                state = await got.json()
            assert (state["step"], state["speaker"], state["next"]) == (
                "Check-in round",
                "Ana",
                "Ben",
            )
            async with http.get(url.replace("/?", "/events?")) as stream:
                await stream.content.readuntil(b'"speaker":"Ana"')
                await pilot.press("space")
                # The stream's next state: Ben speaks, Cy is next.
                await stream.content.readuntil(b"\n\ndata: ")
                data = await stream.content.readuntil(b"\n\n")
                assert b'"speaker":"Ben","next":"Cy"' in data
            async with http.get(base + "?key=wrong") as refused:
                assert refused.status == 403


async def test_the_port_is_freed_when_the_app_exits() -> None:
    app = sharing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        assert app.share is not None and app.share.sock is not None
        port = app.share.sock.getsockname()[1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # free again


async def test_a_port_in_use_is_a_banner_and_the_session_goes_on() -> None:
    taken = bind("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        app = sharing_app(share=f"127.0.0.1:{port}")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(app, pilot)
            assert app.share is None
            assert f"cannot share on 127.0.0.1:{port}: address in use" in line(screen)
            assert "The session goes on" in line(screen)
            assert screen.query_one("#share-line").has_class("degraded")
            await pilot.press("space")
            await pilot.pause()
            assert screen.driver.snapshot().speaker == "Ben"
    finally:
        taken.close()


async def test_a_failure_mid_session_is_a_banner_and_the_session_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = sharing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(app, pilot)

        def broken(*_: object, **__: object) -> None:
            raise RuntimeError("the projection broke")

        monkeypatch.setattr("circlekeeper.share.server.project", broken)
        await pilot.press("space")
        await pilot.pause()
        assert "Shared view stopped" in line(screen)
        assert "the projection broke" in line(screen)
        assert not app.errors  # the session itself had no trouble
        await pilot.press("space")
        await pilot.pause()
        assert screen.driver.snapshot().speaker == "Cy"


async def test_v_shows_the_qr_code_and_it_fits_80x24() -> None:
    app = sharing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(app, pilot)
        assert not screen.query_one("#share-qr").display  # no room beside the agenda
        await pilot.press("v")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ShareDialog)
        code = dialog.query_one("#share-code", QRCode)
        assert code.url == app.share.url  # type: ignore[union-attr]
        rows = str(code.render()).splitlines()
        # Every row of the code is on screen, and the link below it.
        assert code.region.height == len(rows) and code.region.bottom <= 24
        url = dialog.query_one("#share-url", Static)
        assert url.region.bottom <= 24 and url.region.height >= 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_a_large_screen_shows_the_code_beside_the_agenda() -> None:
    app = sharing_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(app, pilot)
        code = screen.query_one("#share-qr", QRCode)
        assert code.display and code.url == app.share.url  # type: ignore[union-attr]
        side = screen.query_one("#live-side")
        assert side.region.contains_region(code.region)
        timer = screen.query_one("#timer")
        assert not timer.region.overlaps(code.region)


async def test_v_without_sharing_says_how_to_share() -> None:
    app = sharing_app(share=None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(app, pilot)
        assert line(screen) == ""
        await pilot.press("v")
        await until(lambda: showing(app, LiveScreen), "the LiveScreen")
        assert isinstance(app.screen, LiveScreen)
        assert any("--share" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize(
    ("share", "lan", "expected"), [(False, False, None), (True, False, ""), (True, True, "0.0.0.0")]
)
async def test_the_setup_screen_switches_sharing_on(
    monkeypatch: pytest.MonkeyPatch, share: bool, lan: bool, expected: str | None
) -> None:
    configs: list[SessionConfig] = []
    monkeypatch.setattr(
        CircleKeeperApp, "start_session", lambda self, config, prepared=None: configs.append(config)
    )
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-names", Input).value = "Ana, Ben"
        setup.query_one("#setup-share-lan", Switch).value = lan
        await pilot.pause()
        setup.query_one("#setup-share", Switch).value = share
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert [c.share for c in configs] == [expected]


async def test_phones_on_the_network_means_sharing() -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-share-lan", Switch).value = True
        await pilot.pause()
        assert setup.query_one("#setup-share", Switch).value is True
        setup.query_one("#setup-share", Switch).value = False
        await pilot.pause()
        assert setup.query_one("#setup-share-lan", Switch).value is False


def test_without_sharing_neither_aiohttp_nor_segno_is_loaded() -> None:
    """The library and a session that does not share never pay for the web server."""
    import subprocess
    import sys

    code = """
import asyncio, sys
from circlekeeper.tui.app import make_app
from circlekeeper.tui.launch import load_config

config = load_config("check-in", ["Ana", "Ben"], silent=True, lang=None, device=None, seed=1)

async def main():
    app = make_app(config=config, load_user_keymap=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        app.exit()
    library = make_app(load_user_keymap=False)
    async with library.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        library.exit()

asyncio.run(main())
print(sorted(m for m in ("aiohttp", "segno") if m in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
