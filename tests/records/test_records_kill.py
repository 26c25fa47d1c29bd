"""Kill -9 a live session at random moments, two hundred times: the journal always parses, and
the session rebuilt from it is the one that was running, at the same step, with the same
speaker, the same time left (within a second) and the same airtime.

Each run forks a runner (the app's driver and journal, ticking as the app does, no screen) that
races through a random part of a short practice, then keeps time at twenty times real time
until it is killed, at any moment, mid-write too. Half the runs write each record a few bytes
at a time, so that kills land inside records; a few runs are fresh interpreters.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from session_runner import BASE, PRACTICE, Item, load, reference, run, schedule

from circlekeeper.engine.events import CommandTaken, Event, StepStarted, TurnStarted
from circlekeeper.engine.session import Session
from circlekeeper.records.journal import Journal, list_journals, read_journal
from circlekeeper.records.resume import rebuild
from circlekeeper.script.model import Practice
from circlekeeper.tui.driver import CHECKPOINT_EVERY

FORKED_RUNS = 200
FRESH_RUNS = 4
SPEED = 20.0
"""Session seconds to a real second while the runner keeps time."""
AGAIN = 77_777.0
"""The resumed app's machine clock."""
HERE = Path(__file__).resolve().parent
PRACTICE_LOADED, SESSION = load()


@dataclass
class Kill:
    """What one run's ack pipe said, and when the kill came."""

    acks: bytes
    killed_at: float | None
    """Monotonic seconds of the kill; None when the runner ended by itself first."""

    @property
    def done(self) -> int:
        return self.acks.count(b"A\n")

    @property
    def header(self) -> bool:
        return self.acks.startswith(b"H\n")

    @property
    def paced_from(self) -> float | None:
        for line in self.acks.split(b"\n"):
            if line.startswith(b"P "):
                return float(line[2:])
        return None


@dataclass
class Tally:
    """What the runs did, for the numbers (printed with -s)."""

    runs: int = 0
    resumed: int = 0
    torn: int = 0
    finished: int = 0
    mid_command: int = 0
    """Kills that came while a key was being taken (or just before it)."""
    changed_in_gap: int = 0
    lost: list[float] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)

    def line(self) -> str:
        lost = sorted(self.lost)
        p95 = lost[int(0.95 * (len(lost) - 1))] if lost else 0.0
        return (
            f"{self.runs} kills: {self.resumed} resumed, {self.torn} torn tails repaired, "
            f"{self.finished} ended before the kill, {self.mid_command} next to a key, "
            f"{self.changed_in_gap} with a cue in the lost gap; time lost: max "
            f"{max(lost, default=0):.3f} s, p95 {p95:.3f} s; runner late by up to "
            f"{max(self.lag, default=0):.3f} s"
        )


def end_of(items: list[Item]) -> float:
    """When the scheduled session ends (its last item, if it never does)."""
    _, said = reference(PRACTICE_LOADED, SESSION, items, items[-1].t, 10**6)
    ended = [e.t for e in said if e.name == "session_ended"]
    return ended[0] if ended else items[-1].t


def wait_for_pacing(fd: int, deadline: float) -> bytes:
    """Read acks until the runner says it keeps time (or it ends, or time is up)."""
    got = b""
    while b"P " not in got and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            got += chunk
    return got


def forked(directory: Path, seed: int, start: float, chop: bool, rng: random.Random) -> Kill:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the runner: keep going until killed, never back into pytest
        status = 0
        try:
            os.close(read_end)
            run(directory, seed, start, SPEED, chop, write_end)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    if rng.random() < 0.125:  # any moment at all, even while the journal is being made
        got = b""
        time.sleep(rng.uniform(0.0, 0.03))
    else:
        got = wait_for_pacing(read_end, time.monotonic() + 20.0)
        time.sleep(rng.uniform(0.0, 0.1))
    return _kill(pid, read_end, got)


def _kill(pid: int, fd: int, got: bytes) -> Kill:
    killed_at: float | None = time.monotonic()
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        killed_at = None
    _, status = os.waitpid(pid, 0)
    if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
        killed_at = None  # it ended by itself before the signal came
    chunks = [got]
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return Kill(b"".join(chunks), killed_at)


def changed(said: list[Event], after: float, until: float) -> bool:
    """A step or a turn began in (after, until]."""
    return any(isinstance(e, StepStarted | TurnStarted) and after < e.t <= until for e in said)


