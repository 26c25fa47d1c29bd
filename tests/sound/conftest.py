"""Real audio devices for the sound tests: an ALSA file device and a PulseAudio null sink."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from circlekeeper.sound.nullsink import NullSinkUnavailable, start_null_sink

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_sounddevice import FakeSD

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
HELPER = HERE / "play_helper.py"
FAKE_TTS = [sys.executable, str(HERE / "fake_tts_worker.py")]


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll `check` until it holds (a generous watchdog bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


@pytest.fixture
def sd() -> Iterator[FakeSD]:
    """A fake PortAudio; its "forever" stop is released at the end, so no thread outlives
    the test for long."""
    fake = FakeSD()
    yield fake
    fake.release.set()


def run_helper(
    env: dict[str, str], mode: str, result: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run `play_helper.py MODE RESULT [ARGS]` with `env` (a real audio device's)."""
    return subprocess.run(
        [sys.executable, str(HELPER), mode, str(result), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class AlsaCapture:
    """What an ALSA `file` device received, read back from its raw file."""

    samples: np.ndarray
    """Mono float samples (the first channel)."""
    rate: int
    report: dict[str, object]
    sample_format: str


def alsa_env(tmp_path: Path, out: Path) -> dict[str, str]:
    """An environment whose ALSA default device writes raw samples to `out`."""
    conf = tmp_path / "asound.conf"
    template = (HERE / "asound-file.conf").read_text(encoding="utf-8")
    conf.write_text(template.replace("@OUT@", str(out)), encoding="utf-8")
    # A missing or empty ALSA_CONFIG_PATH file makes `import sounddevice` abort the whole
    # process; the file has just been written, so it exists.
    assert conf.stat().st_size > 0
    env = dict(os.environ)
    env.pop("XDG_RUNTIME_DIR", None)  # no PulseAudio here: only our file device
    env.pop("PULSE_SERVER", None)
    env["ALSA_CONFIG_PATH"] = str(conf)
    return env


def play_to_alsa_file(tmp_path: Path, mode: str) -> AlsaCapture:
    """Run the helper against an ALSA file device and decode what it wrote."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "out.raw"
    result = tmp_path / "result.json"
    proc = run_helper(alsa_env(tmp_path, out), mode, result)
    assert result.exists(), proc.stderr
    report = json.loads(result.read_text())
    assert proc.returncode == 0, (report, proc.stderr)
    raw = out.read_bytes()
    frames = int(report["frames_at_close"])  # type: ignore[call-overload]
    channels = int(report["channels"])  # type: ignore[call-overload]
    # The file plugin writes whatever format PortAudio negotiated with the null slave:
    # work it out from the bytes per frame, then check the values make sense for it.
    per_sample = round(len(raw) / frames / channels)
    if per_sample == 4:
        data = np.frombuffer(raw[: len(raw) - len(raw) % (4 * channels)], dtype="<f4")
        fmt = "FLOAT_LE"
        assert np.all(np.isfinite(data)) and np.max(np.abs(data)) <= 1.0
    elif per_sample == 2:
        data = np.frombuffer(raw[: len(raw) - len(raw) % (2 * channels)], dtype="<i2") / 32768
        fmt = "S16_LE"
    else:
        raise AssertionError(f"unexpected {len(raw)} bytes for {frames} frames")
    mono = data.reshape(-1, channels)[:, 0].astype(np.float64)
    return AlsaCapture(mono, int(report["rate"]), report, fmt)  # type: ignore[call-overload]


@dataclass
class Pulse:
    """A private PulseAudio daemon with a null sink `ck`, and how to reach it."""

    env: dict[str, str]
    runtime: Path

    def record(self, out: Path) -> subprocess.Popen[bytes]:
        """Start recording what plays on the null sink."""
        proc = subprocess.Popen(
            ["parec", "-d", "ck.monitor", "--file-format=wav", str(out)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)  # let the recorder connect before anything plays
        return proc


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pulse]:
    """A paced audio device like real hardware; skipped when PulseAudio is not installed."""
    try:
        daemon = start_null_sink(tmp_path_factory.mktemp("pulse"))
    except NullSinkUnavailable as error:
        pytest.skip(str(error))
    try:
        yield Pulse(daemon.env, daemon.runtime)
    finally:
        daemon.stop()


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A recorded WAV as mono float (the first channel) and its rate."""
    import wave

    with wave.open(str(path), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    assert width == 2
    data = np.frombuffer(raw[: len(raw) - len(raw) % (2 * channels)], dtype="<i2") / 32768
    return data.reshape(-1, channels)[:, 0].astype(np.float64), rate


def stop_recording(proc: subprocess.Popen[bytes]) -> None:
    """Stop parec so it finishes the WAV header."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
