"""Errors in a practice script, each pointing at a line and column of the file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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
