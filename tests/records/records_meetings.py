"""A crew's meetings run through the real engine and journal, on a fixed wall clock (for the
export's golden files and the command-line tests)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.commands import Command, Next, Note, Pass, Pause, Resume, Start
from circlekeeper.records.journal import Journal, read_journal, summarize_journal
from circlekeeper.records.summary import Summary
from circlekeeper.script.loader import load_practice

GOLDEN = Path(__file__).resolve().parent / "golden"
CREW_MEETING = GOLDEN / "crew-meeting.yaml"
NAMES = ("Ana", "Ben", "Cy", "Dee")
WALL0 = 1_795_028_400.0
"""Wednesday 18 November 2026, 19:00 UTC: the first meeting."""
WEEK = 7 * 86_400.0
T0 = 7_000.0

FIRST: list[tuple[float, Command]] = [
    (0.0, Start()),
    (25.0, Next()),  # the welcome read: the check-in begins with the host
    (120.0, Next()),
    (150.0, Pass()),
    (200.0, Note("Ben will book the room for the 2nd; ana and Cy draft the invitation.")),
    (260.0, Next()),
    (345.0, Next()),
    (380.0, Next()),  # Ben, who passed, speaks last
    (500.0, Pause()),
    (560.0, Resume()),
    (700.0, Note("Agreed: the budget stays as it is | to revisit in March.")),
    (990.0, Next()),
    (1010.0, Next()),
    (1030.0, Next()),
    (1050.0, Next()),
    (1070.0, Next()),
]


def meet(directory: Path | None, meeting: int, script: list[tuple[float, Command]]) -> Summary:
    """One meeting of the crew, journalled, read back and summed up."""
    practice = load_practice(CREW_MEETING)
    plan = plan_circle(practice, NAMES, meeting=meeting, seed=4, given_roles={"scribe": ("Cy",)})
    now = [0.0]
    base = WALL0 + meeting * WEEK

    def wall() -> float:
        return base + now[0]

    journal = Journal.for_plan(
        practice.title,
        CREW_MEETING,
        plan,
        circle_name="Tuesday crew",
        directory=directory,
        clock=wall,
    )
    session = Session(practice, plan)
    for at, command in script:
        while now[0] < at:
            now[0] = min(at, now[0] + 1.0)
            for event in session.advance(T0 + now[0]):
                journal.append(event)
        for event in session.do(command, T0 + at):
            journal.append(event)
    journal.close()
    return summarize_journal(read_journal(journal.path))


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC, so the files say 19:00 wherever the tests run."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
