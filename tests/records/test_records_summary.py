"""The reportback: numbers worked out by hand from a known session, Markdown and files."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from circlekeeper.engine.events import (
    BellDue,
    Event,
    LapStarted,
    Passed,
    Paused,
    Resumed,
    SessionEnded,
    SessionStarted,
    StepEnded,
    StepStarted,
    TurnEnded,
    TurnStarted,
    TurnTimeUp,
    TurnWarning,
    Undone,
)
from circlekeeper.paths import data_dir
from circlekeeper.records.export import markdown
from circlekeeper.records.summary import save_summary, summarize

CIRCLE = ("Ana", "Ben", "Cy")
STARTED = datetime(2026, 11, 23, 19, 30)


def step(t: float, index: int, kind: str, title: str, duration: float | None) -> StepStarted:
    return StepStarted(
        t, index=index, agenda=index, kind=kind, title=title, text=None, duration=duration
    )


def session() -> list[Event]:
    """Arrive (silence), a check-in round with a pause, a skipped step, a check-out with an
    undone next and a pass, as the engine reports them (a passer's turn ends too)."""
    return [
        SessionStarted(0.0, practice="Crew check-in", circle=CIRCLE),
        step(0.0, 0, "silence", "Arrive", 60.0),
        BellDue(0.0, sound="bowl", strikes=3, reason="start"),
        StepEnded(60.0, index=0, reason="time"),
        step(60.0, 1, "round", "Check-in", 360.0),
        LapStarted(60.0, lap=1, prompt="How are you arriving?", order=CIRCLE),
        TurnStarted(60.0, speaker="Ana", lap=1, allowed=120.0),
        TurnWarning(150.0, speaker="Ana", remaining=30.0),
        TurnTimeUp(180.0, speaker="Ana", hard=False),
        TurnEnded(200.0, speaker="Ana", spoke=140.0, overtime=20.0),
        TurnStarted(200.0, speaker="Ben", lap=1, allowed=120.0),
        Passed(210.0, speaker="Ben", again=True),
        TurnEnded(210.0, speaker="Ben", spoke=10.0, overtime=0.0),
        TurnStarted(210.0, speaker="Cy", lap=1, allowed=120.0),
        Paused(220.0),
        Resumed(250.0, paused_for=30.0),
        TurnEnded(300.0, speaker="Cy", spoke=60.0, overtime=0.0),
        TurnStarted(300.0, speaker="Ben", lap=1, allowed=120.0),
        TurnEnded(345.0, speaker="Ben", spoke=45.0, overtime=0.0),
        StepEnded(345.0, index=1, reason="done"),
        step(345.0, 2, "open", "Open talk", 600.0),
        StepEnded(350.0, index=2, reason="skip"),
        step(350.0, 3, "round", "Check-out", None),
        TurnStarted(350.0, speaker="Ana", lap=1, allowed=None),
        TurnEnded(380.0, speaker="Ana", spoke=30.0, overtime=0.0),
        TurnStarted(380.0, speaker="Ben", lap=1, allowed=None),
        TurnEnded(400.0, speaker="Ben", spoke=20.0, overtime=0.0),
        TurnStarted(400.0, speaker="Cy", lap=1, allowed=None),
        # Ben was not done: his turn goes on; Cy's five seconds count for nobody.
        Undone(405.0, what="next", speaker="Ben", dropped="Cy"),
        TurnStarted(405.0, speaker="Ben", lap=1, allowed=None),
        TurnEnded(430.0, speaker="Ben", spoke=25.0, overtime=0.0),
        TurnStarted(430.0, speaker="Cy", lap=1, allowed=None),
        Passed(432.0, speaker="Cy", again=True),
        TurnEnded(432.0, speaker="Cy", spoke=2.0, overtime=0.0),
        TurnStarted(432.0, speaker="Cy", lap=1, allowed=None),
        TurnEnded(460.0, speaker="Cy", spoke=28.0, overtime=0.0),
        StepEnded(460.0, index=3, reason="done"),
    ]


def test_numbers_from_the_turns_of_a_session_cut_short() -> None:
    summary = summarize(session(), "Crew check-in", CIRCLE, started=STARTED)
    assert summary.airtime_source == "turns"
    # Ana 140 + 30; Ben 10 (before passing) + 45 + 20 + 25; Cy 60 + 2 (before passing) + 28.
    assert summary.airtime == {"Ana": 170.0, "Ben": 100.0, "Cy": 90.0}
    assert summary.overtime == {"Ana": 20.0, "Ben": 0.0, "Cy": 0.0}
    assert summary.turns == {"Ana": 2, "Ben": 2, "Cy": 2}
    assert summary.passes == {"Ana": 0, "Ben": 1, "Cy": 1}
    assert summary.steps_done == 3
    assert summary.steps_skipped == 1
    assert [(s.title, s.seconds, s.outcome) for s in summary.steps] == [
        ("Arrive", 60.0, "done"),
        ("Check-in", 285.0, "done"),
        ("Open talk", 5.0, "skipped"),
        ("Check-out", 110.0, "done"),
    ]
    assert summary.duration == 460.0
    assert summary.pauses == 1
    assert summary.paused_total == 30.0
    assert summary.ended is None


def test_the_engine_ledger_wins_when_the_session_ended() -> None:
    events = [
        *session(),
        SessionEnded(
            470.0,
            airtime={"Ana": 171.0, "Ben": 101.0, "Cy": 90.0},
            overtime={"Ana": 21.0, "Ben": 0.0, "Cy": 0.0},
            reason="done",
        ),
    ]
    summary = summarize(events, "Crew check-in", CIRCLE, started=STARTED)
    assert summary.airtime_source == "engine"
    assert summary.airtime == {"Ana": 171.0, "Ben": 101.0, "Cy": 90.0}
    assert summary.overtime == {"Ana": 21.0, "Ben": 0.0, "Cy": 0.0}
    assert summary.duration == 470.0
    assert summary.ended == "done"


def test_an_undone_pass_is_no_pass() -> None:
    events = [
        step(0.0, 0, "round", "Round", None),
        TurnStarted(0.0, speaker="Cy", lap=1, allowed=60.0),
        Passed(3.0, speaker="Cy", again=False),
        TurnEnded(3.0, speaker="Cy", spoke=3.0, overtime=0.0),
        TurnStarted(3.0, speaker="Dee", lap=1, allowed=60.0),
        Undone(4.0, what="pass", speaker="Cy", dropped="Dee"),
        TurnStarted(4.0, speaker="Cy", lap=1, allowed=57.0),
        TurnEnded(34.0, speaker="Cy", spoke=30.0, overtime=0.0),
    ]
    summary = summarize(events, "Round", ("Cy", "Dee"), started=STARTED)
    assert summary.airtime == {"Cy": 33.0, "Dee": 0.0}
    assert summary.passes == {"Cy": 0, "Dee": 0}
    assert summary.turns == {"Cy": 1, "Dee": 0}


def test_an_open_pause_and_an_interrupted_step_count_up_to_the_last_event() -> None:
    events = [
        step(0.0, 0, "sit", "Sit", 1800.0),
        Paused(600.0),
        BellDue(700.0, sound="bowl", strikes=1, reason="interval"),
    ]
    summary = summarize(events, "Sit", ("Eli", "Fay"), started=STARTED)
    assert summary.pauses == 1
    assert summary.paused_total == 100.0
    assert [(s.seconds, s.outcome) for s in summary.steps] == [(700.0, "interrupted")]
    assert summary.airtime == {"Eli": 0.0, "Fay": 0.0}


def test_markdown_has_the_names_the_steps_and_a_table() -> None:
    text = markdown(summarize(session(), "Crew check-in", CIRCLE, started=STARTED))
    lines = text.splitlines()
    assert lines[0] == "# Crew check-in"
    assert "Monday 23 November 2026, 19:30 · 8 minutes, cut short" in lines
    assert "Ana, Ben and Cy were in the circle." in lines
    assert "The circle paused once (0:30 in all)." in lines
    assert "| Person | Spoke | Over time | Share | Turns | Passed |" in lines
    # 170 + 100 + 90 = 360 s in all.
    assert "| Ana | 2:50 | 0:20 | 47% | 2 | 0 |" in lines
    assert "| Ben | 1:40 | 0:00 | 28% | 2 | 1 |" in lines
    assert "| Cy | 1:30 | 0:00 | 25% | 2 | 1 |" in lines
    assert "3. **Open talk**: skipped" in lines
    assert "4. **Check-out**: 1:50, cut short" not in lines  # it ended: 1:50, done
    assert "4. **Check-out**: 1:50" in lines


def test_markdown_keeps_odd_names_from_breaking_the_table() -> None:
    text = markdown(summarize([], "A | B", ("X|Y",), started=STARTED))
    assert "# A \\| B" in text
    assert "| X\\|Y | 0:00 | - | 0 | 0 |" in text
    assert "No step ran." in text


def test_json_form() -> None:
    data = summarize(session(), "Crew check-in", CIRCLE, started=STARTED).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["started"] == "2026-11-23T19:30:00"
    assert data["people"] == ["Ana", "Ben", "Cy"]
    assert data["airtime"] == {"Ana": 170.0, "Ben": 100.0, "Cy": 90.0}
    assert data["overtime"]["Ana"] == 20.0
    assert data["turns"] == {"Ana": 2, "Ben": 2, "Cy": 2}
    assert data["steps_done"] == 3 and data["steps_skipped"] == 1
    assert data["finished"] is False and data["status"] == "unfinished"


def test_save_summary_never_overwrites() -> None:
    summary = summarize(session(), "Crew check-in", CIRCLE, started=STARTED)
    first = save_summary(summary)
    second = save_summary(summary)
    as_json = save_summary(summary, kind="json")
    assert first == data_dir() / "summaries" / "20261123-1930-crew-check-in.md"
    assert second.name == "20261123-1930-crew-check-in-2.md"
    assert as_json.name == "20261123-1930-crew-check-in.json"
    assert first.read_text() == markdown(summary) == second.read_text()
    assert json.loads(as_json.read_text()) == summary.to_json()


def test_save_summary_to_a_chosen_folder(tmp_path: Path) -> None:
    summary = summarize([], "Sit", ("Eli",), started=STARTED)
    path = save_summary(summary, tmp_path / "out")
    assert path.parent == tmp_path / "out"
    assert path.read_text().startswith("# Sit\n")
