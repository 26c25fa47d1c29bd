"""A running sit with sound on: CPU, peak memory and every bell's onset, as a circle hears it.

Run as `python -m bench.bench_sit` (the 30-minute sit; prints the section), or
`python -m bench.bench_sit --short` for a 3-minute look; `python -m bench` runs the long one
unless CIRCLEKEEPER_BENCH_SHORT=1 is set.

The real app runs `circlekeeper run` in tmux (a private tmux server) against a private
PulseAudio daemon with a null sink, paced like a sound card. A silent `pacat` stream keeps the
sink's latency low, and `parec` records its monitor; each chunk is timestamped on arrival, so
every recorded sample has a wall-clock time (the earliest arrival bounds the path's delay).
In the same run, side by side: the same sit with `--silent`, and termdown counting down the
same time (installed into a virtualenv of the benchmark's own, never the project's).

- Schedule: `circlekeeper rehearse --json` of the same practice gives each bell's session
  time; the session's start is the wall time its journal gives the `session_started` event.
- Onsets: RMS over 10 ms windows (1 ms hop); a bell's onset is the first window after its
  expected time minus 0.5 s whose RMS rises above both -50 dBFS and three times the level
  just before it. Error = onset - (start + t). The spread (max - min) is what the target
  holds: a constant output delay is the same for every cue.
- CPU: utime + stime of the app's process and every descendant (live ones read from /proc,
  reaped ones through the app's cutime/cstime), over the sit's wall time, after a warm-up.
- Memory: the app process's peak resident size (VmHWM), and the peak of the sum of resident
  sizes of it and its children (the speech worker), sampled every second.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from circlekeeper.sound.nullsink import (
    REC_RATE,
    MonitorRecorder,
    NullSinkDaemon,
    NullSinkUnavailable,
    onset_near,
    rms_windows,
    silent_stream,
    start_null_sink,
    stop_process,
)

ROOT = Path(__file__).resolve().parent.parent
CIRCLE = "Ana,Ben,Cy,Dee"
WARM_UP = 3.0
CPU_TARGET = 0.5  # percent of one core
MEMORY_TARGET = 120.0  # MB
ONSET_TARGET = 20.0  # ms, spread of the onset errors
# termdown's CPU when the 0.5% target was set: the target's share of an anchor whose cost
# scales with the machine's speed as ours does, for runs on a faster or slower machine.
TERMDOWN_AT_TARGET = 1.27  # percent of one core
TICK = os.sysconf("SC_CLK_TCK")

LONG = (30, "1m")
"""The sit: minutes, and how often the interval chime rings."""
SHORT = (3, "20s")
"""A short sit, for trying the benchmark."""


def practice_text(minutes: int, every: str) -> str:
    """A sit: three bowls to open, a chime at every interval, one bowl to close."""
    return (
        "format: 1\n"
        "title: Benchmark sit\n"
        "kind: sit\n"
        "steps:\n"
        "  - kind: sit\n"
        "    title: Sitting\n"
        f"    duration: {minutes}m\n"
        "    mode: sitting\n"
        "    bells:\n"
        "      start: bowl x3\n"
        f"      interval: {{every: {every}, sound: chime}}\n"
        "      end: bowl\n"
    )


def onset_errors(
    samples: np.ndarray, recorder: MonitorRecorder, start_wall: float, bells: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], float | None]]:
    """Each bell with its onset error in seconds (None when no onset was found)."""
    rms = rms_windows(samples)
    out: list[tuple[dict[str, Any], float | None]] = []
    for bell in bells:
        expected = start_wall + float(bell["t"])
        onset = onset_near(rms, recorder, expected)
        out.append((bell, None if onset is None else onset - expected))
    return out


# ----- processes: CPU and memory -----


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def cpu_seconds(pid: int) -> float:
    """CPU of `pid` and its descendants: live ones, plus what reaped children used."""
    total = 0.0
    for p in descendants(pid):
        fields = _stat(p)
        if fields is None:
            continue
        # After the ")" : state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
        total += int(fields[11]) + int(fields[12])
        if p == pid:
            total += int(fields[13]) + int(fields[14])
    return total / TICK


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    """A memory figure of one process, in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def thread_times(pid: int) -> dict[int, tuple[str, float, int]]:
    """Each live thread of `pid`: (name, CPU seconds, voluntary context switches, i.e.
    wake-ups). CPU from schedstat (nanoseconds), not the clock ticks of stat."""
    out: dict[int, tuple[str, float, int]] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            name = (task / "comm").read_text().strip()
            cpu = int((task / "schedstat").read_text().split()[0]) / 1e9
            woke = 0
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    woke = int(line.split()[1])
            out[int(task.name)] = (name, cpu, woke)
    return out


