"""Lines on the terminal for the non-interactive commands: never a traceback on the way out."""

from __future__ import annotations

import os
import sys
from typing import TextIO


def emit(line: object, stream: TextIO) -> None:
    """Print one line; a terminal that cannot show `·` gets a replacement, not a traceback."""
    text = str(line)
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        print(text.encode(encoding, errors="replace").decode(encoding), file=stream)


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again.

    For a reader that left (`circlekeeper list | head -1`): stop quietly.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
