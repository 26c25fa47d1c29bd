"""Playback against a fake PortAudio: mixing, mute, device choice, and every fault."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from conftest import FAKE_TTS, eventually
from fake_sounddevice import FakeSD, PortAudioError

from circlekeeper.sound import player
from circlekeeper.sound.api import NullSink, SoundSink
from circlekeeper.sound.player import AudioSink, Output, choose_output, make_sink

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sinks(sd: FakeSD) -> Iterator[list[AudioSink]]:
    made: list[AudioSink] = []
    yield made
    sd.release.set()
    for sink in made:
        sink.close()
        sink.wait_closed(2)


def open_sink(sinks: list[AudioSink], sd: Any, device: str | None = None, **kw: Any) -> AudioSink:
    sink = AudioSink(device, importer=lambda: sd, speech_command=FAKE_TTS, **kw)
    sinks.append(sink)
    assert sink.wait_ready(10)
    return sink


def energy_at(x: np.ndarray, freq: float, rate: int = 48000) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    band = (freqs > freq - 15) & (freqs < freq + 15)
    return float(spec[band].max() / (spec.mean() + 1e-12))


# ----- the happy path -----


def test_a_bell_plays_into_the_stream(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd)
    status = sink.status()
    assert status.ok and "Built-in Audio" in status.detail
    assert isinstance(sink, SoundSink)
    sink.bell("chime")
    assert sink.wait_idle(20)
    out = sd.output()
    assert np.max(np.abs(out)) > 0.1
    assert not np.isnan(out).any(), "every sample of every block is written"
    assert [tag for tag, _ in sink.mixer.latencies] == ["bell:chime"]


def test_a_bell_over_speech_leaves_both(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd)
    text = "one two three four five six seven eight"
    sink.prepare([(text, "en")])
    assert eventually(lambda: sink.status().prepared == 1, 10)
    sink.speak(text, "en")
    sink.bell("chime")
    assert sink.wait_idle(30)
    out = sd.output()
    start = int(np.flatnonzero(np.abs(out) > 0.01)[0])
    during = out[start + 4800 : start + 4800 + 48000]  # one second into both
    assert energy_at(during, 220) > 50, "the (fake) speech tone is there"
    assert energy_at(during, 1046.5) > 50, "the chime is there"
    assert {tag for tag, _ in sink.mixer.latencies} == {"speech", "bell:chime"}


def test_speech_not_yet_rendered_plays_when_ready(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd)
    sink.speak("late but spoken", "en")
    assert sink.wait_idle(30)
    assert [tag for tag, _ in sink.mixer.latencies] == ["speech"]
    assert energy_at(sd.output()[-48000:], 220) > 50 or np.max(np.abs(sd.output())) > 0.1


def test_mute_silences_every_cue(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd)
    sink.set_muted(True)
    assert sink.status().muted
    sink.bell("gong")
    assert sink.wait_idle(10)
    time.sleep(0.05)
    assert np.max(np.abs(sd.output())) == 0.0
    sink.set_muted(False)
    sink.bell("chime")
    assert sink.wait_idle(20)
    assert np.max(np.abs(sd.output())) > 0.1


def test_stop_cues_cuts_off_what_is_playing(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd, speech=False)
    sink.bell("gong", strikes=3)
    assert eventually(lambda: bool(sink.mixer and sink.mixer.latencies))
    sink.stop_cues()
    assert sink.wait_idle(2)
    time.sleep(0.05)
    heard = len(sd.captured)
    time.sleep(0.05)
    assert np.max(np.abs(np.concatenate(sd.captured[heard:]))) == 0.0


def test_self_check_reports_each_part(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(player, "import_sounddevice", lambda: FakeSD(devices=[]))
    checks = {c.name: c for c in player.self_check(speech_command=FAKE_TTS)}
    assert checks["PortAudio"].ok
    assert not checks["output"].ok and "none found" in checks["output"].detail
    assert checks["speech"].ok
    assert str(checks["output"]).startswith("output: FAIL")


def test_self_check_with_espeak_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TTS_MODE", "noespeak")
    check, voices = player.speech_probe(10, FAKE_TTS)
    assert not check.ok and "libespeak" in check.detail and voices == []


def test_unknown_sound_rings_the_bowl_rather_than_nothing(
    sd: FakeSD, sinks: list[AudioSink]
) -> None:
    sink = open_sink(sinks, sd)
    sink.bell("cowbell")
    assert sink.wait_idle(30)
    assert [tag for tag, _ in sink.mixer.latencies] == ["bell:bowl"]


def test_the_player_spaces_strikes_as_the_engine_does(
    sd: FakeSD, sinks: list[AudioSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every built-in sound's strikes are as far apart as the engine allows for when it
    spaces cues that fall due together: a cue never starts over the last strike of another."""
    from circlekeeper.engine.chime import BellLine
    from circlekeeper.sound.bells import BELLS
    from circlekeeper.sound.mixer import Mixer, Voice

    added: list[Voice] = []
    add = Mixer.add

    def recording(self: Mixer, voice: Voice) -> None:
        added.append(voice)
        add(self, voice)

    monkeypatch.setattr(Mixer, "add", recording)
    sink = open_sink(sinks, sd)
    line = BellLine({})
    for name in BELLS:
        added.clear()
        sink.bell(name, 3)
        assert eventually(lambda: len(added) == 3, 10), (name, added)
        first, second, third = added
        engine = line.length(name, 2, None) - line.length(name, 1, None)
        assert engine > 0
        step = round(engine * sink.rate)
        assert second.after == [(first, step)], name
        assert third.after == [(first, 2 * step)], name
        sink.stop_cues()


