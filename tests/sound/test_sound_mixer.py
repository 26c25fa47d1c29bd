"""The mixer on its own, driven block by block with a clock the test controls.

Each test plays a stream's part: it calls `callback` with the time the block is asked for and
a `time_info` saying when the block will be heard, as PortAudio does.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from circlekeeper.sound import mixer as mixer_module
from circlekeeper.sound.bells import render_bell
from circlekeeper.sound.mixer import CEILING, FADE_S, Mixer, Voice

RATE = 48000
BLOCK = 1024
LATENCY = 0.05
START = 7_000.0  # the stream's clock never starts at 0


class Stream:
    """Pulls blocks from a mixer as a device would; the clock moves one block per call."""

    def __init__(self, mixer: Mixer, monkeypatch: pytest.MonkeyPatch, jitter: float = 0.0):
        self.mixer = mixer
        self.t = START
        self.jitter = jitter
        self.rng = np.random.default_rng(5)
        self.now = START
        monkeypatch.setattr(mixer_module.time, "monotonic", lambda: self.now)
        self.out: list[np.ndarray] = []

    def block(
        self, frames: int = BLOCK, waited: float = 0.0, dac: float | None = None
    ) -> np.ndarray:
        """One callback: asked up to `jitter` late, heard LATENCY after it was due. With
        `waited`, it runs that much after PortAudio asked for it and read the time (the
        interpreter was busy on another thread); `dac` overrides the latency it reads."""
        late = float(self.rng.uniform(0, self.jitter)) if self.jitter else 0.0
        asked = self.t + late
        self.now = asked + waited
        heard = self.t + LATENCY if dac is None else asked + dac
        info = SimpleNamespace(outputBufferDacTime=heard, currentTime=asked)
        buf = np.full((frames, self.mixer.channels), np.nan, dtype=np.float32)
        self.mixer.callback(buf, frames, info, SimpleNamespace(output_underflow=False))
        self.t += frames / RATE
        self.out.append(buf[:, 0].copy())
        return buf

    def run(self, seconds: float) -> np.ndarray:
        """Blocks for `seconds`; everything heard so far, frame 0 first."""
        for _ in range(int(seconds * RATE / BLOCK) + 1):
            self.block()
        return np.concatenate(self.out)

    def heard_at(self, frame: int) -> float:
        """When output frame `frame` is heard (the test's truth)."""
        return START + LATENCY + frame / RATE


def first_sound(x: np.ndarray, after: int = 0) -> int:
    return after + int(np.flatnonzero(np.abs(x[after:]) > 1e-6)[0])


@pytest.mark.parametrize("jitter", [0.0, 0.004])
def test_a_voice_starts_at_the_sample_its_time_maps_to(
    monkeypatch: pytest.MonkeyPatch, jitter: float
) -> None:
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch, jitter=jitter)
    stream.run(0.5)  # the clock estimate settles
    due = stream.heard_at(RATE * 2 + 333)  # a moment that falls inside a block
    mixer.add(Voice(np.full(2000, 0.5, dtype=np.float32), when=due))
    x = stream.run(2.5)
    # The tick jitter of the callback does not move it: within a sample or two of its time.
    assert abs(first_sound(x) - (RATE * 2 + 333)) <= 2
    assert mixer.late[-1] == ("", 0.0)


@pytest.mark.parametrize("waited", [0.06, 0.09, 0.3])
def test_a_callback_that_waited_places_its_voice_on_time(
    monkeypatch: pytest.MonkeyPatch, waited: float
) -> None:
    # The closing bowl of a sit was heard 60-90 ms early: the callback that placed it had
    # waited that long for the interpreter, and its late reading of the clock was taken.
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch)
    stream.run(0.5)
    base = mixer.base
    due = stream.heard_at(RATE * 1 + 77)
    mixer.add(Voice(np.full(2000, 0.5, dtype=np.float32), when=due))
    stream.block(waited=waited)
    assert mixer.base == base and mixer.resyncs == 0
    x = stream.run(1.5)
    assert abs(first_sound(x) - (RATE + 77)) <= 2
    assert mixer.late[-1] == ("", 0.0)


def settled(monkeypatch: pytest.MonkeyPatch) -> tuple[Mixer, Stream, float]:
    """A mixer whose stream has run long enough for a clock estimate, and the estimate."""
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch)
    stream.run(0.3)
    assert mixer.base is not None
    return mixer, stream, mixer.base


