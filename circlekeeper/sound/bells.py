"""Bells synthesised with numpy, and practice-defined sounds loaded from WAV files.

Every sound is float32 mono in [-1, 1]. The four bells are matched in loudness (RMS over the
first second) so a practice can swap one for another without surprising the room; `warning`
sits about 12 dB below them so it reads as a nudge, not an ending.
"""

from __future__ import annotations

import functools
import math
import os
import stat
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from circlekeeper.script.sounds import BUILTIN_SOUNDS, STRIKE_SECONDS

BELLS: tuple[str, ...] = BUILTIN_SOUNDS
"""The built-in sound names (the format's own list)."""

MAX_WAV_BYTES = 64 * 1024 * 1024
"""A practice's own WAV file may be this large (64 MiB: six minutes of 48 kHz stereo)."""
TARGET_RMS_DB = -23.0
"""Loudness of every bell over its first second, in dB full scale."""
WARNING_DB = -12.0
"""How much quieter the warning cue is than a bell."""
PEAK_LIMIT = 0.9
FADE_IN_S = 0.004
FADE_OUT_S = 0.08

FloatArray = np.ndarray


class UnknownSound(ValueError):
    """A sound name that is neither built in nor defined by the practice."""


@dataclass(frozen=True)
class _Partial:
    ratio: float
    """Frequency as a multiple of the fundamental."""
    amp: float
    decay: float
    """Seconds for the partial to fall by 1/e."""
    beat: float = 0.0
    """Hz between the two halves of a split (beating) partial; 0 for a single tone."""
    bloom: float = 0.0
    """Seconds for the partial to swell in (a gong's energy moving upward)."""


_CHUNK = 1 << 15
"""Samples synthesised at a time: float64 work arrays stay small whatever the bell's length."""


def _partials(
    fundamental: float, partials: list[_Partial], seconds: float, rate: int, seed: int
) -> FloatArray:
    """Sum exponentially decaying sine partials, some split in two so they beat slowly.

    Computed in chunks into a float32 result: a 16-second bell at 48 kHz would otherwise need
    a handful of 6 MB float64 temporaries at once.
    """
    n = int(seconds * rate)
    rng = np.random.default_rng(seed)
    voices: list[tuple[_Partial, float, float]] = []
    for p in partials:
        freq = fundamental * p.ratio
        if freq >= rate / 2 * 0.9:
            continue  # above Nyquist it would alias into a harsh whistle
        voices.append((p, freq, rng.uniform(0, 2 * np.pi)))
    out = np.zeros(n, dtype=np.float32)
    for begin in range(0, n, _CHUNK):
        t = np.arange(begin, min(n, begin + _CHUNK), dtype=np.float64) / rate
        acc = np.zeros(len(t), dtype=np.float64)
        for p, freq, phase in voices:
            env = np.exp(-t / p.decay)
            if p.bloom > 0:
                env *= 1.0 - np.exp(-t / p.bloom)
            if p.beat > 0:
                # Two slightly detuned modes (a real bowl is never perfectly round): slow
                # beating. Unequal halves, so the level wobbles (~-10 dB dips) instead of
                # dropping to nothing.
                tone = 0.7 * np.sin(2 * np.pi * (freq - p.beat / 2) * t + phase) + 0.3 * np.sin(
                    2 * np.pi * (freq + p.beat / 2) * t + phase + 0.7
                )
            else:
                tone = np.sin(2 * np.pi * freq * t + phase)
            acc += p.amp * env * tone
        out[begin : begin + len(t)] = acc
    return out


def _fades(x: FloatArray, rate: int, fade_in: float = FADE_IN_S) -> FloatArray:
    """Raised-cosine fade-in and fade-out so the first and last samples are zero (no clicks).

    The fade-out covers the last tenth of the tail, so the ring dies away rather than stops.
    """
    n_in = max(2, int(fade_in * rate))
    n_out = max(2, int(FADE_OUT_S * rate), len(x) // 10)
    x = x.copy()
    x[:n_in] *= (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n_in))).astype(x.dtype)
    x[-n_out:] *= (0.5 + 0.5 * np.cos(np.linspace(0, np.pi, n_out))).astype(x.dtype)
    return x


