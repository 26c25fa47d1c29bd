"""The sound rules, through the real AudioSink on a fake PortAudio stream.

One voice at a time, words after their strike, bells never held back by words, a step's
words stopped when it ends, a closing bell that rings out, a stream that sleeps and wakes,
a device that is not there, speech that cannot work. Where each voice began and ended is
read from the mixer's own record of placed voices, in output samples.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import FAKE_TTS, eventually
from fake_sounddevice import FakeSD

from circlekeeper.sound import player, speech
from circlekeeper.sound.bells import settle, spacing
from circlekeeper.sound.mixer import Voice
from circlekeeper.sound.player import SPEECH_GAP_S, AudioSink

RATE = 48000


@pytest.fixture
def sinks(sd: FakeSD) -> Iterator[list[AudioSink]]:
    made: list[AudioSink] = []
    yield made
    for sink in made:
        sink.close()
        sink.wait_closed(5)


def open_sink(sinks: list[AudioSink], sd: Any, **kw: Any) -> AudioSink:
    sink = AudioSink(importer=lambda: sd, speech_command=FAKE_TTS, **kw)
    sinks.append(sink)
    assert sink.wait_ready(10)
    return sink


def prepared(sink: AudioSink, *texts: str) -> None:
    """Render `texts` ahead, as a session does when it is set up."""
    sink.prepare([(t, "en") for t in texts])
    assert eventually(lambda: sink.status().prepared == len(texts), 20)


def placed(sink: AudioSink, kind: str | None = None) -> list[Voice]:
    """The voices heard (at least in part), in the order they were placed."""
    assert sink.mixer is not None
    return [
        v
        for v in sink.mixer.placed
        if (kind is None or v.kind == kind)
        and (v.end is None or v.start is None or v.end > v.start)
    ]


def test_one_voice_at_a_time(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd)
    texts = ("one two three four", "five six", "seven eight nine")
    prepared(sink, *texts)
    for text in texts:
        sink.speak(text, "en")
    assert sink.wait_idle(30)
    words = placed(sink, "speech")
    assert len(words) == 3
    for before, after in itertools.pairwise(words):
        assert before.end is not None and after.start is not None
        # The next text waits for the one being spoken, and a breath after it.
        assert after.start >= before.end + round(SPEECH_GAP_S * RATE)
    four, two, three = (len(v.samples) for v in words)
    assert four > three > two, "heard in the order asked (4, 2 and 3 words)"


def test_words_not_yet_rendered_keep_their_place_in_the_queue(
    sd: FakeSD, sinks: list[AudioSink]
) -> None:
    sink = open_sink(sinks, sd)
    prepared(sink, "ready and short")
    sink.speak("not rendered yet but asked first", "en")
    sink.speak("ready and short", "en")
    assert sink.wait_idle(30)
    first, second = placed(sink, "speech")
    assert first.start is not None and second.start is not None and first.end is not None
    assert len(first.samples) > len(second.samples), "the first asked is the first heard"
    assert second.start >= first.end


def test_a_cues_words_follow_its_last_strike(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd)
    prepared(sink, "let us begin")
    sink.bell("bowl", 3)
    sink.speak("let us begin", "en")
    assert sink.wait_idle(120)
    strikes = placed(sink, "bell")
    (said,) = placed(sink, "speech")
    assert len(strikes) == 3 and all(s.start is not None for s in strikes)
    starts = [s.start for s in strikes if s.start is not None]
    assert np.diff(starts).tolist() == [round(spacing("bowl") * RATE)] * 2
    assert said.start is not None
    assert said.start >= starts[-1] + round(settle("bowl") * RATE), "never on top of a strike"


def test_a_bell_is_never_held_back_by_words(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd)
    long = "a long reading " * 6
    prepared(sink, long)
    sink.speak(long, "en")
    assert eventually(lambda: bool(placed(sink, "speech")))
    sink.bell("chime", at=time.monotonic())
    assert sink.wait_idle(60)
    (said,) = placed(sink, "speech")
    (bell,) = placed(sink, "bell")
    assert said.start is not None and said.end is not None and bell.start is not None
    assert said.start < bell.start < said.end, "the bell rings over the reading"
    assert sink.mixer is not None
    late = dict(sink.mixer.late)
    assert late["bell:chime"] == 0.0, "placed at its own time"


def test_moving_on_fades_the_words_and_drops_the_queue_but_not_the_bell(
    sd: FakeSD, sinks: list[AudioSink]
) -> None:
    sink = open_sink(sinks, sd)
    long, queued, next_step = "the welcome is long " * 6, "queued for later", "next step"
    prepared(sink, long, queued, next_step)
    sink.bell("gong")
    sink.speak(long, "en")
    sink.speak(queued, "en")
    mixer = sink.mixer
    assert mixer is not None

    def reading_begun() -> bool:
        words = [v for v in placed(sink, "speech") if v.start is not None]
        return bool(words) and mixer.frames > words[0].start + RATE // 2

    assert eventually(reading_begun)
    hushed_at = mixer.frames
    sink.hush()
    sink.speak(next_step, "en")
    assert sink.wait_idle(60)
    gong = placed(sink, "bell")[0]
    words = placed(sink, "speech")
    assert len(words) == 2, "the queued text of the ended step is never spoken"
    assert len(words[0].samples) > len(words[1].samples)
    reading, following = words
    assert reading.fade_at is not None and reading.end is not None
    assert reading.end < reading.start + reading.length, "the reading was cut short"
    # Faded within a few blocks of the hush, over about 150 ms.
    assert reading.end - hushed_at < 0.15 * RATE + 8 * 2048
    assert gong.fade_at is None and gong.end == gong.start + gong.length, "the bell rang on"
    assert following.start is not None and following.start >= reading.end


def test_the_stream_sleeps_when_silent_and_wakes_for_the_next_cue(
    sd: FakeSD, sinks: list[AudioSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(player, "IDLE_S", 0.1)
    monkeypatch.setattr(player, "STEADY_S", 0.1)
    monkeypatch.setattr(player, "STALL_S", 0.3)
    sink = open_sink(sinks, sd, speech=False)
    assert eventually(lambda: sink.ready())
    sink.bell("clappers")
    assert sink.wait_idle(20)
    assert eventually(lambda: not sink.running), "stopped once silent"
    time.sleep(0.6)  # stopped for longer than a stall: that is sleep, not a stall
    sink.bell("clappers")
    assert sink.wait_idle(20)
    assert sink.status().ok, sink.status().detail
    assert len(placed(sink, "bell")) == 2 and sink.starts >= 2
    assert len(sd.streams) == 1, "the same stream, started again"


def test_quitting_lets_a_ringing_bell_finish_within_the_linger(
    sd: FakeSD, sinks: list[AudioSink]
) -> None:
    sink = open_sink(sinks, sd, speech=False)
    sink.bell("chime")
    assert eventually(lambda: bool(placed(sink, "bell")))
    sink.close(linger=30)
    assert sink.wait_closed(30)
    (chime,) = placed(sink, "bell")
    assert chime.fade_at is None and chime.start is not None
    out = sd.output()
    assert len(out) >= chime.start + chime.length, "heard to its very end before closing"


def test_quitting_fades_a_bell_still_ringing_after_the_linger(
    sd: FakeSD, sinks: list[AudioSink]
) -> None:
    sink = open_sink(sinks, sd, speech=False)
    sink.bell("gong", strikes=12)
    assert eventually(lambda: bool(placed(sink, "bell")))
    sink.close(linger=0.0)
    assert sink.wait_closed(10)
    out = sd.output()
    gong = placed(sink, "bell")[0]
    assert gong.start is not None and gong.fade_at is not None, "faded, not cut"
    assert np.max(np.abs(out[gong.start : gong.fade_at])) > 0.05
    fade = out[gong.fade_at : gong.fade_at + gong.fade_len]
    assert np.max(np.abs(fade[-len(fade) // 10 :])) < np.max(np.abs(fade[: len(fade) // 10]))
    assert np.max(np.abs(out[gong.fade_at + gong.fade_len :])) < 1e-6, "silent after the fade"


def test_a_device_name_that_matches_nothing_warns(sd: FakeSD, sinks: list[AudioSink]) -> None:
    sink = open_sink(sinks, sd, device="Bluetooth Headphones", speech=False)
    status = sink.status()
    assert status.ok
    assert "no output named 'Bluetooth Headphones'" in status.warning
    assert "playing on Built-in Audio" in status.warning
    named = open_sink(sinks, FakeSD(), device="usb", speech=False)
    assert named.status().warning == ""


def test_a_session_is_ready_once_steady_and_the_opening_words_are_rendered(
    sd: FakeSD, sinks: list[AudioSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(player, "STEADY_S", 0.3)
    sink = open_sink(sinks, sd)
    sink.prepare([("welcome everyone", "en")])
    sink.prepare([("much later", "en"), ("HANG later still", "en")])
    assert eventually(sink.ready)
    status = sink.status()
    assert status.prepared >= 1, "the opening words are ready"


@pytest.mark.parametrize("mode", ["hang", "die"])
def test_speech_that_cannot_work_gives_up_without_endless_respawning(
    sd: FakeSD,
    sinks: list[AudioSink],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    mode: str,
) -> None:
    spawns = tmp_path / "spawns"
    monkeypatch.setenv("FAKE_TTS_MODE", mode)
    monkeypatch.setenv("FAKE_TTS_SPAWNS", str(spawns))
    monkeypatch.setattr(speech, "START_TIMEOUT", 0.5)
    monkeypatch.setattr(speech, "START_BACKOFF_S", (0.2, 0.2))
    sink = open_sink(sinks, sd)
    texts = [(f"prompt number {i}", "en") for i in range(12)]
    sink.prepare(texts)
    assert eventually(lambda: not sink.status().speech, 60)
    status = sink.status()
    assert "speech unavailable" in status.warning and "prompts on screen only" in status.warning
    # Nothing left "preparing": the banner cannot stick.
    assert status.to_prepare == 0
    speaker = sink.speaker
    assert speaker is not None
    assert eventually(lambda: speaker.prepared + speaker.failed == len(texts), 30)
    time.sleep(0.5)
    started = len(spawns.read_text().split())
    assert started <= 4, f"{started} workers started for 12 prompts"
    sink.bell("chime")
    assert sink.wait_idle(20) and sink.status().ok, "bells go on"


def test_words_after_a_stop_do_not_wait_for_what_was_cut(
    sd: FakeSD, sinks: list[AudioSink]
) -> None:
    sink = open_sink(sinks, sd)
    long, short = "a long reading that is cut " * 6, "short"
    prepared(sink, long, short)
    sink.speak(long, "en")
    assert eventually(lambda: bool(placed(sink, "speech")))
    sink.stop_cues()
    sink.speak(short, "en")
    assert sink.wait_idle(30)
    cut, after = placed(sink, "speech")[-2:]
    assert cut.start is not None and after.start is not None
    assert after.start < cut.start + cut.length, "the next words did not wait for the cut ones"
