"""Hostile input: `check` and `rehearse` on the largest files the limits let through, and on
files built to be slow, each as the command line runs it (a fresh interpreter).

Wall-clock seconds, median of three runs; the target is under 2 s for `check` on any file,
accepted or refused, and a rehearsal that stops at its cap within a few seconds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from circlekeeper.script.limits import MAX_BYTES, MAX_NODES

RUNS = 3
TARGET = 2.0
HEAD = "title: T\nkind: sit\n"
STEP = "- kind: silence\n  duration: 1s\n"


def _steps_to_the_size_limit() -> str:
    return HEAD + "steps:\n" + STEP * ((MAX_BYTES - 300) // len(STEP))


def _tags_to_the_size_limit() -> str:
    count = (MAX_BYTES - 300) // 2
    return HEAD + "tags: [" + ",".join(["a"] * count) + "]\nsteps:\n" + STEP


def _a_mebibyte_of_steps() -> str:
    return HEAD + "steps:\n" + STEP * ((1024 * 1024) // len(STEP))


def _most_values_accepted() -> str:
    """Groups of silences up to just under the value limit (five values a silence)."""
    group = "- kind: group\n  title: G\n  steps:\n"
    silence = "  - kind: silence\n    duration: 1s\n"
    per_group = 400
    groups, rest = divmod((MAX_NODES - 200) // 5, per_group)
    text = HEAD + "steps:\n" + (group + silence * per_group) * groups
    return text + (group + silence * rest if rest else "")


def _long_texts_to_the_size_limit() -> str:
    read = "- kind: read\n  text: " + "x" * 3900 + "\n"
    return HEAD + "steps:\n" + read * ((MAX_BYTES - 300) // len(read))


def _rehearsal_past_its_cap() -> str:
    return HEAD + (
        "size: {min: 2, max: 12}\nsteps:\n- kind: repeat\n  times: 50\n  steps:\n"
        "  - kind: repeat\n    times: 50\n    steps:\n"
        "    - {kind: silence, duration: 24h, bells: {interval: {every: 1m30s}}}\n"
        "    - {kind: round, title: R, laps: 20, turn: {time: 1m}}\n"
    )


CASES: list[tuple[str, Callable[[], str], list[str]]] = [
    ("1 MiB of short steps", _a_mebibyte_of_steps, ["check"]),
    ("256 KiB of short steps", _steps_to_the_size_limit, ["check"]),
    ("256 KiB flow list of tags", _tags_to_the_size_limit, ["check"]),
    ("the most values accepted", _most_values_accepted, ["check"]),
    ("256 KiB of long texts", _long_texts_to_the_size_limit, ["check"]),
    (
        "rehearsal past its cap",
        _rehearsal_past_its_cap,
        ["rehearse", "--circle", "A,B,C,D,E,F,G,H,I,J,K,L"],
    ),
]


def _one(command: list[str], path: Path) -> tuple[float, int, int]:
    """Seconds, exit status and lines printed of one run."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "circlekeeper", command[0], str(path), *command[1:]],
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - start, done.returncode, done.stdout.count("\n")


def run() -> str:
    """The report section."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, make, command in CASES:
            path = Path(folder) / "hostile.yaml"
            path.write_text(make(), encoding="utf-8")
            runs = [_one(command, path) for _ in range(RUNS)]
            seconds = statistics.median(r[0] for r in runs)
            _, status, lines = runs[-1]
            size = path.stat().st_size / 1024
            verdict = "ok" if seconds < TARGET or command[0] == "rehearse" else "SLOW"
            rows.append(
                f"| {name} | {size:.0f} KiB | `{command[0]}` | {status} | {lines:,} | "
                f"{seconds:.2f} | {verdict} |"
            )
    return "\n".join(
        [
            "## Hostile input (bench_hostile)",
            "",
            "`check` and `rehearse` as the command line runs them, on files built to be slow",
            f"and on the largest the limits let through; wall-clock seconds, median of {RUNS}",
            f"(start-up included). Target: `check` under {TARGET:.0f} s for any file.",
            "",
            "| case | size | command | exit | lines out | seconds | |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )


if __name__ == "__main__":
    print(run())
