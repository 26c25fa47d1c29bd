"""Speech: real espeak renders through the worker process, and every way the worker fails."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from circlekeeper.sound import speech
from circlekeeper.sound.speech import (
    Speaker,
    SpeechError,
    SpeechRenderer,
    SpeechUnavailable,
    cache_key,
    pick_voice,
    voice_settings,
    wav_problem,
)

FAKE = [sys.executable, str(Path(__file__).with_name("fake_tts_worker.py"))]
SHORT = "Welcome."
LONG = (
    "Welcome to the circle. Let us take a moment to arrive, to notice the breath, and to "
    "notice the people sitting around us, before we begin the first round of sharing."
)


def wav_seconds_and_peak(path: Path) -> tuple[float, float]:
    with wave.open(str(path), "rb") as w:
        frames = w.readframes(w.getnframes())
        seconds = w.getnframes() / w.getframerate()
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768
    return seconds, float(np.max(np.abs(samples)))


@pytest.fixture
def renderer(tmp_path: Path) -> SpeechRenderer:
    r = SpeechRenderer(cache=tmp_path / "speech")
    yield r
    r.close()


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SpeechRenderer:
    # Short timeouts so a hang costs a fraction of a second, not the real bound.
    monkeypatch.setattr(speech, "render_timeout", lambda text: 0.5)
    r = SpeechRenderer(command=FAKE, cache=tmp_path / "fake")
    yield r
    r.close()


# ----- real espeak -----


def test_espeak_renders_real_speech_of_plausible_length(renderer: SpeechRenderer) -> None:
    short = renderer.render(SHORT, "en")
    long = renderer.render(LONG, "en")
    short_s, short_peak = wav_seconds_and_peak(short)
    long_s, long_peak = wav_seconds_and_peak(long)
    assert short_peak > 0.1 and long_peak > 0.1, "not silent"
    words = len(LONG.split())
    # ~170 words per minute, give or take the pauses espeak puts at commas.
    assert words * 60 / 170 * 0.6 < long_s < words * 60 / 170 * 1.8
    assert long_s > 5 * short_s


def test_first_render_in_a_fresh_worker_can_be_long(
    renderer: SpeechRenderer, caplog: pytest.LogCaptureFixture
) -> None:
    # pyttsx3 often writes no file for the first long render in a fresh process; the
    # warm-up in the worker absorbs that, so the first real request is good without a retry.
    with caplog.at_level("WARNING", logger="circlekeeper.sound.speech"):
        path = renderer.render(LONG, "en")
    assert wav_problem(path, LONG, speech.DEFAULT_RATE) is None
    assert renderer.worker.spawned == 1
    assert "failed" not in caplog.text


def test_renders_are_cached_on_disk_by_text_voice_and_rate(renderer: SpeechRenderer) -> None:
    first = renderer.render(SHORT, "en")
    stamp = first.stat().st_mtime_ns
    renderer.close()  # a cache hit must not need the engine at all
    again = renderer.render(SHORT, "en")
    assert again == first and again.stat().st_mtime_ns == stamp
    assert renderer.worker.proc is None
    assert renderer.render(SHORT, "en", rate=120) != first
    assert renderer.render(SHORT, "de") != first
    assert not list(first.parent.glob(".*tmp*")), "no temporary files left behind"


def test_cache_key_covers_every_input() -> None:
    base = cache_key("hi", "en", 170, "e1")
    others = [
        cache_key("ho", "en", 170, "e1"),
        cache_key("hi", "de", 170, "e1"),
        cache_key("hi", "en", 171, "e1"),
        cache_key("hi", "en", 170, "e2"),
    ]
    assert base not in others and len(set(others)) == 4


def test_voice_changes_between_renders_never_hang(renderer: SpeechRenderer) -> None:
    # setProperty('voice') followed by an empty runAndWait blocks forever; the worker always
    # queues a save right after a property change, so switching voices back and forth is fine.
    for lang in ("en", "de", "en", "fr-fr", "en"):
        path = renderer.render(f"{lang} {SHORT}", lang)
        assert wav_problem(path, f"{lang} {SHORT}", speech.DEFAULT_RATE) is None
    # A worker per voice (see the rate test below); "en" comes back from the cache.
    assert renderer.worker.spawned == 3


@pytest.fixture
def busy_machine() -> Iterator[None]:
    """Every core kept busy: espeak's own thread then runs late, as on a loaded laptop."""
    spin = [sys.executable, "-c", "while True: pass"]
    procs = [subprocess.Popen(spin) for _ in range((os.cpu_count() or 2) + 1)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def test_every_render_speaks_at_its_own_rate_on_a_busy_machine(
    renderer: SpeechRenderer, busy_machine: None, tmp_path: Path
) -> None:
    # espeak takes a rate set after its first synthesis only some of the time (one render in
    # five came out at the old rate, or empty, with the machine busy): each rate gets a worker
    # of its own, and the same words at the same rate always last as long.
    seconds: dict[int, list[float]] = {120: [], 200: []}
    for i, rate in enumerate([120, 200] * 4):
        renderer.cache = tmp_path / f"cache{i}"  # nothing comes from an earlier render
        path = renderer.render(LONG, "en", rate=rate)
        seconds[rate].append(wav_seconds_and_peak(path)[0])
    for rate, got in seconds.items():
        assert max(got) - min(got) < 0.05, (rate, got)
    assert min(seconds[120]) > 1.5 * max(seconds[200]), seconds


def test_a_new_voice_or_rate_gets_a_fresh_worker(renderer: SpeechRenderer) -> None:
    renderer.render(SHORT, "en")
    renderer.render(LONG, "en")
    assert renderer.worker.spawned == 1
    renderer.render(SHORT, "en", rate=120)
    assert renderer.worker.spawned == 2
    renderer.render(SHORT, "de", rate=120)
    assert renderer.worker.spawned == 3


def test_driver_chatter_never_reaches_our_terminal(
    renderer: SpeechRenderer, capfd: pytest.CaptureFixture[str]
) -> None:
    renderer.render("Quiet, please.", "en")
    out, err = capfd.readouterr()
    assert "Audio saved" not in out + err
    assert any("Audio saved" in line for line in renderer.worker.stderr_tail)
    # say() would shell out to aplay (and print its errors); rendering never does.
    assert not any("aplay" in line for line in renderer.worker.stderr_tail)


def test_two_threads_asking_at_once_each_get_their_own_prompt(tmp_path: Path) -> None:
    # Two saves queued before one runAndWait keep only the second; the Speaker's single
    # thread sends one request at a time, however many callers there are.
    speaker = Speaker(SpeechRenderer(cache=tmp_path / "s"))
    texts = [(f"Prompt number {i}.", "en") for i in range(6)]
    callers = [threading.Thread(target=speaker.prepare, args=(texts[i::2],)) for i in range(2)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    try:
        assert speaker.wait_prepared(30)
        assert speaker.prepared == 6 and speaker.failed == 0
        got = [speaker.get(text, lang) for text, lang in texts]
        assert all(g is not None and np.max(np.abs(g)) > 0.1 for g in got)
        paths = {speaker.renderer.path_for(text, lang) for text, lang in texts}
        assert len(paths) == 6
        assert all(wav_problem(p, "Prompt number x.", speech.DEFAULT_RATE) is None for p in paths)
    finally:
        speaker.close()


def test_voice_by_language_and_unknown_voice_falls_back(renderer: SpeechRenderer) -> None:
    renderer.render(SHORT, "en")  # loads the voice list
    voices = renderer.voices or []
    assert len(voices) > 20
    assert pick_voice(voices, "de") == ("gmw/de", None)
    assert pick_voice(voices, "pt-BR")[0] == "roa/pt-br"
    voice, warning = pick_voice(voices, "de", "no-such-voice")
    assert voice == "gmw/de" and warning and "no-such-voice" in warning
    voice, warning = pick_voice(voices, "xx")
    assert voice is None and warning and "'xx'" in warning
    assert pick_voice([], "en", "anything")[0] is None  # never an IndexError


def test_unknown_voice_in_settings_still_speaks(tmp_path: Path) -> None:
    r = SpeechRenderer({"en": {"voice": "nobody", "rate": 150}}, cache=tmp_path / "v")
    try:
        path = r.render(SHORT, "en")
        assert wav_problem(path, SHORT, 150) is None
        assert any("nobody" in w for w in r.warnings)
    finally:
        r.close()


def test_voice_settings_accept_models_and_dicts() -> None:
    class Spec:
        voice = "gmw/de"
        rate = 140
        volume = 0.5

    got = voice_settings({"DE": Spec(), "en": {"rate": None}})
    assert got["de"].voice == "gmw/de" and got["de"].rate == 140 and got["de"].volume == 0.5
    assert got["en"].rate == speech.DEFAULT_RATE and got["en"].volume == 1.0


def test_wav_problem_spots_empty_silent_and_implausible(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert wav_problem(empty, "hello", 170) == "empty file"
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(b"\0\0" * 22050)
    assert wav_problem(silent, "hello", 170) == "silent"
    assert "words" in str(wav_problem(silent, " ".join(["word"] * 40), 170))


# ----- faults, with a fake worker -----


def test_hanging_worker_times_out_respawns_and_the_next_request_works(
    fake: SpeechRenderer,
) -> None:
    started = time.monotonic()
    with pytest.raises(SpeechError):
        fake.render("HANG forever", "en")
    assert time.monotonic() - started < 10  # two 0.5 s timeouts and two spawns
    first_spawns = fake.worker.spawned
    path = fake.render("hello again", "en")
    assert wav_problem(path, "hello again", 170) is None
    assert fake.worker.spawned == first_spawns + 1


def test_dying_worker_respawns_and_the_next_request_works(fake: SpeechRenderer) -> None:
    with pytest.raises(SpeechError, match="exited"):
        fake.render("DIE now", "en")
    path = fake.render("still here", "en")
    assert wav_problem(path, "still here", 170) is None
    assert fake.worker.spawned >= 2


def test_a_bad_render_is_retried_once(fake: SpeechRenderer) -> None:
    path = fake.render("FLAKY first time", "en")
    assert wav_problem(path, "FLAKY first time", 170) is None
    assert fake.worker.spawned == 1


def test_the_speech_cache_is_its_owners_alone(fake: SpeechRenderer) -> None:
    # Under a umask that would leave everything readable by all, as many desktops have.
    old = os.umask(0o022)
    try:
        path = fake.render("private words", "en")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(fake.cache.stat().st_mode) == 0o700


def test_chatter_on_the_reply_channel_is_skipped(fake: SpeechRenderer) -> None:
    # The fake prints "Audio saved to ..." on its stdout, like an unpatched driver would.
    fake.render("one two", "en")
    assert any("Audio saved" in line for line in fake.worker.stderr_tail)


def test_no_libespeak_means_speech_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_TTS_MODE", "noespeak")
    r = SpeechRenderer(command=FAKE, cache=tmp_path / "n")
    with pytest.raises(SpeechUnavailable, match="libespeak"):
        r.render("hello", "en")
    spawned = r.worker.spawned
    with pytest.raises(SpeechUnavailable):
        r.render("hello", "en")
    assert r.worker.spawned == spawned, "a missing engine is not retried on every prompt"


def test_speaker_get_never_blocks_while_the_worker_hangs(
    fake: SpeechRenderer,
) -> None:
    speaker = Speaker(fake)
    try:
        speaker.prepare([("HANG please", "en"), ("after the hang", "en")])
        started = time.monotonic()
        assert speaker.get("after the hang", "en") is None
        assert time.monotonic() - started < 0.5
        assert speaker.wait_prepared(15)
        assert speaker.failed == 1 and speaker.prepared == 1
        assert speaker.get("after the hang", "en") is not None
    finally:
        speaker.close()


def test_speaker_request_calls_back_with_samples(fake: SpeechRenderer) -> None:
    speaker = Speaker(fake)
    done = threading.Event()
    got: list[object] = []

    def ready(samples: object) -> None:
        got.append(samples)
        done.set()

    try:
        speaker.request("call me back", "en", ready)
        assert done.wait(10)
        assert isinstance(got[0], np.ndarray) and got[0].dtype == np.float32
    finally:
        speaker.close()
