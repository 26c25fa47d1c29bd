"""Kill -9 a process appending to a journal at random moments: the journal always parses,
everything `append` confirmed is there, and the session can be resumed and carried on.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from records_samples import long_session
from records_writer import run

from circlekeeper.engine.events import SessionEnded, TurnEnded
from circlekeeper.records.journal import (
    Journal,
    list_journals,
    read_journal,
    summarize_journal,
    unfinished_journals,
)

EVENTS = 3000
SEED = 5
EXPECTED = long_session(EVENTS, SEED)
HERE = Path(__file__).resolve().parent


@dataclass
class Outcome:
    torn: bool
    events: int


def check_after_kill(directory: Path, acks: bytes) -> Outcome:
    """Everything that must hold after the writer died, whenever it died."""
    header_acked = acks.startswith(b"H")
    confirmed = acks.count(b"E")
    paths = list_journals(directory)
    if header_acked:
        assert len(paths) == 1
    if not paths:
        return Outcome(torn=False, events=0)
    (path,) = paths

    contents = read_journal(path)
    assert contents.problems == [] or not header_acked, contents.problems
    assert not contents.in_use
    events = contents.events
    # Every confirmed event is there, at most one more (written, killed before the ack).
    assert confirmed <= len(events) <= confirmed + 1
    assert events == EXPECTED[: len(events)]
    if not header_acked:
        assert events == []
        return Outcome(torn=contents.repaired is not None, events=0)

    assert contents.header is not None
    assert read_journal(path).repaired is None  # the repair stuck
    assert [c.path for c in unfinished_journals(directory)] == [path]

    summary = summarize_journal(contents)
    airtime: dict[str, float] = {}
    for event in events:
        if isinstance(event, TurnEnded):
            airtime[event.speaker] = airtime.get(event.speaker, 0.0) + event.spoke
    assert summary.airtime == pytest.approx({p: airtime.get(p, 0.0) for p in summary.circle})
    assert contents.last_t == max((e.t for e in events), default=0.0)

    # Carry on after the crash: the next records land on lines of their own.
    resumed = Journal.reopen(path, at=contents.last_t)
    assert resumed.error is None
    end = SessionEnded(contents.last_t + 1.0, airtime=summary.airtime, overtime={}, reason="end")
    assert resumed.append(end)
    resumed.close()
    after = read_journal(path)
    assert after.problems == []
    assert after.repaired is None
    assert after.events[:-1] == events
    assert after.events[-1].t == pytest.approx(contents.last_t + 1.0)
    assert after.finished
    assert unfinished_journals(directory) == []
    return Outcome(torn=contents.repaired is not None, events=len(events))


def forked_run(directory: Path, delay: float, mode: int, *, after_header: bool = True) -> bytes:
    """Fork a writer and SIGKILL it `delay` seconds later (counted from its header being on
    disk, with `after_header`, so the kill lands among the appends); return its acks."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write until killed, never return into the test runner
        status = 0
        try:
            os.close(read_end)
            run(directory, EVENTS, SEED, mode, write_end)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    first = os.read(read_end, 1) if after_header else b""
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    chunks = [first]
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    return b"".join(chunks)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_at_random_moments_in_forked_writers(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    outcomes = []
    for number in range(120):
        directory = tmp_path / f"run{number}"
        # Mostly writes cut into pieces (so kills land inside records), some whole writes,
        # and every eighth run killed at any moment, even while the file is being created.
        mode = number % 3
        anytime = number % 8 == 0
        delay = rng.uniform(0.0, 0.01 if anytime else 0.03)
        acks = forked_run(directory, delay, mode, after_header=not anytime)
        outcomes.append(check_after_kill(directory, acks))
    # The runs really did cut records in half and really did get somewhere.
    assert sum(o.torn for o in outcomes) >= 8
    assert any(o.events > 10 for o in outcomes)


def test_sigkill_of_a_fresh_interpreter(tmp_path: Path) -> None:
    rng = random.Random(7)
    outcomes = []
    for number in range(8):
        directory = tmp_path / f"proc{number}"
        writer = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "records_writer.py"),
                str(directory),
                str(EVENTS),
                str(SEED),
                "1" if number % 2 else "0",
            ],
            stdout=subprocess.PIPE,
        )
        assert writer.stdout is not None
        first = writer.stdout.read(1)  # the header is on disk: now kill at a random moment
        time.sleep(rng.uniform(0.0, 0.05))
        writer.send_signal(signal.SIGKILL)
        rest = writer.stdout.read()
        writer.wait()
        assert writer.returncode == -signal.SIGKILL
        outcomes.append(check_after_kill(directory, first + rest))
    assert any(o.events > 0 for o in outcomes)
