"""Terminal UI: start-up to the practice list visible, CPU of a running sit, peak memory.

Start-up is measured the way a facilitator meets it: from process start to the first frame
that shows practice titles (not a "Loading" placeholder). Each run is a child process on a
pseudo terminal (100x30) with the real Linux driver; the child wraps the driver's `write` and
notes `time.monotonic()` when a write to the terminal first carries the expected titles. The
parent notes `time.monotonic()` just before it spawns the child; both clocks are the same
system-wide CLOCK_MONOTONIC, so the difference is process start to the list on screen,
including the interpreter and every import. The library's child also notes when the status
line first says the whole library is checked (every script loaded and validated).

Every library run is paired with a run of a bare Textual app (one label) just before it, in
the same round, so that load from other processes on the machine falls on both alike; the
rounds are interleaved and medians reported.

Scenarios: the built-in library on a first run (empty user cache), and the built-in library
with 100 practices of the user's own, with the library index warm (written by an earlier run)
or cold (no cache at all); each through the app (`make_app().run()`) and through the
`circlekeeper` command. Every run has its own private config, data and cache folders
(through the XDG variables, so the real platform-folder lookup is part of the cost).

CPU and memory: a headless run of the built-in silent sit with the real monotonic clock and
no sound, for SIT_SECONDS of wall time after a short warm-up; process CPU time over wall
time, and `ru_maxrss` at the end.
"""

from __future__ import annotations

import compileall
import fcntl
import json
import os
import pty
import resource
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

from circlekeeper.library.index import RACY_NS

ROOT = Path(__file__).resolve().parent.parent
RUNS = 31
"""Rounds of pairs: one pair's ratio moves by up to ±0.2 on a busy 2-core machine, and the
median of 15 still by about ±0.05 from one run to the next."""
SIT_SECONDS = 60.0
WARM_UP = 3.0
START_TARGET = 1.2
CPU_TARGET = 0.5  # percent of one core
MEMORY_TARGET = 120.0  # MB
USER_PRACTICES = 100
USER_TITLE = "A practice of mine"
"""User practices are titled `A practice of mine NNN`: the first sorts first in the list."""
CHECKED = "enter: set up"
"""The status line says this once every script in the library is loaded and validated."""
CHILD_TIMEOUT = 60.0

FIRST_FRAME_CHILD = r"""
import importlib.abc, importlib.machinery, json, sys, time
which, out, markers, checked = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
times = {}

def note(key):
    times[key] = time.monotonic()
    times[key + "_cpu"] = time.process_time()  # CPU of every thread since the process began
    with open(out, "w") as f:
        json.dump(times, f)

def watch(driver_class):
    original = driver_class.write

    def write(self, data):
        original(self, data)
        if "titles" not in times and all(m in data for m in markers):
            note("titles")
        if "titles" in times and "checked" not in times and (not checked or checked in data):
            note("checked")
            self._app.call_later(self._app.exit)

    driver_class.write = write

# Wrap the driver's `write` when the program under test first imports it, so that this
# harness imports nothing of Textual itself: the program starts exactly as it would.
class Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "textual.drivers.linux_driver":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            watch(module.LinuxDriver)

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Hook())

if which == "cli":
    # What the installed `circlekeeper` script runs (its entry point, looked up by the parent).
    import importlib
    module, _, name = sys.argv[5].partition(":")
    sys.argv = ["circlekeeper"]
    getattr(importlib.import_module(module), name)()
    raise SystemExit
if which == "app":
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


def private_env(home: Path) -> dict[str, str]:
    """An environment whose config, data and cache folders are all under `home`."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30", HOME=str(home))
    for name in ("CONFIG", "DATA", "CACHE"):
        env.pop(f"CIRCLEKEEPER_{name}_DIR", None)
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    return env


