"""The terminal driver: Textual's own, with an input thread that sleeps until a key comes.

Textual's input thread wakes every 0.1 s to see whether the app is leaving and whether a
lone escape has waited long enough to count as the escape key: ten wake-ups a second, about
0.1% of a core through a whole sit, which is a fifth of what the running circle may cost.
This one waits on the terminal and on a pipe that wakes it when the app stops reading keys,
and only while an escape sequence is half read does it wake on the parser's own timeout.

Suspend and resume (SIGTSTP, then SIGCONT on `fg`) do Textual's work, but on the event loop
instead of inside the signal handler: see `QuietLinuxDriver._sigtstp_application`.
Everything else (keys, mouse, resize) is Textual's.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import threading
from codecs import getincrementaldecoder
from typing import TYPE_CHECKING, Any

from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from textual.app import App


class _WakingEvent(threading.Event):
    """An event that also writes to a pipe when set, so a thread in `select` sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.wake_fd: int | None = None
        """The write end of the running input thread's pipe (None between threads)."""
        self.wake_lock = threading.Lock()
        """Held while writing to the pipe, and by the thread while it lets go of the pipe."""

    def set(self) -> None:
        """Set the event and wake the input thread."""
        super().set()
        with self.wake_lock:
            if self.wake_fd is not None:
                with contextlib.suppress(OSError):
                    os.write(self.wake_fd, b"\0")


class QuietLinuxDriver(LinuxDriver):
    """Textual's Linux driver whose input thread wakes only for input, a pending escape's
    timeout, or the app leaving, and whose suspend never runs inside a signal handler."""

    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.exit_event: _WakingEvent = _WakingEvent()
        self._stop_pending = False
        """A SIGTSTP is waiting for the event loop (a second one before it is one stop)."""
        self._stopped_by_signal = False
        """The terminal was given back for a SIGTSTP: the next SIGCONT takes it again."""

    def _sigtstp_application(self, *_: object) -> None:
        """SIGTSTP (ctrl+z, or `kill -TSTP`): give the terminal back and stop, on the loop.

        Textual gives the terminal back inside the signal handler, and a Python handler
        runs between any two bytecodes of the main thread. When that thread was itself
        writing a frame, holding the output queue's lock, the handler waited for the same
        lock: the app hung for good with the circle's screen frozen (Textual issue 6298,
        about one stop in thirty right after the first frame). Here the handler only asks
        the event loop to do it, where nothing is half done.
        """
        if not self._auto_restart:
            # Inside `App.suspend()`: the terminal is the shell's already; stop as Textual does.
            os.kill(os.getpid(), signal.SIGSTOP)
            return
        if self._stop_pending:
            return
        self._stop_pending = True
        try:
            self._loop.call_soon_threadsafe(self._suspend_and_stop)
        except RuntimeError:  # the loop is closed: the app has gone, nothing to give back
            self._stop_pending = False
            os.kill(os.getpid(), signal.SIGSTOP)

    def _suspend_and_stop(self) -> None:
        """On the loop: put the terminal back as it was before the app, then stop."""
        self._stop_pending = False
        if self._auto_restart and not self._stopped_by_signal:
            self.suspend_application_mode()
            self._must_signal_resume = True  # the app repaints once it is back
            self._stopped_by_signal = True
        os.kill(os.getpid(), signal.SIGSTOP)

    def _sigcont_application(self, *_: object) -> None:
        """SIGCONT (`fg`): take the terminal again, on the loop, if a SIGTSTP gave it back."""
        if not self._auto_restart:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: nothing to take back
            self._loop.call_soon_threadsafe(self._resume_after_stop)

    def _resume_after_stop(self) -> None:
        """On the loop: application mode again (a stray SIGCONT changes nothing)."""
        if self._stopped_by_signal and self._auto_restart:
            self._stopped_by_signal = False
            self.resume_application_mode()

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (as Textual does, without a polling timeout).

        Each run has its own wake-up pipe: Textual closes the driver when the app is
        suspended (ctrl+z) and starts a new input thread on the same driver when it is back.
        """
        wake, wake_w = os.pipe()
        os.set_blocking(wake, False)
        os.set_blocking(wake_w, False)
        self.exit_event.wake_fd = wake_w
        try:
            self._read_input(wake)
        finally:
            with self.exit_event.wake_lock:
                self.exit_event.wake_fd = None
            for fd in (wake, wake_w):
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _read_input(self, wake: int) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(wake, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def feed_ready(events: list[tuple[selectors.SelectorKey, int]], final: bool) -> None:
            for key, _mask in events:
                if key.fd == wake:
                    with contextlib.suppress(OSError):
                        os.read(wake, 512)
                    continue
                data = decode(os.read(fileno, 1024 * 4), final=final)
                if data:
                    for event in parser.feed(data):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                due = parser._timeout_time
                # Asleep until input, unless an escape sequence waits for its timeout.
                timeout = None if due is None else max(0.0, due - get_time())
                feed_ready(selector.select(timeout), final=False)
            # As Textual does: a last look for a timed-out escape, reading no more keys.
            selector.unregister(wake)
            selector.unregister(self.fileno)
            feed_ready(selector.select(0.1), final=True)
        finally:
            selector.close()
            with contextlib.suppress(Exception):
                for _ in parser.feed(""):
                    pass
