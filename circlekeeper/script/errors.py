"""Errors in a practice script, each pointing at a line and column of the file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: str, *, lines: bool = True) -> str:
    """`text` safe to write to a terminal: every control character (C0, DEL, C1: an escape
    sequence in a title would reach the terminal as it is) is shown escaped, as `\\x1b`;
    line breaks and tabs stay unless `lines` is False. Everything else, non-breaking spaces
    and all, stays as written: this is for texts people read, not for error lines (see
    `printable`)."""
    pattern = _CONTROLS_BUT_LINES if lines else _CONTROLS
    return pattern.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def printable(text: str) -> str:
    """`text` on one line with control characters escaped.

    Messages quote what the author wrote; an escape sequence hidden in a key (`"\\e[2J"`)
    must not reach the terminal, and a newline must not split an error line in two.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


@dataclass(frozen=True)
class ScriptError:
    """One problem in a script; `line` and `col` are 1-based."""

    path: str
    line: int
    col: int
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        return f"{printable(self.path)}:{self.line}:{self.col}: {self.message}"


class ScriptErrors(Exception):
    """Every problem found in a script, in the order they appear in the file."""

    def __init__(self, errors: Iterable[ScriptError]) -> None:
        unique = sorted(set(errors), key=lambda e: (e.path, e.line, e.col, e.message))
        self.errors: list[ScriptError] = unique
        super().__init__("\n".join(str(e) for e in unique))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