def thread_role(pid: int, tid: int, name: str) -> str:
    """What a thread of the app is, as far as /proc tells."""
    if tid == pid:
        return "main thread (Textual's event loop)"
    if name == "threaded-ml":
        return "PulseAudio client (libpulse's main loop)"
    return "other threads (output, sound, speech, PortAudio's callback while playing)"


@dataclass
class Watched:
    """One process tree under measurement."""

    label: str
    pid: int
    cpu0: float = 0.0
    t0: float = 0.0
    cpu: float = 0.0
    wall: float = 0.0
    tree_peak: float = 0.0
    hwm: float = 0.0
    children: set[str] = field(default_factory=set)
    threads0: dict[int, tuple[str, float, int]] = field(default_factory=dict)
    threads: dict[int, tuple[str, float, int]] = field(default_factory=dict)
    """Every thread seen in the window, at its latest sample (short-lived ones too, up to
    their last second)."""

    def begin(self) -> None:
        """Start the CPU window."""
        self.cpu0, self.t0 = cpu_seconds(self.pid), time.monotonic()
        self.threads0 = thread_times(self.pid)
        self.threads = dict(self.threads0)

    def sample(self) -> None:
        """Note memory now."""
        tree = descendants(self.pid)
        self.tree_peak = max(self.tree_peak, sum(rss_mb(p) for p in tree))
        self.hwm = max(self.hwm, rss_mb(self.pid, "VmHWM"))
        for p in tree[1:]:
            with contextlib.suppress(OSError):
                self.children.add(Path(f"/proc/{p}/comm").read_text().strip())
        if self.t0 and not self.wall:
            self.threads.update(thread_times(self.pid))

    def end(self) -> None:
        """Close the CPU window."""
        self.threads.update(thread_times(self.pid))
        self.cpu = cpu_seconds(self.pid) - self.cpu0
        self.wall = time.monotonic() - self.t0

    def by_role(self) -> dict[str, tuple[float, float]]:
        """CPU (% of a core) and wake-ups a second of each kind of thread over the window."""
        out: dict[str, tuple[float, float]] = {}
        for tid, (name, cpu, woke) in self.threads.items():
            _, cpu0, woke0 = self.threads0.get(tid, (name, 0.0, 0))
            role = thread_role(self.pid, tid, name)
            was = out.get(role, (0.0, 0.0))
            out[role] = (
                was[0] + 100.0 * (cpu - cpu0) / self.wall,
                was[1] + (woke - woke0) / self.wall,
            )
        return out

    @property
    def percent(self) -> float:
        """CPU over the window, percent of one core."""
        return 100.0 * self.cpu / self.wall if self.wall else 0.0


# ----- tmux -----


