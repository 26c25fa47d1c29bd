"""The practice-script format: models, loading with positioned errors, checks and exports.

The names below are loaded on first use: importing a light module of this package
(`circlekeeper.script.errors`, `.duration`) must not pay for pydantic and the YAML parser.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "LoadedPractice": "loader",
    "Positions": "positions",
    "Practice": "model",
    "ScriptError": "errors",
    "ScriptErrors": "errors",
    "iter_practice_files": "resolve",
    "load_practice": "loader",
    "load_practice_with_positions": "loader",
    "load_text": "loader",
    "load_text_with_positions": "loader",
    "localize": "texts",
    "resolve_practice": "resolve",
    "spoken_texts": "texts",
}

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


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