def _strike_bowl(rate: int) -> FloatArray:
    # Singing-bowl mode ratios are close to 1 : 2.7 : 5.1 : 8.3 (Inácio et al.), each split.
    partials = [
        _Partial(1.0, 1.0, 4.5, beat=0.9),
        _Partial(2.71, 0.55, 3.2, beat=1.6),
        _Partial(5.08, 0.22, 1.8, beat=2.3),
        _Partial(8.32, 0.08, 1.0, beat=3.1),
        _Partial(12.1, 0.03, 0.5),
    ]
    body = _partials(218.0, partials, 16.0, rate, seed=1)
    return _fades(body, rate, fade_in=0.006)


def _strike_chime(rate: int) -> FloatArray:
    # A small bright bell: a clear strike tone with a few inharmonic upper partials.
    partials = [
        _Partial(1.0, 1.0, 1.7, beat=0.6),
        _Partial(2.76, 0.45, 1.0),
        _Partial(5.40, 0.25, 0.5),
        _Partial(8.93, 0.12, 0.3),
        _Partial(13.3, 0.05, 0.15),
    ]
    body = _partials(1046.5, partials, 6.0, rate, seed=2)
    return _fades(body, rate, fade_in=0.002)


def _one_clap(rate: int, rng: np.random.Generator) -> FloatArray:
    """A wooden clap: a bright noise crack plus short hollow wood resonances."""
    n = int(0.35 * rate)
    t = np.arange(n) / rate
    noise = rng.standard_normal(n)
    # A band-pass (difference of two one-pole low-passes, ~400 Hz to ~3.5 kHz): wood, not hiss.
    crack = (_one_pole(noise, 0.45) - _one_pole(noise, 0.05)) * np.exp(-t / 0.010)
    wood = np.zeros(n)
    for freq, amp, decay in ((820.0, 1.0, 0.09), (1370.0, 0.6, 0.045), (2450.0, 0.3, 0.02)):
        wood += amp * np.exp(-t / decay) * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.28))
    out: FloatArray = crack * 0.6 + wood * 0.5
    return out


def _one_pole(x: FloatArray, alpha: float) -> FloatArray:
    """A one-pole low-pass filter, vectorised through the closed form of the recurrence."""
    # y[n] = alpha*x[n] + (1-alpha)*y[n-1], computed in blocks to keep the powers finite.
    out = np.empty_like(x)
    decay = 1.0 - alpha
    state = 0.0
    block = 256
    powers = decay ** np.arange(1, block + 1)
    for start in range(0, len(x), block):
        chunk = x[start : start + block] * alpha
        m = len(chunk)
        # Convolve the chunk with the impulse response, then add the carried state.
        y = np.convolve(chunk, np.concatenate(([1.0], powers[: m - 1])))[:m]
        y += state * powers[:m]
        out[start : start + m] = y
        state = y[-1]
    return out


def _strike_clappers(rate: int) -> FloatArray:
    # Two claps: the strike and the rebound a little later and a little softer.
    rng = np.random.default_rng(3)
    gap = int(0.16 * rate)
    first = _one_clap(rate, rng)
    second = _one_clap(rate, rng) * 0.75
    out = np.zeros(gap + len(second) + int(0.1 * rate))
    out[: len(first)] += first
    out[gap : gap + len(second)] += second
    return _fades(out, rate, fade_in=0.0008)


def _strike_gong(rate: int) -> FloatArray:
    # A soft gong: low fundamental, dense inharmonic partials that bloom in after the strike.
    partials = [
        _Partial(1.0, 1.0, 4.8, beat=0.4, bloom=0.05),
        _Partial(1.52, 0.6, 4.2, beat=0.7, bloom=0.25),
        _Partial(2.31, 0.5, 3.6, beat=1.1, bloom=0.45),
        _Partial(2.94, 0.4, 3.0, bloom=0.6),
        _Partial(3.77, 0.35, 2.5, beat=1.7, bloom=0.8),
        _Partial(4.61, 0.25, 2.0, bloom=0.9),
        _Partial(5.89, 0.18, 1.6, beat=2.2, bloom=1.0),
        _Partial(7.33, 0.12, 1.2, bloom=1.1),
        _Partial(9.12, 0.07, 0.9, bloom=1.2),
    ]
    body = _partials(92.0, partials, 16.0, rate, seed=4)
    # The mallet is soft: a slower attack than a metal striker.
    return _fades(body, rate, fade_in=0.03)


