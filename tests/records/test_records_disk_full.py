"""A disk that fills as a session ends: the journal always parses, is closed once space
returns, and a session that ended never reads as resumable."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from records_samples import CIRCLE, ROLES, long_session

from circlekeeper.engine.events import Event, SessionEnded
from circlekeeper.records import journal as journal_module
from circlekeeper.records.journal import (
    Journal,
    list_journals,
    read_journal,
    session_id,
    unfinished_journals,
)

END = SessionEnded(900.0, airtime={"Ana": 300.0}, overtime={}, reason="done")


def started(directory: Path, events: list[Event]) -> Journal:
    journal = Journal.create("Crew check-in", None, CIRCLE, ROLES, seed=3, directory=directory)
    for event in events:
        assert journal.append(event)
    return journal


def fill_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on every write puts out a few bytes, then the disk is full."""
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if len(data) > 20:
            real_write(fd, bytes(data[:20]))  # part of a record reaches the file first
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)


def test_the_end_of_a_session_waits_for_space_and_the_file_parses_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = long_session(40)
    journal = started(tmp_path, events)
    fill_up(monkeypatch)
    assert not journal.append(END)
    journal.close({"note": "the summary"})
    assert journal.closed and journal.failed and journal.unwritten == 2
    # Meanwhile the file holds whole records only: no torn tail for anyone to repair.
    meanwhile = read_journal(journal.path, repair=False)
    assert meanwhile.problems == [] and meanwhile.repaired is None
    assert meanwhile.events == events
    assert meanwhile.status == "running"  # still held: nobody else may resume it
    assert not journal.retry()

    monkeypatch.undo()  # space returns
    assert journal.retry()
    assert journal.unwritten == 0 and not journal.failed
    after = read_journal(journal.path)
    assert after.problems == [] and after.repaired is None
    assert after.events == [*events, END]
    assert after.closed is not None and after.closed["summary"] == {"note": "the summary"}
    assert after.status == "finished" and not after.resumable


def test_leaving_while_the_disk_is_still_full_marks_an_ended_session_by_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = long_session(25)
    journal = started(tmp_path, events)
    first_name = journal.path
    fill_up(monkeypatch)
    journal.append(END)
    journal.close()
    message = journal.abandon()
    monkeypatch.undo()
    assert message is not None and "2 record(s)" in message and "marked as ended" in message
    assert list_journals(tmp_path) == [journal.path] and journal.path != first_name
    contents = read_journal(journal.path)
    assert contents.problems == [] and contents.events == events
    assert contents.status == "ended" and not contents.resumable
    assert contents.id == session_id(first_name)
    assert unfinished_journals(tmp_path) == []


def test_a_session_cut_short_while_the_disk_is_full_stays_resumable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = long_session(25)
    journal = started(tmp_path, events[:20])
    fill_up(monkeypatch)
    for event in events[20:]:
        assert not journal.append(event)
    assert journal.abandon() is not None  # the app went without ending the session
    monkeypatch.undo()
    contents = read_journal(journal.path)
    assert contents.problems == [] and contents.events == events[:20]
    assert contents.resumable


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 384 KiB tmpfs, mounted for the test (needs root and `mount`; skipped otherwise)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    point = tmp_path / "tiny"
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=384k,mode=0700", "tmpfs", str(point)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def fill(disk: Path) -> int:
    """Write a file until the disk is full; how many bytes it took."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    total = 0
    try:
        while True:
            total += os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return total


def test_on_a_really_full_disk_the_reserve_takes_the_end_of_the_session(
    tiny_disk: Path,
) -> None:
    events = long_session(150)
    journal = started(tiny_disk / "journals", events)
    fill(tiny_disk)
    # Every byte of the disk is taken, yet the last records fit in the journal's reserve.
    assert journal.append(END)
    journal.close({"steps": ["x" * 200] * 40})
    assert not journal.failed
    contents = read_journal(journal.path)
    assert contents.problems == []
    assert contents.events == [*events, END] and contents.closed is not None
    assert contents.status == "finished"


def test_on_a_really_full_disk_without_a_reserve_the_end_waits_for_space(
    tiny_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "_reserve", lambda fd, offset, length: False)
    events = long_session(150)
    journal = started(tiny_disk / "journals", events)
    fill(tiny_disk)
    journal.append(END)
    journal.close({"steps": ["x" * 200] * 40})  # more than the slack in the file's last page
    assert journal.failed
    assert read_journal(journal.path, repair=False).problems == []
    (tiny_disk / "filler").unlink()  # space returns
    assert journal.retry()
    contents = read_journal(journal.path)
    assert contents.events == [*events, END] and contents.status == "finished"