def test_a_reading_later_again_and_again_is_a_new_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    mixer, stream, base = settled(monkeypatch)
    for _ in range(2):
        stream.block(waited=0.1)
    assert mixer.base == base
    stream.block(waited=0.1)  # the third in a row: the device's delay did grow
    assert mixer.resyncs == 1 and mixer.base == pytest.approx(base + 0.1, abs=1e-6)
    stream.run(0.3)  # back on time: an earlier reading is taken at once
    assert mixer.resyncs == 2 and mixer.base == pytest.approx(base, abs=1e-3)


def test_a_reading_seconds_later_starts_over_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    mixer, stream, base = settled(monkeypatch)
    # The machine slept, or the device stalled: the next block is heard seconds later.
    stream.t += 2.0
    stream.block()
    assert mixer.resyncs == 1 and mixer.base == pytest.approx(base + 2.0, abs=1e-6)


def test_a_voice_asked_for_too_late_starts_at_once_and_says_how_late(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch)
    stream.run(0.2)
    mixer.add(Voice(np.full(2000, 0.5, dtype=np.float32), tag="late", when=stream.now - 1.0))
    before = sum(len(b) for b in stream.out)
    x = stream.run(0.2)
    start = first_sound(x)
    # The first frame it could still take: the block after the one already mixed ahead.
    assert before <= start <= before + 2 * BLOCK
    tag, late = mixer.late[-1]
    assert tag == "late" and late > 1.0


def test_strikes_and_words_keep_their_distance_in_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch)
    stream.run(0.2)
    strike = Voice(np.full(4800, 0.3, dtype=np.float32), tag="strike", when=stream.now - 5)
    words = Voice(np.full(4800, 0.2, dtype=np.float32), tag="words", kind="speech")
    words.after.append((strike, 9600))  # 0.2 s after the strike, however late it started
    mixer.add(strike)
    mixer.add(words)
    x = stream.run(0.5)
    s = first_sound(x)
    assert x[s] == pytest.approx(0.3)
    assert np.all(x[s + 4800 : s + 9600] == 0)
    assert x[s + 9600] == pytest.approx(0.2)


def test_the_limiter_keeps_the_mix_below_full_scale_without_clipping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch)
    stream.run(0.1)
    t = np.arange(RATE) / RATE
    tone = (0.8 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    at = stream.heard_at(sum(len(b) for b in stream.out) + 3 * BLOCK)
    for _ in range(3):  # three loud sounds at once: 2.4 at their peaks
        mixer.add(Voice(tone, when=at))
    x = stream.run(1.5)
    s = first_sound(x) - 1  # the tone's first sample is a zero
    heard = x[s : s + RATE]
    assert np.max(np.abs(heard)) <= CEILING + 1e-6
    assert mixer.peak_out <= CEILING + 1e-6
    # Not a hard clip: what comes out is the sum, scaled by a gain that glides.
    ratio = heard / np.where(np.abs(3 * tone) > 0.2, 3 * tone, np.nan)
    gains = ratio[np.isfinite(ratio)]
    assert np.max(np.abs(np.diff(gains))) < 0.01, "the gain never jumps"
    assert float(np.min(gains)) > 0.3 and float(np.max(gains)) <= CEILING / 2.4 * 1.05
    # And it lets go: a quiet sound afterwards is heard at its own level.
    mixer.add(Voice(np.full(RATE, 0.1, dtype=np.float32)))
    stream.run(0.5)
    assert float(np.max(stream.out[-1])) == pytest.approx(0.1, abs=0.002)


def test_a_hush_fades_the_words_and_leaves_the_bell(monkeypatch: pytest.MonkeyPatch) -> None:
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch)
    stream.run(0.1)
    t = np.arange(4 * RATE) / RATE
    words = Voice((0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), kind="speech")
    bell = Voice((0.2 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32), kind="bell")
    later = Voice(np.full(RATE, 0.2, dtype=np.float32), kind="speech", when=stream.now + 3)
    for v in (words, bell, later):
        mixer.add(v)
    stream.run(1.0)
    hushed_from = sum(len(b) for b in stream.out)
    mixer.hush()
    x = stream.run(2.5)
    tail = x[hushed_from + 2 * BLOCK + int(FADE_S * RATE) :]

    def level(sig: np.ndarray, freq: float) -> float:
        spec = np.abs(np.fft.rfft(sig))
        freqs = np.fft.rfftfreq(len(sig), 1 / RATE)
        return float(spec[np.abs(freqs - freq) < 5].max())

    piece = tail[: RATE // 2]
    assert level(piece, 1000) > 100 * level(piece, 220), "words gone, bell still ringing"
    # The fade is gradual (no click): the words' level falls over about FADE_S.
    during = x[hushed_from : hushed_from + 2 * BLOCK + int(FADE_S * RATE)]
    assert level(during, 220) > 0
    assert not any(v is later for v in mixer.active), "words not yet begun are dropped"


def test_silence_costs_nothing_but_a_fill(monkeypatch: pytest.MonkeyPatch) -> None:
    mixer = Mixer(2, RATE)
    stream = Stream(mixer, monkeypatch)
    block = stream.block()
    assert mixer.idle() and not np.isnan(block).any() and np.all(block == 0)
    assert mixer.frames == BLOCK


def test_mixer_volume(monkeypatch: pytest.MonkeyPatch) -> None:
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch)
    mixer.volume = 0.25
    mixer.add(Voice(render_bell("chime", rate=RATE)))
    x = stream.run(0.5)
    assert 0 < np.max(np.abs(x)) <= 0.25 * 0.9 + 1e-6


