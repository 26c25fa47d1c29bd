"""Where circlekeeper finds its practices and keeps its files, and who may read them.

Everything circlekeeper writes is its owner's alone: the journal says who spoke and what the
scribe noted, so folders are made 0700 and files 0600 (`private_dir`, `private_file`).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

APP_NAME = "circlekeeper"
PRACTICE_SUFFIXES = (".yaml", ".yml")
"""File names a practice script may end in."""
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
PRIVATE_UMASK = 0o077
"""The process's umask: files that libraries and worker processes create are private too."""


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
        "state": platformdirs.user_state_dir,
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


def state_dir() -> Path:
    """What circlekeeper keeps about its own running: the error log."""
    return Path(os.environ.get("CIRCLEKEEPER_STATE_DIR") or _platform_dir("state"))


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


def private_dir(path: str | os.PathLike[str], *, tighten: bool = True) -> Path:
    """Make sure `path` is a folder only its owner can open; returns it as a `Path`.

    Folders that are missing are made 0700, parents too. With `tighten`, an existing
    folder that others could read (made by an earlier version, 0755) is closed to them.
    Raises `OSError` when the folder cannot be made.
    """
    folder = Path(path)
    missing: list[Path] = []
    probe = folder
    while not probe.is_dir():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for level in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by another process meanwhile
            level.mkdir(mode=PRIVATE_DIR)
        with contextlib.suppress(OSError):  # the umask may have taken more than it should
            level.chmod(PRIVATE_DIR)
    if tighten and not missing:
        _restrict(folder, PRIVATE_DIR)
    return folder


def private_file(path: str | os.PathLike[str]) -> None:
    """Close a file circlekeeper wrote to everyone but its owner (0600); never raises."""
    _restrict(Path(path), PRIVATE_FILE)


def _restrict(path: Path, mode: int) -> None:
    """Set `mode` when the group or others have any access; quietly leave what is not ours."""
    with contextlib.suppress(OSError):
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(mode)


def keep_private() -> None:
    """For the whole process: new files private, and circlekeeper's own folders closed.

    Called once at start-up. The umask covers what libraries and worker processes write
    (rendered speech); folders an earlier version left open (0755) are closed (0700).
    """
    os.umask(PRIVATE_UMASK)
    for folder in (config_dir(), data_dir(), cache_dir(), state_dir()):
        if folder.is_dir():
            _restrict(folder, PRIVATE_DIR)
