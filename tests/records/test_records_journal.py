"""The session journal: round trips, repair of torn tails, write failures, resume."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path
from unittest.mock import ANY

import pytest
from records_samples import CIRCLE, ROLES, long_session, one_of_each

from circlekeeper.engine.events import (
    GroupsFormed,
    Paused,
    SessionEnded,
    StepEnded,
    StepStarted,
    TurnEnded,
    TurnStarted,
)
from circlekeeper.paths import data_dir
from circlekeeper.records.journal import (
    CHECKPOINT_SYNC_EVERY,
    Journal,
    discard_journal,
    event_from_json,
    list_journals,
    read_journal,
    summarize_journal,
    unfinished_journals,
)
from circlekeeper.records.resume import ResumeError, offer


def fixed_clock(start: float = 1_700_000_000.0, step: float = 1.0) -> Callable[[], float]:
    """A wall clock that moves `step` seconds per reading."""
    now = [start - step]

    def clock() -> float:
        now[0] += step
        return now[0]

    return clock


def die(journal: Journal) -> None:
    """Drop the journal's file as a killed process would: no close record."""
    if journal._fd is not None:
        os.close(journal._fd)
        journal._fd = None


def new_journal(**kwargs: object) -> Journal:
    return Journal.create(
        "Crew check-in",
        "practices/check-in.yaml",
        CIRCLE,
        ROLES,
        seed=42,
        options={"language": "en", "silent": False},
        **kwargs,  # type: ignore[arg-type]
    )


def test_every_event_type_round_trips() -> None:
    events = one_of_each()
    journal = new_journal()
    for event in events:
        assert journal.append(event)
    journal.close()
    contents = read_journal(journal.path)
    assert contents.events == events
    assert [type(e) for e in contents.events] == [type(e) for e in events]
    assert contents.problems == []
    assert contents.repaired is None
    assert contents.closed is not None


def test_file_lives_in_the_data_dir_and_starts_with_a_header() -> None:
    journal = new_journal(clock=fixed_clock())
    journal.close()
    assert journal.path.parent == data_dir() / "journals"
    assert journal.path.name.endswith("-crew-check-in.jsonl")
    first = json.loads(journal.path.read_text().splitlines()[0])
    assert first["record"] == "header"
    header = read_journal(journal.path).header
    assert header is not None
    assert header.practice_title == "Crew check-in"
    assert header.practice_path == "practices/check-in.yaml"
    assert header.circle == CIRCLE
    assert header.roles == ROLES
    assert header.seed == 42
    assert header.options == {"language": "en", "silent": False}
    assert header.started_wall == 1_700_000_000.0


def test_each_event_line_carries_the_wall_clock() -> None:
    journal = new_journal(clock=fixed_clock(step=2.0))
    journal.append(TurnStarted(3.0, speaker="Ana", lap=1, allowed=None))
    lines = journal.path.read_text().splitlines()
    record = json.loads(lines[1])
    assert record == {
        "t": 3.0,
        "event": "turn_started",
        "speaker": "Ana",
        "lap": 1,
        "allowed": None,
        "to": None,
        "wall": 1_700_000_002.0,
    }
    journal.close()


def test_same_second_sessions_get_distinct_files() -> None:
    first = new_journal(clock=fixed_clock(step=0.0))
    second = new_journal(clock=fixed_clock(step=0.0))
    assert first.path != second.path
    assert second.path.name.endswith("-2.jsonl")
    first.close()
    second.close()


def test_hand_truncated_mid_record_is_repaired_and_appendable() -> None:
    events = long_session(30)
    journal = new_journal()
    for event in events:
        journal.append(event)
    journal.close()
    data = journal.path.read_bytes()
    lines = data.split(b"\n")
    # Keep the header and 20 events whole, then half of the 22nd line, as a crash would leave it.
    cut = sum(len(line) + 1 for line in lines[:21]) + len(lines[21]) // 2
    journal.path.write_bytes(data[:cut])

    contents = read_journal(journal.path)
    assert contents.events == events[:20]
    assert contents.repaired is not None and "torn" in contents.repaired
    assert contents.problems == []
    assert journal.path.read_bytes() == data[: sum(len(line) + 1 for line in lines[:21])]

    again = Journal.reopen(journal.path, at=contents.last_t)
    assert again.error is None
    back = contents.last_t + 1.5  # session time carries on where it stopped
    again.append(
        StepStarted(back, index=9, agenda=1, kind="round", title="Back", text=None, duration=None)
    )
    again.close()
    after = read_journal(journal.path)
    assert after.problems == []
    assert after.repaired is None
    assert len(after.events) == 21
    assert after.events[-1].t == back
    assert after.resumes == 1


