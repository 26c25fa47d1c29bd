"""The terminal driver: Textual's own, with an input thread that sleeps until a key comes.

Textual's input thread wakes every 0.1 s to see whether the app is leaving and whether a
lone escape has waited long enough to count as the escape key: ten wake-ups a second, about
0.1% of a core through a whole sit, which is a fifth of what the running circle may cost.
This one waits on the terminal and on a pipe that wakes it when the app stops reading keys,
and only while an escape sequence is half read does it wake on the parser's own timeout.
Everything else (keys, mouse, resize, suspend and resume) is Textual's.
"""

from __future__ import annotations

import contextlib
import os
import selectors
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

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self._wake_fd = wake_fd

    def set(self) -> None:
        """Set the event and wake the input thread."""
        super().set()
        with contextlib.suppress(OSError):
            os.write(self._wake_fd, b"\0")


class QuietLinuxDriver(LinuxDriver):
    """Textual's Linux driver whose input thread wakes only for input, a pending escape's
    timeout, or the app leaving."""

    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self.exit_event = _WakingEvent(self._wake_w)

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (as Textual does, without a polling timeout)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        fileno, wake = self.fileno, self._wake_r
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
            selector.unregister(self._wake_r)
            selector.unregister(self.fileno)
            feed_ready(selector.select(0.1), final=True)
        finally:
            selector.close()
            with contextlib.suppress(Exception):
                for _ in parser.feed(""):
                    pass

    def close(self) -> None:
        """Perform cleanup, the wake-up pipe too."""
        super().close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