def check(directory: Path, items: list[Item], kill: Kill, start: float, tally: Tally) -> None:
    """Everything that must hold after the kill, whenever it came."""
    paths = list_journals(directory / "journals")
    if kill.header:
        assert len(paths) == 1
    if not paths:
        return
    (path,) = paths
    contents = read_journal(path)
    assert contents.problems == [] or not kill.header, contents.problems
    tally.torn += contents.repaired is not None
    if contents.header is None:
        assert not kill.header
        return
    if kill.killed_at is None:  # the session ended before the kill could come
        assert contents.ended and not contents.resumable
        tally.finished += 1
        return
    assert contents.resumable
    at = contents.last_t
    done = items[: kill.done]
    # Nothing acknowledged is lost: the journal reaches to within a checkpoint of the last
    # item the runner finished (a tick records how far the session got, a key its event).
    if done:
        assert done[-1].t - at < CHECKPOINT_EVERY + 1e-9, (at, done[-1])
    commands = sum(1 for e in contents.events if isinstance(e, CommandTaken))
    back = rebuild(contents, AGAIN, load=lambda _: PRACTICE_LOADED)
    resumed = back.session.snapshot(AGAIN)
    # Exactly the session that ran, as far as its journal goes.
    then, _ = reference(PRACTICE_LOADED, SESSION, items, at, commands)
    assert resumed == then.snapshot(BASE + at), (path.name, at)

    # The room at the moment of the kill: the runner was doing (or waiting for) the next
    # item of its schedule; when it kept time, the kill's own moment tells how far it got.
    following = items[kill.done] if kill.done < len(items) else items[-1]
    room = following.t
    paced_from = kill.paced_from
    if paced_from is not None and done and done[-1].t >= start:
        mapped = start + (kill.killed_at - paced_from) * SPEED
        tally.lag.append(max(0.0, mapped - room))
        room = max(min(room, mapped), done[-1].t)
    room = max(room, at)
    tally.mid_command += following.command is not None
    lost = room - at
    tally.lost.append(lost)
    assert lost <= 1.0 + 1e-9, (path.name, at, room)  # ticks a second apart, each recorded
    live, said = reference(PRACTICE_LOADED, SESSION, items, room, commands)
    before = live.snapshot(BASE + room)
    if changed(said, at, room):
        tally.changed_in_gap += 1  # a cue moved the stick in the lost fraction of a second
    else:
        assert (resumed.step_index, resumed.speaker) == (before.step_index, before.speaker)
        for left_then, left_now in (
            (before.turn_remaining, resumed.turn_remaining),
            (before.step_remaining, resumed.step_remaining),
        ):
            assert (left_then is None) == (left_now is None)
            if left_then is not None and left_now is not None:
                assert 0.0 <= left_now - left_then <= 1.0
        for person, spoke in before.airtime.items():
            assert 0.0 <= spoke - resumed.airtime[person] <= 1.0
    # The resumed session goes on in the same file, on lines of its own.
    journal = Journal.reopen(path, at=at)
    assert journal.held and journal.checkpoint(at + 0.5)
    journal.close()
    assert read_journal(path).problems == []
    tally.resumed += 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_two_hundred_kills_of_a_live_session_always_resume(tmp_path: Path) -> None:
    rng = random.Random(20261202)
    tally = Tally()
    for number in range(FORKED_RUNS):
        seed = rng.randrange(10**6)
        items = schedule(seed)
        start = rng.uniform(0.0, max(0.0, end_of(items) - 1.0))
        directory = tmp_path / f"run{number}"
        kill = forked(directory, seed, start, number % 2 == 1, rng)
        tally.runs += 1
        check(directory, items, kill, start, tally)
    print(tally.line())
    # The runs really were cut short in the middle of sessions, and inside records.
    assert tally.resumed >= FORKED_RUNS * 3 // 4
    assert tally.torn >= 3


def test_kills_of_fresh_interpreters_resume_too(tmp_path: Path) -> None:
    rng = random.Random(7)
    tally = Tally()
    for number in range(FRESH_RUNS):
        seed = rng.randrange(10**6)
        items = schedule(seed)
        start = rng.uniform(0.0, end_of(items) - 1.0)
        directory = tmp_path / f"fresh{number}"
        runner = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "session_runner.py"),
                str(directory),
                str(seed),
                repr(start),
                repr(SPEED),
                "1" if number % 2 else "0",
            ],
            stdout=subprocess.PIPE,
        )
        assert runner.stdout is not None
        fd = runner.stdout.fileno()
        got = wait_for_pacing(fd, time.monotonic() + 60.0)
        time.sleep(rng.uniform(0.0, 0.12))
        kill = _kill(runner.pid, os.dup(fd), got)
        runner.stdout.close()
        runner.returncode = -signal.SIGKILL
        tally.runs += 1
        check(directory, items, kill, start, tally)
    print(tally.line())
    assert tally.resumed >= FRESH_RUNS - 1


def test_the_schedule_is_the_practice_it_claims(tmp_path: Path) -> None:
    # The reference is the runner's own session: same plan, same practice file.
    assert PRACTICE.is_file() and isinstance(PRACTICE_LOADED, Practice)
    assert isinstance(SESSION, Session) and SESSION.plan.names == ("Ana", "Ben", "Cy", "Dee")
    items = schedule(3)
    assert items == schedule(3) and items[0].command is not None
    assert 150.0 < end_of(items) <= items[-1].t
