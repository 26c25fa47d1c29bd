"""Terminal UI: start-up to the first frame, CPU of a running sit, peak memory.

First frame, measured the same way for both apps: each runs as a child process on a pseudo
terminal (100x30) with the real Linux driver; the child wraps the driver's `write` and
notes `time.monotonic()` when the first write carrying the first screen's text reaches the
terminal (the library's "Loading practices" list, or the bare app's label). The parent
notes `time.monotonic()` just before it spawns the child; both clocks are the same
system-wide CLOCK_MONOTONIC, so the difference is process start to first frame, including
the interpreter and every import. Median of RUNS runs, the two apps interleaved.

CPU and memory: a headless run of the built-in silent sit with the real monotonic clock and
no sound, for SIT_SECONDS of wall time after a short warm-up; process CPU time over wall
time, and `ru_maxrss` at the end.
"""

from __future__ import annotations

import fcntl
import os
import pty
import resource
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
SIT_SECONDS = 60.0
WARM_UP = 3.0
START_TARGET = 1.2
CPU_TARGET = 0.5  # percent of one core
MEMORY_TARGET = 120.0  # MB

FIRST_FRAME_CHILD = r"""
import os, sys, time
which, out = sys.argv[1], sys.argv[2]
from textual.drivers.linux_driver import LinuxDriver

marker = "hello" if which == "bare" else "Loading practices"
seen = [False]
original = LinuxDriver.write

def write(self, data):
    original(self, data)
    if not seen[0] and marker in data:
        seen[0] = True
        with open(out, "w") as f:
            f.write(repr(time.monotonic()))
        self._app.call_later(self._app.exit)

LinuxDriver.write = write

if which == "cli":
    sys.argv = ["circlekeeper"]
    from circlekeeper.cli import main
    main()
    raise SystemExit
if which == "library":
    from circlekeeper.tui.app import make_app
    app = make_app()
else:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Label("hello")

    app = Bare()
app.run()
"""

SIT_CHILD = r"""
import resource, sys, time, asyncio
seconds, warm = float(sys.argv[1]), float(sys.argv[2])
from circlekeeper.tui.launch import load_config
from circlekeeper.tui.app import make_app

config = load_config("silent-sit", ["Ana", "Ben", "Cy", "Dee", "Eli", "Fay"],
                     silent=True, lang=None, device=None, seed=1)
app = make_app(config=config, load_user_keymap=False)

async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(warm)
        cpu0, wall0 = time.process_time(), time.monotonic()
        await asyncio.sleep(seconds)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        running = app.driver is not None and app.driver.session.started
        print(f"{cpu} {wall} {rss} {int(running)} {len(app.errors)}")
        app.exit()

asyncio.run(main())
"""


def first_frame(which: str) -> float:
    """Seconds from spawning the child to its first frame on a pseudo terminal."""
    with tempfile.TemporaryDirectory() as home:
        out = Path(home) / "t"
        env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
        for name in ("CONFIG", "DATA", "CACHE"):
            env[f"CIRCLEKEEPER_{name}_DIR"] = str(Path(home) / name.lower())
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        start = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-c", FIRST_FRAME_CHILD, which, str(out)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        os.close(slave)
        deadline = time.monotonic() + 30
        try:
            while child.poll() is None and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        os.read(master, 65536)  # drain, so the child never blocks writing
                    except OSError:
                        break
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            os.close(master)
        if not out.exists():
            raise RuntimeError(f"{which}: no first frame within 30 s")
        return float(out.read_text()) - start


def sit_usage() -> tuple[float, float, float, bool, int]:
    """(CPU seconds, wall seconds, peak MB, session running, errors) of a headless sit."""
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ)
        for name in ("CONFIG", "DATA", "CACHE"):
            env[f"CIRCLEKEEPER_{name}_DIR"] = str(Path(home) / name.lower())
        done = subprocess.run(
            [sys.executable, "-c", SIT_CHILD, str(SIT_SECONDS), str(WARM_UP)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=SIT_SECONDS + 60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the sit run failed:\n{done.stderr[-2000:]}")
        cpu, wall, rss, running, errors = done.stdout.split()[-5:]
        return float(cpu), float(wall), float(rss), running == "1", int(errors)


def run() -> str:
    """Measure and return the `## Terminal UI` section."""
    library: list[float] = []
    bare: list[float] = []
    command: list[float] = []
    first_frame("bare")  # warm the file cache so the first sample is not an outlier
    for _ in range(RUNS):
        bare.append(first_frame("bare"))
        library.append(first_frame("library"))
        command.append(first_frame("cli"))
    lib_ms, bare_ms = statistics.median(library) * 1000, statistics.median(bare) * 1000
    cli_ms = statistics.median(command) * 1000
    ratio = lib_ms / bare_ms
    cpu, wall, rss, running, errors = sit_usage()
    share = 100 * cpu / wall

    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        "## Terminal UI",
        "",
        "Start-up: process start to the first frame on a 100x30 pseudo terminal (the first",
        "write to the terminal that carries the screen's text), median of "
        f"{RUNS} interleaved runs.",
        "Running sit: the built-in silent sit, six people, headless, real monotonic clock,",
        f"no sound, measured for {wall:.0f} s after a {WARM_UP:.0f} s warm-up.",
        "",
        "| measure | value | target | |",
        "| --- | --- | --- | --- |",
        f"| bare Textual app (one label), first frame | {bare_ms:.0f} ms | | |",
        f"| circlekeeper library, first frame | {lib_ms:.0f} ms | | |",
        f"| the `circlekeeper` command (the same, through the CLI), first frame "
        f"| {cli_ms:.0f} ms | | |",
        f"| ratio library / bare | {ratio:.2f}x | ≤ {START_TARGET}x "
        f"| {verdict(ratio <= START_TARGET)} |",
        f"| CPU of a running sit | {share:.2f}% of a core | < {CPU_TARGET}% "
        f"| {verdict(share < CPU_TARGET)} |",
        f"| peak memory (ru_maxrss) of the sit | {rss:.0f} MB | < {MEMORY_TARGET:.0f} MB "
        f"| {verdict(rss < MEMORY_TARGET)} |",
        "",
        f"All runs, ms: bare {', '.join(f'{x * 1000:.0f}' for x in bare)}; "
        f"library {', '.join(f'{x * 1000:.0f}' for x in library)}.",
        f"The sit ran {'without' if not errors else f'with {errors}'} errors"
        f"{'' if running else ' (but the session had not started!)'}; "
        f"the benchmark's own process peaked at {own:.0f} MB.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
