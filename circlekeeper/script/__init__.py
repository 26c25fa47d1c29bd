"""The practice-script format: models, loading with positioned errors, checks and exports."""

from __future__ import annotations

from circlekeeper.script.errors import ScriptError, ScriptErrors
from circlekeeper.script.loader import (
    LoadedPractice,
    load_practice,
    load_practice_with_positions,
    load_text,
    load_text_with_positions,
)
from circlekeeper.script.model import Practice
from circlekeeper.script.positions import Positions
from circlekeeper.script.resolve import iter_practice_files, resolve_practice
from circlekeeper.script.texts import localize, spoken_texts

__all__ = [
    "LoadedPractice",
    "Positions",
    "Practice",
    "ScriptError",
    "ScriptErrors",
    "iter_practice_files",
    "load_practice",
    "load_practice_with_positions",
    "load_text",
    "load_text_with_positions",
    "localize",
    "resolve_practice",
    "spoken_texts",
]