def user_practices(home: Path) -> Path:
    """Write USER_PRACTICES scripts into the user's practice folder under `home`.

    Copies of the built-in practices, retitled and spread over every kind, so they fall into
    every group of the list as a real collection would.
    """
    kinds = ["check-in", "sit", "feedback", "conflict", "decision", "convergence", "dyad", "other"]
    sources = sorted((ROOT / "practices").glob("*.yaml"))
    folder = home / "data" / "circlekeeper" / "practices"
    folder.mkdir(parents=True)
    for number in range(USER_PRACTICES):
        text = sources[number % len(sources)].read_text(encoding="utf-8")
        lines = []
        for line in text.splitlines():
            if line.startswith("title:"):
                line = f"title: {USER_TITLE} {number:03d}"
            elif line.startswith("kind:"):
                line = f"kind: {kinds[number % len(kinds)]}"
            lines.append(line)
        (folder / f"mine-{number:03d}.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def builtin_first_title() -> str:
    """The title the built-in library lists first (the first row under the first heading)."""
    from circlekeeper.library.index import list_order, read_library

    entries = list_order(e for e in read_library([]).entries if e.origin == "built-in")
    return next(e.info.title for e in entries if e.info is not None)


@dataclass
class Scenario:
    """One way of starting circlekeeper, measured against a bare app in the same round."""

    label: str
    which: str  # "app" or "cli"
    markers: list[str]
    user: bool  # 100 practices of the user's own
    warm: bool  # the library index was written by an earlier run
    titles: list[float] = field(default_factory=list)
    titles_cpu: list[float] = field(default_factory=list)
    checked: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    bare_cpu: list[float] = field(default_factory=list)
    home: Path | None = None

    def forget(self) -> None:
        """Drop what was noted so far (a warm-up run)."""
        for noted in (self.titles, self.titles_cpu, self.checked, self.bare, self.bare_cpu):
            noted.clear()

    def ratio(self) -> float:
        """Median of the pairs' ratios, titles over bare, in wall-clock time."""
        return statistics.median(t / b for t, b in zip(self.titles, self.bare, strict=True))

    def cpu_ratio(self) -> float:
        """The same in CPU time, which other processes' load disturbs far less."""
        pairs = zip(self.titles_cpu, self.bare_cpu, strict=True)
        return statistics.median(t / b for t, b in pairs)


def console_entry_point() -> str:
    """`module:function` that the installed `circlekeeper` command runs."""
    from importlib.metadata import entry_points

    (found,) = entry_points(group="console_scripts", name="circlekeeper")
    return str(found.value)


def run_child(
    which: str, env: dict[str, str], markers: list[str], checked: str
) -> dict[str, float]:
    """Spawn the child on a pseudo terminal; seconds from spawn to each thing it noted."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "times.json"
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        start = time.monotonic()
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                FIRST_FRAME_CHILD,
                which,
                str(out),
                json.dumps(markers),
                checked,
                console_entry_point(),
            ],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        os.close(slave)
        deadline = time.monotonic() + CHILD_TIMEOUT
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
            raise RuntimeError(f"{which}: no practice titles within {CHILD_TIMEOUT:.0f} s")
        noted = json.loads(out.read_text())
        return {k: v if k.endswith("_cpu") else v - start for k, v in noted.items()}


def bare_first_frame(home: Path) -> tuple[float, float]:
    """(seconds, CPU seconds) to the bare Textual app's first frame."""
    times = run_child("bare", private_env(home), ["hello"], "")
    return times["titles"], times["titles_cpu"]


def library_run(scenario: Scenario) -> None:
    """One run of `scenario`: its titles, CPU and checked library noted on the scenario."""
    assert scenario.home is not None
    home = scenario.home
    if not scenario.warm:
        shutil.rmtree(home / "cache", ignore_errors=True)  # a first run: nothing cached yet
    times = run_child(scenario.which, private_env(home), scenario.markers, CHECKED)
    if "checked" not in times:
        raise RuntimeError(f"{scenario.label}: the library never finished checking")
    scenario.titles.append(times["titles"])
    scenario.titles_cpu.append(times["titles_cpu"])
    scenario.checked.append(times["checked"])


def bare_run(scenario: Scenario, home: Path) -> None:
    """One bare run, paired with the scenario's run in the same round."""
    wall, cpu = bare_first_frame(home)
    scenario.bare.append(wall)
    scenario.bare_cpu.append(cpu)


def warm_index(home: Path) -> None:
    """Let `circlekeeper list` write the library index, as any earlier run would."""
    subprocess.run(
        [sys.executable, "-m", "circlekeeper", "list"],
        env=private_env(home),
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=120,
    )


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


def scenarios(root: Path) -> list[Scenario]:
    """Every start-up scenario, each with its own private home under `root`."""
    builtin = [builtin_first_title()]
    mine = [f"{USER_TITLE} 000"]
    made = [
        Scenario("built-in library, first run", "app", builtin, user=False, warm=False),
        Scenario("built-in library, first run", "cli", builtin, user=False, warm=False),
        Scenario("+100 own practices, warm index", "app", mine, user=True, warm=True),
        Scenario("+100 own practices, warm index", "cli", mine, user=True, warm=True),
        Scenario("+100 own practices, cold index", "app", mine, user=True, warm=False),
        Scenario("+100 own practices, cold index", "cli", mine, user=True, warm=False),
    ]
    for number, scenario in enumerate(made):
        scenario.home = root / f"home-{number}"
        scenario.home.mkdir()
        if scenario.user:
            user_practices(scenario.home)
    # An index written right after its files cannot vouch for them by their timestamps (they
    # are compared by their bytes until a later run renews them): let the files settle first,
    # as a facilitator's own practices have between two sessions.
    time.sleep(RACY_NS / 1e9 + 0.5)
    for scenario in made:
        if scenario.warm and scenario.home is not None:
            warm_index(scenario.home)
    return made


def ms(values: list[float]) -> str:
    """A list of seconds as milliseconds, for the raw-data line."""
    return ", ".join(f"{v * 1000:.0f}" for v in values)


def installed_bytecode() -> None:
    """Compile the package's bytecode, as installing a wheel does.

    A facilitator's circlekeeper starts from bytecode. Without this, an environment that
    forbids writing bytecode on import (PYTHONDONTWRITEBYTECODE) would have every child
    compile each module changed since its bytecode was last written, and the benchmark
    would time the compiler instead of the start-up.
    """
    compileall.compile_dir(ROOT / "circlekeeper", quiet=1)


def run() -> str:
    """Measure and return the `## Terminal UI` section."""
    installed_bytecode()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        made = scenarios(root)
        bare_home = root / "bare"
        bare_home.mkdir()
        bare_first_frame(bare_home)  # warm the file cache so the first sample is not an outlier
        for scenario in made:  # and each scenario's, once, unrecorded
            library_run(scenario)
            scenario.forget()
        load_before = os.getloadavg()[0]
        for round_ in range(RUNS):
            for scenario in made:
                # Each pair runs back to back, in alternating order, so that neither side
                # always follows the other (file cache, CPU frequency, a neighbour's burst).
                if round_ % 2:
                    library_run(scenario)
                    bare_run(scenario, bare_home)
                else:
                    bare_run(scenario, bare_home)
                    library_run(scenario)
        load_after = os.getloadavg()[0]
    cpu, wall, rss, running, errors = sit_usage()
    share = 100 * cpu / wall

    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        "## Terminal UI",
        "",
        "Start-up: process start to the first frame that shows practice titles on a 100x30",
        "pseudo terminal, and to the status line saying every script is checked (loaded and",
        f"validated). {RUNS} rounds; in each round every scenario runs back to back with a",
        "bare Textual app (one label), in alternating order. Times are medians; the ratio is",
        "the median of the pairs' ratios (titles over bare), in wall-clock time (the verdict)",
        "and in CPU time from process start (all threads), which the load of other processes",
        "on this shared machine disturbs far less. The package's bytecode is compiled first,",
        "as installing it does. A first run has an empty user cache; a warm",
        f"index was written by an earlier run; {USER_PRACTICES} own practices sit in the user's",
        f"folder. Load average {load_before:.1f} before the rounds, {load_after:.1f} after.",
        "Running sit: the built-in silent sit, six people, headless, real monotonic clock,",
        f"no sound, measured for {wall:.0f} s after a {WARM_UP:.0f} s warm-up.",
        "",
        "| start-up | through | bare app | titles visible | ratio | CPU ratio | target | "
        "| all checked |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for scenario in made:
        bare_ms = statistics.median(scenario.bare) * 1000
        titles_ms = statistics.median(scenario.titles) * 1000
        checked_ms = statistics.median(scenario.checked) * 1000
        ratio = scenario.ratio()
        through = "`circlekeeper`" if scenario.which == "cli" else "the app"
        lines.append(
            f"| {scenario.label} | {through} | {bare_ms:.0f} ms | {titles_ms:.0f} ms "
            f"| {ratio:.2f}x | {scenario.cpu_ratio():.2f}x | ≤ {START_TARGET}x "
            f"| {verdict(ratio <= START_TARGET)} | {checked_ms:.0f} ms |"
        )
    lines += [
        "",
        "| running sit | value | target | |",
        "| --- | --- | --- | --- |",
        f"| CPU | {share:.2f}% of a core | < {CPU_TARGET}% | {verdict(share < CPU_TARGET)} |",
        f"| peak memory (ru_maxrss) | {rss:.0f} MB | < {MEMORY_TARGET:.0f} MB "
        f"| {verdict(rss < MEMORY_TARGET)} |",
        "",
        "All runs, ms (bare / titles / checked, wall-clock):",
        "",
    ]
    for scenario in made:
        through = "command" if scenario.which == "cli" else "app"
        lines.append(
            f"- {scenario.label}, {through}: bare {ms(scenario.bare)}; "
            f"titles {ms(scenario.titles)}; checked {ms(scenario.checked)}."
        )
    lines += [
        "",
        f"The sit ran {'without' if not errors else f'with {errors}'} errors"
        f"{'' if running else ' (but the session had not started!)'}; "
        f"the benchmark's own process peaked at {own:.0f} MB.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