def test_mixer_callback_never_raises() -> None:
    mixer = Mixer(2, RATE)
    mixer.add(Voice(np.ones(100, dtype=np.float32)))
    bad = np.zeros((480, 3), dtype=np.float32)  # a shape it cannot fill
    mixer.callback(bad, 100, None, None)
    assert mixer.errors == 1


def test_the_limiter_holds_and_peak_out_is_exact_through_adds_hushes_and_clears(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each block's peak is taken from when it was mixed as the look-ahead: a voice added, a
    # hush or a clear between two callbacks must not leave the limiter a stale peak.
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch)
    rng = np.random.default_rng(11)
    stream.run(0.05)
    for n in range(400):
        if rng.random() < 0.25:
            length = int(rng.integers(64, 3 * BLOCK))
            loud = (rng.standard_normal(length) * rng.choice([0.1, 0.6, 1.5])).astype(np.float32)
            when = stream.heard_at(len(stream.out) * BLOCK + int(rng.integers(0, 3 * BLOCK)))
            mixer.add(Voice(loud, float(rng.choice([1.0, 0.5, 1.7])), kind="speech", when=when))
        if rng.random() < 0.05:
            mixer.hush()
        if rng.random() < 0.03:
            mixer.clear()
        mixer.volume = 0.6 if n % 50 < 10 else 1.0
        mixer.muted = n % 97 < 3
        stream.block()
    heard = np.concatenate(stream.out)
    assert not np.isnan(heard).any()
    assert float(np.max(np.abs(heard))) <= CEILING + 1e-6
    assert mixer.peak_out == pytest.approx(float(np.max(np.abs(heard))), abs=1e-6)
    assert mixer.errors == 0


def test_a_hush_fades_from_the_next_frame_heard_and_a_bell_ending_there_rings_to_its_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The block after the one handed out is mixed a block early (the limiter's look-ahead).
    # A hush mixes it again with the fade in it, so the words start fading in the very next
    # block heard, not a block later; a bell whose last frames lie in it is not lost.
    mixer = Mixer(1, RATE)
    stream = Stream(mixer, monkeypatch)
    stream.run(0.05)
    words = Voice(np.full(4 * RATE, 0.1, dtype=np.float32), kind="speech")
    bell = Voice(np.full(RATE, 0.3, dtype=np.float32), kind="bell")
    mixer.add(words)
    mixer.add(bell)
    stream.block()
    assert bell.start is not None
    bell_end = bell.start + bell.length
    while mixer.frames + BLOCK <= bell_end:  # until the bell ends inside the look-ahead
        stream.block()
    heard = mixer.frames
    assert heard < bell_end < heard + BLOCK
    mixer.hush()
    x = stream.block()[:, 0]
    fade = int(FADE_S * RATE)
    k = np.arange(BLOCK)
    words_now = 0.1 * (1.0 - k / fade)
    expected = words_now + np.where(heard + k < bell_end, 0.3, 0.0)
    np.testing.assert_allclose(x, expected, atol=1e-6)
