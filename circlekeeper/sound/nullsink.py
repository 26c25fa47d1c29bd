"""A private PulseAudio daemon with a null sink: a stand-in for a sound card, paced like one.

The sound tests and the sound benchmarks play into it and record its monitor (`parec -d
SINK.monitor`), timestamping what arrives so that every recorded sample has a wall-clock
time, and find where sounds begin. Nothing in a live session uses it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REC_RATE = 44100
"""The rate the monitor is recorded at (the null sink's own)."""
HOP = 44
"""Samples between the starts of two RMS windows (1 ms)."""


class NullSinkUnavailable(RuntimeError):
    """PulseAudio is not installed here, or would not start."""


@dataclass(frozen=True)
class NullSinkDaemon:
    """A running daemon: the environment that reaches it, its runtime folder, its pid."""

    env: dict[str, str]
    runtime: Path
    pid: int
    sink: str

    def stop(self) -> None:
        """Terminate the daemon, then make sure it is gone."""
        stop_process(self.pid)


def start_null_sink(root: Path, sink: str = "ck") -> NullSinkDaemon:
    """Start PulseAudio with a null sink named `sink`, all its files under `root`."""
    if not (shutil.which("pulseaudio") and shutil.which("parec")):
        raise NullSinkUnavailable("pulseaudio and parec (pulseaudio-utils) are not installed")
    runtime = root / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)  # started again after a kill: the same folder
    env = dict(os.environ)
    # Never reach a user's own sound server, and never hand PortAudio a stray ALSA config.
    env.pop("PULSE_SERVER", None)
    env.pop("ALSA_CONFIG_PATH", None)
    env.update(XDG_RUNTIME_DIR=str(runtime), HOME=str(root), XDG_CONFIG_HOME=str(root / "cfg"))
    start = subprocess.run(
        [
            "pulseaudio",
            "--daemonize=yes",
            "--exit-idle-time=-1",
            "-n",
            "--load=module-native-protocol-unix",
            f"--load=module-null-sink sink_name={sink}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    pid_file = runtime / "pulse" / "pid"
    deadline = time.monotonic() + 10
    while not (runtime / "pulse" / "native").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    if start.returncode != 0 or not pid_file.exists():
        raise NullSinkUnavailable(f"PulseAudio would not start here: {start.stderr.strip()[:200]}")
    return NullSinkDaemon(env, runtime, int(pid_file.read_text().split()[0]), sink)


def stop_process(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM, wait up to `timeout` seconds, then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def raw_stream(tool: str, device: str) -> list[str]:
    """`pacat` or `parec` on `device`: raw 16-bit mono at the sink's rate, 20 ms of latency."""
    return [
        tool,
        "--raw",
        "--format=s16le",
        f"--rate={REC_RATE}",
        "--channels=1",
        "--latency-msec=20",
        "-d",
        device,
    ]


def silent_stream(env: dict[str, str], sink: str = "ck") -> subprocess.Popen[bytes]:
    """A stream of silence kept playing on the sink, which keeps the sink's latency low."""
    with open("/dev/zero", "rb") as zero:
        return subprocess.Popen(
            raw_stream("pacat", sink),
            env=env,
            stdin=zero,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


class MonitorRecorder:
    """`parec` on the null sink's monitor; every chunk timestamped (wall clock) on arrival."""

    def __init__(self, env: dict[str, str], sink: str = "ck") -> None:
        self.proc = subprocess.Popen(
            raw_stream("parec", f"{sink}.monitor"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.chunks: list[bytes] = []
        self.arrivals: list[tuple[float, int]] = []  # (wall time, samples received so far)
        self._count = 0
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        odd = b""
        while True:
            data = os.read(fd, 8192)
            now = time.time()
            if not data:
                return
            data = odd + data
            cut = len(data) - len(data) % 2
            odd = data[cut:]
            self.chunks.append(data[:cut])
            self._count += cut // 2
            self.arrivals.append((now, self._count))

    def stop(self) -> np.ndarray:
        """Stop recording; every sample received."""
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._thread.join(timeout=5)
        return np.frombuffer(b"".join(self.chunks), dtype="<i2").astype(np.float32) / 32768

    def wall_of(self, n: int, span: float = 5.0) -> float:
        """When sample `n` played at the sink, on the wall clock.

        A sample left the sink no later than its chunk arrived: over the chunks of the few
        seconds around it, the earliest arrival less the samples since is the tightest
        bound. Local, so that the sink's clock running a little apart from ours cannot add
        up over a long recording.
        """
        arrivals = np.array(self.arrivals, dtype=np.float64)
        counts = arrivals[:, 1]
        near = np.abs(counts - n) <= span * REC_RATE
        if not near.any():
            near = np.ones(len(arrivals), dtype=bool)
        return float(np.min(arrivals[near, 0] - (counts[near] - n) / REC_RATE))

    def index_of(self, wall: float) -> int:
        """The recorded sample that played at wall time `wall`."""
        guess = round((wall - self.wall_of(0)) * REC_RATE)
        local0 = self.wall_of(guess) - guess / REC_RATE
        return round((wall - local0) * REC_RATE)


def rms_windows(x: np.ndarray, window: float = 0.010, hop: int = HOP) -> np.ndarray:
    """RMS over `window`-long windows of a recording, one starting every `hop` samples."""
    n = int(REC_RATE * window)
    power = np.concatenate(([0.0], np.cumsum(x.astype(np.float64) ** 2)))
    starts = np.arange(0, max(0, len(x) - n), hop)
    return np.sqrt((power[starts + n] - power[starts]) / n)


def onset_near(
    rms: np.ndarray, recorder: MonitorRecorder, expected: float, before: float = 0.5
) -> float | None:
    """Wall time of the first sharp rise in the recording from `before` s ahead of the
    wall time `expected` (None when there is none within 3 s after it)."""
    per_s = REC_RATE / HOP
    lag = round(0.015 * per_s)
    centre = round(recorder.index_of(expected) / HOP)
    lo, hi = max(lag, centre - round(before * per_s)), min(len(rms), centre + round(3.0 * per_s))
    for i in range(lo, hi):
        if rms[i] > 0.003 and rms[i] > 3.0 * rms[i - lag]:
            # The window that first holds the attack ends where the sound has just begun.
            return recorder.wall_of(i * HOP + int(0.010 * REC_RATE))
    return None
