"""Every built-in practice, rehearsed at every size in its range (and every meeting of a
series): the timeline keeps the script and the engine's invariants hold.

The expectations are read from the script itself (turn times, warnings, bell schedules), so a
new practice in the library is checked without a new test. The rehearsal goes through the
engine directly (the command line's `rehearse --json` prints these same dicts), so that the
few hundred circles stay quick.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli
from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.rehearse import simulate
from circlekeeper.script.loader import load_practice
from circlekeeper.script.model import Practice, RoundStep, SitStep, duration_seconds

PRACTICES = sorted((Path(__file__).resolve().parents[2] / "practices").glob("*.yaml"))
LIBRARY = {path.stem: load_practice(path) for path in PRACTICES}
TURN_EVENTS = {"turn_started", "turn_warning", "turn_time_up", "turn_ended", "passed"}


def names(size: int) -> list[str]:
    """A circle of `size` distinct names."""
    return [f"P{i:03d}" for i in range(1, size + 1)]


def circles() -> list[tuple[str, int, int]]:
    """(practice, size, meeting) for every size in each range, every meeting of a series at
    the smallest, ideal and largest size."""
    found = []
    for name, practice in LIBRARY.items():
        size = practice.size
        for n in range(size.min, size.max + 1):
            found.append((name, n, 0))
        if practice.series is not None:
            for n in sorted({size.min, size.ideal or size.min, size.max}):
                found += [(name, n, m) for m in range(1, practice.series.meetings)]
    return found


def rehearse(practice: Practice, circle: list[str], meeting: int) -> list[dict[str, Any]]:
    """The simulated facilitator's timeline, as `rehearse --json` gives it."""
    plan = plan_circle(practice, circle, seed=7, meeting=meeting)
    # Through JSON, as the command line prints them (tuples become lists).
    events = [json.loads(json.dumps(e.to_json())) for e in simulate(Session(practice, plan))]
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


def check_round(step: RoundStep, events: list[dict[str, Any]], circle: list[str]) -> None:
    laps = [e for e in events if e["event"] == "lap_started"]
    assert 1 <= len(laps) <= step.lap_count
    if step.until == "laps":
        assert len(laps) == step.lap_count
    turns = [e for e in events if e["event"] == "turn_started"]
    # Each lap gives the stick once to each person in its order (a pass is a turn too).
    for lap in laps:
        in_lap = [e["speaker"] for e in turns if e["lap"] == lap["lap"]]
        assert in_lap == lap["order"]
        assert len(set(in_lap)) == len(in_lap)
    if step.turn.time is None or step.duration is not None:
        return
    allowed = step.turn.time
    for i, turn in enumerate(events):
        if turn["event"] != "turn_started":
            continue
        rest = events[i + 1 :]
        k, end = next(
            (k, e)
            for k, e in enumerate(rest)
            if e["event"] == "turn_ended" and e["speaker"] == turn["speaker"]
        )
        assert turn["allowed"] == pytest.approx(allowed)
        if any(e["event"] == "passed" for e in rest[:k]):
            assert end["spoke"] == 0.0  # holding the stick before a pass is not speaking
            continue
        assert end["spoke"] == pytest.approx(allowed) and end["overtime"] == 0
        assert end["t"] == pytest.approx(turn["t"] + allowed)
        if step.turn.warning is not None:
            warning = next(e for e in rest[:k] if e["event"] == "turn_warning")
            assert warning["t"] == pytest.approx(turn["t"] + allowed - step.turn.warning)
    assert {e["speaker"] for e in turns} <= set(circle)


def check_sit(step: SitStep, events: list[dict[str, Any]], size: int) -> None:
    start = events[0]["t"]
    length = duration_seconds(step.duration, size)
    bells = [e for e in events if e["event"] == "bell_due"]
    if step.bells.start is not None:
        # The first bell of the period: at its start, or after the cues before it have rung.
        first = next(b for b in bells if b["reason"] == "start")
        assert start <= first["t"] < start + 15.0
        assert (first["sound"], first["strikes"]) == (
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


@pytest.mark.parametrize(
    ("name", "size", "meeting"), circles(), ids=[f"{n}-{s}-m{m}" for n, s, m in circles()]
)
def test_rehearsal_keeps_the_script(name: str, size: int, meeting: int) -> None:
    practice = LIBRARY[name]
    circle = names(size)
    events = rehearse(practice, circle, meeting)

    times = [e["t"] for e in events]
    assert times == sorted(times), "event times go backwards"
    assert events[0]["event"] == "session_started" and events[-1]["event"] == "session_ended"
    assert events[-1]["reason"] == "done", "the practice ran to its end"
    for event in events:
        if event["event"] in TURN_EVENTS:
            assert event["speaker"] in circle

    starts = [e["index"] for e in events if e["event"] == "step_started"]
    ends = [e["index"] for e in events if e["event"] == "step_ended"]
    assert starts == ends == list(range(len(starts))), "each step starts and ends exactly once"
    assert starts, "at least one step runs"

    spoke: dict[str, float] = defaultdict(float)
    for event in events:
        if event["event"] == "turn_ended":
            assert event["spoke"] >= 0 and event["overtime"] >= 0
            spoke[event["speaker"]] += event["spoke"]
    airtime = events[-1]["airtime"]
    assert set(airtime) == set(circle)
    for person in circle:
        assert airtime[person] == pytest.approx(spoke[person])

    for event in events:
        if event["event"] == "groups_formed":
            people = [p for group in event["groups"] for p in group]
            assert sorted(people) == sorted(circle), "everyone is in exactly one group"
            assert all(len(group) >= 2 for group in event["groups"]) or size == 1

    for index, step_events in by_step(events).items():
        if index < 0:
            continue
        step = practice.steps[step_events[0]["agenda"]]
        if isinstance(step, RoundStep) and step.order == "fixed" and not step.only:
            check_round(step, step_events, circle)
        elif isinstance(step, SitStep):
            check_sit(step, step_events, size)


def test_every_size_of_every_practice_is_rehearsed() -> None:
    covered = {(name, size) for name, size, _ in circles()}
    for name, practice in LIBRARY.items():
        wanted = {(name, n) for n in range(practice.size.min, practice.size.max + 1)}
        assert wanted <= covered, name


def test_the_command_line_prints_the_same_timeline() -> None:
    practice = LIBRARY["check-in"]
    circle = names(4)
    result = CliRunner().invoke(
        cli, ["rehearse", "check-in", "--circle", ",".join(circle), "--seed", "7", "--json"]
    )
    assert result.exit_code == 0, result.output
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e for e in printed if e["event"] != "command_taken"] == rehearse(practice, circle, 0)


def test_the_library_holds_twenty_practices_and_keeps_its_old_names() -> None:
    assert len(LIBRARY) >= 20
    assert {"check-in", "silent-sit", "feedback-round"} <= set(LIBRARY)