def test_practice_sound_from_a_wav_file(sd: FakeSD, sinks: list[AudioSink], tmp_path: Path) -> None:
    import wave

    path = tmp_path / "drum.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        tone = 0.5 * np.sin(2 * np.pi * 300 * np.arange(4800) / 48000)
        w.writeframes((tone * 32767).astype("<i2").tobytes())
    sink = open_sink(sinks, sd)
    sink.define_sound("drum", file=path, volume=0.5)
    sink.define_sound("soft", builtin="chime", volume=0.2)
    sink.bell("drum", strikes=2)
    sink.bell("soft")
    assert sink.wait_idle(20)
    tags = sorted(tag for tag, _ in sink.mixer.latencies)
    assert tags == ["bell:chime", "sound:drum", "sound:drum"]


def test_make_sink_defines_a_practices_sounds_from_beside_the_script(
    sd: FakeSD, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wave

    with wave.open(str(tmp_path / "drum.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes((np.full(2205, 8000)).astype("<i2").tobytes())
    monkeypatch.setattr(player, "import_sounddevice", lambda: sd)
    sounds = {
        "drum": {"file": "elsewhere/../drum.wav", "volume": 0.5},
        "soft": SimpleNamespace(builtin="chime", file=None, volume=0.2),
    }
    sink = make_sink(sounds=sounds, sounds_dir=tmp_path)
    assert isinstance(sink, AudioSink)
    try:
        assert sink.wait_ready(10)
        sink.bell("drum")
        sink.bell("soft")
        assert sink.wait_idle(20)
        assert sorted(tag for tag, _ in sink.mixer.latencies) == ["bell:chime", "sound:drum"]
        assert sink._sounds["drum"].file == tmp_path / "drum.wav"
    finally:
        sink.close()
        sink.wait_closed(2)


def test_make_sink_takes_no_sound_that_left_the_folder_since_the_check(
    sd: FakeSD, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The script was checked with drum.wav beside it; by the session it links elsewhere.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.wav").write_bytes(b"RIFF")
    here = tmp_path / "scripts"
    here.mkdir()
    (here / "drum.wav").symlink_to(elsewhere / "secret.wav")
    monkeypatch.setattr(player, "import_sounddevice", lambda: sd)
    sink = make_sink(sounds={"drum": {"file": "drum.wav"}}, sounds_dir=here)
    assert isinstance(sink, AudioSink)
    try:
        assert sink.wait_ready(10)
        assert "drum" not in sink._sounds
        sink.bell("drum")  # an unknown sound rings the bowl rather than nothing
        assert sink.wait_idle(20)
        assert [tag for tag, _ in sink.mixer.latencies] == ["bell:bowl"]
    finally:
        sink.close()
        sink.wait_closed(2)


def test_device_is_chosen_by_name(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd, device="usb")
    assert sink.status().ok
    assert sd.streams[-1].kw["device"] == 1
    assert "USB Speaker" in sink.status().detail


def test_unknown_device_name_falls_back_to_the_default(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd, device="Bluetooth Headphones")
    status = sink.status()
    assert status.ok and "Built-in Audio" in status.detail
    assert "Bluetooth Headphones" in status.detail


def test_choose_output_prefers_exact_then_substring() -> None:
    outs = [
        Output(0, "HDMI 1", "ALSA", 2, 48000.0, False),
        Output(1, "Speakers (USB)", "ALSA", 2, 48000.0, True),
        Output(2, "usb", "ALSA", 2, 48000.0, False),
    ]
    assert choose_output(outs, "USB")[0] == outs[2]
    assert choose_output(outs, "hdmi")[0] == outs[0]
    assert choose_output(outs, None)[0] == outs[1]
    assert choose_output([], None) == (None, "none found")


def test_device_from_the_settings_file(sd: FakeSD, sinks: list[AudioSink]) -> None:
    from circlekeeper.paths import config_dir

    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.toml").write_text('[sound]\ndevice = "USB"\n')
    sink = open_sink(sinks, sd)
    assert "USB Speaker" in sink.status().detail


# ----- faults: nothing raises, nothing blocks, the status says what is wrong -----


def exercise(sink: SoundSink) -> float:
    """Every protocol call; returns the longest any took."""
    worst = 0.0
    calls: list[Callable[[], object]] = [
        lambda: sink.bell("bowl", 3),
        lambda: sink.speak("hello", "en"),
        lambda: sink.prepare([("hello", "en")]),
        lambda: sink.set_muted(True),
        lambda: sink.set_muted(False),
        sink.status,
    ]
    for call in calls:
        started = time.perf_counter()
        call()
        worst = max(worst, time.perf_counter() - started)
    return worst


def test_portaudio_missing(sinks: list[AudioSink]) -> None:
    def missing() -> Any:
        raise OSError("PortAudio library not found")

    sink = AudioSink(importer=missing, speech=False)
    sinks.append(sink)
    assert sink.wait_ready(10)
    status = sink.status()
    assert not status.ok and "PortAudio" in status.detail and "\n" not in status.detail
    assert exercise(sink) < 0.1


def test_no_device(sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, FakeSD(devices=[]), speech=False)
    status = sink.status()
    assert not status.ok and "no audio output" in status.detail
    assert exercise(sink) < 0.1


@pytest.mark.parametrize("when", ["open", "start"])
def test_stream_that_errors(sd: FakeSD, sinks: list[AudioSink], when: str) -> None:
    err = PortAudioError("Error opening OutputStream: Device unavailable [PaErrorCode -9985]")
    if when == "open":
        sd.open_error = err
    else:
        sd.start_error = err
    sink = open_sink(sinks, sd, speech=False)
    status = sink.status()
    assert not status.ok and "-9985" in status.detail and "\n" not in status.detail
    assert exercise(sink) < 0.1


def test_stop_that_blocks_forever(
    sd: FakeSD, sinks: list[AudioSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(player.WATCHDOG, "stop", 0.2)
    sd.stop_blocks = True
    sink = open_sink(sinks, sd, speech=False)
    sink.bell("bowl")
    started = time.monotonic()
    sink.close()
    assert time.monotonic() - started < 1.0
    assert eventually(lambda: "not responding" in sink.status().detail, 3)
    assert not sink.status().ok
    assert exercise(sink) < 0.1


def rescued(sink: AudioSink, count: int) -> Callable[[], bool]:
    """Whether `count` hung threads were left behind (asking the status, which notices)."""
    return lambda: sink.status() is not None and sink.rescues == count


def test_a_stream_hung_for_good_is_left_behind_and_a_new_one_plays(
    sd: FakeSD,
    sinks: list[AudioSink],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A killed PulseAudio leaves the idle stream's next start() blocked for good.
    monkeypatch.setitem(player.WATCHDOG, "stop", 0.2)
    monkeypatch.setattr(player, "IDLE_S", 0.1)
    sd.stop_blocks = True
    sink = open_sink(sinks, sd, speech=False)
    hung = sink._thread
    sink.bell("chime")  # plays, falls silent, and the stream's stop() hangs
    assert eventually(lambda: sink.status() is not None and sink.rescues >= 1, 10)
    # The server is back: new streams behave (the stuck call stays stuck; a new stream may
    # have idled and hung too before this line).
    sd.stop_blocks = False
    assert eventually(lambda: sink.status().ok and len(sd.streams) >= 2, 10)
    assert hung.is_alive() and sink._thread is not hung  # still stuck, and replaced
    sink.bell("bowl")
    assert eventually(lambda: any(tag == "bell:bowl" for tag, _ in sink.mixer.latencies), 10)
    assert exercise(sink) < 0.1
    # The stuck call returns at last: that thread ends, touching nothing.
    with caplog.at_level("INFO", logger="circlekeeper.sound"):
        sd.release.set()
        hung.join(5)
    assert not hung.is_alive() and "left behind" in caplog.text
    assert sink.status().ok and sink._thread.is_alive()


def test_rescues_are_bounded(
    sd: FakeSD, sinks: list[AudioSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(player.WATCHDOG, "stop", 0.2)
    monkeypatch.setattr(player, "IDLE_S", 0.1)
    monkeypatch.setattr(player, "MAX_RESCUES", 2)
    sd.stop_blocks = True
    sink = open_sink(sinks, sd, speech=False)
    for n in (1, 2):
        sink.bell("chime")
        assert eventually(rescued(sink, n), 10)
        assert eventually(lambda: sink.status().ok, 10)
    sink.bell("chime")  # the third stream hangs too: this time sound stays off
    assert eventually(lambda: "not responding" in sink.status().detail, 10)
    assert sink.rescues == 2 and len(sd.streams) == 3


def test_device_that_vanishes_mid_bell_then_comes_back(
    sd: FakeSD, sinks: list[AudioSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(player, "RETRY_S", 0.3)
    sink = open_sink(sinks, sd, speech=False)
    sink.bell("bowl")
    assert eventually(lambda: bool(sink.mixer and sink.mixer.latencies))
    sd.streams[-1].vanish()
    assert eventually(lambda: "lost" in sink.status().detail)
    assert not sink.status().ok
    # Re-opened between cues, on a fresh stream; the next cue plays.
    assert eventually(lambda: sink.status().ok, 10)
    assert len(sd.streams) == 2
    sink.bell("chime")
    assert sink.wait_idle(20)
    assert any(tag == "bell:chime" for tag, _ in sink.mixer.latencies)


def test_output_that_hangs_mid_play(
    sd: FakeSD, sinks: list[AudioSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(player, "STALL_S", 0.3)
    monkeypatch.setattr(player, "RETRY_S", 60)
    sink = open_sink(sinks, sd, speech=False)
    sink.bell("bowl")
    assert eventually(lambda: bool(sink.mixer and sink.mixer.latencies))
    sd.stall = True
    assert eventually(lambda: "stalled" in sink.status().detail)
    assert exercise(sink) < 0.1


def test_a_hung_speech_worker_never_holds_up_bells_or_the_caller(
    sd: FakeSD, sinks: list[AudioSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    from circlekeeper.sound import speech

    monkeypatch.setattr(speech, "render_timeout", lambda text: 1.0)
    sink = open_sink(sinks, sd)
    started = time.perf_counter()
    sink.speak("HANG in the worker", "en")
    assert time.perf_counter() - started < 0.1
    sink.bell("chime")
    assert eventually(lambda: bool(sink.mixer and sink.mixer.latencies), 5)
    assert [tag for tag, _ in sink.mixer.latencies] == ["bell:chime"]
    assert exercise(sink) < 0.1
    # The worker is killed and respawned; the next prompt is spoken.
    sink.speak("after the hang", "en")
    assert sink.wait_idle(30)
    assert [tag for tag, _ in sink.mixer.latencies][-1] == "speech"


def test_underflows_are_counted_and_logged(
    sd: FakeSD, sinks: list[AudioSink], caplog: pytest.LogCaptureFixture
) -> None:
    sd.underflow = True
    sink = open_sink(sinks, sd, speech=False)
    with caplog.at_level("WARNING", logger="circlekeeper.sound"):
        assert eventually(lambda: "underflow" in caplog.text)
    assert sink.mixer is not None and sink.mixer.underflows > 0


def test_speech_engine_missing_keeps_bells(
    sd: FakeSD, sinks: list[AudioSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_TTS_MODE", "noespeak")
    sink = open_sink(sinks, sd)
    sink.speak("hello", "en")
    assert eventually(lambda: "speech unavailable" in sink.status().warning, 10)
    assert not sink.status().speech and "prompts on screen only" in sink.status().warning
    sink.bell("chime")
    assert sink.wait_idle(20)
    assert sink.status().ok
    assert [tag for tag, _ in sink.mixer.latencies] == ["bell:chime"]


# ----- make_sink -----


def test_make_sink_silent_is_a_null_sink() -> None:
    sink = make_sink(silent=True)
    assert isinstance(sink, NullSink) and not sink.status().ok


def test_make_sink_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("out of threads")

    monkeypatch.setattr(player, "AudioSink", broken)
    sink = make_sink(device="x")
    assert isinstance(sink, NullSink)
    assert "out of threads" in sink.status().detail


def test_make_sink_imports_nothing_heavy_on_the_callers_thread() -> None:
    # In a fresh interpreter: hold the sound thread at its door, then look at sys.modules.
    code = textwrap.dedent(
        """
        import sys, threading
        from circlekeeper.sound import player
        gate = threading.Event()
        original = player.AudioSink._startup
        def held(self):
            gate.wait()
            original(self)
        player.AudioSink._startup = held
        sink = player.make_sink()
        heavy = [m for m in ("numpy", "sounddevice", "pyttsx3") if m in sys.modules]
        gate.set()
        sink.close()
        print(",".join(heavy) or "none")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none"
