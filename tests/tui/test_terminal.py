"""The terminal driver's input thread: keys and a lone escape still arrive, and it leaves
when the app stops reading keys, although it never wakes on a timer while nothing is typed."""

from __future__ import annotations

import asyncio
import os
import pty
import selectors
import signal
import threading
import time
import tty
from collections.abc import Callable, Iterator

import pytest
from textual import events
from textual.app import App
from textual.message import Message

from circlekeeper.tui.app import CircleKeeperApp
from circlekeeper.tui.terminal import QuietLinuxDriver


def poll(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll until `check()` holds; whether it did before the (generous) deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


@pytest.fixture
def reading(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[QuietLinuxDriver, int, list[Message], threading.Thread]]:
    """A driver whose input thread reads a pseudo terminal; what it dispatched."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}
    master, slave = pty.openpty()
    tty.setraw(slave)  # as the driver sets the real terminal: every key readable at once
    loop = asyncio.new_event_loop()  # a driver is made on the app's loop

    async def make() -> QuietLinuxDriver:
        return QuietLinuxDriver(App())

    driver = loop.run_until_complete(make())
    driver.fileno = slave
    got: list[Message] = []
    monkeypatch.setattr(driver, "process_message", got.append)
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    try:
        yield driver, master, got, thread
    finally:
        driver.exit_event.set()
        thread.join(timeout=10)
        driver.close()
        for fd in (master, slave):
            os.close(fd)
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        loop.close()


def keys(got: list[Message]) -> list[str]:
    """The keys dispatched so far."""
    return [m.key for m in list(got) if isinstance(m, events.Key)]


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """The timeout of every wait of the input thread, in order."""
    seen: list[float | None] = []
    select = selectors.SelectSelector.select

    def recorded(
        self: selectors.SelectSelector, timeout: float | None = None
    ) -> list[tuple[selectors.SelectorKey, int]]:
        seen.append(timeout)
        return select(self, timeout)

    monkeypatch.setattr(selectors.SelectSelector, "select", recorded)
    return seen


def test_keys_and_a_lone_escape_arrive(
    waits: list[float | None],
    reading: tuple[QuietLinuxDriver, int, list[Message], threading.Thread],
) -> None:
    _, master, got, _ = reading
    os.write(master, b"q")
    assert poll(lambda: keys(got) == ["q"]), keys(got)
    assert waits and set(waits) == {None}, "no timeout while nothing is half read"
    # A lone escape is a key only once the parser's escape delay has passed: the thread
    # wakes for that timeout, with nothing more typed.
    os.write(master, b"\x1b")
    assert poll(lambda: keys(got) == ["q", "escape"]), keys(got)
    assert any(w is not None and 0 < w <= 1.0 for w in waits), waits


def test_the_thread_leaves_when_input_stops(
    reading: tuple[QuietLinuxDriver, int, list[Message], threading.Thread],
) -> None:
    driver, master, got, thread = reading
    os.write(master, b"x")
    assert poll(lambda: keys(got) == ["x"]), keys(got)
    # Asleep on the terminal with no timeout: only the wake-up pipe can end the wait.
    driver.exit_event.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    # Input can start again: a suspended app (ctrl+z) closes the driver, and once it is
    # back clears the event and starts a new thread on the same driver.
    driver.close()
    driver.exit_event.clear()
    again = threading.Thread(target=driver.run_input_thread, daemon=True)
    again.start()
    os.write(master, b"y")
    assert poll(lambda: keys(got) == ["x", "y"]), keys(got)
    driver.exit_event.set()
    again.join(timeout=10)
    assert not again.is_alive()


def test_the_app_runs_on_the_quiet_driver_on_linux() -> None:
    from textual.drivers.linux_driver import LinuxDriver

    if App().get_driver_class() is not LinuxDriver:
        pytest.skip("not Textual's Linux driver here")
    assert CircleKeeperApp(load_user_keymap=False).get_driver_class() is QuietLinuxDriver
