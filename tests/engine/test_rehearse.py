"""`circlekeeper rehearse` through the command line, in simulated time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli

SCRIPT = """\
title: Rehearsal test
kind: check-in
size: {min: 2, max: 8}
roles:
  - {id: host, name: Host}
steps:
  - kind: read
    text: Welcome.
  - kind: round
    prompts: ["How are you arriving?", "What do you need?"]
    turn: {time: 2m, warning: 30s}
  - kind: round
    order: popcorn
    prompt: Anything else?
  - kind: round
    prompt: Last words
    until: all-pass
    turn: {time: 1m, end: hard}
  - kind: breakout
    group_size: 2
    duration: 6m
    swap_every: 3m
  - kind: sit
    duration: 10m
    bells: {start: "bowl x3", end: bowl, interval: {every: 3m, jitter: 30s}}
"""

TURN_EVENTS = {"turn_started", "turn_warning", "turn_time_up", "turn_ended", "passed"}


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "rehearsal.yaml"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def rehearse(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["rehearse", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_timeline_one_object_per_line(script: Path) -> None:
    code, out, err = rehearse(str(script), "--circle", "Ana,Ben,Cy", "--seed", "4", "--json")
    assert code == 0, err
    every = [json.loads(line) for line in out.splitlines()]
    # The JSON keeps every command, first the start; the rest of the timeline as before.
    assert every[0] == {"t": 0.0, "event": "command_taken", "command": {"command": "start"}}
    lines = [line for line in every if line["event"] != "command_taken"]
    assert lines[0]["event"] == "session_started"
    assert all({"t", "event"} <= set(line) for line in lines)
    assert all("speaker" in line for line in lines if line["event"] in TURN_EVENTS)
    times = [line["t"] for line in lines]
    assert times == sorted(times)
    last = lines[-1]
    assert last["event"] == "session_ended"
    # Three people, two laps of two minutes each, one untimed popcorn turn (2 min), one
    # minute in the last round before everyone passes: 7 minutes each.
    assert last["airtime"] == {"Ana": 420.0, "Ben": 420.0, "Cy": 420.0}
    reasons = [line["reason"] for line in lines if line["event"] == "step_ended"]
    assert reasons == ["next", "done", "done", "all-pass", "time", "time"]


def test_same_seed_same_timeline(script: Path) -> None:
    one = rehearse(str(script), "--circle", "Ana,Ben,Cy,Dee", "--seed", "9", "--json")
    two = rehearse(str(script), "--circle", "Ana,Ben,Cy,Dee", "--seed", "9", "--json")
    assert one == two


def test_human_timeline_is_readable(script: Path) -> None:
    code, out, _ = rehearse(str(script), "--circle", "Ana,Ben", "--seed", "1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("[00:00] session started: Rehearsal test with Ana, Ben")
    assert all(line[:1] == "[" and line[6:8] == "] " for line in lines)
    # "Welcome." takes the shortest reading time of the estimate: 20 s.
    assert "[00:20] Ana has the stick (2:00)" in lines
    assert "[01:50] Ana: 0:30 left" in lines
    assert lines[-1].startswith("[")
    assert "session ended (done)" in lines[-1]


def test_circle_of_one_works_with_a_warning(script: Path) -> None:
    code, out, err = rehearse(str(script), "--circle", "Solo", "--json")
    assert code == 0
    assert "at least 2 people" in err
    assert json.loads(out.splitlines()[-1])["event"] == "session_ended"


def test_builtin_practices_rehearse_cleanly() -> None:
    folder = Path(__file__).resolve().parents[2] / "practices"
    scripts = sorted(folder.glob("*.yaml"))
    for path in scripts:
        code, out, err = rehearse(str(path), "--circle", "Ana,Ben,Cy,Dee", "--seed", "1", "--json")
        assert code == 0, f"{path.name}: {err}"
        assert json.loads(out.splitlines()[-1])["event"] == "session_ended"


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-practice-anywhere", "--circle", "Ana,Ben"],
        ["{bad}", "--circle", "Ana,Ben"],
    ],
)
def test_bad_input_exits_2_with_one_line(script: Path, tmp_path: Path, args: list[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: Bad\nkind: other\nsteps:\n  - kind: silence\n", encoding="utf-8")
    filled = [a.format(script=script, bad=bad) for a in args]
    code, out, err = rehearse(*filled)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_empty_circle_exits_2(script: Path) -> None:
    code, out, err = rehearse(str(script), "--circle", " , ")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "names nobody" in err and "Traceback" not in err


def test_run_rehearse_reports_script_errors_with_a_position(tmp_path: Path) -> None:
    from io import StringIO

    from circlekeeper.engine.rehearse import run_rehearse

    bad = tmp_path / "bad.yaml"
    bad.write_text("title: Bad\nkind: other\nsteps:\n  - kind: silence\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    assert run_rehearse(str(bad), ["Ana"], seed=None, as_json=False, out=out, err=err) == 2
    assert f"{bad}:4:" in err.getvalue()
    assert run_rehearse(str(bad), [], seed=None, as_json=False, out=out, err=err) == 2
    assert out.getvalue() == ""


def test_a_scripts_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "escapes.yaml"
    path.write_text(
        'title: "Clear \\x1b[2J and \\x9b31m"\n'
        "kind: check-in\n"
        "steps:\n"
        '  - {kind: read, title: "Bell \\x07 [b]", duration: 5s, text: "OSC \\x1b]0;x\\x07 [/]"}\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    for extra in ([], ["--json"]):
        result = runner.invoke(cli, ["rehearse", str(path), "--circle", "Ana,B\x1b[7m", *extra])
        assert result.exit_code == 0, result.output
        assert not any(ch in result.output for ch in "\x1b\x07\x9b")
        if extra:  # still the exact texts, escaped the JSON way
            title = json.loads(result.output.splitlines()[1])["practice"]
            assert title == "Clear \x1b[2J and \x9b31m"
        else:  # shown, escaped, and the brackets as written
            assert "Clear \\x1b[2J and \\x9b31m" in result.output
            assert 'OSC \\x1b]0;x\\x07 [/]"' in result.output
