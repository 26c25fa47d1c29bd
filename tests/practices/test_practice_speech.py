"""The library, heard: every text it speaks is rendered by espeak-ng in each of its
languages with the voice its script names, and, placed on a rehearsal's timeline the way
the sound player places words (never starting on top of a bell's strikes, one text after
another), no bell lands on words, no reading outlasts its step, and no prompt eats a
speaker's turn.

The renders are real and cached between runs (pytest's cache folder); the whole library
renders in well under a minute the first time.
"""

from __future__ import annotations

import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.events import (
    BellDue,
    Event,
    PromptDue,
    StepEnded,
    StepStarted,
    TurnStarted,
)
from circlekeeper.engine.rehearse import simulate
from circlekeeper.script.loader import load_practice
from circlekeeper.script.model import Practice
from circlekeeper.script.texts import spoken_texts, text_languages
from circlekeeper.sound.bells import settle, spacing
from circlekeeper.sound.player import SPEECH_GAP_S
from circlekeeper.sound.speech import SpeechRenderer, pick_voice, wav_problem

PRACTICES = sorted((Path(__file__).resolve().parents[2] / "practices").glob("*.yaml"))
LIBRARY = {path.stem: load_practice(path) for path in PRACTICES}
RENDER_BUDGET = 240.0
"""Seconds the whole library may take to render on a loaded machine (about 10 s here)."""
BREATH = SPEECH_GAP_S
"""Seconds between one text and the next, as the player leaves them."""
MARGIN = 0.1
"""A strike this close to the words' edges is not on top of them."""
RINGING = {"bowl": 6.0, "gong": 8.0}
"""Seconds a strike of a long-ringing sound stays within 12 dB of its peak: a step's own
words (not a cue's) wait that long, as a bell ringer would before speaking."""

Spoken = dict[tuple[str, str], float]
"""(practice, text) -> seconds the rendered words last."""


