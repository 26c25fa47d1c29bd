"""Errors in a practice script, each pointing at a line and column of the file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ScriptError:
    """One problem in a script; `line` and `col` are 1-based."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class ScriptErrors(Exception):
    """Every problem found in a script, in the order they appear in the file."""

    def __init__(self, errors: Iterable[ScriptError]) -> None:
        unique = sorted(set(errors), key=lambda e: (e.path, e.line, e.col, e.message))
        self.errors: list[ScriptError] = unique
        super().__init__("\n".join(str(e) for e in unique))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
