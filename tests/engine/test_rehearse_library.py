"""Every built-in practice, rehearsed for circles of 2 to 12: the timeline keeps the script.

The expectations are read from the script itself (turn times, warnings, bell schedules), so a
new practice in the library is checked without a new test.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli
from circlekeeper.script.loader import load_practice
from circlekeeper.script.model import Practice, RoundStep, SitStep, duration_seconds

PRACTICES = sorted((Path(__file__).resolve().parents[2] / "practices").glob("*.yaml"))
NAMES = ["Ana", "Ben", "Cy", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lu"]
TURN_EVENTS = {"turn_started", "turn_warning", "turn_time_up", "turn_ended", "passed"}


def rehearse(path: Path, circle: list[str]) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        cli, ["rehearse", str(path), "--circle", ",".join(circle), "--json"]
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    # In a rehearsal nobody is refused anything; the commands themselves are left out here.
    assert not [e for e in events if e["event"] == "refused"]
    return [e for e in events if e["event"] != "command_taken"]


def by_step(events: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Events grouped by the run index of the step they happened in."""
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    current = -1
    for event in events:
        if event["event"] == "step_started":
            current = event["index"]
        groups[current].append(event)
    return groups


def check_round(step: RoundStep, events: list[dict[str, Any]], size: int) -> None:
    laps = [e for e in events if e["event"] == "lap_started"]
    assert len(laps) == step.lap_count
    turns = [e for e in events if e["event"] == "turn_started"]
    # Nobody passes in a rehearsal: each lap gives the stick once to each person in its order.
    for lap in laps:
        in_lap = [e["speaker"] for e in turns if e["lap"] == lap["lap"]]
        assert in_lap == lap["order"]
        assert len(set(in_lap)) == len(in_lap)
    if step.turn.time is None:
        return
    allowed = step.turn.time
    ended = {e["speaker"]: e for e in events if e["event"] == "turn_ended"}
    for turn in turns:
        assert turn["allowed"] == pytest.approx(allowed)
        end = next(
            e
            for e in events
            if e["event"] == "turn_ended" and e["speaker"] == turn["speaker"] and e["t"] > turn["t"]
        )
        assert end["spoke"] == pytest.approx(allowed) and end["overtime"] == 0
        assert end["t"] == pytest.approx(turn["t"] + allowed)
        if step.turn.warning is not None:
            warning = next(
                e
                for e in events
                if e["event"] == "turn_warning"
                and e["speaker"] == turn["speaker"]
                and turn["t"] <= e["t"] <= end["t"]
            )
            assert warning["t"] == pytest.approx(turn["t"] + allowed - step.turn.warning)
    assert set(ended) <= set(NAMES[:size])


def check_sit(step: SitStep, events: list[dict[str, Any]], size: int) -> None:
    start = events[0]["t"]
    length = duration_seconds(step.duration, size)
    bells = [e for e in events if e["event"] == "bell_due"]
    if step.bells.start is not None:
        first = next(b for b in bells if b["reason"] == "start")
        assert (first["t"], first["sound"], first["strikes"]) == (
            start,
            step.bells.start.sound,
            step.bells.start.strikes,
        )
    if step.bells.end is not None:
        last = next(b for b in bells if b["reason"] == "end")
        assert last["t"] == pytest.approx(start + length)
        assert (last["sound"], last["strikes"]) == (step.bells.end.sound, step.bells.end.strikes)
    interval = step.bells.interval
    if interval is not None and interval.jitter == 0:
        expected = [
            start + k * interval.every for k in range(1, (length - 1) // interval.every + 1)
        ]
        got = [b["t"] for b in bells if b["reason"] == "interval"]
        assert got == pytest.approx(expected)


def top_level(practice: Practice, agenda: int) -> object:
    return practice.steps[agenda]


@pytest.mark.parametrize("size", range(2, 13))
@pytest.mark.parametrize("path", PRACTICES, ids=[p.stem for p in PRACTICES])
def test_rehearsal_keeps_the_script(path: Path, size: int) -> None:
    practice = load_practice(path)
    circle = NAMES[:size]
    events = rehearse(path, circle)

    times = [e["t"] for e in events]
    assert times == sorted(times), "event times go backwards"
    assert events[0]["event"] == "session_started" and events[-1]["event"] == "session_ended"
    for event in events:
        if event["event"] in TURN_EVENTS:
            assert event["speaker"] in circle

    starts = [e["index"] for e in events if e["event"] == "step_started"]
    ends = [e["index"] for e in events if e["event"] == "step_ended"]
    assert starts == ends == list(range(len(starts))), "each step starts and ends exactly once"

    spoke: dict[str, float] = defaultdict(float)
    for event in events:
        if event["event"] == "turn_ended":
            spoke[event["speaker"]] += event["spoke"]
    airtime = events[-1]["airtime"]
    assert set(airtime) == set(circle)
    for name in circle:
        assert airtime[name] == pytest.approx(spoke[name])

    for index, step_events in by_step(events).items():
        if index < 0:
            continue
        step = top_level(practice, step_events[0]["agenda"])
        if isinstance(step, RoundStep) and step.order == "fixed" and not step.only:
            check_round(step, step_events, size)
        elif isinstance(step, SitStep):
            check_sit(step, step_events, size)


def test_the_library_is_not_empty() -> None:
    assert len(PRACTICES) >= 3
