"""The real thing: PortAudio plays into ALSA and PulseAudio devices that the tests read back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    REPO,
    Pulse,
    alsa_env,
    play_to_alsa_file,
    read_wav,
    run_helper,
    stop_recording,
)
from play_helper import TEXT

CHIME = 1046.5  # the chime's strike tone: no speech harmonic sits on it for a whole second


def band_envelope(x: np.ndarray, rate: int, lo: float, hi: float, hop_s: float = 0.01):
    """Energy per 10 ms frame within a frequency band."""
    n = int(rate * 0.04)
    hop = int(rate * hop_s)
    window = np.hanning(n)
    freqs = np.fft.rfftfreq(n, 1 / rate)
    band = (freqs >= lo) & (freqs <= hi)
    frames = [x[i : i + n] * window for i in range(0, len(x) - n, hop)]
    if not frames:
        return np.zeros(0)
    spec = np.abs(np.fft.rfft(np.array(frames), axis=1)) ** 2
    return spec[:, band].sum(axis=1)


def line_strength(x: np.ndarray, rate: int, freq: float) -> float:
    """How much a narrow spectral line at `freq` stands above its neighbourhood."""
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    line = spec[np.abs(freqs - freq) < 3].max()
    around = spec[(np.abs(freqs - freq) > 20) & (np.abs(freqs - freq) < 200)].mean()
    return float(line / (around + 1e-12))


def active_span(x: np.ndarray, rate: int) -> tuple[int, int]:
    """First and last sample louder than -40 dBFS."""
    loud = np.flatnonzero(np.abs(x) > 0.01)
    assert loud.size, "nothing was played"
    return int(loud[0]), int(loud[-1])


def speech_seconds(x: np.ndarray, rate: int) -> float:
    """How long the 100-700 Hz band (voice, below the chime) is active."""
    env = band_envelope(x, rate, 100, 700)
    return float(np.count_nonzero(env > env.max() * 1e-3) * 0.01)


# ----- ALSA file device: unpaced, short blocking plays -----


def test_speech_plays_into_an_alsa_device(tmp_path: Path) -> None:
    cap = play_to_alsa_file(tmp_path, "speech")
    assert cap.report["ok"], cap.report
    assert cap.sample_format in ("FLOAT_LE", "S16_LE")
    start, end = active_span(cap.samples, cap.rate)
    seconds = (end - start) / cap.rate
    words = len(TEXT.split())
    assert words * 60 / 170 * 0.6 < seconds < words * 60 / 170 * 1.8
    assert np.sqrt(np.mean(cap.samples[start:end] ** 2)) > 0.02


def test_bell_plays_into_an_alsa_device(tmp_path: Path) -> None:
    cap = play_to_alsa_file(tmp_path, "bell")
    start, end = active_span(cap.samples, cap.rate)
    ring = cap.samples[start : start + cap.rate]
    assert line_strength(ring, cap.rate, CHIME) > 30
    assert (end - start) / cap.rate > 2.0  # the chime rings for seconds, not a blip


def bell_onset(x: np.ndarray, rate: int, start: int, end: int) -> int | None:
    """The first sample, in 0.1 s steps from `start`, at which a second of `x` holds the
    chime's strike tone (None if no second from there to `end` does)."""
    step = rate // 10
    for i in range(start, max(start, end - rate) + 1, step):
        if line_strength(x[i : i + rate], rate, CHIME) > 30:
            return i
    return None


