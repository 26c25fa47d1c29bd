"""Where circlekeeper finds its practices and keeps its files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

APP_NAME = "circlekeeper"
PRACTICE_SUFFIXES = (".yaml", ".yml")
"""File names a practice script may end in."""


def builtin_practices_dir() -> Path:
    """The built-in practice library: inside the wheel, or beside the package in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "practices"
    if packaged.is_dir():
        return packaged
    return here.parent / "practices"


def _platform_dir(kind: str) -> Path:
    import platformdirs

    getter = {
        "config": platformdirs.user_config_dir,
        "data": platformdirs.user_data_dir,
        "cache": platformdirs.user_cache_dir,
    }[kind]
    return Path(getter(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """User settings (keymap, theme, audio device)."""
    return Path(os.environ.get("CIRCLEKEEPER_CONFIG_DIR") or _platform_dir("config"))


def data_dir() -> Path:
    """User data: own practices, saved circles, journals, summaries."""
    return Path(os.environ.get("CIRCLEKEEPER_DATA_DIR") or _platform_dir("data"))


def cache_dir() -> Path:
    """Rendered speech and bells; safe to delete."""
    return Path(os.environ.get("CIRCLEKEEPER_CACHE_DIR") or _platform_dir("cache"))


def user_practices_dir() -> Path:
    """The user's own practice scripts."""
    return data_dir() / "practices"


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
                if p.suffix.lower() in PRACTICE_SUFFIXES
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
