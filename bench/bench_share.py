"""The shared view: what a hundred viewers cost the session, and how soon a change reaches them.

Run as `python -m bench.bench_share` (prints the section) or through `python -m bench`.

Session: the app headless (Textual's test driver, the real monotonic clock, no sound) running
a round of six with 5-second hard-ended turns and a warning bell 2 s before each end, so the
page hears of a change every 2-3 s, far more often than in a real circle. It runs in a child
process; its CPU time over wall time is measured for SESSION_SECONDS, in interleaved pairs:
without the shared view, and with it and VIEWERS event streams open. The viewers run in a
process of their own (`bench/share_viewers.py`), on loopback.

Timing: how late each timed event (a turn's end, a bell) was handled after its due moment,
as the driver saw it (session clock at the tick minus the event's own time).

Latency: each viewer notes the system-wide monotonic clock when a state arrives; the server
stamps `sent` with the same clock as it sends. Browser: the time from pressing space in the
app to headless chromium showing the next speaker (a MutationObserver on the page notes the
wall clock, which this process reads too).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VIEWER_SCRIPT = ROOT / "bench" / "share_viewers.py"
VIEWERS = 100
PAIRS = 3
SESSION_SECONDS = 40.0
WARM_UP = 3.0
PRESSES = 7
CPU_TARGET = 2.0  # percent of one core, with the viewers

SESSION_CHILD = r"""
import asyncio, json, sys, time
from circlekeeper.engine import plan_circle
from circlekeeper.engine.events import BellDue, TurnStarted
from circlekeeper.script.model import Practice
from circlekeeper.tui import driver as driver_module
from circlekeeper.tui.app import make_app
from circlekeeper.tui.config import SessionConfig

seconds, warm = float(sys.argv[1]), float(sys.argv[2])
share, viewers = sys.argv[3] == "1", int(sys.argv[4])
lags = []
original = driver_module.Driver.tick

def tick(self):
    result = original(self)
    timed = [e for e in result.events if isinstance(e, (TurnStarted, BellDue))]
    if timed:
        now = self.session.snapshot(self.now()).now  # session seconds, as events count them
        lags.extend(now - event.t for event in timed)
    return result

driver_module.Driver.tick = tick
practice = Practice.model_validate({
    "title": "Bench round", "kind": "other",
    "steps": [
        {"kind": "read", "title": "Welcome", "text": "Welcome."},
        {"kind": "round", "title": "Quick", "laps": 20,
         "turn": {"time": "5s", "warning": "2s", "end": "hard"}},
    ],
})
names = ("Ana", "Ben", "Cy", "Dee", "Eli", "Fay")
config = SessionConfig(practice=practice, path=None, plan=plan_circle(practice, names, seed=1),
                       silent=True, share="" if share else None)
app = make_app(config=config, load_user_keymap=False)

async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        if share:
            print(app.share.url, flush=True)
            deadline = time.monotonic() + 60
            while app.share.viewers < viewers and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        await pilot.press("space")
        await asyncio.sleep(warm)
        lags.clear()
        cpu0, wall0 = time.process_time(), time.monotonic()
        await asyncio.sleep(seconds)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        out = {"cpu": cpu, "wall": wall, "lags": lags, "errors": len(app.errors)}
        if share:
            out.update(viewers=app.share.viewers, dropped=app.share.dropped,
                       published=app.share.published, failure=app.share.failure)
        print(json.dumps(out), flush=True)
        app.exit()

asyncio.run(main())
"""

BROWSER_CHILD = r"""
import asyncio, json, sys, time
from playwright.async_api import async_playwright
from circlekeeper.engine import plan_circle
from circlekeeper.script.model import Practice
from circlekeeper.tui.app import make_app
from circlekeeper.tui.config import SessionConfig

chromium, presses = sys.argv[1], int(sys.argv[2])
names = tuple(f"P{i}" for i in range(presses + 2))
practice = Practice.model_validate({"title": "Bench", "kind": "other",
    "steps": [{"kind": "round", "title": "Round", "turn": {"time": "5m"}}]})
config = SessionConfig(practice=practice, path=None, plan=plan_circle(practice, names, seed=1),
                       silent=True, share="")
app = make_app(config=config, load_user_keymap=False)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic"]
WATCH = '''() => { window.__seen = {}; const el = document.getElementById("speaker");
  new MutationObserver(() => { window.__seen[el.textContent] = Date.now(); })
    .observe(el, {childList: true, characterData: true, subtree: true}); }'''

async def main():
    results = []
    async with app.run_test(size=(100, 30)) as pilot, async_playwright() as p:
        await pilot.pause()
        await app.workers.wait_for_complete()
        browser = await p.chromium.launch(executable_path=chromium, args=ARGS)
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.goto(app.share.url)
        await page.locator("#speaker").filter(has_text="P0 speaks").wait_for(timeout=30000)
        await page.evaluate(WATCH)
        for i in range(1, presses + 1):
            await asyncio.sleep(0.7)
            pressed = time.time()
            await pilot.press("space")
            want = f"P{i} speaks"
            deadline = time.monotonic() + 30
            seen = None
            while seen is None and time.monotonic() < deadline:
                seen = await page.evaluate(f"() => window.__seen[{want!r}] ?? null")
                if seen is None:
                    await asyncio.sleep(0.02)
            results.append(None if seen is None else seen / 1000 - pressed)
        await browser.close()
        app.exit()
    print(json.dumps(results))

