"""Atomic whole-file writes, and records' import hygiene."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from circlekeeper.records.atomic import atomic_write_json, atomic_write_text


def test_write_replace_and_json(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "file.json"
    atomic_write_json(path, {"a": [1, "ü"]})
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": [1, "ü"]}
    atomic_write_text(path, "second")
    assert path.read_text() == "second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["file.json"]


def test_no_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "keep.txt"
    atomic_write_text(path, "first", overwrite=False)
    with pytest.raises(FileExistsError):
        atomic_write_text(path, "second", overwrite=False)
    assert path.read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "circles.json"
    path.write_text("old")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        atomic_write_text(path, "new")
    monkeypatch.undo()
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circles.json"]


def test_json_refuses_nan(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        atomic_write_json(tmp_path / "x.json", {"x": float("nan")})
    assert not (tmp_path / "x.json").exists()


def test_records_imports_no_ui_or_sound_library() -> None:
    code = (
        "import sys, circlekeeper.records, circlekeeper.records.journal;"
        "banned = {'textual', 'sounddevice', 'pyttsx3', 'numpy', 'circlekeeper.tui',"
        " 'circlekeeper.sound'};"
        "heavy = banned & set(sys.modules);"
        "print(sorted(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == "[]"
