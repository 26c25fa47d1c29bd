"""docs/reliability.md names, for every fault, the test that proves what circlekeeper does:
every test it names exists, and every row names one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "reliability.md"
NAMED = re.compile(r"`(tests/[\w/.-]+\.py)::(\w+)(?:\[[^\]`]+\])?`")
"""`path::name`, or `path::name[case]` for one case of a parametrized test."""


def defined_tests(path: Path) -> set[str]:
    """The names of the test functions defined in a test file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_test_the_reliability_doc_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = NAMED.findall(text)
    assert len(named) >= 20
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not (REPO / path).is_file() or name not in defined_tests(REPO / path)
    ]
    assert not missing, f"docs/reliability.md names tests that do not exist: {missing}"


def test_every_fault_in_the_reliability_doc_names_a_test() -> None:
    rows = [
        line
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| fault")
    ]
    assert rows
    for row in rows:
        assert NAMED.search(row.rsplit("|", 2)[-2]), f"a row without a proving test: {row}"
