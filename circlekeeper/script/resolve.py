"""Find a practice script from what the facilitator typed: a path or a practice name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from circlekeeper.paths import (
    PRACTICE_SUFFIXES,
    builtin_practices_dir,
    iter_practice_files,
    user_practices_dir,
)
from circlekeeper.script.errors import ScriptError, ScriptErrors

__all__ = ["iter_practice_files", "resolve_practice"]


def _search_dirs(extra_dirs: Iterable[Path]) -> list[Path]:
    return [builtin_practices_dir(), user_practices_dir(), *extra_dirs]


def resolve_practice(arg: str, extra_dirs: Iterable[Path] = ()) -> Path:
    """An existing file, else a practice by name: built-in first, then the user's own.

    Raises `ScriptErrors` (`arg:1:1: no practice named ...`) when nothing matches.
    """
    extra = list(extra_dirs)
    direct = Path(arg).expanduser()
    if direct.is_file():
        return direct
    name = arg.strip()
    stem = (
        name[: -len(Path(name).suffix)] if Path(name).suffix.lower() in PRACTICE_SUFFIXES else name
    )
    candidates = iter_practice_files(_search_dirs(extra))
    for wanted in (stem, stem.casefold()):
        for path in candidates:
            if path.stem == wanted or path.stem.casefold() == wanted:
                return path
    names = sorted({p.stem for p in candidates})
    if direct.suffix.lower() in PRACTICE_SUFFIXES or "/" in arg or "\\" in arg:
        message = "no such file"
    else:
        close = difflib.get_close_matches(stem, names, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`? " if close else ""
        listed = ", ".join(names) if names else "(the library is empty)"
        message = f"no practice named `{stem}`; {hint}try one of: {listed}"
    raise ScriptErrors([ScriptError(arg, 1, 1, message)])
