"""Every YAML example in the format reference loads, and its field tables are current."""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import indent

import pytest
from ruamel.yaml import YAML

from circlekeeper.script import load_text
from circlekeeper.script.model import STEP_KINDS
from circlekeeper.script.reference import BEGIN, END, replace_tables

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "script-format.md"
BLOCKS = re.findall(r"^```yaml\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S)

# Step examples assume these roles, as the document says.
STEP_WRAPPER = """\
title: Example
kind: other
keeper_role: host
roles:
  - {id: host, name: Host}
  - {id: guardian, name: Guardian}
  - {id: timekeeper, name: Timekeeper}
  - {id: case-giver, name: Case giver}
  - {id: coach, name: Coach, count: 3}
steps:
"""
TOP_LEVEL_DEFAULTS = {
    "title": "title: Example\n",
    "kind": "kind: other\n",
    "steps": "steps:\n  - kind: read\n    text: Hello.\n",
    "roles": "roles:\n  - {id: guardian, name: Guardian}\n",
}


def wrap(block: str) -> str:
    """Make a whole practice of a documentation fragment."""
    data = YAML(typ="safe", pure=True).load(block)
    if isinstance(data, list):
        return STEP_WRAPPER + indent(block, "  ")
    assert isinstance(data, dict), block
    if "title" not in data and data.get("kind") in STEP_KINDS:
        return STEP_WRAPPER + indent("- " + block.replace("\n", "\n  ").rstrip(" "), "  ")
    extra = "".join(text for key, text in TOP_LEVEL_DEFAULTS.items() if key not in data)
    return block + extra


def test_the_document_has_an_example_for_each_step_kind() -> None:
    kinds = set(re.findall(r"kind: ([a-z-]+)", "\n".join(BLOCKS)))
    assert set(STEP_KINDS) <= kinds
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i + 1}" for i in range(len(BLOCKS))])
def test_yaml_example_loads(block: str) -> None:
    practice = load_text(wrap(block), "example.yaml", None)
    assert practice.steps


def test_field_tables_are_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert replace_tables(text) == text, (
        "docs/script-format.md field tables are stale: regenerate them with "
        "circlekeeper.script.reference.replace_tables"
    )


def test_wrapping_does_not_hide_mistakes() -> None:
    from circlekeeper.script import ScriptErrors

    with pytest.raises(ScriptErrors) as info:
        load_text(wrap("- kind: round\n  promt: hi\n"), "example.yaml", None)
    assert "did you mean `prompt`?" in str(info.value)
    with pytest.raises(ScriptErrors):
        load_text(wrap("kind: sit\nduration: 2x\n"), "example.yaml", None)


ACTION_BLOCKS = re.findall(
    r"^```yaml actions\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S
)


def test_the_actions_example_loads_with_every_action(tmp_path: Path) -> None:
    from circlekeeper.engine.actions import ACTIONS, load_actions

    assert ACTION_BLOCKS
    path = tmp_path / "actions.yaml"
    path.write_text(ACTION_BLOCKS[0], encoding="utf-8")
    actions = load_actions(path)
    assert len(actions) == ACTION_BLOCKS[0].count("- {at:")
    # Every action is named in the document's list of them.
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    listed = text.split("The actions are: ", 1)[1].split(".", 1)[0]
    assert {spec.name for spec in ACTIONS} == set(re.split(r",? and |, ", listed))
