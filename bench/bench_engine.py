"""Engine cost: a 90-minute session advanced at ten ticks a second, and snapshots.

CPU time (`time.process_time`), median of five runs. The target is under 0.5 s for the
whole session: the live screen must never wait on the engine.
"""

from __future__ import annotations

import statistics
import time

from circlekeeper.engine import Session, plan_circle
from circlekeeper.script.model import Practice

RUNS = 5
TICK = 0.1
MINUTES = 90
SNAPSHOTS = 20_000
TARGET = 0.5
NAMES = ("Ana", "Ben", "Cy", "Dee", "Eli", "Fay")
START = 1_234.5
"""The monotonic clock at the start (never 0 on a real machine)."""


def practice() -> Practice:
    """A 30-minute sit with interval bells, then a 60-minute round of hard-ended turns."""
    return Practice.model_validate(
        {
            "title": "Bench",
            "kind": "sit",
            "steps": [
                {
                    "kind": "sit",
                    "duration": "30m",
                    "bells": {
                        "start": "bowl x3",
                        "end": "bowl",
                        "halfway": "chime",
                        "interval": {"every": "1m", "jitter": "10s"},
                    },
                },
                {
                    "kind": "round",
                    "prompt": "What is alive in you?",
                    "laps": 2,
                    "turn": {"time": "5m", "warning": "30s", "end": "hard"},
                },
            ],
        }
    )


def advance_session() -> tuple[float, int, int]:
    """CPU seconds to tick through the whole session; also ticks and events seen."""
    p = practice()
    session = Session(p, plan_circle(p, NAMES, seed=1))
    ticks = int(MINUTES * 60 / TICK)
    events = 0
    start = time.process_time()
    events += len(session.start(START))
    for i in range(1, ticks + 1):
        events += len(session.advance(START + i * TICK))
    elapsed = time.process_time() - start
    assert session.ended
    return elapsed, ticks, events


def snapshot_cost() -> float:
    """CPU microseconds per `snapshot()` in the middle of a round."""
    p = practice()
    session = Session(p, plan_circle(p, NAMES, seed=1))
    session.start(START)
    session.advance(START + 2000.0)
    start = time.process_time()
    for i in range(SNAPSHOTS):
        session.snapshot(START + 2000.0 + i * 0.001, wall=1.7e9)
    return (time.process_time() - start) / SNAPSHOTS * 1e6


def run() -> str:
    """The `## Engine` section of docs/benchmarks.md."""
    results = [advance_session() for _ in range(RUNS)]
    median = statistics.median(r[0] for r in results)
    _, ticks, events = results[0]
    snap = statistics.median(snapshot_cost() for _ in range(RUNS))
    verdict = "meets" if median < TARGET else "misses"
    return "\n".join(
        [
            "## Engine",
            "",
            f"A {MINUTES}-minute session (a 30-minute sit with interval bells, then two laps of",
            f"a round of {len(NAMES)} with hard-ended 5-minute turns) advanced at "
            f"{round(1 / TICK)} ticks a second.",
            f"CPU time (`time.process_time`), median of {RUNS} runs.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| advances | {ticks:,} |",
            f"| events emitted | {events} |",
            f"| whole session | {median:.3f} s ({verdict} the {TARGET} s target) |",
            f"| per advance | {median / ticks * 1e6:.2f} µs |",
            f"| per `snapshot()` | {snap:.1f} µs |",
        ]
    )


if __name__ == "__main__":
    print(run())
