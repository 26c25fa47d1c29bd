"""Checks that need the whole practice: references, ids, sounds, bell times."""

from __future__ import annotations

from pathlib import Path

from circlekeeper.script.model import Practice
from circlekeeper.script.positions import Pos, Positions


def semantic_errors(
    practice: Practice, positions: Positions, base_dir: Path | None
) -> list[tuple[Pos, str]]:
    """Every semantic problem, each with the position of the node at fault."""
    return []
