"""`circlekeeper check` and `circlekeeper schema`: exit codes, output, never a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli
from circlekeeper.script import check as check_module
from circlekeeper.script.schema import schema_json

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PRACTICES = REPO / "practices"
SCHEMA_FILE = REPO / "docs" / "practice.schema.json"
ERROR_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")
SUMMARY = re.compile(
    r"^(?P<path>.+?): (?P<title>.+) · (?P<kind>[a-z-]+) · (?P<n>\d+) steps? · "
    r"~\S+ for (?P<size>\d+) (people|person)$"
)


def test_check_practices_folder_exits_0() -> None:
    result = CliRunner().invoke(cli, ["check", str(PRACTICES)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    library = sorted(path.name for path in PRACTICES.glob("*.yaml"))
    assert len(library) >= 20
    assert [Path(m["path"]).name for m in map(SUMMARY.match, lines) if m] == library
    assert result.stderr == ""


def test_check_summary_uses_size() -> None:
    result = CliRunner().invoke(cli, ["check", "--size", "3", str(PRACTICES / "check-in.yaml")])
    assert result.exit_code == 0
    match = SUMMARY.match(result.stdout.strip())
    assert match is not None and match["size"] == "3" and match["kind"] == "check-in"
    # Three people at two minutes each plus the welcome: about six and a half minutes.
    assert "~6m for 3 people" in result.stdout


def test_check_bad_files_exit_2_with_positions() -> None:
    bad = HERE / "bad"
    result = CliRunner().invoke(cli, ["check", str(bad), str(PRACTICES / "silent-sit.yaml")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = [ERROR_LINE.match(line) for line in result.stderr.splitlines()]
    assert errors and all(errors)
    named = {(Path(m["path"]).name, int(m["line"]), int(m["col"])) for m in errors if m}
    assert ("typo.yaml", 5, 5) in named
    assert ("tab.yaml", 5, 1) in named
    assert ("duplicate-key.yaml", 6, 5) in named
    assert ("python-tag.yaml", 5, 11) in named
    # The good file among bad ones is still summarised.
    assert "silent-sit.yaml: Silent sit · sit" in result.stdout


def test_check_missing_file() -> None:
    result = CliRunner().invoke(cli, ["check", "no/such/practice.yaml"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "no/such/practice.yaml:1:1: no such file"


def test_check_empty_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path}:1:1: ")


def test_check_never_shows_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(path: Path) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(check_module, "load_practice", explode)
    result = CliRunner().invoke(cli, ["check", str(PRACTICES / "check-in.yaml")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert re.match(r"^.+check-in\.yaml:1:1: internal error .*boom", result.stderr)


def test_check_subprocess_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\nkind: other\nsteps:\n  - kind: sit\n    duration: 2x\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-m", "circlekeeper", "check", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith(f"{bad}:5:15: `duration`: '2x' is not a duration")
    good = subprocess.run(
        [sys.executable, "-m", "circlekeeper", "check", str(PRACTICES)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert good.returncode == 0, good.stderr
    assert len(good.stdout.splitlines()) == len(list(PRACTICES.glob("*.yaml")))


def test_schema_command_matches_committed_copy() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == schema_json() + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == result.stdout, (
        "docs/practice.schema.json is out of date: run `circlekeeper schema > "
        "docs/practice.schema.json`"
    )


def test_schema_shape() -> None:
    schema = json.loads(schema_json())
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["$id"] and schema["title"]
    assert {"title", "kind", "steps"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    for_each = schema["$defs"]["ForEachStep"]["properties"]
    assert "as" in for_each and "as_" not in for_each
    cue_forms = schema["$defs"]["Bells"]["properties"]["start"]["anyOf"]
    assert any(form.get("type") == "string" for form in cue_forms)


def test_practices_point_at_the_schema() -> None:
    for script in sorted(PRACTICES.glob("*.yaml")):
        first = script.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), script.name
        target = (script.parent / first.split("=", 1)[1]).resolve()
        assert target == SCHEMA_FILE.resolve()


def test_check_output_survives_an_ascii_terminal() -> None:
    import io

    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    err = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    from circlekeeper.engine.projection import estimate_seconds

    code = check_module.run_check(
        [PRACTICES / "check-in.yaml"], size=6, estimate=estimate_seconds, out=out, err=err
    )
    out.flush()
    assert code == 0
    assert (
        out.buffer.getvalue()
        .decode("ascii")
        .startswith(f"{PRACTICES / 'check-in.yaml'}: Check-in round ? check-in ? 2 steps")
    )