def test_a_bell_over_speech_leaves_both_in_the_alsa_output(tmp_path: Path) -> None:
    alone = play_to_alsa_file(tmp_path / "alone", "speech")
    mixed = play_to_alsa_file(tmp_path / "mixed", "speech+bell")
    rate = mixed.rate
    s0, s1 = active_span(alone.samples, alone.rate)
    m0, _ = active_span(mixed.samples, rate)
    speech = alone.samples[s0 : s0 + alone.rate * 3]
    # The device is unpaced: the bell, asked for just after the words, lands some frames
    # later than they do (how many depends on the machine's load). It must land while the
    # words are still being spoken.
    spoken = s1 - s0
    bell = bell_onset(mixed.samples, rate, m0, m0 + spoken)
    assert bell is not None, "no chime within the words"
    assert bell - m0 < spoken - rate, (bell - m0) / rate
    # The strike tone is the bell's, not the voice's: speech alone has none.
    assert line_strength(speech[: alone.rate], alone.rate, CHIME) < 10
    # The speech is there: its rhythm below the bell's partials matches speech alone (at the
    # best alignment within half a second, should the bell have come first by a little).
    a = np.log10(band_envelope(speech, alone.rate, 100, 700) + 1e-9)
    b = np.log10(band_envelope(mixed.samples[m0 : m0 + rate * 4], rate, 100, 700) + 1e-9)
    best = -1.0
    for lag in range(0, 50):  # 10 ms frames
        n = min(len(a), len(b) - lag)
        best = max(best, float(np.corrcoef(a[:n], b[lag : lag + n])[0, 1]))
    assert best > 0.8, best
    lat = {tag for tag, _ in mixed.report["latencies"]}  # type: ignore[union-attr]
    assert lat == {"speech", "bell:chime"}


def test_no_device_at_all_exits_1_with_one_line(tmp_path: Path) -> None:
    conf = tmp_path / "nocard.conf"
    conf.write_text("pcm.!default { type hw; card 7 }\nctl.!default { type hw; card 7 }\n")
    env = alsa_env(tmp_path, tmp_path / "unused.raw")
    env["ALSA_CONFIG_PATH"] = str(conf)
    for args in (["bell", "chime"], ["say", "hello"]):
        proc = subprocess.run(
            [sys.executable, "-m", "circlekeeper", *args],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "no audio output" in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr


def test_alsa_config_that_aborts_portaudio_does_not_take_us_down(tmp_path: Path) -> None:
    # An ALSA_CONFIG_PATH file that is empty (or missing) makes `import sounddevice` abort
    # the process. The sink probes PortAudio in a throw-away process first, so the command
    # (and a session) carries on without sound instead.
    conf = tmp_path / "empty.conf"
    conf.write_text("")
    env = alsa_env(tmp_path, tmp_path / "unused.raw")
    env["ALSA_CONFIG_PATH"] = str(conf)
    for args in (["bell"], ["devices"]):
        proc = subprocess.run(
            [sys.executable, "-m", "circlekeeper", *args],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1, proc.stderr
        line = proc.stderr.strip().splitlines()
        assert len(line) == 1 and "ALSA_CONFIG_PATH" in line[0], proc.stderr


# ----- PulseAudio null sink: paced like real hardware -----


def run_cli(pulse: Pulse, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "circlekeeper", *args],
        env=pulse.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=90,
    )


@pytest.mark.e2e
@pytest.mark.realtime
def test_bell_and_say_commands_play_on_pulseaudio(pulse: Pulse, tmp_path: Path) -> None:
    out = tmp_path / "rec.wav"
    rec = pulse.record(out)
    try:
        bell = run_cli(pulse, "bell", "warning")
        say = run_cli(pulse, "say", "Thank you all for coming.")
    finally:
        stop_recording(rec)
    assert bell.returncode == 0, bell.stderr
    assert say.returncode == 0, say.stderr
    x, rate = read_wav(out)
    env = band_envelope(x, rate, 100, 700)
    assert speech_seconds(x, rate) > 0.8, "the spoken words were recorded"
    assert env.size and np.max(np.abs(x)) > 0.01
    warning_tone = 1318.5
    start, _ = active_span(x, rate)
    assert line_strength(x[start : start + rate], rate, warning_tone) > 30


@pytest.mark.e2e
@pytest.mark.realtime
def test_a_bell_over_speech_on_pulseaudio(pulse: Pulse, tmp_path: Path) -> None:
    out = tmp_path / "mix.wav"
    result = tmp_path / "result.json"
    rec = pulse.record(out)
    try:
        proc = run_helper(pulse.env, "speech+bell", result, "pulse")
    finally:
        stop_recording(rec)
    assert proc.returncode == 0, proc.stderr
    x, rate = read_wav(out)
    start, end = active_span(x, rate)
    assert line_strength(x[start : start + rate], rate, CHIME) > 30
    words = len(TEXT.split())
    assert speech_seconds(x[start:end], rate) > words * 60 / 170 * 0.5
