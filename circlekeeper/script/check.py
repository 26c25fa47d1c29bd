"""`circlekeeper check`: validate scripts and summarise them, never with a traceback.

The summary's duration comes from the engine's estimate (the one the library and the live
agenda show); the script format knows nothing of the engine, so the caller passes it in.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from circlekeeper.console import emit, silence_stdout
from circlekeeper.script.duration import approximate
from circlekeeper.script.errors import ScriptError, ScriptErrors, printable
from circlekeeper.script.loader import load_practice
from circlekeeper.script.model import Practice
from circlekeeper.script.resolve import iter_practice_files

Estimate = Callable[[Practice, int], float]
"""How long a practice takes for a circle of N people; raises `ValueError` when it cannot run
with that many."""


def summary_line(label: str, practice: Practice, size: int, estimate: Estimate) -> str:
    """`path: Title · kind · N steps · ~Xm for 6 people`."""
    steps = len(practice.steps)
    people = "person" if size == 1 else "people"
    noun = "step" if steps == 1 else "steps"
    try:
        length = f"{approximate(estimate(practice, size))} for {size} {people}"
    except ValueError as exc:  # accepted, but not for this many people
        length = f"cannot run for {size} {people}: {exc}"
    return (
        f"{printable(label)}: {printable(' '.join(practice.title.split()))} · "
        f"{practice.kind} · {steps} {noun} · {length}"
    )


def _expand(paths: list[Path]) -> tuple[list[Path], list[ScriptError]]:
    files: list[Path] = []
    errors: list[ScriptError] = []
    for path in paths:
        try:
            is_dir = path.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            found = iter_practice_files([path])
            if not found:
                errors.append(ScriptError(str(path), 1, 1, "no practice scripts (*.yaml) here"))
            files.extend(found)
        else:
            files.append(path)
    return files, errors


def run_check(
    paths: list[Path],
    size: int,
    estimate: Estimate,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Check each file (folders: every script inside); 0 when all are valid, else 2."""
    out = out or sys.stdout
    err = err or sys.stderr
    failed = False
    try:
        files, problems = _expand(paths)
    except Exception as exc:  # a check must never end in a traceback
        files, problems = [], [ScriptError(str(paths[0]) if paths else "?", 1, 1, f"{exc}")]
    try:
        for problem in problems:
            failed = True
            emit(problem, err)
        for path in files:
            label = str(path)
            try:
                practice = load_practice(path)
                emit(summary_line(label, practice, size, estimate), out)
            except ScriptErrors as exc:
                failed = True
                for error in exc.errors:
                    emit(error, err)
            except (BrokenPipeError, KeyboardInterrupt):
                raise
            except Exception as exc:  # report it, never crash
                failed = True
                reason = f"internal error while checking: {type(exc).__name__}: {exc}"
                emit(ScriptError(label, 1, 1, reason), err)
    except BrokenPipeError:
        # `circlekeeper check practices | head -1`: the reader left; stop quietly.
        silence_stdout()
        return 2 if failed else 0
    return 2 if failed else 0
