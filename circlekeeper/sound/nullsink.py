"""A private PulseAudio daemon with a null sink: a stand-in for a sound card, paced like one.

The sound tests and the sound benchmark play into it and record its monitor (`parec -d
SINK.monitor`). Nothing in a live session uses it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


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
    runtime.mkdir(mode=0o700)
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
