"""A rehearsal that acts: the actions file, its errors with line and column, the one table
of actions, and `rehearse --actions/--only-actions/--meeting/--roles/--focus-order`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli
from circlekeeper.engine.actions import ACTIONS, load_actions
from circlekeeper.engine.commands import COMMAND_TYPES, Extend, Pick, Respond
from circlekeeper.script.errors import ScriptErrors

SCRIPT = """\
title: Acting
kind: check-in
roles:
  - {id: host, name: Host}
steps:
  - kind: round
    prompt: How are you?
    turn: {time: 2m}
  - kind: round
    order: popcorn
    prompt: Anything else?
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rehearse(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["rehearse", *args])
    return result.exit_code, result.stdout, result.stderr


def timeline(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


SAMPLES: dict[str, Any] = {
    "who": "Ana",
    "by": 30.0,
    "response": "consent",
    "outcome": "no-consent",
    "text": "Ben books the room",
    "step": "s2",
    "after": "s1",
    "duration": 60.0,
    "time": 5_400.0,
    "topic": "t1",
}


def test_every_action_becomes_a_command_and_the_table_covers_the_commands() -> None:
    built = {
        type(spec.build({f.name: SAMPLES.get(f.name, f.default) for f in spec.fields}))
        for spec in ACTIONS
    }
    # Everything a facilitator does has an action; only `start` is the rehearsal's own.
    assert {cls.name for cls in COMMAND_TYPES} - {cls.name for cls in built} == {"start"}
    assert len({spec.name for spec in ACTIONS}) == len(ACTIONS)


def test_actions_read_in_time_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.yaml",
        "- {at: 2m, do: pick, who: Cy}\n"
        "- {at: 1m30s, do: shorten, by: 20s}\n"
        "- {at: 2m, do: respond, who: Ben, response: objection}\n",
    )
    actions = load_actions(path)
    assert [(a.at, a.command, a.line) for a in actions] == [
        (90.0, Extend(-20.0), 2),
        (120.0, Pick("Cy"), 1),
        (120.0, Respond("Ben", "objection"), 3),
    ]


