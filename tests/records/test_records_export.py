"""Exports a group would publish, held against golden files: one session and a circle's
meetings, in Markdown, JSON and CSV, with names and anonymous.

Set UPDATE_GOLDEN=1 to write the golden files again (then read them, as a group would).
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from records_meetings import FIRST, GOLDEN, NAMES, meet
from records_meetings import utc as utc  # the fixture

from circlekeeper.engine.commands import End, Next, Start
from circlekeeper.records.circles import CircleStore
from circlekeeper.records.export import (
    aliases,
    anonymize,
    as_csv,
    as_json,
    circle_json,
    circle_markdown,
    markdown,
)
from circlekeeper.records.summary import Summary

pytestmark = pytest.mark.usefixtures("utc")


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs: UPDATE_GOLDEN=1 rewrites it"


@pytest.fixture
def first(tmp_path: Path) -> Summary:
    return meet(tmp_path, 0, FIRST)


@pytest.mark.parametrize("names", [True, False], ids=["names", "anonymous"])
def test_one_session(first: Summary, names: bool) -> None:
    suffix = "" if names else "-anonymous"
    golden(f"session{suffix}.md", markdown(first, names=names))
    golden(
        f"session{suffix}.json",
        json.dumps(as_json(first, names=names), indent=2, ensure_ascii=False) + "\n",
    )
    golden(f"session{suffix}.csv", as_csv(first, names=names))


def test_the_session_is_what_happened(first: Summary) -> None:
    assert first.state == "finished" and first.finished
    assert first.host == "Ana" and first.meeting == 0
    assert first.roles == {"host": ("Ana",), "scribe": ("Cy",)}
    assert [n.step for n in first.notes] == ["Check-in", "The week ahead"]
    assert first.notes[0].wall is not None and first.notes[0].wall.strftime("%H:%M") == "19:03"
    assert first.paused_total == 60.0
    # Check-in: Ana 95 s, Ben passed then spoke 120 s.
    assert first.airtime["Ana"] == pytest.approx(95.0 + 20.0)
    assert first.passes == {"Ana": 0, "Ben": 1, "Cy": 0, "Dee": 0}


def test_anonymous_leaves_no_name_anywhere(first: Summary) -> None:
    texts = [
        markdown(first, names=False),
        json.dumps(as_json(first, names=False)),
        as_csv(first, names=False),
    ]
    for text in texts:
        for name in NAMES:
            assert name not in text and name.lower() not in text
    hidden = anonymize(first)
    assert hidden.notes[0].text.startswith("Person 2 will book the room for the 2nd; Person 1")
    assert hidden.host == "Person 1" and hidden.roles["scribe"] == ("Person 3",)


def test_csv_reads_back_as_one_table(first: Summary) -> None:
    rows = list(csv.DictReader(io.StringIO(as_csv(first))))
    kinds = [row["record"] for row in rows]
    assert kinds == ["person"] * 4 + ["step"] * 4 + ["note"] * 2
    ana = rows[0]
    assert ana["person"] == "Ana" and float(ana["airtime"]) == pytest.approx(115.0)
    assert rows[-1]["text"] == "Agreed: the budget stays as it is | to revisit in March."


def test_a_circles_meetings_in_one_reportback(tmp_path: Path) -> None:
    store = CircleStore()
    store.save("Tuesday crew", NAMES, {"scribe": ["Cy"]})
    short = [(0.0, Start()), (30.0, Next()), (150.0, Next()), (200.0, End())]
    summaries = {}
    for meeting, script in enumerate([FIRST, short, short]):
        summary = meet(tmp_path, meeting, script)
        assert summary.session_id is not None
        summaries[summary.session_id] = summary
        date = summary.started.date()
        store.record_meeting(
            "Tuesday crew", summary.practice_title, summary.host, None, date, summary.session_id
        )
    # A fourth meeting whose journal is gone: still listed, from the circle's record.
    store.record_meeting("Tuesday crew", "Crew meeting", "Dee", None, summary.started.date())
    circle = store.get("Tuesday crew")
    assert circle is not None
    assert [m.host for m in circle.meetings] == ["Ana", "Ben", "Cy", "Dee"]
    for names, suffix in ((True, ""), (False, "-anonymous")):
        golden(f"circle{suffix}.md", circle_markdown(circle, summaries, names=names))
    data = circle_json(circle, summaries, names=False)
    assert data["people"] == list(aliases(NAMES).values())
    assert [m["host"] for m in data["meetings"]] == ["Person 1", "Person 2", "Person 3", "Person 4"]
    assert "Ana" not in json.dumps(data)


def test_a_session_picked_up_again_says_so(first: Summary) -> None:
    import dataclasses

    text = markdown(dataclasses.replace(first, resumes=2))
    assert (
        "The circle paused once (1:00 in all). The session was cut short twice and picked up "
        "again where it stopped, held in a pause until the circle was ready." in text
    )
