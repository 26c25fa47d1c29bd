"""The terminal driver's input thread: keys and a lone escape still arrive, and it leaves
when the app stops reading keys, although it never wakes on a timer while nothing is typed."""

from __future__ import annotations

import asyncio
import contextlib
import io
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
from textual.drivers._writer_thread import WriterThread
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


@contextlib.contextmanager
def on_its_own_loop() -> Iterator[tuple[QuietLinuxDriver, asyncio.AbstractEventLoop]]:
    """A driver made on a loop of its own (as on the app's); the stop and continue signal
    handlers it installs are put back as they were afterwards."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}
    loop = asyncio.new_event_loop()

    async def make() -> QuietLinuxDriver:
        return QuietLinuxDriver(App())

    try:
        yield loop.run_until_complete(make()), loop
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        loop.close()


@pytest.fixture
def reading(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[QuietLinuxDriver, int, list[Message], threading.Thread]]:
    """A driver whose input thread reads a pseudo terminal; what it dispatched."""
    master, slave = pty.openpty()
    tty.setraw(slave)  # as the driver sets the real terminal: every key readable at once
    with on_its_own_loop() as (driver, _loop):
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


@pytest.fixture
def signalled(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[QuietLinuxDriver, asyncio.AbstractEventLoop, list[str]]]:
    """A driver on its own loop whose suspend, resume and stops are only recorded."""
    with on_its_own_loop() as (driver, loop):
        calls: list[str] = []
        monkeypatch.setattr(driver, "suspend_application_mode", lambda: calls.append("suspend"))
        monkeypatch.setattr(driver, "resume_application_mode", lambda: calls.append("resume"))
        monkeypatch.setattr(os, "kill", lambda _pid, sig: calls.append(signal.Signals(sig).name))
        yield driver, loop, calls


def test_a_stop_signal_gives_the_terminal_back_on_the_loop_not_inside_the_handler(
    signalled: tuple[QuietLinuxDriver, asyncio.AbstractEventLoop, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Python signal handler runs between any two bytecodes of the main thread. When it
    interrupted a frame's write, Textual's handler waited for the output queue's lock that
    write held, and the app hung for good (about one `kill -TSTP` in thirty right after the
    first frame, on a loaded machine). Here the handler returns at once; the loop does the
    work once nothing is half done."""
    driver, loop, calls = signalled
    writer = WriterThread(io.StringIO())  # never started: a write only takes its lock
    driver._writer_thread = writer

    def suspend() -> None:
        driver.write("\x1b[?1049l")  # as Textual's does first: needs the queue's lock
        calls.append("suspend")

    monkeypatch.setattr(driver, "suspend_application_mode", suspend)

    def two_stops() -> None:  # the second comes before the loop ran: still one stop
        driver._sigtstp_application(signal.SIGTSTP, None)
        driver._sigtstp_application(signal.SIGTSTP, None)

    handler = threading.Thread(target=two_stops, daemon=True)
    with writer._queue.mutex:  # the main thread half way through writing a frame
        handler.start()
        handler.join(timeout=5)
        returned = not handler.is_alive()
    handler.join()  # if it was stuck on the lock, it goes on now (os.kill still recorded)
    assert returned, "the handler waited for the lock a frame's write holds"
    assert calls == [], "nothing done inside the handler"

    loop.run_until_complete(asyncio.sleep(0))
    assert calls == ["suspend", "SIGSTOP"]
    assert writer._queue.qsize() == 1, "the terminal given back once"

    driver._sigcont_application(signal.SIGCONT, None)  # `fg`
    assert calls == ["suspend", "SIGSTOP"], "nothing done inside the handler"
    loop.run_until_complete(asyncio.sleep(0))
    assert calls == ["suspend", "SIGSTOP", "resume"]

    driver._sigcont_application(signal.SIGCONT, None)  # a stray one: already back
    loop.run_until_complete(asyncio.sleep(0))
    assert calls == ["suspend", "SIGSTOP", "resume"]


def test_a_stop_signal_inside_apps_own_suspend_stops_at_once(
    signalled: tuple[QuietLinuxDriver, asyncio.AbstractEventLoop, list[str]],
) -> None:
    """Inside `App.suspend()` the terminal is the shell's already: stop straight away, as
    Textual does, and take nothing back on SIGCONT (the `with` block does that)."""
    driver, loop, calls = signalled
    with driver.no_automatic_restart():
        driver._sigtstp_application(signal.SIGTSTP, None)
        assert calls == ["SIGSTOP"]
        driver._sigcont_application(signal.SIGCONT, None)
        loop.run_until_complete(asyncio.sleep(0))
    assert calls == ["SIGSTOP"]
