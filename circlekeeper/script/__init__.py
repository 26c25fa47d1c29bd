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

__all__ = [
    "LoadedPractice",
    "Practice",
    "ScriptError",
    "ScriptErrors",
    "load_practice",
    "load_practice_with_positions",
    "load_text",
    "load_text_with_positions",
]