class Tmux:
    """A private tmux server for the benchmark's panes."""

    def __init__(self, socket: str, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env

    def run(self, *args: str) -> str:
        """A tmux command; its output."""
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        return done.stdout

    def start(self, name: str, command: list[str]) -> int:
        """A detached 100x30 session running `command`; the pid of its process."""
        self.run("new-session", "-d", "-s", name, "-x", "100", "-y", "30", *command)
        return int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").strip())

    def keys(self, name: str, *keys: str) -> None:
        """Type into a session."""
        self.run("send-keys", "-t", name, *keys)

    def screen(self, name: str) -> str:
        """What a session shows."""
        return self.run("capture-pane", "-p", "-t", name)

    def kill(self) -> None:
        """Stop the server and everything in it."""
        self.run("kill-server")


def termdown_command(cache: Path) -> list[str] | None:
    """termdown from the benchmark's own virtualenv (made on first use)."""
    home = cache / "bench-termdown"
    exe = home / "bin" / "termdown"
    if not exe.exists():
        with contextlib.suppress(Exception):
            venv.create(home, with_pip=True)
            subprocess.run(
                [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", "termdown"],
                check=True,
                capture_output=True,
                timeout=300,
            )
    return [str(exe)] if exe.exists() else None


# ----- the run -----


def journal_events(data_dir: Path) -> list[dict[str, Any]]:
    """The events of the one journal under `data_dir` (empty until it exists)."""
    files = sorted((data_dir / "journals").glob("*.jsonl"))
    if not files:
        return []
    out = []
    for line in files[-1].read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if "event" in record:
                out.append(record)
    return out


def wait_for(check: Any, timeout: float, step: float = 0.05) -> Any:
    """Poll until `check()` is truthy; its value, or None at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    return None


def sink_and_script(tmp: Path, name: str, text: str) -> tuple[NullSinkDaemon, Path]:
    """A private null sink under `tmp`, and the practice `text` written to `tmp/name`."""
    (tmp / "pulse").mkdir()
    daemon = start_null_sink(tmp / "pulse")
    script = tmp / name
    script.write_text(text, encoding="utf-8")
    return daemon, script


def circlekeeper_command() -> str:
    """The installed `circlekeeper` command beside this interpreter."""
    return str(Path(sys.executable).with_name("circlekeeper"))


def rehearsed(exe: str, script: Path, circle: str) -> list[dict[str, Any]]:
    """The events `rehearse --json` plans for `script` with `circle`: what the run should do."""
    done = subprocess.run(
        [exe, "rehearse", str(script), "--circle", circle, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def run_command(exe: str, folders: dict[str, Path], args: list[str]) -> list[str]:
    """`circlekeeper run ARGS` with its own folders (`{"DATA": path, ...}`), for tmux."""
    command = ["env", *(f"CIRCLEKEEPER_{k}_DIR={v}" for k, v in folders.items())]
    return [*command, exe, "run", *args]


def measure(minutes: int, every: str) -> dict[str, Any]:
    """Run the sit (with sound, silent) and termdown side by side; every figure."""
    with tempfile.TemporaryDirectory(prefix="ck-bench-sit-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            daemon, script = sink_and_script(tmp, "bench-sit.yaml", practice_text(minutes, every))
        except NullSinkUnavailable as error:
            return {"error": str(error)}
        env = dict(daemon.env)
        exe = circlekeeper_command()
        bells = [e for e in rehearsed(exe, script, CIRCLE) if e.get("event") == "bell_due"]
        keep = silent_stream(env)
        tmux = Tmux(f"ck-bench-{os.getpid()}", env)
        recorder = MonitorRecorder(env)
        watched: list[Watched] = []
        data = {k: tmp / k for k in ("sound", "silent")}
        try:
            time.sleep(1.0)
            for label, extra in (("sound", []), ("silent", ["--silent"])):
                folders = {
                    "DATA": data[label],
                    "CONFIG": tmp / f"{label}-config",
                    "CACHE": tmp / f"{label}-cache",
                }
                command = run_command(exe, folders, [str(script), "--circle", CIRCLE, *extra])
                watched.append(Watched(label, tmux.start(label, command)))
            countdown = termdown_command(Path(tempfile.gettempdir()))
            if countdown:
                # A little longer than the sit, so it is still counting when the window closes.
                pid = tmux.start("termdown", [*countdown, f"{minutes + 2}m"])
                watched.append(Watched("termdown", pid))
            started = wait_for(lambda: journal_events(data["sound"])[:1], 60)
            if not started:
                return {"error": "the session did not start within 60 s"}
            start_wall = float(started[0]["wall"])
            time.sleep(WARM_UP)
            load_before = os.getloadavg()[0]
            for w in watched:
                w.begin()
            end_by = time.monotonic() + minutes * 60 + 120
            while time.monotonic() < end_by:
                for w in watched:
                    w.sample()
                if any(e["event"] == "session_ended" for e in journal_events(data["sound"])):
                    break
                time.sleep(1.0)
            for w in watched:
                w.end()
            load_after = os.getloadavg()[0]
            # Let the closing bell ring out into the recording before it stops.
            ending = [e for e in journal_events(data["sound"]) if e["event"] == "session_ended"]
            time.sleep(12.0)
            for w in watched:
                w.sample()
            screen = tmux.screen("sound")
            for name in ("sound", "silent"):
                tmux.keys(name, "q")
            samples = recorder.stop()
        finally:
            with contextlib.suppress(Exception):
                recorder.stop()
            tmux.kill()
            keep.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                keep.wait(timeout=5)
            stop_process(daemon.pid)
        keep_dir = os.environ.get("CIRCLEKEEPER_BENCH_KEEP")
        if keep_dir:  # the raw material, for a closer look
            Path(keep_dir).mkdir(parents=True, exist_ok=True)
            np.save(Path(keep_dir) / "recording.npy", samples)
            np.save(Path(keep_dir) / "arrivals.npy", np.array(recorder.arrivals))
            (Path(keep_dir) / "schedule.json").write_text(
                json.dumps({"start_wall": start_wall, "bells": bells})
            )
        errors = onset_errors(samples, recorder, start_wall, bells)
        return {
            "minutes": minutes,
            "every": every,
            "bells": errors,
            "watched": watched,
            "ended": bool(ending),
            "screen": screen,
            "recorded": len(samples) / REC_RATE,
            "load": (load_before, load_after),
        }


def report(result: dict[str, Any]) -> str:
    """The markdown section."""
    lines = ["## A running sit with sound on", ""]
    if "error" in result:
        return "\n".join([*lines, f"Not measured: {result['error']}.", ""])
    minutes = result["minutes"]
    lines += [
        f"A {minutes}-minute sit (three bowls to open, a chime every {result['every']}, one "
        "bowl to close) run by `circlekeeper run` in tmux (100x30), with sound into a "
        "private PulseAudio null sink whose monitor is recorded; side by side in the same "
        "run: the same sit with `--silent`, and termdown counting down the same time. "
        "CPU: utime + stime of the process and its descendants (reaped ones included) over "
        f"the sit's wall time, after a {WARM_UP:.0f} s warm-up. Memory: the app process's "
        "peak resident size (VmHWM), and the peak of the resident sizes of the process and "
        "its children together. Load average "
        f"{result['load'][0]:.1f} when the sit began, {result['load'][1]:.1f} when it ended "
        "(other processes' load makes every run's CPU a little higher).",
        "",
        "| run | CPU, % of a core | peak RSS, MB | peak RSS with children, MB | children |",
        "|---|---|---|---|---|",
    ]
    for w in result["watched"]:
        lines.append(
            f"| {w.label} | {w.percent:.2f} | {w.hwm:.0f} | {w.tree_peak:.0f} | "
            f"{', '.join(sorted(w.children)) or '-'} |"
        )
    sound = next(w for w in result["watched"] if w.label == "sound")
    lines += [
        "",
        "Where the CPU of the app goes, by thread (CPU from each thread's schedstat, "
        "wake-ups are voluntary context switches; a thread that ended inside the window "
        "counts up to its last sample, a second or less before it ended):",
        "",
        "| run | thread | CPU, % of a core | wake-ups a second |",
        "|---|---|---|---|",
    ]
    for w in result["watched"]:
        if w.label == "termdown":
            continue
        for role, (cpu, woke) in sorted(w.by_role().items()):
            lines.append(f"| {w.label} | {role} | {cpu:.3f} | {woke:.1f} |")
    errors = [e for _, e in result["bells"] if e is not None]
    missing = sum(1 for _, e in result["bells"] if e is None)
    lines += ["", "Bell onsets, recorded at the null sink (error = onset - scheduled time):", ""]
    lines += ["| # | t | bell | reason | error ms |", "|---|---|---|---|---|"]
    for i, (bell, err) in enumerate(result["bells"], 1):
        shown = "not found" if err is None else f"{err * 1000:+.1f}"
        lines.append(
            f"| {i} | {bell['t']:.0f} s | {bell['sound']} x{bell['strikes']} | "
            f"{bell['reason']} | {shown} |"
        )
    lines.append("")
    if errors:
        spread = (max(errors) - min(errors)) * 1000
        after_idle = [e for (b, e) in result["bells"][1:] if e is not None and b["t"] >= 50]
        lines += [
            f"- Onset error: median {statistics.median(errors) * 1000:+.1f} ms, "
            f"min {min(errors) * 1000:+.1f}, max {max(errors) * 1000:+.1f}; spread "
            f"{spread:.1f} ms over {len(errors)} bells ({missing} not found). The median is "
            "the constant output delay; target: every bell within "
            f"{ONSET_TARGET:.0f} ms of the others' schedule (spread ≤ {ONSET_TARGET:.0f} ms): "
            f"{'meets' if spread <= ONSET_TARGET and not missing else 'NOT met'}.",
        ]
        if after_idle:
            lines.append(
                "- First cue after an idle spell (each chime follows ≥ 50 s of silence): "
                f"median {statistics.median(after_idle) * 1000:+.1f} ms, worst "
                f"{max(after_idle, key=abs) * 1000:+.1f} ms."
            )
    lines += [
        f"- CPU with sound: {sound.percent:.2f}% of a core (target ≤ {CPU_TARGET}%: "
        f"{'meets' if sound.percent <= CPU_TARGET else 'NOT met'}); peak memory "
        f"{sound.hwm:.0f} MB (target ≤ {MEMORY_TARGET:.0f} MB: "
        f"{'meets' if sound.hwm <= MEMORY_TARGET else 'NOT met'}).",
    ]
    termdown = next((w for w in result["watched"] if w.label == "termdown"), None)
    if termdown is not None and termdown.percent > 0:
        lines.append(
            f"- Against termdown in the same run: {sound.percent / termdown.percent:.2f}x its "
            f"CPU. The target was set when termdown took {TERMDOWN_AT_TARGET}% of a core, so "
            f"the same share of it is {CPU_TARGET / TERMDOWN_AT_TARGET:.2f}x; a slower or "
            "busier machine raises both about alike."
        )
    lines += [
        f"- The session {'ended' if result['ended'] else 'did NOT end'} on its own; "
        f"{result['recorded']:.0f} s recorded.",
        "",
    ]
    return "\n".join(lines)


def run(short: bool | None = None) -> str:
    """Measure and return the markdown section."""
    if short is None:
        short = os.environ.get("CIRCLEKEEPER_BENCH_SHORT") == "1"
    minutes, every = SHORT if short else LONG
    if not shutil.which("tmux"):
        return report({"error": "tmux is not installed"})
    return report(measure(minutes, every))


if __name__ == "__main__":
    print(run(short="--short" in sys.argv[1:]))
