"""Texts in several languages: translations, titles, a step's text, what a session speaks."""

from __future__ import annotations

from circlekeeper.script import load_text, localize, spoken_texts
from circlekeeper.script.model import RoundStep
from circlekeeper.script.texts import lap_prompt, main_text, step_title


def _practice(steps: str, head: str = ""):  # type: ignore[no-untyped-def]
    return load_text(f"title: T\nkind: other\n{head}steps:\n{steps}", "t.yaml")


def test_localize_falls_back_in_order() -> None:
    text = {"en": "Hello", "de": "Hallo", "pt-BR": "Olá"}
    assert localize("plain", "de", "en") == "plain"
    assert localize(text, "de", "en") == "Hallo"
    assert localize(text, "de-AT", "en") == "Hallo"
    assert localize(text, "pt", "en") == "Olá"
    assert localize(text, "fr", "en") == "Hello"
    assert localize({"de": "Hallo", "fr": "Salut"}, None, "en") == "Hallo"


def test_spoken_texts_lists_each_text_once_in_the_chosen_language() -> None:
    practice = _practice(
        "  - kind: read\n    text: {en: Welcome, de: Willkommen}\n"
        "  - kind: read\n    text: Not spoken\n    speak: false\n"
        "  - kind: sit\n    duration: 10m\n    guidance: Breathe.\n"
        "    bells: {end: {sound: bowl, say: {en: Walk now., de: Jetzt gehen.}}}\n"
        "  - kind: round\n    prompt: How are you?\n"
        "  - kind: round\n    prompts: [How are you?, What now?]\n"
        "  - kind: silence\n    duration: 1m\n    prompt: Listen.\n"
        "    note: Facilitator only.\n",
    )
    assert spoken_texts(practice) == [
        ("Welcome", "en"),
        ("Breathe.", "en"),
        ("Walk now.", "en"),
        ("How are you?", "en"),
        ("What now?", "en"),
        ("Listen.", "en"),
    ]
    german = spoken_texts(practice, "de")
    assert german[0] == ("Willkommen", "de")
    assert ("Jetzt gehen.", "de") in german
    assert ("Breathe.", "en") in german  # no German version: the practice language


def test_spoken_texts_follow_nested_steps_and_guardian() -> None:
    practice = _practice(
        "  - kind: for-each\n    steps:\n      - kind: read\n        text: Your turn.\n",
        head="guardian: {pause_cue: {sound: chime, say: Let us pause.}}\n",
    )
    assert spoken_texts(practice) == [("Let us pause.", "en"), ("Your turn.", "en")]


def test_titles_by_kind_and_the_walking_period() -> None:
    practice = _practice(
        "  - kind: read\n    title: Welcome\n    text: hi\n"
        "  - kind: round\n    prompt: How are you?\n"
        "  - kind: sit\n    duration: 5m\n"
        "  - kind: sit\n    duration: 5m\n    mode: walking\n"
    )
    titles = [step_title(step, None, "en") for step in practice.steps]
    assert titles == ["Welcome", "Round", "Sitting", "Walking"]


def test_each_lap_of_a_round_has_its_own_prompt() -> None:
    practice = _practice(
        "  - kind: round\n    prompts: [One?, Two?, Three?]\n"
        "  - kind: round\n    prompt: Anything?\n    laps: 2\n"
        "  - kind: round\n    prompts: [First?, Last?]\n    until: all-pass\n"
    )
    three, same, open_ended = (s for s in practice.steps if isinstance(s, RoundStep))
    assert [lap_prompt(three, lap) for lap in (1, 2, 3)] == ["One?", "Two?", "Three?"]
    assert main_text(three) == "One?" and main_text(three, lap=3) == "Three?"
    assert [lap_prompt(same, lap) for lap in (1, 2)] == ["Anything?", "Anything?"]
    # Laps past the prompts (until everyone passes) keep the last one.
    assert lap_prompt(open_ended, 5) == "Last?"
