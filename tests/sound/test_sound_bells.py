"""Bells: shape, loudness, strikes and the WAV loader, measured on the rendered samples."""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np
import pytest

from circlekeeper.sound.bells import (
    BELLS,
    MAX_WAV_BYTES,
    UnknownSound,
    load_wav,
    render_bell,
    resample,
    rms_first_second,
)

RATE = 48000
MAIN = ("bowl", "chime", "clappers", "gong")


def db(x: float) -> float:
    return 20 * np.log10(max(x, 1e-12))


def envelope(x: np.ndarray, ms: float = 20.0) -> np.ndarray:
    """RMS level per window (longer than a gong's 11 ms period, so it does not flicker)."""
    n = int(RATE * ms / 1000)
    usable = len(x) - len(x) % n
    return np.sqrt(np.mean(np.square(x[:usable].astype(np.float64)).reshape(-1, n), axis=1))


def onsets(x: np.ndarray) -> list[float]:
    """Seconds where the level at least doubles within 60 ms to a loud point: a strike."""
    env = np.concatenate((np.zeros(3), envelope(x)))
    found: list[float] = []
    for i in range(3, len(env)):
        if env[i] > 0.1 * env.max() and env[i] > 2.0 * env[i - 3]:
            t = (i - 3) * 0.02
            if not found or t - found[-1] > 0.1:
                found.append(t)
    return found


def peak_freqs(x: np.ndarray, count: int, lo: float = 40.0) -> list[float]:
    """The strongest spectral peaks (Hz) over the first second."""
    head = x[:RATE] * np.hanning(min(len(x), RATE))
    spec = np.abs(np.fft.rfft(head, n=RATE))
    freqs = np.fft.rfftfreq(RATE, 1 / RATE)
    spec[freqs < lo] = 0
    picked: list[float] = []
    for idx in np.argsort(spec)[::-1]:
        f = float(freqs[idx])
        if all(abs(f - p) > 30 for p in picked):
            picked.append(f)
        if len(picked) == count:
            break
    return sorted(picked)


@pytest.mark.parametrize("name", BELLS)
def test_bell_is_clean_float_mono(name: str) -> None:
    x = render_bell(name)
    assert x.dtype == np.float32 and x.ndim == 1
    assert abs(x[0]) < 1e-3 and abs(x[-1]) < 1e-3, "no click at either end"
    assert np.max(np.abs(x)) <= 0.9
    # Natural decay: the last tenth is far quieter than the first.
    tenth = len(x) // 10
    assert db(np.max(np.abs(x[-tenth:]))) < db(np.max(np.abs(x[:tenth]))) - 20


def test_bells_are_loudness_matched_and_warning_is_quieter() -> None:
    levels = {name: db(rms_first_second(render_bell(name), RATE)) for name in BELLS}
    main = [levels[n] for n in MAIN]
    assert max(main) - min(main) <= 2.0, levels
    drop = np.mean(main) - levels["warning"]
    assert 9.0 <= drop <= 15.0, levels


def test_bowl_partials_are_inharmonic() -> None:
    low, second = peak_freqs(render_bell("bowl"), 2)
    ratio = second / low
    assert 2.4 < ratio < 3.0, (low, second)
    assert abs(ratio - round(ratio)) > 0.2, "a bowl is not a harmonic instrument"


