"""The error log: what went wrong during a session, with its traceback, for later.

One file in the user state folder (`paths.state_dir()`), rotated when it grows past
`MAX_BYTES` (one older file kept beside it), readable by its owner alone (0600, in a 0700
folder): a traceback may quote what the scribe wrote. The log never stands in a circle's
way: a folder that cannot be made or a disk that is full leaves the session without a log,
never without its timers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

from circlekeeper.paths import PRIVATE_FILE, private_dir, state_dir

LOG_NAME = "circlekeeper.log"
MAX_BYTES = 512 * 1024
"""The log rotates past this size (one older file is kept): at most about 1 MB on disk."""
BACKUPS = 1
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose files are made 0600 (the rotated one too), whatever the umask."""

    def _open(self):  # type: ignore[no-untyped-def]  # the base class's own signature
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        with contextlib.suppress(OSError):  # a file an older version left open to others
            os.fchmod(fd, PRIVATE_FILE)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        """A full disk or a vanished folder: the record is lost, quietly (the terminal
        belongs to the circle, and stderr would draw over it)."""


def log_path(folder: Path | None = None) -> Path:
    """Where the error log is (or would be)."""
    return (folder or state_dir()) / LOG_NAME


def install(folder: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Send circlekeeper's log records to the error log; its path, or None when the log
    cannot be kept (then nothing is logged to a file, and nothing fails).

    Installed once per process; a second call returns the same path.
    """
    installed = current()
    if installed is not None:
        return installed
    root = logging.getLogger("circlekeeper")
    path = log_path(folder)
    try:
        private_dir(path.parent)
        handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return path


@contextlib.contextmanager
def native_stderr_to(path: Path | None) -> Iterator[None]:
    """While the screen is drawn: what C libraries print to the process's stderr goes to the
    log at `path`, not over the session.

    PortAudio prints its failures ("Expression 'AlsaStart( stream, 0 )' failed...") straight
    to file descriptor 2 from C, every time it tries a lost device again. Textual draws on
    `sys.__stderr__`: it gets a copy of the terminal's descriptor, and descriptor 2 is
    pointed at the log; both are put back afterwards. Nothing happens without a log, or
    when stderr is not a terminal (nothing to draw over).
    """
    stream = sys.__stderr__
    if path is None or stream is None or not stream.isatty():
        yield
        return
    try:
        stream.flush()
        saved = os.dup(2)
        terminal = os.fdopen(os.dup(2), "w", encoding=stream.encoding, errors=stream.errors)
    except (OSError, ValueError):
        yield
        return
    try:
        log_fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
    except OSError:
        os.close(saved)
        terminal.close()
        yield
        return
    os.dup2(log_fd, 2)
    os.close(log_fd)
    python_stderr = sys.stderr
    sys.__stderr__ = terminal  # type: ignore[misc]  # where Textual draws, by design
    # Python's own stderr too: a traceback Textual prints as the app fails reaches the
    # terminal, not only the log.
    sys.stderr = terminal
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            terminal.flush()
        os.dup2(saved, 2)
        os.close(saved)
        sys.__stderr__ = stream  # type: ignore[misc]
        sys.stderr = python_stderr
        with contextlib.suppress(OSError, ValueError):
            terminal.close()


def current() -> Path | None:
    """The error log's path, if this process keeps one."""
    for handler in logging.getLogger("circlekeeper").handlers:
        if isinstance(handler, PrivateRotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def uninstall() -> None:
    """Stop writing the error log (tests; the end of a process closes it anyway)."""
    root = logging.getLogger("circlekeeper")
    for handler in list(root.handlers):
        if isinstance(handler, PrivateRotatingFileHandler):
            root.removeHandler(handler)
            handler.close()
