"""One step written on its own (a step inserted into a running session), checked exactly as a
step of a script is: its model, then the checks that see the practice around it.

The step stands in for the practice's steps, so it may name the practice's roles and sounds
but not its other steps (a `repeat` of an earlier step is refused: there is none). Data that
comes from a file brings its positions, so problems read `path:line:col`; data from a screen
or a journal gets a position for every node it holds, so every written part is checked.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from circlekeeper.script.messages import pydantic_errors
from circlekeeper.script.model import Practice, Step
from circlekeeper.script.positions import PathKey, Pos, Positions
from circlekeeper.script.validate import semantic_errors

STEP_PATH: PathKey = ("steps", 0)
"""Where the step sits in the practice it is checked in: positions are keyed from here."""


def written_positions(data: Any, base: PathKey = STEP_PATH) -> Positions:
    """Positions for every node of `data`, as if each were written on its own line: the
    checks look only at what was written, and all of this was."""
    positions = Positions()
    for end in range(len(base)):
        # The way down to the step, so checks that walk from the top reach it.
        positions.values[base[:end]] = (1, 1)
    line = 0

    def visit(value: Any, path: PathKey) -> None:
        nonlocal line
        line += 1
        positions.values[path] = (line, 1)
        if isinstance(value, dict):
            for key, item in value.items():
                positions.keys[(*path, key)] = (line + 1, 1)
                visit(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, (*path, index))

    visit(data, base)
    return positions


def check_step(
    practice: Practice, data: Any, positions: Positions | None = None
) -> tuple[Step | None, list[tuple[Pos, str]]]:
    """The step `data` describes, checked within `practice`, or None and every problem.

    `positions` are keyed from `STEP_PATH` (see `written_positions`, the default).
    """
    where = positions if positions is not None else written_positions(data)
    shell = {"title": practice.title, "kind": practice.kind, "steps": [data]}
    try:
        checked = Practice.model_validate(shell)
    except ValidationError as exc:
        return None, pydantic_errors(exc, shell, where)
    step = checked.steps[0]
    alone = practice.model_copy(update={"steps": [step]})
    problems = semantic_errors(alone, where, None)
    return (None, problems) if problems else (step, [])
