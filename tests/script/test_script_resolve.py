"""Finding a practice by path or by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from circlekeeper.paths import builtin_practices_dir, user_practices_dir
from circlekeeper.script import ScriptErrors, iter_practice_files, resolve_practice


def test_existing_path_wins(tmp_path: Path) -> None:
    script = tmp_path / "check-in.yaml"
    script.write_text("title: Mine\n")
    assert resolve_practice(str(script)) == script


def test_builtin_by_stem() -> None:
    found = resolve_practice("check-in")
    assert found == builtin_practices_dir() / "check-in.yaml"
    assert resolve_practice("silent-sit.yaml").name == "silent-sit.yaml"


def test_user_practices_dir_and_extra_dirs(tmp_path: Path) -> None:
    own = user_practices_dir()
    own.mkdir(parents=True)
    (own / "crew-retro.yml").write_text("title: Retro\n")
    assert resolve_practice("crew-retro") == own / "crew-retro.yml"
    extra = tmp_path / "more"
    (extra / "nested").mkdir(parents=True)
    (extra / "nested" / "clinic.yaml").write_text("title: Clinic\n")
    assert resolve_practice("clinic", [extra]) == extra / "nested" / "clinic.yaml"


def test_unknown_name_suggests() -> None:
    with pytest.raises(ScriptErrors) as info:
        resolve_practice("chek-in")
    error = info.value.errors[0]
    assert (error.path, error.line, error.col) == ("chek-in", 1, 1)
    assert error.message.startswith("no practice named `chek-in`; did you mean `check-in`?")
    library = sorted(path.stem for path in builtin_practices_dir().glob("*.yaml"))
    assert f"try one of: {', '.join(library)}" in error.message


def test_missing_path_is_no_such_file() -> None:
    with pytest.raises(ScriptErrors) as info:
        resolve_practice("some/where/missing.yaml")
    assert str(info.value) == "some/where/missing.yaml:1:1: no such file"


def test_iter_practice_files_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b/z.yaml", "b/a.yml", "c.yaml", "notes.txt", ".hidden/x.yaml", ".swap.yaml"):
        (tmp_path / name).write_text("title: x\n")
    found = iter_practice_files([tmp_path, tmp_path / "does-not-exist"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["b/a.yml", "b/z.yaml", "c.yaml"]
