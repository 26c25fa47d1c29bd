"""A live session journalled exactly as the app journals it, run until it is killed (for the
kill -9 resume test): the app's driver and its journal, no screen.

Usage: session_runner.py DIRECTORY SEED START SPEED [CHOP]

What happens is fixed by SEED (`schedule`): the app's tick every second (each one records how
far the session got; the live screen's own checkpoint beat writes only when the next tick is
more than `CHECKPOINT_EVERY` away, never while ticks come every second), and the
facilitator's keys at random moments. Everything before
START (session seconds) runs at once; after that the runner keeps time, SPEED session
seconds to a real second, so a kill lands at a random moment of a running session. It
writes a line on its ack pipe: `H` once the journal exists, `A` after each item is done,
`P <monotonic seconds>` when it begins to keep time. With CHOP set, from then on every
write to the journal goes out a few bytes at a time, slowly, so kills land inside records.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.commands import (
    Command,
    Extend,
    Next,
    Note,
    Pass,
    Pause,
    Resume,
    RingBell,
    Skip,
    Start,
    Undo,
)
from circlekeeper.engine.events import CommandTaken, Event
from circlekeeper.script.model import Practice

PRACTICE = Path(__file__).resolve().with_name("kill-test.yaml")
NAMES = ("Ana", "Ben", "Cy", "Dee")
BASE = 5_000.0
"""The runner's monotonic clock at session time 0."""
WALL = 1_790_000_000.0
LENGTH = 330.0
"""Session seconds scheduled: the practice's five minutes and then some."""


@dataclass(frozen=True)
class Item:
    """One thing the app does at session time `t`: a `tick`, or a command."""

    t: float
    kind: str
    command: Command | None = None


def schedule(seed: int) -> list[Item]:
    """The session's ticks and keys, in time order (fixed by `seed`)."""
    rng = random.Random(seed)
    items = [Item(0.0, "command", Start())]
    items += [Item(k + 0.137, "tick") for k in range(int(LENGTH))]
    t = 0.0
    paused = False
    choices: Sequence[tuple[Command, float]] = (
        (Next(), 10.0),
        (Pass(), 2.0),
        (Extend(20.0), 1.0),
        (Extend(-10.0), 1.0),
        (Undo(), 1.0),
        (RingBell(), 0.5),
        (Skip(), 0.3),
    )
    while t < LENGTH - 5:
        t = round(t + rng.expovariate(1 / 9.0), 3)
        roll = rng.random()
        if roll < 0.08:
            items.append(Item(t, "command", Resume() if paused else Pause()))
            paused = not paused
        elif roll < 0.16:
            items.append(Item(t, "command", Note(f"note at {t:.0f} s")))
        else:
            command = rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
            items.append(Item(t, "command", command))
    items.sort(key=lambda item: (item.t, item.kind != "command"))
    return [item for item in items if item.t <= LENGTH]


def load() -> tuple[Practice, Session]:
    """The practice and a session of it, set up as the runner sets it up."""
    from circlekeeper.script.loader import load_practice

    practice = load_practice(PRACTICE)
    return practice, Session(practice, plan_circle(practice, NAMES, seed=17))


def reference(
    practice: Practice, session: Session, items: Sequence[Item], until: float, commands: int
) -> tuple[Session, list[Event]]:
    """The session as the runner drove it up to `until`, keeping only the first `commands`
    accepted commands (the ones its journal holds): what resuming must give back."""
    again = Session(practice, session.plan)
    said: list[Event] = []
    taken = 0
    for item in items:
        if item.t > until:
            break
        if item.command is None:
            said += again.advance(BASE + item.t)
        elif taken < commands:
            answer = again.do(item.command, BASE + item.t)
            taken += sum(1 for e in answer if isinstance(e, CommandTaken))
            said += answer
    if again.started:
        said += again.advance(BASE + until)
    return again, said


class ScheduledClock:
    """The app's clock, at the session time of the item being done."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return BASE + self.t


def run(directory: Path, seed: int, start: float, speed: float, chop: bool, ack: int) -> None:
    """Run the session, journalled in `directory`, acknowledging on `ack`."""
    from circlekeeper.sound.api import NullSink
    from circlekeeper.tui.config import SessionConfig
    from circlekeeper.tui.driver import Driver
    from circlekeeper.tui.launch import default_journal

    os.environ["CIRCLEKEEPER_DATA_DIR"] = str(directory)
    practice, session = load()
    config = SessionConfig(practice=practice, path=PRACTICE, plan=session.plan, silent=True)
    clock = ScheduledClock()
    driver = Driver(config, session, clock, wall=lambda: WALL + clock.t, sink=NullSink("silent"))
    driver.journal = default_journal(config)
    os.write(ack, b"H\n")
    paced_from: float | None = None
    for item in schedule(seed):
        if item.t >= start:
            if paced_from is None:
                if chop:  # from here on: slow pieces, so kills land inside records
                    from records_writer import chop_writes

                    chop_writes(random.Random(seed), {ack}, 0.0005)
                paced_from = time.monotonic()
                os.write(ack, f"P {paced_from!r}\n".encode())
            wait = paced_from + (item.t - start) / speed - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        clock.t = item.t
        if item.command is not None:
            driver.do(item.command)
        else:
            driver.tick()
        os.write(ack, b"A\n")
        if session.ended:
            break


if __name__ == "__main__":
    folder, seed_text, start_text, speed_text, *rest = sys.argv[1:]
    run(
        Path(folder),
        int(seed_text),
        float(start_text),
        float(speed_text),
        bool(rest and rest[0] == "1"),
        sys.stdout.fileno(),
    )