@pytest.fixture(scope="module")
def spoken(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Spoken:
    """Every text of the library rendered in each of its languages: how long each lasts."""
    cache = request.config.cache
    folder = cache.mkdir("circlekeeper-speech") if cache is not None else None
    folder = folder or tmp_path_factory.mktemp("speech")
    deadline = time.monotonic() + RENDER_BUDGET
    found: Spoken = {}
    for name, practice in LIBRARY.items():
        renderer = SpeechRenderer(practice.voices, practice.language, cache=folder)
        try:
            for language in text_languages(practice):
                for text, code in spoken_texts(practice, language):
                    setting = renderer.setting(code)
                    path = renderer.render(text, code)
                    assert wav_problem(path, text, setting.rate) is None, (name, code, text)
                    with wave.open(str(path), "rb") as w:
                        found[(name, text)] = w.getnframes() / w.getframerate()
                    assert time.monotonic() < deadline, "rendering the library took too long"
            assert renderer.warnings == [], (name, renderer.warnings)
        finally:
            renderer.close()
    return found


def test_every_text_renders_in_each_of_its_languages(spoken: Spoken) -> None:
    for name, practice in LIBRARY.items():
        for language in text_languages(practice):
            texts = spoken_texts(practice, language)
            assert texts, (name, language)
            for text, code in texts:
                assert code.split("-")[0] == language.split("-")[0] or code == practice.language
                # Plausible speech: about 2-4 words a second at the rates the scripts use.
                words = len(text.split())
                assert 0.15 * words <= spoken[(name, text)] <= 0.8 * words + 2.0, (name, text)


def test_each_language_is_spoken_by_a_voice_of_that_language() -> None:
    renderer = SpeechRenderer()
    try:
        renderer.render("Hello.", "en")  # starts the worker, which lists the voices
        voices = renderer.voices or []
    finally:
        renderer.close()
    assert voices
    for name, practice in LIBRARY.items():
        for code, spec in practice.voices.items():
            chosen, warning = pick_voice(voices, code, spec.voice)
            assert warning is None and chosen == spec.voice, (name, code)
            voice = next(v for v in voices if v["id"] == chosen)
            languages = [str(x).lower() for x in voice["languages"]]
            wanted = code.lower()
            assert any(x == wanted or x.split("-")[0] == wanted for x in languages), (
                name,
                code,
                languages,
            )


@dataclass(frozen=True)
class Words:
    """Words placed on the timeline as the player places them."""

    text: str
    start: float
    end: float
    step: int
    prompt: bool
    """A step's own words (not the words of a cue, which follow their bell by design)."""


@dataclass(frozen=True)
class Bell:
    """A bell's strikes on the timeline."""

    times: tuple[float, ...]
    sound: str


def place(events: list[Event], lengths: dict[str, float]) -> tuple[list[Words], list[Bell]]:
    """Words and strikes of a rehearsal, placed as the player places them: each text starts
    once the one before it is done (and a breath; a step that ends cuts its reading short)
    and never between a bell's first strike and its last strike's settle time."""
    words: list[Words] = []
    bells: list[Bell] = []
    step = -1
    free = float("-inf")

    def say(text: str, due: float, prompt: bool) -> None:
        nonlocal free
        start = max(due, free + BREATH)
        moved = True
        while moved:
            moved = False
            for bell in bells:
                after = bell.times[-1] + settle(bell.sound)
                if bell.times[0] <= start < after:
                    start, moved = after, True
        free = start + lengths[text]
        words.append(Words(text, start, free, step, prompt))

    for event in events:
        if isinstance(event, StepStarted):
            step = event.index
        elif isinstance(event, StepEnded):
            free = min(free, event.t)  # a step that ends fades its reading
        elif isinstance(event, BellDue):
            # The library names built-in sounds only (a test below says so).
            step_s = spacing(event.sound)
            times = tuple(event.t + k * step_s for k in range(event.strikes))
            bells.append(Bell(times, event.sound))
            if event.say:
                say(event.say, times[-1] + settle(event.sound), prompt=False)
        elif isinstance(event, PromptDue):
            say(event.text, event.t, prompt=True)
    return words, bells


def rehearsals() -> Iterator[tuple[str, int, int, str]]:
    """(practice, size, meeting, language) to listen to: the smallest and the typical
    circle, the first and last meeting of a series, in each of the practice's languages."""
    for name, practice in LIBRARY.items():
        size = practice.size
        meetings = [0] if practice.series is None else [0, practice.series.meetings - 1]
        for n in sorted({size.min, size.ideal or size.min}):
            for meeting in meetings:
                for language in text_languages(practice):
                    yield name, n, meeting, language


def rehearse(practice: Practice, size: int, meeting: int, language: str) -> list[Event]:
    people = tuple(f"P{i:03d}" for i in range(1, size + 1))
    plan = plan_circle(practice, people, seed=3, meeting=meeting, language=language)
    return simulate(Session(practice, plan))


def problems(events: list[Event], lengths: dict[str, float]) -> list[str]:
    """What a listener would hear go wrong in a rehearsal: a bell on words, a reading cut at
    the end of its step, a prompt that eats a speaker's turn."""
    found: list[str] = []
    ends = {e.index: e for e in events if isinstance(e, StepEnded)}
    words, bells = place(events, lengths)
    for said in words:
        end = ends[said.step]
        # After an untimed step the facilitator waits for the words before moving on; the
        # rehearsal moves on at a reading pace, so later bells do not count here.
        until = end.t if end.reason in ("next", "skip") else float("inf")
        for bell in bells:
            for t in bell.times:
                if said.start + MARGIN < t < said.end - MARGIN and t < until:
                    found.append(
                        f"a bell at {t:.1f}s lands on {said.text!r} "
                        f"({said.start:.1f}-{said.end:.1f}s)"
                    )
            ring = RINGING.get(bell.sound, 0.0)
            if said.prompt and bell.times[-1] <= said.start < bell.times[-1] + ring:
                found.append(
                    f"{said.text!r} starts {said.start - bell.times[-1]:.1f}s after a "
                    f"{bell.sound}, still ringing"
                )
        if end.reason == "time" and said.end > end.t + 0.3:
            found.append(f"{said.text!r} runs past the end of its step at {end.t:.1f}s")
    for turn in events:
        if not isinstance(turn, TurnStarted) or turn.allowed is None:
            continue
        for said in words:
            # The speaker waits for words playing as the turn starts, or starting with it.
            if said.start - MARGIN <= turn.t < said.end or turn.t <= said.start <= turn.t + 2:
                eaten = said.end - turn.t
                if eaten > max(5.0, 0.15 * turn.allowed):
                    found.append(
                        f"{said.text!r} takes {eaten:.1f}s of {turn.speaker}'s "
                        f"{turn.allowed:.0f}s turn"
                    )
    return found


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_no_bell_lands_on_words_and_no_prompt_eats_a_turn(name: str, spoken: Spoken) -> None:
    practice = LIBRARY[name]
    lengths = {text: seconds for (owner, text), seconds in spoken.items() if owner == name}
    for _, size, meeting, language in (r for r in rehearsals() if r[0] == name):
        events = rehearse(practice, size, meeting, language)
        where = f"{name} ({size} people, meeting {meeting + 1}, {language})"
        assert problems(events, lengths) == [], where


def test_the_library_rings_built_in_sounds_only() -> None:
    for name, practice in LIBRARY.items():
        assert not practice.sounds, name


def test_the_listening_hears_what_goes_wrong() -> None:
    # A reading with a bell five seconds in, a timed reading longer than its step, and a
    # long prompt at the start of half-minute turns: each is heard.
    practice = Practice.model_validate(
        {
            "title": "Badly timed",
            "kind": "other",
            "steps": [
                {
                    "kind": "read",
                    "text": "A long reading.",
                    "duration": "30s",
                    "bells": {"at": [{"at": "5s", "sound": "chime"}]},
                },
                {"kind": "read", "text": "Too long for its step.", "duration": "10s"},
                {"kind": "round", "prompt": "A very long question.", "turn": {"time": "30s"}},
            ],
        }
    )
    lengths = {
        "A long reading.": 20.0,
        "Too long for its step.": 12.0,
        "A very long question.": 9.0,
    }
    events = simulate(Session(practice, plan_circle(practice, ("Ana", "Ben"), seed=1)))
    found = problems(events, lengths)
    assert [p.split(" ")[0:3] for p in found[:1]] == [["a", "bell", "at"]]
    assert any("runs past the end of its step" in p for p in found)
    assert any("of Ana's 30s turn" in p for p in found)
    # Words placed after a bell's strikes and the text before them are fine.
    calm = Practice.model_validate(
        {
            "title": "Well timed",
            "kind": "other",
            "steps": [
                {
                    "kind": "sit",
                    "duration": "1m",
                    "guidance": "Settle.",
                    "bells": {"start": "chime x3"},
                },
                {"kind": "round", "prompt": "How was it?", "turn": {"time": "1m"}},
            ],
        }
    )
    events = simulate(Session(calm, plan_circle(calm, ("Ana", "Ben"), seed=1)))
    assert problems(events, {"Settle.": 1.0, "How was it?": 1.5}) == []
    words, _ = place(events, {"Settle.": 1.0, "How was it?": 1.5})
    assert words[0].start == pytest.approx(2 * spacing("chime") + settle("chime"))
    # A step's own words right after a bowl, while it still rings loud, are heard too.
    rung = [e for e in events if not isinstance(e, BellDue)]
    rung.insert(1, BellDue(0.0, "bowl", 1, "start", None))
    assert any("still ringing" in p for p in problems(rung, {"Settle.": 1.0, "How was it?": 1.5}))