def test_bowl_beats_slowly() -> None:
    # The fundamental's level wobbles (two detuned modes), rather than falling smoothly.
    x = render_bell("bowl").astype(np.float64)
    t = np.arange(len(x)) / RATE
    base = x * np.exp(-2j * np.pi * 218.0 * t)  # shift the fundamental to 0 Hz
    kernel = np.ones(RATE // 50) / (RATE // 50)
    level = np.abs(np.convolve(base, kernel, mode="same"))[RATE // 2 : 5 * RATE]
    trend = np.exp(
        np.polyval(
            np.polyfit(np.arange(len(level)), np.log(level + 1e-9), 1), np.arange(len(level))
        )
    )
    wobble = level / trend
    assert wobble.max() / wobble.min() > 1.5


def test_gong_is_low_and_chime_is_bright() -> None:
    def centroid(x: np.ndarray) -> float:
        spec = np.abs(np.fft.rfft(x[:RATE])) ** 2
        freqs = np.fft.rfftfreq(min(len(x), RATE), 1 / RATE)
        return float(np.sum(freqs * spec) / np.sum(spec))

    assert centroid(render_bell("gong")) < 400 < 1200 < centroid(render_bell("chime"))


def test_gong_blooms_after_the_strike() -> None:
    # Upper partials swell in: more energy above 300 Hz at 0.8 s than in the first 50 ms.
    x = render_bell("gong").astype(np.float64)

    def high_share(start: float) -> float:
        seg = x[int(start * RATE) : int(start * RATE) + RATE // 20]
        spec = np.abs(np.fft.rfft(seg)) ** 2
        freqs = np.fft.rfftfreq(len(seg), 1 / RATE)
        return float(spec[freqs > 300].sum() / spec.sum())

    assert high_share(0.8) > 1.5 * high_share(0.0)


def test_clappers_clap_twice_per_strike() -> None:
    assert len(onsets(render_bell("clappers", 1))) == 2
    assert len(onsets(render_bell("clappers", 2))) == 4


@pytest.mark.parametrize("name", ["bowl", "chime", "gong", "warning"])
def test_strikes_are_spaced_as_the_previous_one_decays(name: str) -> None:
    one = render_bell(name, 1)
    three = render_bell(name, 3)
    hits = onsets(three)
    assert len(hits) == 3, hits
    gap = hits[1] - hits[0]
    assert gap == pytest.approx(hits[2] - hits[1], abs=0.05)
    # The next strike comes once the previous one has faded well below its peak.
    level_then = np.max(np.abs(one[int(gap * RATE) - RATE // 10 : int(gap * RATE)]))
    assert db(level_then) < db(np.max(np.abs(one))) - 6
    assert len(three) > len(one)
    assert np.max(np.abs(three)) <= 0.9


def test_volume_scales_and_cache_returns_the_same_render() -> None:
    full = render_bell("chime", 1, 1.0)
    half = render_bell("chime", 1, 0.5)
    assert np.max(np.abs(half)) == pytest.approx(np.max(np.abs(full)) / 2, rel=1e-3)
    assert render_bell("chime", 1, 1.0) is full
    assert not full.flags.writeable, "cached renders are shared, so read-only"


def test_unknown_bell_is_a_clear_error() -> None:
    with pytest.raises(UnknownSound, match="bowl"):
        render_bell("cowbell")


def write_wav(path: Path, data: np.ndarray, rate: int, channels: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((data * 32767).astype("<i2").tobytes())


def test_load_wav_mixes_down_and_resamples(tmp_path: Path) -> None:
    rate = 22050
    t = np.arange(rate) / rate
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    stereo = np.stack([left, left], axis=1).reshape(-1)
    path = tmp_path / "tone.wav"
    write_wav(path, stereo, rate, 2)
    x = load_wav(path, RATE)
    assert x.dtype == np.float32 and x.ndim == 1
    assert len(x) == pytest.approx(RATE, abs=2)
    assert peak_freqs(x, 1, lo=100)[0] == pytest.approx(440, abs=2)
    assert np.max(np.abs(x[1000:-1000])) == pytest.approx(0.5, abs=0.02)


def test_load_wav_of_a_broken_file_raises(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav")
    with pytest.raises((OSError, EOFError, wave.Error)):
        load_wav(bad)


def test_load_wav_reads_only_a_regular_file_of_a_sane_size(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.wav"
    os.mkfifo(pipe)  # opened without waiting for a writer, and refused
    with pytest.raises(ValueError, match="not a regular file"):
        load_wav(pipe)
    huge = tmp_path / "huge.wav"
    with huge.open("wb") as handle:
        handle.truncate(MAX_WAV_BYTES + 1)  # sparse: no disk spent
    with pytest.raises(ValueError, match="larger than 64 MiB"):
        load_wav(huge)


def test_resample_keeps_pitch() -> None:
    t = np.arange(22050) / 22050
    y = resample(np.sin(2 * np.pi * 1000 * t), 22050, RATE)
    assert peak_freqs(y, 1, lo=100)[0] == pytest.approx(1000, abs=2)


def test_every_sound_a_script_may_name_is_synthesised() -> None:
    # The format's models spell the names out (a Literal) beside the one table the engine
    # and the player read: a bell added to one and not the other would fail a session quietly.
    from typing import get_args

    from circlekeeper.script.model import BuiltinSound
    from circlekeeper.script.sounds import BUILTIN_SOUNDS, STRIKE_SECONDS
    from circlekeeper.sound.bells import BELLS, render_bell

    assert get_args(BuiltinSound) == BUILTIN_SOUNDS == BELLS == tuple(STRIKE_SECONDS)
    for name in BELLS:
        render_bell(name)  # each is synthesised


@pytest.mark.parametrize("dst", [44100, 48000])
def test_a_long_resample_goes_in_pieces_without_seams(dst: int) -> None:
    # Eleven seconds: resampled a few seconds at a time; the pieces must line up exactly.
    t = np.arange(22050 * 11) / 22050
    y = resample(0.5 * np.sin(2 * np.pi * 440 * t), 22050, dst)
    assert y.dtype == np.float32 and len(y) == 11 * dst
    ref = 0.5 * np.sin(2 * np.pi * 440 * np.arange(len(y)) / dst)
    assert float(np.max(np.abs(y - ref)[dst // 10 : -dst // 10])) < 1e-3


def test_the_player_and_the_engine_read_one_table_of_strike_spacing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Change the table and both follow: no copy of it is left anywhere to drift.
    from circlekeeper.engine.chime import BellLine
    from circlekeeper.script.sounds import STRIKE_SECONDS
    from circlekeeper.sound.bells import spacing

    line = BellLine({})
    for name in BELLS:
        monkeypatch.setitem(STRIKE_SECONDS, name, STRIKE_SECONDS[name] + 0.25)
        engine = line.length(name, 2, None) - line.length(name, 1, None)
        assert spacing(name) == pytest.approx(engine) == STRIKE_SECONDS[name]