def test_a_time_may_hold_a_fraction_of_a_second(tmp_path: Path) -> None:
    # A live session's journal knows a key press to the millisecond; its rehearsal presses
    # the key at that moment.
    path = write(tmp_path, "a.yaml", "- {at: 12.345s, do: pause}\n- {at: 1m2.5s, do: resume}\n")
    assert [a.at for a in load_actions(path)] == [12.345, 62.5]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("- {at: 1m, do: pas}\n", "1:16", "unknown action 'pas'; did you mean `pass`?"),
        ("- {at: 90, do: pass}\n", "1:8", "`at`: 90 is not a time"),
        ("- {at: 1x2.5s, do: pass}\n", "1:8", "`at`: '1x2.5s' is not a time"),
        ("- {do: pass}\n", "1:3", "an action needs `at`"),
        ("- {at: 1m}\n", "1:3", "an action needs `do`"),
        ("- {at: 1m, do: pick}\n", "1:3", "`pick` needs `who`"),
        ("- {at: 1m, do: pick, who: Cy, wh: x}\n", "1:31", "`pick` takes no field `wh`"),
        ("- {at: 1m, do: extend, by: 30}\n", "1:28", "`by`: 30 is not a duration"),
        ("- {at: 1m, do: bell, strikes: 40}\n", "1:31", "a bell is struck 1 to 12 times"),
        ("- {at: 1m, do: raise, who: Ana, kind: order}\n", "1:39", "'order' is not one of"),
        ("- {at: 1m, do: decide, outcome: yes}\n", "1:33", "not one of: no-consent"),
        ("at: 1m\n", "1:1", "an actions file is a list of actions"),
        ("- just words\n", "1:3", "an action is a mapping"),
        ("- {at: 1m, do: pass}\n- {at: 1m, do: pass, at: 2m}\n", "2:22", "duplicate key `at`"),
        ("- !!python/object/apply:os.system ['true']\n", "1:3", "tags are not allowed"),
        ("# nothing\n", "1:1", "the file is empty; list the actions"),
    ],
)
def test_errors_name_the_line_and_column(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = write(tmp_path, "a.yaml", text)
    with pytest.raises(ScriptErrors) as info:
        load_actions(path)
    first = info.value.errors[0]
    assert f"{first.line}:{first.col}" == where, str(info.value)
    assert message in first.message
    assert str(first).startswith(f"{path}:{where}: ")


def test_every_error_of_the_file_is_listed(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "- {at: 1m, do: pas}\n- {at: x, do: next}\n")
    code, out, err = rehearse(
        str(write(tmp_path, "p.yaml", SCRIPT)), "--circle", "Ana,Ben", "--actions", str(path)
    )
    assert code == 2 and out == ""
    assert [line.split(": ")[0] for line in err.splitlines()] == [f"{path}:1:16", f"{path}:2:8"]
    assert "Traceback" not in err


def test_actions_happen_at_their_times_and_refusals_are_reported(tmp_path: Path) -> None:
    script = write(tmp_path, "p.yaml", SCRIPT)
    actions = write(
        tmp_path,
        "a.yaml",
        "- {at: 30s, do: pass}\n- {at: 3m, do: pick, who: Zed}\n- {at: 7m, do: pick, who: Ben}\n",
    )
    code, out, err = rehearse(
        str(script), "--circle", "Ana,Ben,Cy", "--actions", str(actions), "--json"
    )
    assert code == 0, err
    events = timeline(out)
    taken = [(e["t"], e["command"]) for e in events if e["event"] == "command_taken"]
    assert (30.0, {"command": "pass"}) in taken
    refused = [(e["t"], e["reason"]) for e in events if e["event"] == "refused"]
    assert refused == [(180.0, "Zed is not in this circle")]
    # The popcorn round waits for the pick the file makes, then goes round.
    turns = [(e["t"], e["speaker"]) for e in events if e["event"] == "turn_started"]
    assert turns[-3:] == [(420.0, "Ben"), (540.0, "Ana"), (660.0, "Cy")]
    code, out, _ = rehearse(str(script), "--circle", "Ana,Ben,Cy", "--actions", str(actions))
    assert "[03:00] refused pick Zed: Zed is not in this circle" in out
    assert "[00:30] action: pass" in out


def test_only_actions_does_what_the_file_says_and_nothing_else(tmp_path: Path) -> None:
    script = write(tmp_path, "p.yaml", SCRIPT)
    actions = write(tmp_path, "a.yaml", "- {at: 1m, do: next}\n- {at: 5m, do: end}\n")
    code, out, _ = rehearse(
        str(script),
        "--circle",
        "Ana,Ben",
        "--actions",
        str(actions),
        "--only-actions",
        "--json",
    )
    assert code == 0
    events = timeline(out)
    commands = [e["command"]["command"] for e in events if e["event"] == "command_taken"]
    assert commands == ["start", "next", "end"]
    # Ben's turn ran out at 3:00 and nobody moved on: he spoke until the end at 5:00.
    assert [e["t"] for e in events if e["event"] == "turn_time_up"] == [180.0]
    assert events[-1]["event"] == "session_ended" and events[-1]["airtime"]["Ben"] == 240.0
    code, _, err = rehearse(str(script), "--circle", "Ana", "--only-actions")
    assert code == 2 and "--only-actions needs --actions FILE" in err


def test_meeting_roles_and_focus_order(tmp_path: Path) -> None:
    script = write(tmp_path, "p.yaml", SCRIPT)
    code, out, _ = rehearse(str(script), "--circle", "Ana,Ben,Cy", "--meeting", "2", "--json")
    started = timeline(out)[1]
    assert started["event"] == "session_started"
    assert (started["meeting"], started["roles"]) == (2, {"host": ["Ben"]})
    code, out, _ = rehearse(str(script), "--circle", "Ana,Ben,Cy", "--roles", "host=Cy", "--json")
    assert timeline(out)[1]["roles"] == {"host": ["Cy"]}
    code, _, err = rehearse(str(script), "--circle", "Ana,Ben", "--roles", "hots=Ana")
    assert code == 2
    assert (
        err == "circlekeeper: --roles names `hots`, which is not a role of this practice (host)\n"
    )
    code, _, err = rehearse(str(script), "--circle", "Ana,Ben", "--roles", "host")
    assert code == 2 and "should read role=Name" in err
    code, _, err = rehearse(str(script), "--circle", "Ana,Ben", "--focus-order", "Zed")
    assert code == 2 and err == "circlekeeper: Zed is in the focus order, but not in the circle\n"
    code, _, err = rehearse(str(script), "--circle", "Ana,Ben", "--meeting", "0")
    assert code == 2 and "Traceback" not in err