def _strike_warning(rate: int) -> FloatArray:
    # A gentle high chime: few partials, soft attack, short ring.
    partials = [
        _Partial(1.0, 1.0, 0.9, beat=0.5),
        _Partial(2.76, 0.25, 0.5),
        _Partial(5.40, 0.08, 0.25),
    ]
    body = _partials(1318.5, partials, 3.2, rate, seed=5)
    return _fades(body, rate, fade_in=0.01)


_STRIKES: dict[str, tuple[Callable[[int], FloatArray], float]] = {
    # name -> (one strike, seconds after a strike before words may follow it: the attack has
    # bloomed). How far apart strikes ring is the engine's table too (`STRIKE_SECONDS`).
    "bowl": (_strike_bowl, 1.2),
    "chime": (_strike_chime, 0.8),
    "clappers": (_strike_clappers, 0.6),
    "gong": (_strike_gong, 1.6),
    "warning": (_strike_warning, 0.6),
}


def spacing(name: str) -> float:
    """Seconds from one strike of a built-in sound to the next: the format's table, which
    the engine spaces cues by, so what plays takes as long as the engine allowed for it."""
    return STRIKE_SECONDS[name]


def settle(name: str) -> float:
    """Seconds after a strike before spoken words may follow it (a short, musical gap)."""
    return _STRIKES[name][1]


def rms_first_second(x: FloatArray, rate: int) -> float:
    """RMS over the first second (a shorter sound counts as followed by silence)."""
    head = np.asarray(x[:rate], dtype=np.float64)
    return float(np.sqrt(np.sum(np.square(head)) / rate))


@functools.lru_cache(maxsize=16)
def strike(name: str, rate: int = 48000) -> FloatArray:
    """A single strike as float32, loudness-matched: the same RMS over its first second as
    every bell. Cached (treat as read-only): a player mixes several strikes of a bell from
    this one array instead of keeping a rendering of every strike count.

    Raises `UnknownSound` for a name that is not built in.
    """
    if name not in _STRIKES:
        raise UnknownSound(f"unknown sound {name!r}; built-in sounds are {', '.join(BELLS)}")
    make = _STRIKES[name][0]
    x = np.asarray(make(rate), dtype=np.float32)
    target = 10 ** (TARGET_RMS_DB / 20)
    gain = target / max(rms_first_second(x, rate), 1e-9)
    if name == "warning":
        gain *= 10 ** (WARNING_DB / 20)
    x *= np.float32(gain)
    x.setflags(write=False)
    return x


_cache: dict[tuple[str, int, float, int], FloatArray] = {}
_lock = threading.Lock()


def render_bell(name: str, strikes: int = 1, volume: float = 1.0, rate: int = 48000) -> FloatArray:
    """A built-in bell, every strike, as float32 mono samples (treat as read-only).

    A single strike at full volume is the cached `strike`; other renderings are cached too.
    Raises `UnknownSound` for a name that is not built in.
    """
    strikes = max(1, int(strikes))
    volume = float(min(max(volume, 0.0), 1.0))
    one = strike(name, rate)
    if strikes == 1 and volume == 1.0:
        return one
    key = (name, strikes, round(volume, 4), rate)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    step = int(spacing(name) * rate)
    out = np.zeros(step * (strikes - 1) + len(one), dtype=np.float32)
    for i in range(strikes):
        out[i * step : i * step + len(one)] += one
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if peak > PEAK_LIMIT:
        # Overlapping strikes can add up; scale the whole run down rather than clip.
        out *= np.float32(PEAK_LIMIT / peak)
    out *= np.float32(volume)
    out.setflags(write=False)
    with _lock:
        _cache[key] = out
    return out


