"""Whole-file writes that leave either the old file or the new one, never half of either.

The recipe: write a temporary file in the same directory (so the rename stays on one
filesystem), flush and fsync it, move it into place with `os.replace` (or `os.link` when an
existing file must not be overwritten), then fsync the directory so the rename itself survives
a power cut.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from circlekeeper.paths import private_dir


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Make a directory's entries (a new or renamed file) durable; a no-op where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # platforms that cannot open a directory (Windows) have nothing to sync
    try:
        with contextlib.suppress(OSError):  # some filesystems refuse fsync on a directory
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, overwrite: bool = True
) -> None:
    """Replace `path` with `data` atomically.

    With `overwrite=False` an existing file is left alone and `FileExistsError` is raised;
    the check and the move are one step (a hard link), so two writers cannot both win.
    """
    target = Path(path)
    directory = target.parent
    if not directory.is_dir():
        private_dir(directory)
    # mkstemp makes the file 0600: what is written here is its owner's alone.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp_name, target)
        else:
            _link_no_overwrite(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_dir(directory)


def _link_no_overwrite(tmp_name: str, target: Path) -> None:
    """Move `tmp_name` to `target` unless `target` exists."""
    try:
        os.link(tmp_name, target)
    except FileExistsError:
        raise
    except OSError:
        # Filesystems without hard links: a check then a replace. Racy, but only against
        # another writer choosing the very same new name at the same instant.
        if target.exists():
            raise FileExistsError(str(target)) from None
        os.replace(tmp_name, target)
        return
    os.unlink(tmp_name)


def atomic_write_text(
    path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", overwrite: bool = True
) -> None:
    """Replace `path` with `text` atomically (see `atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode(encoding), overwrite=overwrite)


def atomic_write_json(
    path: str | os.PathLike[str], data: Any, *, indent: int | None = 2, overwrite: bool = True
) -> None:
    """Replace `path` with `data` as JSON (UTF-8, trailing newline) atomically."""
    text = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)
    atomic_write_text(path, text + "\n", overwrite=overwrite)
