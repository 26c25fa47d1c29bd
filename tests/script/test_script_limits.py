"""Limits that keep `check` and `rehearse` fast on hostile input: every list of the format is
bounded, a file is bounded in bytes and values before it is built, interval bells are
bounded, a rehearsal that would go on too long says it stopped, and the limits are the ones
`docs/script-format.md` gives."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli
from circlekeeper.engine import actions as actions_module
from circlekeeper.engine import rehearse as rehearse_module
from circlekeeper.script import ScriptErrors, load_text
from circlekeeper.script.limits import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_INTERVAL_BELLS,
    MAX_ITEMS,
    MAX_NODES,
    MAX_STEPS,
    MIN_INTERVAL,
    size_text,
)
from circlekeeper.script.schema import schema_json
from circlekeeper.script.validate import MAX_STEP_RUNS

DOC = Path(__file__).resolve().parents[2] / "docs" / "script-format.md"
HEAD = "title: T\nkind: sit\n"
ONE_STEP = "steps:\n- kind: silence\n  duration: 1m\n"


def _first_error(text: str) -> tuple[int, int, str]:
    with pytest.raises(ScriptErrors) as info:
        load_text(text, "hostile.yaml", None)
    first = info.value.errors[0]
    return first.line, first.col, first.message


def _unbounded(node: Any, path: str) -> list[str]:
    """Every list or mapping in the schema without a most-entries bound."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "array" and "maxItems" not in node:
            found.append(path)
        extra = node.get("additionalProperties")
        if node.get("type") == "object" and isinstance(extra, dict) and "maxProperties" not in node:
            found.append(path)
        for key, value in node.items():
            found += _unbounded(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _unbounded(value, f"{path}/{index}")
    return found


def test_every_list_and_mapping_of_the_format_is_bounded() -> None:
    assert _unbounded(json.loads(schema_json()), "") == []


def test_a_file_past_the_value_limit_is_refused_where_it_goes_past() -> None:
    # One value per line after the first two: the (MAX_NODES + 1)-th value is on a known line.
    tags = "".join("  - a\n" for _ in range(MAX_NODES))
    line, col, message = _first_error(HEAD + "tags:\n" + tags + ONE_STEP)
    # Before the first tag: the root mapping, 2 keys and 2 values, `tags` and its list: 7.
    # Tag k is value 7 + k, on line 3 + k.
    assert (line, col) == (3 + (MAX_NODES + 1 - 7), 5)
    assert f"more than {MAX_NODES:,} values" in message


def test_a_file_just_inside_the_value_limit_reaches_the_format_checks() -> None:
    # A long list of tags is refused by its own bound, not by the value count.
    tags = ",".join("a" for _ in range(MAX_NODES - 20))
    line, col, message = _first_error(HEAD + f"tags: [{tags}]\n" + ONE_STEP)
    assert (line, col) == (3, 7)
    assert f"at most {MAX_ITEMS}" in message


def test_bytes_past_the_limit_are_refused_before_parsing() -> None:
    text = HEAD + ONE_STEP + "#" * MAX_BYTES
    assert _first_error(text) == (
        1,
        1,
        f"the file is 256 KiB; a practice script may be at most {size_text()}",
    )


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("tags", "tags: [" + ",".join(["a"] * (MAX_ITEMS + 1)) + "]\n" + ONE_STEP),
        ("authors", "authors: [" + ",".join(["A"] * (MAX_ITEMS + 1)) + "]\n" + ONE_STEP),
        (
            "roles",
            "roles:\n"
            + "".join(f"- {{id: r{i}, name: R}}\n" for i in range(MAX_ITEMS + 1))
            + ONE_STEP,
        ),
        ("steps", "steps:\n" + "- {kind: silence, duration: 1s}\n" * (MAX_STEPS + 1)),
        (
            "steps",
            "steps:\n- kind: group\n  title: G\n  steps:\n"
            + "  - {kind: silence, duration: 1s}\n" * (MAX_STEPS + 1),
        ),
        (
            "bells",
            "steps:\n- kind: sit\n  duration: 2h\n  bells:\n    at:\n"
            + "".join(f"    - {{at: {i}s}}\n" for i in range(MAX_ITEMS + 1)),
        ),
    ],
)
def test_each_list_has_its_own_bound_and_message(field: str, text: str) -> None:
    line, _, message = _first_error(HEAD + text)
    assert "too many items" in message and re.search(r"at most (100|500)\)", message), message
    assert line >= 3


def test_interval_bells_are_bounded_in_spacing_and_count() -> None:
    def sit(duration: str, every: str) -> str:
        bells = f"  bells:\n    interval:\n      every: {every}\n"
        return f"{HEAD}steps:\n- kind: sit\n  duration: {duration}\n{bells}"

    line, col, message = _first_error(sit("10m", "1s"))
    assert (line, col) == (8, 14)
    assert (
        message
        == f"interval bells every 1s are too close; leave at least {MIN_INTERVAL}s between them"
    )
    # 10 hours of bells every 30 s is 1,200 bells; 8 hours is 960.
    line, col, message = _first_error(sit("10h", "30s"))
    assert (line, col) == (8, 14)
    assert (
        f"would ring 1,200 times in a 10h step; a step rings at most {MAX_INTERVAL_BELLS:,}"
        in message
    )
    assert load_text(sit("8h", "30s"), "ok.yaml").steps[0].kind == "sit"


def test_the_limits_document_gives_the_limits_in_force() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Limits", 1)[1].split("\n## ", 1)[0]
    for shown in (
        f"| the file | {size_text(MAX_BYTES)} |",
        f"| {MAX_NODES:,} |",
        f"| {MAX_DEPTH} levels |",
        f"| {MAX_STEPS} |",
        f"| {MAX_ITEMS} |",
        f"| {MAX_STEP_RUNS:,} |",
        f"| {MAX_INTERVAL_BELLS:,} (and at least {MIN_INTERVAL}s between two) |",
        f"| {actions_module.MAX_ACTIONS:,} |",
        f"stops after {rehearse_module.MAX_MOVES:,} moves",
        f"exits with status {rehearse_module.CUT_SHORT}",
    ):
        assert shown in section, shown


def test_a_rehearsal_cut_short_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "long.yaml"
    script.write_text(
        HEAD + "steps:\n- kind: round\n  laps: 20\n  turn: {time: 1m}\n", encoding="utf-8"
    )
    full = CliRunner().invoke(cli, ["rehearse", str(script), "--circle", "Ana,Ben,Cy"])
    assert full.exit_code == 0, full.stderr
    assert "session ended" in full.stdout.splitlines()[-1]
    monkeypatch.setattr(rehearse_module, "MAX_MOVES", 40)
    cut = CliRunner().invoke(cli, ["rehearse", str(script), "--circle", "Ana,Ben,Cy"])
    assert cut.exit_code == rehearse_module.CUT_SHORT
    assert "session ended" not in cut.stdout
    assert full.stdout.startswith(cut.stdout)
    assert cut.stderr.count("\n") == 1
    assert re.fullmatch(
        r"circlekeeper: the rehearsal stopped after 40 moves, at \d+:\d\d of session time, "
        r"before the session ended: the timeline above is cut short\n",
        cut.stderr,
    ), cut.stderr
