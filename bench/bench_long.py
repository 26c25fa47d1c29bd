"""A long session with sound and speech on: does anything grow? CPU, and memory minute by minute.

Run as `python -m bench.bench_long` (ten minutes; prints the section), or
`python -m bench.bench_long --short` for a one-lap look (two minutes); `python -m bench` runs
the long one unless CIRCLEKEEPER_BENCH_SHORT=1 is set.

The real app runs `circlekeeper run --announce` in tmux against a private PulseAudio null sink
(as `bench_sit` does): a welcome read aloud, then a round of six with hard 20-second turns
over five laps, each lap's prompt spoken, every speaker's name announced, a warning tone in
every turn and a chime with words every minute. Nobody touches a key but a bell rung by hand
now and then: the session runs to its end by itself.

- Memory: the app process's resident size (VmRSS) and that of its children (the speech
  worker), sampled every two seconds. Growth is the mean over the last minute less the mean
  over the first minute after a warm-up (the first words rendered, the caches filled).
- CPU: utime + stime of the process and its descendants over the run, after the warm-up.
- Cues: every bell and prompt of the journal against `circlekeeper rehearse --json`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_sit import (
    Tmux,
    Watched,
    circlekeeper_command,
    descendants,
    journal_events,
    rehearsed,
    rss_mb,
    run_command,
    sink_and_script,
    wait_for,
)
from circlekeeper.sound.nullsink import (
    NullSinkUnavailable,
    silent_stream,
    stop_process,
)

CIRCLE = "Ana,Ben,Cy,Dee,Eli,Fay"
WARM_UP = 30.0
"""Seconds after the start before measuring: the opening words are rendered by then."""
SAMPLE_S = 2.0
GROWTH_TARGET = 5.0  # MB over the run
BELL_BY_HAND_S = 97.0
"""A bell rung by hand this often (a prime, so it drifts across the turns)."""
CUES = ("bell_due", "prompt_due")


def practice_text(laps: int) -> str:
    """The session: a welcome, then `laps` laps of hard 20-second turns for six."""
    prompts = "".join(f"      - Lap {n}, what is alive in you now?\n" for n in range(1, laps + 1))
    return (
        "format: 1\n"
        "title: Long run\n"
        "kind: check-in\n"
        "steps:\n"
        "  - kind: read\n"
        "    title: Welcome\n"
        "    text: Welcome, everyone. We will go around the circle a few times.\n"
        "    duration: 20s\n"
        "  - kind: round\n"
        "    title: Rounds\n"
        "    prompts:\n"
        f"{prompts}"
        "    order: fixed\n"
        "    start: first\n"
        "    turn: {time: 20s, warning: 5s, end: hard}\n"
        "    passing: to-end\n"
        "    bells:\n"
        "      interval: {every: 1m, sound: chime, say: A minute more has passed.}\n"
    )


def cues_of(events: list[dict[str, Any]]) -> list[tuple[str, float]]:
    """(kind, session time) of every scheduled cue (bells rung by hand left out)."""
    return [
        (e["event"], round(float(e["t"]), 3))
        for e in events
        if e.get("event") in CUES and e.get("reason") != "manual"
    ]


def measure(laps: int) -> dict[str, Any]:
    """Run the session to its end; every figure."""
    with tempfile.TemporaryDirectory(prefix="ck-bench-long-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            daemon, script = sink_and_script(tmp, "long-run.yaml", practice_text(laps))
        except NullSinkUnavailable as error:
            return {"error": str(error)}
        env = dict(daemon.env)
        exe = circlekeeper_command()
        planned = cues_of(rehearsed(exe, script, CIRCLE))
        keep = silent_stream(env)
        tmux = Tmux(f"ck-bench-long-{os.getpid()}", env)
        data = tmp / "data"
        samples: list[tuple[float, float, float]] = []  # (seconds in, app MB, children MB)
        try:
            folders = {name: tmp / name.lower() for name in ("DATA", "CONFIG", "CACHE", "STATE")}
            command = run_command(exe, folders, [str(script), "--circle", CIRCLE, "--announce"])
            watched = Watched("sound", tmux.start("long", command))
            started = wait_for(lambda: journal_events(data)[:1], 90)
            if not started:
                return {"error": "the session did not start within 90 s"}
            t0 = time.monotonic()
            time.sleep(WARM_UP)
            watched.begin()
            next_bell = time.monotonic() + BELL_BY_HAND_S
            end_by = t0 + laps * 6 * 20 + 300
            while time.monotonic() < end_by:
                tree = descendants(watched.pid)
                app = rss_mb(watched.pid)
                children = sum(rss_mb(p) for p in tree[1:])
                samples.append((time.monotonic() - t0, app, children))
                watched.sample()
                if any(e["event"] == "session_ended" for e in journal_events(data)):
                    break
                if time.monotonic() >= next_bell:
                    tmux.keys("long", "b")
                    next_bell += BELL_BY_HAND_S
                time.sleep(SAMPLE_S)
            watched.end()
            ended = any(e["event"] == "session_ended" for e in journal_events(data))
            screen = tmux.screen("long")
            tmux.keys("long", "q")
            events = journal_events(data)
            errors_log = tmp / "state" / "circlekeeper.log"
            logged = errors_log.read_text(encoding="utf-8") if errors_log.exists() else ""
        finally:
            tmux.kill()
            keep.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                keep.wait(timeout=5)
            stop_process(daemon.pid)
        return {
            "laps": laps,
            "samples": samples,
            "watched": watched,
            "ended": ended,
            "screen": screen,
            "planned": planned,
            "heard": cues_of(events),
            "by_hand": sum(1 for e in events if e.get("reason") == "manual"),
            "warnings": [
                line
                for line in logged.splitlines()
                if any(f" {level} " in line for level in ("WARNING", "ERROR", "CRITICAL"))
            ],
        }


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def report(result: dict[str, Any]) -> str:
    """The markdown section."""
    lines = ["## A long session with sound and speech on", ""]
    if "error" in result:
        return "\n".join([*lines, f"Not measured: {result['error']}.", ""])
    samples: list[tuple[float, float, float]] = result["samples"]
    watched: Watched = result["watched"]
    span = samples[-1][0] - samples[0][0] if samples else 0.0
    first = [s for s in samples if s[0] < samples[0][0] + 60]
    last = [s for s in samples if s[0] > samples[-1][0] - 60]
    growth = _mean([s[1] for s in last]) - _mean([s[1] for s in first])
    growth_tree = _mean([s[1] + s[2] for s in last]) - _mean([s[1] + s[2] for s in first])
    planned, heard = result["planned"], result["heard"]
    lines += [
        f"`circlekeeper run --announce` in tmux (100x30) with sound into a private PulseAudio "
        f"null sink: a welcome read aloud, then {result['laps']} laps of a round of six with "
        "hard 20-second turns (a warning tone in each, every name announced, each lap's "
        "prompt spoken) and a chime with words every minute; a bell rung by hand every "
        f"{BELL_BY_HAND_S:.0f} s. Resident memory sampled every {SAMPLE_S:.0f} s from "
        f"{WARM_UP:.0f} s after the start; growth is the mean of the last minute less the "
        "mean of the first. CPU: utime + stime of the process and its descendants over the "
        "same window. Regenerate with `python -m bench.bench_long` (`--short`: one lap).",
        "",
        "| minute | app RSS, MB | speech worker RSS, MB |",
        "|---|---|---|",
    ]
    minute = 0
    while samples and minute * 60 <= samples[-1][0]:
        inside = [s for s in samples if minute * 60 <= s[0] < (minute + 1) * 60]
        if inside:
            lines.append(
                f"| {minute} | {_mean([s[1] for s in inside]):.1f} | "
                f"{_mean([s[2] for s in inside]):.1f} |"
            )
        minute += 1
    verdict = "meets" if growth < GROWTH_TARGET else "NOT met"
    lines += [
        "",
        f"- Over {span / 60:.1f} minutes: app memory grew {growth:+.2f} MB, with the speech "
        f"worker {growth_tree:+.2f} MB (target: under {GROWTH_TARGET:.0f} MB: {verdict}); "
        f"peak {watched.hwm:.0f} MB.",
        f"- CPU: {watched.percent:.2f}% of a core over {watched.wall / 60:.1f} minutes.",
        f"- Cues: {len(heard)} scheduled bells and prompts in the journal, "
        f"{len(planned)} in the rehearsal; "
        f"{'the same, at the same session times' if heard == planned else 'they DIFFER'}; "
        f"{result['by_hand']} bells rung by hand.",
        f"- The session {'ended on its own' if result['ended'] else 'did NOT end'}; "
        f"warnings and errors in the log: {len(result['warnings'])}"
        + (f" (first: {result['warnings'][0]})" if result["warnings"] else "")
        + ".",
        "",
    ]
    return "\n".join(lines)


def run(short: bool | None = None) -> str:
    """Measure and return the markdown section."""
    if short is None:
        short = os.environ.get("CIRCLEKEEPER_BENCH_SHORT") == "1"
    if not shutil.which("tmux"):
        return report({"error": "tmux is not installed"})
    return report(measure(1 if short else 5))


if __name__ == "__main__":
    print(run(short="--short" in sys.argv[1:]))
