"""The agenda's live changes reach the reportback: a session run through Pilot and journalled,
with a step inserted and the schedule fitted to an end time, lists the same changes on its
summary screen and in every export format (Markdown, JSON, CSV) of its journal."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timedelta

import pytest
from conftest import LiveApp, showing, until
from test_agenda_screen import BIG, live, open_agenda, settle, taken
from textual.widgets import Static

from circlekeeper.records import export
from circlekeeper.records.journal import list_journals, read_journal, summarize_journal
from circlekeeper.tui import launch
from circlekeeper.tui.screens.summary import SummaryScreen


async def test_an_inserted_step_and_a_fitted_end_reach_every_export(live_app: LiveApp) -> None:
    # The journal stamps the wall clock's time: so does the app here, for the end's time of day.
    app, clock, _ = live_app(BIG, journal_factory=launch.default_journal, wall=time.time)
    end = datetime.now().astimezone() + timedelta(minutes=40)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_agenda(pilot)
        clock.advance(65.0)
        await settle(pilot)
        await pilot.press("i", "2")  # a silence, after the round in progress
        await pilot.pause()
        await pilot.press("enter")  # its title and minute, as offered
        await pilot.pause()
        assert [c["step"]["kind"] for c in taken(app, "insert")] == ["silence"]
        await pilot.press("e")
        await pilot.pause()
        typed_from = time.time()
        await pilot.press(*end.strftime("%H:%M"), "enter")
        await pilot.pause()
        typed_by = time.time()
        (asked,) = taken(app, "end-at")
        # About 40 minutes after the 65th second of the session: the minute typed, less the
        # wall clock's time when the app read it, which a loaded machine may take seconds to
        # reach (a second's leeway either side: the app reads whole seconds and the fraction
        # from two readings of the clock).
        minute = end.replace(second=0, microsecond=0).timestamp()
        assert 65.0 + minute - typed_by - 1 <= asked["at"] <= 65.0 + minute - typed_from + 1
        await pilot.press("escape")
        clock.advance(30.0)
        await settle(pilot)
        session_id = live(app).driver.session_id
        await live(app).run_action("end_session")
        await until(pilot, lambda: showing(app, SummaryScreen), "the SummaryScreen")
        assert isinstance(app.screen, SummaryScreen)
        shown = str(app.screen.query_one("#agenda-changes", Static).render()).splitlines()
    assert session_id is not None
    # Each line is the session time, two spaces, and what changed.
    screen = [line.split("  ", 1) for line in shown]
    assert screen[0][0] == "01:05" and screen[0][1].startswith('s5 "Silence" [silence, 1:00]')
    assert screen[0][1].endswith("inserted after s1")
    # The end asked for, as a time of day.
    assert screen[1] == ["01:05", f"fitted to end at {end:%H:%M}"]
    assert len(screen) > 2 and all("takes" in said for _, said in screen[2:])

    (path,) = [p for p in list_journals() if session_id in p.name]
    summary = summarize_journal(read_journal(path))
    lines = [change.line() for change in summary.changes]
    assert lines == [said for _, said in screen]

    data = export.as_json(summary)["agenda_changes"]
    assert [c["kind"] for c in data] == ["inserted", "fitted"] + ["retimed"] * (len(screen) - 2)
    inserted, fitted = data[0], data[1]
    assert inserted["step"] == "s5" and inserted["title"] == "Silence"
    assert inserted["step_kind"] == "silence" and inserted["seconds"] == 60.0
    assert inserted["follows"] == "s1" and inserted["follows_title"] == "Check-in round"
    assert inserted["at"] == 65.0 and inserted["time"] is not None
    # The forecast end the insert gave, and the end asked for.
    assert fitted["after"] == pytest.approx(asked["at"], abs=0.001)
    assert fitted["before"] is not None
    assert fitted["end_time"][11:16] == f"{end:%H:%M}"
    assert fitted["before"] != fitted["after"]
    for retimed in data[2:]:
        assert retimed["why"] == "end-at" and retimed["after"] != retimed["before"]

    markdown = export.markdown(summary)
    section = markdown.split("## Agenda changes\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(section) == len(lines)
    for row, (at, said) in zip(section, screen, strict=True):
        assert row.startswith("- *") and f" · {at}* " in row
        assert row.endswith(said.replace("[", "\\[").replace("]", "\\]"))

    rows = [r for r in csv.DictReader(io.StringIO(export.as_csv(summary)))]
    changes = [r for r in rows if r["record"] == "change"]
    assert [r["change"] for r in changes] == [c["kind"] for c in data]
    assert [r["text"] for r in changes] == lines
    assert changes[0]["id"] == "s5" and changes[0]["seconds"] == "60.0"
    assert float(changes[1]["after"]) == pytest.approx(asked["at"], abs=0.1)
    # The other rows keep their shape: a person's, a step's.
    assert [r["record"] for r in rows[:4]] == ["person"] * 4
    assert json.loads(json.dumps(data)) == data


def test_no_change_no_section() -> None:
    """A session whose agenda stayed as planned has no "Agenda changes" section."""
    from datetime import datetime

    from circlekeeper.records.summary import summarize

    summary = summarize([], "Check-in", ("Ana", "Ben"), started=datetime(2026, 11, 18, 19, 0))
    assert summary.changes == ()
    assert "Agenda changes" not in export.markdown(summary)
    assert export.as_json(summary)["agenda_changes"] == []
    assert "change," not in export.as_csv(summary).split("\n", 1)[1]
