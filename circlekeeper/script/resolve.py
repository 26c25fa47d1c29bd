"""Find a practice script from what the facilitator typed: a path or a practice name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from circlekeeper.paths import builtin_practices_dir, user_practices_dir
from circlekeeper.script.errors import ScriptError, ScriptErrors

SUFFIXES = (".yaml", ".yml")


def iter_practice_files(dirs: Iterable[Path]) -> list[Path]:
    """Every *.yaml / *.yml file under `dirs`, recursively, sorted within each folder.

    Missing folders are skipped; hidden files and folders (editor backups) are left out.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for folder in dirs:
        try:
            if not folder.is_dir():
                continue
            files = sorted(
                p
                for p in folder.rglob("*")
                if p.suffix.lower() in SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(folder).parts)
            )
        except OSError:
            continue
        for path in files:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                found.append(path)
    return found


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
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix.lower() in SUFFIXES else name
    candidates = iter_practice_files(_search_dirs(extra))
    for wanted in (stem, stem.casefold()):
        for path in candidates:
            if path.stem == wanted or path.stem.casefold() == wanted:
                return path
    names = sorted({p.stem for p in candidates})
    if direct.suffix.lower() in SUFFIXES or "/" in arg or "\\" in arg:
        message = "no such file"
    else:
        close = difflib.get_close_matches(stem, names, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`? " if close else ""
        listed = ", ".join(names) if names else "(the library is empty)"
        message = f"no practice named `{stem}`; {hint}try one of: {listed}"
    raise ScriptErrors([ScriptError(arg, 1, 1, message)])
