"""Estimated durations and the texts a session will speak."""

from __future__ import annotations

import pytest

from circlekeeper.script import estimate_seconds, load_text, localize, spoken_texts, step_estimates
from circlekeeper.script.estimate import MIN_READ_SECONDS, UNTIMED_TURN_SECONDS


def _practice(steps: str, head: str = ""):  # type: ignore[no-untyped-def]
    return load_text(f"title: T\nkind: other\n{head}steps:\n{steps}", "t.yaml")


def test_round_is_laps_times_speakers_times_turn() -> None:
    practice = _practice("  - kind: round\n    laps: 3\n    turn: {time: 90s}\n")
    assert estimate_seconds(practice, 4) == 3 * 4 * 90
    assert estimate_seconds(practice, 6) == 3 * 6 * 90


def test_untimed_turns_and_silent_roles() -> None:
    practice = _practice(
        "  - kind: round\n    prompts: [a, b]\n",
        head="roles:\n  - {id: bell, name: Bell, speaks: false}\n",
    )
    assert estimate_seconds(practice, 5) == 2 * (5 - 1) * UNTIMED_TURN_SECONDS


def test_round_budget_is_shared_per_lap() -> None:
    practice = _practice(
        "  - kind: round\n    laps: 2\n    turn:\n      budget: {per_person: 1m, plus: 2m}\n"
    )
    assert estimate_seconds(practice, 4) == 2 * (4 * 60 + 120)


def test_only_roles_limit_speakers() -> None:
    practice = _practice(
        "  - kind: round\n    only: [coach]\n    turn: {time: 1m}\n",
        head="roles:\n  - {id: coach, name: Coach, count: 2}\n",
    )
    assert estimate_seconds(practice, 6) == 2 * 60


def test_read_without_duration_uses_reading_pace() -> None:
    words = " ".join(["word"] * 300)
    practice = _practice(f"  - kind: read\n    text: {words}\n  - kind: read\n    text: Hi.\n")
    estimates = step_estimates(practice, 6)
    assert estimates[0][2] == pytest.approx(300 / 150 * 60)
    assert estimates[1][2] == MIN_READ_SECONDS


def test_for_each_repeat_and_group() -> None:
    practice = _practice(
        "  - kind: for-each\n    steps:\n      - kind: silence\n        duration: 1m\n"
        "      - kind: discussion\n        duration: {per_person: 30s}\n"
        "  - kind: silence\n    id: pause\n    duration: 2m\n"
        "  - kind: repeat\n    times: 3\n    of: [pause]\n"
        "  - kind: group\n    steps:\n      - kind: sit\n        duration: 20m\n"
        "      - kind: repeat\n        times: 2\n        steps:\n"
        "          - kind: sit\n            duration: 5m\n"
    )
    size = 4
    assert [seconds for _, _, seconds in step_estimates(practice, size)] == [
        size * (60 + size * 30),
        120,
        3 * 120,
        20 * 60 + 2 * 5 * 60,
    ]
    assert estimate_seconds(practice, size) == sum(s for _, _, s in step_estimates(practice, size))


def test_step_labels_and_kinds() -> None:
    practice = _practice(
        "  - kind: read\n    title: Welcome\n    text: hi\n"
        "  - kind: round\n    prompt: How are you?\n"
        "  - kind: sit\n    duration: 5m\n"
    )
    assert [(label, kind) for label, kind, _ in step_estimates(practice, 3)] == [
        ("Welcome", "read"),
        ("How are you?", "round"),
        ("Sit", "sit"),
    ]


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


def _doubling_chain(levels: int) -> str:
    steps = "  - kind: silence\n    id: r0\n    duration: 1m\n"
    for i in range(1, levels):
        steps += f"  - kind: repeat\n    id: r{i}\n    of: [r{i - 1}, r{i - 1}]\n"
    return f"title: T\nkind: other\nsteps:\n{steps}"


def test_repeat_chains_are_estimated_without_blowing_up() -> None:
    import time

    from ruamel.yaml import YAML

    from circlekeeper.script.model import Practice

    # Built without the semantic checks, which would refuse it (see the next test).
    practice = Practice.model_validate(YAML(typ="safe", pure=True).load(_doubling_chain(60)))
    started = time.perf_counter()
    estimates = step_estimates(practice, 4)
    assert time.perf_counter() - started < 1.0
    assert estimates[3][2] == 2**3 * 60


def test_a_script_that_multiplies_into_an_endless_session_is_refused() -> None:
    from circlekeeper.script import ScriptErrors

    assert load_text(_doubling_chain(13), "t.yaml").steps  # 2^12 runs: long, but allowed
    with pytest.raises(ScriptErrors) as info:
        load_text(_doubling_chain(20), "t.yaml")
    error = info.value.errors[0]
    # r13 is the first step past 10,000 runs (2^14 - 1); it starts on line 4 + 3 * 13.
    assert (error.line, error.col) == (43, 5)
    assert "more than 10000 steps" in error.message
