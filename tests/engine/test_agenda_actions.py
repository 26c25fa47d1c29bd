"""`rehearse --actions` with every agenda change: insert, remove, move, set-duration, end-at
(from `--start`), the topics; a step the file inserts is checked as the file is read; and the
reportback lists the steps as they ran."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from circlekeeper.engine.actions import Action, load_actions
from circlekeeper.engine.commands import EndAt, Insert
from circlekeeper.engine.events import StepInserted, StepStarted
from circlekeeper.engine.rehearse import simulate
from circlekeeper.engine.timeline import clock
from circlekeeper.records.export import markdown
from circlekeeper.records.summary import summarize
from circlekeeper.script import load_text
from circlekeeper.script.errors import ScriptErrors

from .helpers import of, session
from .test_actions import rehearse, write
from .test_actions import timeline as timeline_of

CREW = """\
title: Crew meeting
kind: check-in
roles:
  - {id: host, name: Host}
steps:
  - kind: round
    title: Check-in
    prompt: How are you arriving?
    turn: {time: 2m, end: hard}
  - kind: discussion
    title: Open discussion
    duration: 20m
  - kind: silence
    id: close
    title: Closing silence
    duration: 1m
  - kind: round
    title: Check-out
    turn: {time: 30s, end: hard}
"""

EVERY_EDIT = """\
- {at: 3m, do: insert, step: {kind: breakout, title: "Pairs [draft]", group_size: 2, duration: 4m}}
- {at: 3m, do: add-topic, text: Budget for the retreat}
- {at: 3m, do: add-topic, text: Snacks}
- {at: 4m, do: move, step: close, after: s1}
- {at: 5m, do: set-duration, step: s2, duration: 15m}
- {at: 6m, do: bring-forward, topic: t1}
- {at: 6m, do: remove-topic, topic: t2}
- {at: 7m, do: remove, step: s4}
- {at: 9m, do: end-at, time: "19:40"}
- {at: 9m, do: remove, step: s1}
"""


def test_every_agenda_action_in_a_rehearsal(tmp_path: Path) -> None:
    script, actions = write(tmp_path, "crew.yaml", CREW), write(tmp_path, "a.yaml", EVERY_EDIT)
    args = [str(script), "--circle", "Ana,Ben,Cy,Dee", "--actions", str(actions)]
    code, out, err = rehearse(*args, "--start", "19:00", "--json")
    assert code == 0, err
    timeline = timeline_of(out)
    changes = [
        (e["event"], e.get("id"))
        for e in timeline
        if e["event"].startswith(("step_inserted", "step_removed", "step_moved", "step_retimed"))
        or e["event"].startswith("topic_")
    ]
    assert changes == [
        ("step_inserted", "s5"),
        ("topic_added", "t1"),
        ("topic_added", "t2"),
        ("step_moved", "close"),
        ("step_retimed", "s2"),
        ("step_inserted", "s6"),
        ("topic_removed", "t1"),
        ("topic_removed", "t2"),
        ("step_removed", "s4"),
        ("step_retimed", "s6"),
        ("step_retimed", "close"),
        ("step_retimed", "s5"),
        ("step_retimed", "s2"),
    ]
    started = [(e["id"], e["title"]) for e in timeline if e["event"] == "step_started"]
    assert started == [
        ("s1", "Check-in"),
        ("s6", "Budget for the retreat"),
        ("close", "Closing silence"),
        ("s5", "Pairs [draft]"),
        ("s2", "Open discussion"),
    ]
    # 19:40 is forty minutes after the start: the last step ends then, to the millisecond.
    assert [e["t"] for e in timeline if e["event"] == "step_ended"][-1] == 2_400.0
    assert timeline[-1]["event"] == "session_ended"
    refusals = [e["reason"] for e in timeline if e["event"] == "refused"]
    assert refusals == ["`s1` has run already"]
    code, text, _ = rehearse(*args, "--start", "19:00")
    assert code == 0
    for line in [
        '[03:00] action: insert breakout "Pairs [draft]"',
        '[03:00] agenda: s5 "Pairs [draft]" [breakout, 4:00] inserted after s1',
        "[04:00] action: move close after s1",
        '[05:00] agenda: s2 "Open discussion" takes 15:00 (was 20:00)',
        '[06:00] agenda: s6 "Budget for the retreat" [discussion, 10:00] inserted after s1 '
        "(topic t1)",
        "[06:00] topic t2 removed",
        "[09:00] action: end-at 40:00",
        "[09:00] agenda: fitted to end at 40:00 (19:40)",
        "[09:00] agenda: forecast end 40:00 (19:40)",
        "[09:00] refused remove s1: `s1` has run already",
    ]:
        assert line in text, text


def test_a_time_of_day_counts_from_the_start_and_may_pass_midnight(tmp_path: Path) -> None:
    script = write(tmp_path, "crew.yaml", CREW)
    actions = write(tmp_path, "a.yaml", '- {at: 5m, do: end-at, time: "00:05"}\n')
    code, out, err = rehearse(
        str(script), "--circle", "Ana,Ben", "--actions", str(actions), "--start", "23:30", "--json"
    )
    assert code == 0, err
    timeline = timeline_of(out)
    assert [e["at"] for e in timeline if e["event"] == "schedule_fitted"] == [2_100.0]
    assert [e["t"] for e in timeline if e["event"] == "step_ended"][-1] == 2_100.0
    # Without --start the clock starts at 00:00: a time of day is time into the session.
    assert load_actions(actions)[0].command == EndAt(300.0)
    code, out, _ = rehearse(
        str(script), "--circle", "Ana,Ben", "--actions", str(actions), "--start", "00:30"
    )
    assert "refused end-at" in out and "that time has passed" in out
    # The text timeline gives an end at a time as the clock too, past midnight as well.
    code, out, _ = rehearse(
        str(script), "--circle", "Ana,Ben", "--actions", str(actions), "--start", "23:30"
    )
    assert "[05:00] agenda: fitted to end at 35:00 (00:05)" in out


def test_the_forecast_end_reads_as_the_minute_the_screens_show(tmp_path: Path) -> None:
    """A forecast end with seconds shows the next whole minute (as the live screen does)."""
    script = write(tmp_path, "crew.yaml", CREW)
    retime = "- {at: 1m, do: set-duration, step: s2, duration: 20m29s}\n"
    actions = write(tmp_path, "a.yaml", retime)
    args = [str(script), "--circle", "Ana,Ben", "--actions", str(actions), "--start", "19:00"]
    code, out, err = rehearse(*args, "--json")
    assert code == 0, err
    ends = [e["ends"] for e in timeline_of(out) if e["event"] == "agenda_changed"]
    assert len(ends) == 1 and ends[0] % 60 != 0
    code, text, _ = rehearse(*args)
    minute = math.ceil(ends[0] / 60)
    assert f"forecast end {clock(ends[0])} (19:{minute:02d})" in text, text


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "- {at: 1m, do: insert, step: {kind: silence, title: Pause}}\n",
            "1:30",
            "a silence step needs `duration`",
        ),
        (
            "- at: 1m\n  do: insert\n  step:\n    kind: silence\n    duration: 1x\n",
            "5:15",
            "`duration`: '1x' is not a duration",
        ),
        (
            "- {at: 1m, do: insert, step: {kind: round, only: [scribe]}}\n",
            "1:51",
            "`only`: no role named `scribe` (roles here: host)",
        ),
        ("- {at: 1m, do: insert, step: pause}\n", "1:30", "`step`: a step is a mapping"),
        ("- {at: 1m, do: end-at, time: 9.30pm}\n", "1:30", "'9.30pm' is not a time of day"),
        ("- {at: 1m, do: end-at, time: 2130}\n", "1:30", "2130 is not a time of day"),
        ("- {at: 1m, do: set-duration, step: s2, duration: 0s}\n", "1:50", "is zero"),
        ("- {at: 1m, do: move, step: s2}\n", "1:3", "`move` needs `after`"),
        ("- {at: 1m, do: bring-forward, topic: t1, step: x}\n", "1:48", "a step is a mapping"),
    ],
)
def test_agenda_action_errors_name_the_line_and_column(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    practice = load_text(CREW, "crew.yaml")
    path = write(tmp_path, "a.yaml", text)
    with pytest.raises(ScriptErrors) as info:
        load_actions(path, practice=practice)
    first = info.value.errors[0]
    assert f"{first.line}:{first.col}" == where, str(info.value)
    assert message in first.message, str(info.value)


def test_a_bad_start_is_one_line_and_status_two(tmp_path: Path) -> None:
    script = write(tmp_path, "crew.yaml", CREW)
    code, out, err = rehearse(str(script), "--circle", "Ana", "--start", "7pm")
    assert (code, out) == (2, "")
    assert err == "circlekeeper: --start takes a time of day like 19:30, not '7pm'\n"


def test_a_breakout_inserted_mid_round_runs_next_and_the_reportback_shows_it() -> None:
    s = session(
        {"kind": "round", "title": "Check-in", "prompt": "How are you?", "turn": {"time": "2m"}},
        {"kind": "discussion", "title": "Open discussion", "duration": "10m"},
    )
    breakout = {"kind": "breakout", "title": "Breakout in pairs", "group_size": 2, "duration": "4m"}
    events = simulate(s, [Action(150.0, Insert(breakout), 1)])
    inserted = of(events, StepInserted)
    assert [(e.title, e.after) for e in inserted] == [("Breakout in pairs", "s1")]
    assert [e.title for e in of(events, StepStarted)] == [
        "Check-in",
        "Breakout in pairs",
        "Open discussion",
    ]
    summary = summarize(events, "Crew", ("Ana", "Ben", "Cy", "Dee"))
    assert [(step.title, step.kind, step.seconds) for step in summary.steps] == [
        ("Check-in", "round", 480.0),
        ("Breakout in pairs", "breakout", 240.0),
        ("Open discussion", "discussion", 600.0),
    ]
    assert "2. **Breakout in pairs**: 4:00" in markdown(summary)