asyncio.run(main())
"""


def child_env(home: str) -> dict[str, str]:
    """Private config, data and cache folders for a child."""
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "CACHE"):
        env[f"CIRCLEKEEPER_{name}_DIR"] = str(Path(home) / name.lower())
    return env


def session_run(with_viewers: bool) -> dict[str, Any]:
    """One measured session: without the shared view, or with it and VIEWERS streams."""
    with tempfile.TemporaryDirectory() as home:
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SESSION_CHILD,
                str(SESSION_SECONDS),
                str(WARM_UP),
                "1" if with_viewers else "0",
                str(VIEWERS),
            ],
            cwd=ROOT,
            env=child_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        viewers = None
        assert child.stdout is not None
        if with_viewers:
            url = child.stdout.readline().strip()
            viewers = subprocess.Popen(
                [
                    sys.executable,
                    str(VIEWER_SCRIPT),
                    url,
                    str(VIEWERS),
                    str(SESSION_SECONDS + WARM_UP + 20),
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        out, err = child.communicate(timeout=SESSION_SECONDS + 120)
        if child.returncode != 0:
            raise RuntimeError(f"the session failed:\n{err[-2000:]}")
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        if viewers is not None:
            seen, _ = viewers.communicate(timeout=SESSION_SECONDS + 60)
            result["seen"] = json.loads(seen)["viewers"]
        return result


def browser_latency() -> list[float | None]:
    """Seconds from pressing space to chromium showing the next speaker, PRESSES times."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return []
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run(
            [sys.executable, "-c", BROWSER_CHILD, chromium, str(PRESSES)],
            cwd=ROOT,
            env=child_env(home),
            capture_output=True,
            text=True,
            timeout=300,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the browser run failed:\n{done.stderr[-2000:]}")
    values: list[float | None] = json.loads(done.stdout.strip().splitlines()[-1])
    return values


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run() -> str:
    """Measure and return the `## Shared view` section."""
    alone: list[dict[str, Any]] = []
    shared: list[dict[str, Any]] = []
    for _ in range(PAIRS):  # interleaved, so load from others falls on both alike
        alone.append(session_run(False))
        shared.append(session_run(True))
    cpu_alone = [100 * r["cpu"] / r["wall"] for r in alone]
    cpu_shared = [100 * r["cpu"] / r["wall"] for r in shared]
    lag_alone = [lag for r in alone for lag in r["lags"]]
    lag_shared = [lag for r in shared for lag in r["lags"]]
    latencies = [
        s["latency"] for r in shared for v in r["seen"] for s in v["states"][1:]
    ]  # the first state of each stream was sent on connecting, before the window
    received = [len(v["states"]) for r in shared for v in r["seen"]]
    troubles = sum(r["errors"] for r in alone + shared) + sum(r["dropped"] for r in shared)
    failures = [r["failure"] for r in shared if r["failure"]]
    connected = min(r["viewers"] for r in shared)
    press = browser_latency()
    shown = [p for p in press if p is not None]
    cpu = statistics.median(cpu_shared)

    lines = [
        "## Shared view",
        "",
        "A round of six, 5 s hard-ended turns with a warning bell 2 s before each end, run by",
        f"the app headless (real clock, no sound) for {SESSION_SECONDS:.0f} s after a "
        f"{WARM_UP:.0f} s warm-up;",
        f"{PAIRS} interleaved pairs of runs: without the shared view, and with it and "
        f"{VIEWERS} event streams",
        "open from another process on loopback.",
        "",
        "| measure | without | with 100 viewers | target | |",
        "| --- | --- | --- | --- | --- |",
        f"| CPU of the session, median | {statistics.median(cpu_alone):.2f}% "
        f"| {cpu:.2f}% | < {CPU_TARGET}% with viewers "
        f"| {'meets' if cpu < CPU_TARGET else 'MISSES'} |",
        f"| CPU, every run | {', '.join(f'{c:.2f}' for c in cpu_alone)} "
        f"| {', '.join(f'{c:.2f}' for c in cpu_shared)} | | |",
        "| timed events handled after their moment, median ms "
        f"| {ms(statistics.median(lag_alone))} "
        f"| {ms(statistics.median(lag_shared))} | | |",
        f"| the same, worst ms | {ms(max(lag_alone))} | {ms(max(lag_shared))} | | |",
        f"| timed events seen | {len(lag_alone)} | {len(lag_shared)} | | |",
        "",
        f"Viewers connected: {connected} of {VIEWERS} in every run; states received per viewer "
        f"per run: {min(received)}-{max(received)};",
        f"dropped viewers and session errors: {troubles}"
        f"{'; server failures: ' + '; '.join(failures) if failures else ''}.",
        "",
        "| from a change to a viewer (every viewer, every change) | median ms | p95 ms | max ms "
        "| n |",
        "| --- | --- | --- | --- | --- |",
        "| sent by the server → parsed by a viewer (one process reads all the streams) "
        f"| {ms(statistics.median(latencies))} "
        f"| {ms(percentile(latencies, 0.95))} | {ms(max(latencies))} | {len(latencies)} |",
    ]
    if shown:
        lines.append(
            f"| space pressed in the app → chromium shows the next speaker "
            f"| {ms(statistics.median(shown))} | {ms(percentile(shown, 0.95))} "
            f"| {ms(max(shown))} | {len(shown)} of {len(press)} |"
        )
    else:
        lines += ["", "Chromium was not found: the browser row was not measured."]
    return "\n".join(lines)


if __name__ == "__main__":
    started = time.monotonic()
    print(run())
    print(f"\n(took {time.monotonic() - started:.0f} s)", file=sys.stderr)
