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


def practice_files(folder: Path) -> list[tuple[Path, str]]:
    """(path, resolved path) of every *.yaml / *.yml file under `folder`, recursively.

    Sorted as paths sort; hidden files and folders (editor backups) are left out, and
    links to folders are not followed (a link to a file is). A missing or unreadable
    folder has no files. Built on `os.scandir`, so a folder of a hundred practices costs
    no more than a hundred directory entries: this runs before the library's first frame.
    """
    try:
        real = os.path.realpath(folder)
    except OSError:
        return []
    found: list[tuple[tuple[str, ...], Path, str]] = []

    def walk(directory: str, parts: tuple[str, ...]) -> None:
        try:
            with os.scandir(directory) as entries:
                listed = list(entries)
        except OSError:
            return
        for entry in listed:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, (*parts, entry.name))
                    continue
                wanted = os.path.splitext(entry.name)[1].lower() in PRACTICE_SUFFIXES
                if not wanted or not entry.is_file():
                    continue
                # Folders below `folder` are never links, so only a linked file needs resolving.
                linked = entry.is_symlink()
            except OSError:
                continue
            key = os.path.realpath(entry.path) if linked else os.path.join(real, *parts, entry.name)
            found.append(((*parts, entry.name), folder.joinpath(*parts, entry.name), key))

    walk(str(folder), ())
    found.sort(key=lambda item: item[0])
    return [(path, key) for _, path, key in found]


def iter_practice_files(dirs: Iterable[Path]) -> list[Path]:
    """Every *.yaml / *.yml file under `dirs`, once each (see `practice_files`).

    Missing folders are skipped; hidden files and folders (editor backups) are left out.
    """
    found: list[Path] = []
    seen: set[str] = set()
    for folder in dirs:
        for path, key in practice_files(folder):
            if key not in seen:
                seen.add(key)
                found.append(path)
    return found