def load_wav(path: str | Path, rate: int = 48000) -> FloatArray:
    """A PCM WAV file as float32 mono at `rate` (mixed down and resampled as needed).

    Raises `OSError` or `ValueError` (wave.Error) for a missing or unreadable file, for
    anything but a regular file (a pipe would block the sound thread) and for a file over
    `MAX_WAV_BYTES`.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{path} is not a regular file")
        if st.st_size > MAX_WAV_BYTES:
            raise ValueError(f"{path} is larger than {MAX_WAV_BYTES // (1024 * 1024)} MiB")
        with wave.open(handle, "rb") as w:
            channels = w.getnchannels()
            width = w.getsampwidth()
            src_rate = w.getframerate()
            raw = w.readframes(w.getnframes())
    data = pcm_to_float(raw, width)
    del raw
    if channels > 1:
        data = data[: len(data) - len(data) % channels].reshape(-1, channels).mean(axis=1)
    result = resample(data, src_rate, rate)
    result.setflags(write=False)
    return result


def pcm_to_float(raw: bytes, width: int) -> FloatArray:
    """Interleaved little-endian PCM bytes as float32 (or float64 for 24/32-bit) in [-1, 1]."""
    if width == 1:
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / np.float32(32768.0)
    if width == 3:
        b = np.frombuffer(raw[: len(raw) - len(raw) % 3], dtype=np.uint8).reshape(-1, 3)
        ints = b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8)
        ints |= b[:, 2].astype(np.int8).astype(np.int32) << 16
        return ints.astype(np.float64) / 8388608.0
    if width == 4:
        return np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0
    raise ValueError(f"unsupported WAV sample width: {width * 8} bits")


RESAMPLE_CHUNK_S = 4.0
"""Seconds resampled at a time: a long reading never needs its whole spectrum in memory."""


def resample(x: FloatArray, src_rate: int, dst_rate: int) -> FloatArray:
    """Band-limited resampling through the FFT (clean for speech and bells; no scipy needed).

    Long inputs go a few seconds at a time, each with a margin of context on both sides
    that is cut away again, so the seams do not show and memory stays small. float32 out.
    """
    x = np.asarray(x, dtype=np.float32)
    if src_rate == dst_rate or len(x) == 0:
        return x
    n_out = round(len(x) * dst_rate / src_rate)
    # Chunks and margins in whole steps of the rates' ratio, so every cut lands on a sample
    # of both rates and the pieces line up exactly.
    step = src_rate // math.gcd(src_rate, dst_rate)
    chunk = step * max(1, round(RESAMPLE_CHUNK_S * src_rate / step))
    margin = step * math.ceil(0.05 * src_rate / step)
    if len(x) <= chunk + 2 * margin:
        return _resample_whole(x, src_rate, dst_rate)[:n_out]
    out = np.zeros(n_out, dtype=np.float32)
    ratio = dst_rate / src_rate
    for pos in range(0, len(x), chunk):
        a, b = max(0, pos - margin), min(len(x), pos + chunk + margin)
        y = _resample_whole(x[a:b], src_rate, dst_rate)
        lo, hi = round(pos * ratio), min(n_out, round(min(pos + chunk, len(x)) * ratio))
        skip = lo - round(a * ratio)
        part = y[skip : skip + hi - lo]
        out[lo : lo + len(part)] = part
    return out


def _resample_whole(x: FloatArray, src_rate: int, dst_rate: int) -> FloatArray:
    n_out = round(len(x) * dst_rate / src_rate)
    # Pad with silence so the FFT's circular wrap cannot smear the end onto the start; to a
    # whole number of steps of the rates' ratio, so the padded length maps exactly.
    step = src_rate // math.gcd(src_rate, dst_rate)
    pad = int(0.05 * src_rate) + (-(len(x) + int(0.05 * src_rate))) % step
    padded = np.concatenate((np.asarray(x, dtype=np.float32), np.zeros(pad, dtype=np.float32)))
    spectrum = np.fft.rfft(padded)
    n_padded_out = round(len(padded) * dst_rate / src_rate)
    bins = n_padded_out // 2 + 1
    if bins <= len(spectrum):
        spectrum = spectrum[:bins]
    else:
        spectrum = np.concatenate((spectrum, np.zeros(bins - len(spectrum), dtype=spectrum.dtype)))
    y = np.fft.irfft(spectrum, n_padded_out) * np.float32(n_padded_out / len(padded))
    return np.asarray(y[:n_out], dtype=np.float32)