def test_whole_record_missing_only_its_newline_is_kept() -> None:
    journal = new_journal()
    journal.append(TurnStarted(1.0, speaker="Ana", lap=1, allowed=60.0))
    journal.close()
    data = journal.path.read_bytes()
    lines = data.split(b"\n")
    journal.path.write_bytes(b"\n".join(lines[:2]))  # header, event, no final newline

    contents = read_journal(journal.path)
    assert contents.events == [TurnStarted(1.0, speaker="Ana", lap=1, allowed=60.0)]
    assert contents.repaired is not None
    assert journal.path.read_bytes().endswith(b"}\n")


def test_unparsable_last_line_is_cut_and_middle_corruption_is_reported() -> None:
    events = long_session(6)
    journal = new_journal()
    for event in events:
        journal.append(event)
    journal.close()
    lines = journal.path.read_bytes().split(b"\n")[:-1]
    lines[3] = b'{"t": 1.0, "event": "turn_sta\x00\x00'  # a block lost in the middle
    lines[-1] = b"\x00" * 40  # the tail zero-filled after a power cut
    journal.path.write_bytes(b"\n".join(lines) + b"\n")

    contents = read_journal(journal.path)
    assert contents.header is not None
    assert [p for p in contents.problems if p.startswith("line 4:")]
    assert len(contents.problems) == 1
    assert contents.events == [events[0], events[1], *events[3:6]]
    assert contents.closed is None  # the zero-filled last line was the close record
    assert b"\x00" * 40 not in journal.path.read_bytes()


def test_a_record_glued_onto_a_torn_one_is_kept() -> None:
    journal = new_journal()
    journal.close()
    header = journal.path.read_bytes().split(b"\n")[0]
    # What a writer that never repairs leaves: a torn record, the next one glued on.
    journal.path.write_bytes(
        header + b'\n{"t": 1.0, "event": "turn_sta{"t": 2.0, "event": "paused", "wall": 2.0}\n'
    )
    contents = read_journal(journal.path)
    assert contents.events == [Paused(2.0)]
    assert len(contents.problems) == 1 and "glued" in contents.problems[0]


def test_read_without_repair_leaves_the_file_alone() -> None:
    journal = new_journal()
    journal.append(TurnStarted(1.0, speaker="Ana", lap=1, allowed=60.0))
    journal.close()
    torn = journal.path.read_bytes() + b'{"t": 2.0, "eve'
    journal.path.write_bytes(torn)
    contents = read_journal(journal.path, repair=False)
    assert contents.repaired is None
    assert any("not repaired" in p for p in contents.problems)
    assert journal.path.read_bytes() == torn


def test_an_open_journal_is_in_use_and_not_repaired_by_a_reader() -> None:
    journal = new_journal()
    journal.append(TurnStarted(1.0, speaker="Ana", lap=1, allowed=60.0))
    contents = read_journal(journal.path)
    assert contents.in_use
    assert not contents.resumable
    assert unfinished_journals() == []
    busy = Journal.reopen(journal.path, at=0.0)
    assert busy.error is not None and "another window" in busy.error
    journal.close()
    assert not read_journal(journal.path).in_use


