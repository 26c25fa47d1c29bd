"""Append sample events to a fresh journal until killed (run by the torn-write test).

Usage: records_writer.py DIRECTORY COUNT SEED MODE

Prints "H" once the header is on disk and "E" after each event `append` confirms, so the
test knows what the journal promised before the kill. MODE 0 writes normally; MODE 1 cuts
every file write into short pieces (as `os.write` is allowed to do), so a kill can land
inside a record; MODE 2 also dawdles between the pieces, like a slow disk, so most kills do.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from records_samples import CIRCLE, ROLES, long_session

from circlekeeper.records.journal import Journal


def chop_writes(rng: random.Random, keep_whole: set[int], pause: float) -> None:
    """Make `os.write` write at most a few bytes at a time, except to `keep_whole`."""
    real_write = os.write

    def short_write(fd: int, data: bytes) -> int:
        if fd in keep_whole:
            return real_write(fd, data)
        written = real_write(fd, bytes(data[: rng.randint(1, 24)]))
        if pause:
            time.sleep(pause)
        return written

    os.write = short_write  # type: ignore[assignment]


def run(directory: Path, count: int, seed: int, mode: int, ack_fd: int) -> None:
    """Write the journal, acknowledging on `ack_fd`."""
    rng = random.Random(seed)
    if mode:
        chop_writes(rng, {ack_fd}, 0.0002 if mode == 2 else 0.0)
    events = long_session(count, seed)
    journal = Journal.create("Torn test", None, CIRCLE, ROLES, seed=seed, directory=directory)
    if journal.failed:
        return
    os.write(ack_fd, b"H")
    for event in events:
        if journal.append(event):
            os.write(ack_fd, b"E")


if __name__ == "__main__":
    folder, number, seed_text, mode_text = sys.argv[1:5]
    run(Path(folder), int(number), int(seed_text), int(mode_text), sys.stdout.fileno())
