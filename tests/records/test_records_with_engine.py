"""The journal and the summary with the real engine: a check-in run with a mock clock,
every event journaled, read back, and the numbers agreeing with the engine's own ledger."""

from __future__ import annotations

from pathlib import Path

import pytest

from circlekeeper.engine import Session, command_from_json, plan_circle
from circlekeeper.engine.events import CommandTaken, Event, Refused, SessionEnded
from circlekeeper.records.journal import Journal, read_journal, summarize_journal
from circlekeeper.script import loader

PRACTICES = Path(__file__).resolve().parents[2] / "practices"

NAMES = ("Ana", "Ben", "Cy", "Dee")
T0 = 1_234.5
"""The machine clock at the start: far from 0, as a real monotonic clock is."""


def run_check_in(journal: Journal, *, stop_after: float | None = None) -> Session:
    """Run the built-in check-in: some speak long, one passes, one undo, a pause."""
    practice = loader.load_practice(PRACTICES / "check-in.yaml")
    session = Session(practice, plan_circle(practice, NAMES, seed=11))
    plan = [
        (0.0, "start"),
        (5.0, "next"),
        (70.0, "next"),
        (95.0, "pass"),
        (96.0, "undo"),
        (130.0, "pause"),
        (160.0, "resume"),
        (200.0, "next"),
        (330.0, "next"),
        (400.0, "next"),
        (460.0, "next"),
        (520.0, "next"),
        (580.0, "next"),
    ]
    commands = {
        "start": session.start,
        "next": session.next,
        "pass": session.pass_stick,
        "undo": session.undo,
        "pause": session.pause,
        "resume": session.resume,
    }
    now = 0.0
    for at, command in plan:
        if stop_after is not None and at > stop_after:
            return session
        while now < at:  # ticks, as the app's timer would send them
            now = min(at, now + 1.0)
            for event in session.advance(T0 + now):
                journal.append(event)
        for event in commands[command](T0 + at):
            journal.append(event)
    now += 1.0
    for event in session.end(T0 + now):
        journal.append(event)
    return session


def test_a_real_session_round_trips_and_the_numbers_agree() -> None:
    journal = Journal.create("Check-in round", PRACTICES / "check-in.yaml", NAMES, seed=11)
    run_check_in(journal)
    journal.close()
    assert journal.error is None

    contents = read_journal(journal.path)
    assert contents.problems == []
    assert contents.events == journal.events
    ended = next(e for e in reversed(contents.events) if isinstance(e, SessionEnded))

    summary = summarize_journal(contents)
    assert summary.airtime_source == "engine"
    # The turns the journal recorded add up to the engine's own totals.
    contents.entries = [e for e in contents.entries if not isinstance(e.event, SessionEnded)]
    rebuilt = summarize_journal(contents)
    assert rebuilt.airtime_source == "turns"
    assert rebuilt.airtime == pytest.approx({n: ended.airtime.get(n, 0.0) for n in NAMES})
    assert rebuilt.overtime == pytest.approx({n: ended.overtime.get(n, 0.0) for n in NAMES})
    assert sum(rebuilt.airtime.values()) > 0
    assert rebuilt.pauses == 1


def test_the_journal_alone_rebuilds_the_session_by_replaying_its_commands() -> None:
    journal = Journal.create("Check-in round", PRACTICES / "check-in.yaml", NAMES, seed=11)
    original = run_check_in(journal)
    journal.close()
    contents = read_journal(journal.path)
    header = contents.header
    assert header is not None and header.seed is not None
    practice = loader.load_practice(PRACTICES / "check-in.yaml")
    plan = plan_circle(practice, header.circle, given_roles=header.roles, seed=header.seed)
    again = Session(practice, plan)
    replayed: list[Event] = []
    for event in contents.events:
        if isinstance(event, CommandTaken):  # read back to the millisecond, as written
            replayed += again.do(command_from_json(event.command), 9_000.0 + event.t)
    # The same events again, less the commands that were refused (they changed nothing).
    assert replayed == [e for e in contents.events if not isinstance(e, Refused)]
    assert again.snapshot(9_000.0 + 600.0) == original.snapshot(T0 + 600.0)