def test_oserror_on_append_sets_error_and_does_not_raise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    journal = new_journal()
    assert journal.error is None

    def disk_full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    ok = journal.append(TurnStarted(1.0, speaker="Ana", lap=1, allowed=60.0))
    assert ok is False
    assert journal.failed
    assert journal.error is not None and "No space left" in journal.error
    assert journal.append(TurnEnded(9.0, speaker="Ana", spoke=8.0, overtime=0.0)) is False

    monkeypatch.undo()  # space comes back: the held records are written, in order, no gap
    assert journal.append(StepEnded(10.0, index=0, reason="next"))
    assert journal.error is None
    journal.close()
    contents = read_journal(journal.path)
    assert [e.name for e in contents.events] == ["turn_started", "turn_ended", "step_ended"]
    assert contents.problems == []


def test_partial_write_then_failure_is_cut_back_before_retrying(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    journal = new_journal()
    real_write = os.write
    calls = {"n": 0}

    def half_then_fail(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "write", half_then_fail)
    assert journal.append(TurnStarted(1.0, speaker="Ana", lap=1, allowed=60.0)) is False
    monkeypatch.undo()
    assert journal.append(TurnEnded(5.0, speaker="Ana", spoke=4.0, overtime=0.0))
    journal.close()
    contents = read_journal(journal.path)
    assert contents.problems == []
    assert [e.name for e in contents.events] == ["turn_started", "turn_ended"]


def test_create_in_an_unwritable_place_does_not_raise(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the folder should be")
    journal = new_journal(directory=blocker / "journals")
    assert journal.failed
    assert journal.append(TurnStarted(1.0, speaker="Ana", lap=1, allowed=60.0)) is False
    journal.close()
    assert len(journal.events) == 1  # still in memory for the summary


def test_append_after_close_is_ignored() -> None:
    journal = new_journal()
    journal.close()
    assert journal.append(TurnStarted(1.0, speaker="Ana", lap=1, allowed=60.0)) is False
    journal.close()  # twice is harmless
    assert read_journal(journal.path).events == []


def test_list_and_unfinished_journals() -> None:
    clock = fixed_clock(step=3600.0)
    done = new_journal(clock=clock)
    done.append(SessionEnded(5.0, airtime={}, overtime={}, reason="done"))
    done.close()
    crashed = new_journal(clock=clock)
    crashed.append(
        StepStarted(0.0, index=0, agenda=0, kind="sit", title="Sit", text=None, duration=1800.0)
    )
    die(crashed)
    closed_early = new_journal(clock=clock)
    closed_early.close()

    assert list_journals() == [closed_early.path, crashed.path, done.path]
    unfinished = unfinished_journals()
    assert [c.path for c in unfinished] == [crashed.path]
    assert unfinished[0].header is not None


def test_the_offer_of_a_crash_mid_step_says_practice_when_step_and_speaker() -> None:
    events = [
        StepStarted(
            0.0, index=0, agenda=0, kind="silence", title="Arrive", text=None, duration=60.0
        ),
        StepEnded(60.0, index=0, reason="time"),
        StepStarted(
            60.0, index=1, agenda=1, kind="round", title="Check-in", text=None, duration=480.0
        ),
        TurnStarted(60.0, speaker="Ana", lap=1, allowed=120.0),
        TurnEnded(190.0, speaker="Ana", spoke=130.0, overtime=10.0),
        TurnStarted(190.0, speaker="Ben", lap=1, allowed=120.0),
        TurnEnded(250.0, speaker="Ben", spoke=55.5, overtime=0.0),
        TurnStarted(250.0, speaker="Cy", lap=1, allowed=120.0),
    ]
    journal = new_journal(clock=fixed_clock())
    for event in events:
        journal.append(event)
    journal.checkpoint(251.4)
    # no close: the laptop died here
    contents = read_journal(journal.path, repair=False)
    assert contents.last_t == 251.4
    assert contents.last_wall == 1_700_000_009.0
    said = offer(contents)
    assert said.practice_title == "Crew check-in"
    assert said.step_title == "Check-in"
    assert said.speaker == "Cy"
    assert said.session_time == 251.4
    assert not said.paused
    assert said.lines()[1] == "In “Check-in”, Cy speaking, 4:11 into the session"
    journal.close()


def test_a_resumed_journal_carries_session_time_on_and_sums_up_across_the_resume() -> None:
    journal = new_journal()
    journal.append(
        StepStarted(
            0.0, index=0, agenda=0, kind="round", title="Check-in", text=None, duration=None
        )
    )
    journal.append(TurnEnded(40.0, speaker="Ana", spoke=40.0, overtime=0.0))
    journal.append(StepEnded(40.0, index=0, reason="next"))
    die(journal)

    contents = read_journal(journal.path)
    assert contents.last_t == 40.0 and contents.resumable
    resumed = Journal.reopen(journal.path, at=contents.last_t)
    resumed.append(
        StepStarted(
            40.0, index=1, agenda=1, kind="round", title="Check-out", text=None, duration=None
        )
    )
    resumed.append(TurnEnded(65.0, speaker="Ben", spoke=25.0, overtime=0.0))
    resumed.append(StepEnded(65.0, index=1, reason="next"))
    resumed.append(SessionEnded(65.0, airtime={}, overtime={}, reason="done"))
    assert [e.t for e in resumed.events] == [0.0, 40.0, 40.0, 40.0, 65.0, 65.0, 65.0]
    resumed.close()

    contents = read_journal(journal.path)
    assert contents.resumes == 1
    assert [e.t for e in contents.events] == [0.0, 40.0, 40.0, 40.0, 65.0, 65.0, 65.0]
    assert contents.finished and not contents.resumable
    assert contents.status == "finished"
    summary = summarize_journal(contents)
    assert summary.duration == 65.0
    assert summary.steps_done == 2


def test_an_offer_needs_a_header(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"t": 1.0, "event": "paused", "wall": 1.0}\n')
    contents = read_journal(path)
    assert contents.header is None
    assert len(contents.events) == 1
    assert not contents.resumable
    with pytest.raises(ResumeError, match="no header"):
        offer(contents)


def test_unknown_or_malformed_events_are_reported_not_fatal(tmp_path: Path) -> None:
    journal = new_journal(directory=tmp_path)
    journal.close()
    with journal.path.open("a") as handle:
        handle.write('{"t": 1.0, "event": "confetti", "wall": 1.0}\n')
        handle.write(
            '{"t": 1.0, "event": "turn_started", "speaker": 3, "lap": 1, "allowed": null}\n'
        )
        handle.write('{"t": 2.0, "event": "paused", "wall": 2.0}\n')
    contents = read_journal(journal.path)
    assert len(contents.problems) == 2
    assert "confetti" in contents.problems[0]
    assert "speaker" in contents.problems[1]
    assert [e.name for e in contents.events] == ["paused"]


def test_event_from_json_turns_lists_back_into_tuples() -> None:
    event = event_from_json({"t": 1, "event": "groups_formed", "groups": [["Ana", "Ben"]]})
    assert isinstance(event, GroupsFormed)
    assert event.t == 1.0
    assert event.groups == (("Ana", "Ben"),)


def test_checkpoints_say_how_far_the_session_got_and_nothing_else() -> None:
    journal = new_journal()
    journal.append(TurnStarted(3.0, speaker="Ana", lap=1, allowed=60.0))
    assert journal.checkpoint(3.5) and journal.checkpoint(4.25)
    assert journal.last_t == 4.25
    die(journal)
    contents = read_journal(journal.path)
    assert contents.problems == []
    assert contents.events == [TurnStarted(3.0, speaker="Ana", lap=1, allowed=60.0)]
    assert contents.last_t == 4.25
    lines = [json.loads(line) for line in journal.path.read_text().splitlines()]
    assert lines[-1]["record"] == "checkpoint" and lines[-1]["t"] == 4.25


def test_the_header_keeps_the_whole_plan_the_scripts_hash_and_the_circles_name() -> None:
    from circlekeeper.engine.setup import CirclePlan
    from circlekeeper.records.journal import plan_from_json, plan_to_json

    plan = CirclePlan(
        names=CIRCLE,
        starter="Ben",
        roles={"host": ("Cy",), "guardian": ("Dee", "Ana")},
        host="Cy",
        meeting=2,
        seed=99,
        language="de",
        defaulted_roles=("guardian",),
        warnings=("made for more people",),
    )
    journal = Journal.for_plan(
        "Crew check-in",
        "practices/check-in.yaml",
        plan,
        options={"silent": True},
        practice_sha256="ab" * 32,
        circle_name="Tuesday crew",
    )
    journal.close()
    header = read_journal(journal.path).header
    assert header is not None
    assert header.plan is not None and plan_from_json(header.plan) == plan
    assert header.practice_sha256 == "ab" * 32
    assert header.circle_name == "Tuesday crew"
    assert (header.circle, header.roles, header.seed) == (plan.names, plan.roles, plan.seed)
    # A plan kept by a later version with a field this one lacks still reads; one that lacks
    # a field with no default does not.
    assert plan_from_json({**plan_to_json(plan), "weather": "fine"}) == plan
    with pytest.raises(ValueError, match="lacks 'host'"):
        plan_from_json({k: v for k, v in plan_to_json(plan).items() if k != "host"})


def test_a_discarded_session_is_kept_and_never_offered_again() -> None:
    journal = new_journal()
    journal.append(TurnStarted(3.0, speaker="Ana", lap=1, allowed=60.0))
    die(journal)
    assert [c.path for c in unfinished_journals()] == [journal.path]
    assert read_journal(journal.path).status == "unfinished"
    assert discard_journal(journal.path) is None
    contents = read_journal(journal.path)
    assert contents.status == "discarded" and not contents.resumable
    assert contents.events == [TurnStarted(3.0, speaker="Ana", lap=1, allowed=60.0)]
    assert unfinished_journals() == []


def test_a_live_journal_cannot_be_discarded_from_another_window() -> None:
    journal = new_journal()
    assert discard_journal(journal.path) == "this session's journal is open in another window"
    assert read_journal(journal.path).status == "running"
    journal.close()


def test_settled_journals_are_passed_over_from_their_tail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = fixed_clock(step=60.0)
    for _ in range(3):
        done = new_journal(clock=clock)
        done.append(SessionEnded(5.0, airtime={}, overtime={}, reason="end"))
        done.close()
    crashed = new_journal(clock=clock)
    crashed.append(TurnStarted(3.0, speaker="Ana", lap=1, allowed=60.0))
    die(crashed)
    read: list[Path] = []
    real = read_journal

    def counting(path: str | os.PathLike[str], **kwargs: bool) -> object:
        read.append(Path(path))
        return real(path, **kwargs)

    monkeypatch.setattr("circlekeeper.records.journal.read_journal", counting)
    assert [c.path for c in unfinished_journals()] == [crashed.path]
    assert read == [crashed.path]


def test_checkpoints_are_synced_every_few_seconds_and_events_always(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every checkpoint reaches the file at once (a killed app loses none); only one in
    about `CHECKPOINT_SYNC_EVERY` seconds is synced, while every event is."""
    assert 1.0 < CHECKPOINT_SYNC_EVERY < 5.0
    journal = new_journal()
    journal.append(TurnStarted(7_003.0, speaker="Ana", lap=1, allowed=60.0))
    synced: list[float] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(journal.last_t)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    # A tick a second, each a moment after the second (as the live screen's are).
    for t in (7_004.01, 7_005.01, 7_006.02, 7_007.01, 7_008.01, 7_009.01, 7_010.0, 7_013.0):
        assert journal.checkpoint(t)
        lines = journal.path.read_text().splitlines()
        assert json.loads(lines[-1]) == {"record": "checkpoint", "t": t, "wall": ANY}
    assert synced == [7_008.01, 7_013.0]
    journal.append(TurnEnded(7_013.5, speaker="Ana", spoke=62.7, overtime=2.7))
    assert synced[-1] == 7_013.5, "an event is always synced"
    assert journal.checkpoint(7_014.0)
    assert synced[-1] == 7_013.5, "a second after a synced event"
    # Time that went back (a resume on another clock) syncs at once.
    assert journal.checkpoint(7_001.0)
    assert synced[-1] == 7_014.0 and len(synced) == 4
    die(journal)
    assert read_journal(journal.path).last_t == 7_014.0
