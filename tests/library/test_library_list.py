"""`circlekeeper list [--json]`: the built-in library (golden), own folders, broken scripts."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli
from circlekeeper.library.index import read_library
from circlekeeper.library.listing import run_list
from circlekeeper.paths import user_practices_dir

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PRACTICES = REPO / "practices"
GOLDEN = HERE / "golden"
UPDATE = os.environ.get("CIRCLEKEEPER_UPDATE_GOLDEN") == "1"
"""Set to 1 to rewrite the golden files after a change to the built-in library; then read
the diff before committing it."""
ERROR_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")

MULTILINGUAL = """\
format: 1
title: Arriving together
kind: check-in
language: de
size: {min: 2, max: 6}
steps:
  - kind: read
    text: {de: Willkommen., en: Welcome., pt-BR: Bem-vindos.}
  - kind: silence
    duration: 2m
    prompt: Was bringst du mit?
"""


def golden(name: str, actual: str) -> None:
    """Compare with (or, when asked, rewrite) a golden file."""
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_of_the_builtin_library_is_golden() -> None:
    code, out, err = run("list")
    assert (code, err) == (0, "")
    golden("list.txt", out)


def test_list_json_of_the_builtin_library_is_golden() -> None:
    code, out, err = run("list", "--json")
    assert (code, err) == (0, "")
    practices = json.loads(out)
    for item in practices:
        path = Path(item.pop("path"))
        assert path.parent == PRACTICES and path.stem == item["name"]
    golden("list.json", json.dumps(practices, ensure_ascii=False, indent=2) + "\n")


def test_list_json_has_what_a_facilitator_needs(tmp_path: Path) -> None:
    (tmp_path / "together.yaml").write_text(MULTILINGUAL, encoding="utf-8")
    code, out, _ = run("list", "--json", "--practices", str(tmp_path))
    assert code == 0
    mine = next(item for item in json.loads(out) if item["name"] == "together")
    assert mine == {
        "name": "together",
        "title": "Arriving together",
        "kind": "check-in",
        "summary": None,
        "size": {"min": 2, "max": 6, "typical": 6},
        "duration": 20 + 120,  # a short reading, two minutes of silence
        "languages": ["de", "en", "pt-BR"],
        "origin": tmp_path.name,
        "path": str(tmp_path / "together.yaml"),
    }


def test_list_reports_broken_scripts_after_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(MULTILINGUAL, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    (tmp_path / "typo.yaml").write_text(MULTILINGUAL.replace("kind: read", "knd: read"), "utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run_list([tmp_path], out=out, err=err) == 2
    assert "Arriving together" in out.getvalue()
    assert "Check-in round" in out.getvalue()
    lines = err.getvalue().splitlines()
    assert all(ERROR_LINE.match(line) for line in lines), lines
    assert lines[0] == f"{tmp_path / 'bad.yaml'}:1:8: this `[` is never closed with `]`"
    assert any(line.startswith(f"{tmp_path / 'typo.yaml'}:7:5: ") for line in lines)
    assert "Traceback" not in err.getvalue()


def test_list_of_a_missing_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    code, out, err = run("list", "--practices", str(tmp_path / "nowhere"))
    assert (code, out) == (2, "")
    assert err == f"circlekeeper: {tmp_path / 'nowhere'}: no such folder\n"


def test_list_takes_the_folders_given_before_the_command_too(tmp_path: Path) -> None:
    (tmp_path / "together.yaml").write_text(MULTILINGUAL, encoding="utf-8")
    code, out, _ = run("--practices", str(tmp_path), "list")
    assert code == 0 and "Arriving together" in out


def test_list_lines_show_title_kind_sizes_duration_and_languages() -> None:
    user_practices_dir().mkdir(parents=True)
    (user_practices_dir() / "together.yaml").write_text(MULTILINGUAL, encoding="utf-8")
    code, out, _ = run("list")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("together "))
    assert re.split(r"\s{2,}", line) == [
        "together",
        "Arriving together",
        "check-in",
        "2-6 people",
        "~2m for 6",
        "de, en, pt-BR",
    ]


def test_list_writes_the_index_the_library_reads() -> None:
    user_practices_dir().mkdir(parents=True)
    (user_practices_dir() / "together.yaml").write_text(MULTILINGUAL, encoding="utf-8")
    assert any(entry.needs_check for entry in read_library().entries)
    assert run("list")[0] == 0
    assert not any(entry.needs_check for entry in read_library().entries)


def test_list_into_a_closed_pipe_ends_quietly() -> None:
    code = (
        "import sys; from circlekeeper.cli import main; sys.argv = ['circlekeeper', 'list']; main()"
    )
    done = subprocess.run(
        f'{sys.executable} -c "{code}" | head -c 1 >/dev/null',
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.stderr == ""


@pytest.mark.parametrize("as_json", [False, True])
def test_list_with_nothing_to_list_prints_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, as_json: bool
) -> None:
    monkeypatch.setattr("circlekeeper.paths.builtin_practices_dir", lambda: tmp_path / "none")
    out, err = io.StringIO(), io.StringIO()
    assert run_list([], as_json_output=as_json, out=out, err=err) == 0
    assert out.getvalue() == ("[]\n" if as_json else "")
    assert err.getvalue() == ""


def test_list_still_lists_when_the_index_cannot_be_saved(monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*_: object) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("circlekeeper.library.index.save_index", full_disk)
    out, err = io.StringIO(), io.StringIO()
    assert run_list([], out=out, err=err) == 0
    assert "Check-in round" in out.getvalue()
    assert err.getvalue() == (
        "circlekeeper: could not save the library index: No space left on device\n"
    )
