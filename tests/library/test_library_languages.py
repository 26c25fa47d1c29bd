"""The library's preview in the interface's language: the index keeps each step's label and
each role's name in every language a practice has them in (only where they differ from its
own), and the preview shows the language a session would speak."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from circlekeeper import i18n
from circlekeeper.library.index import (
    BUILTIN_INDEX,
    INDEX_LAYOUT,
    PracticeInfo,
    check_entry,
    index_path,
    read_library,
    save_index,
)
from circlekeeper.paths import user_practices_dir

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """\
format: 1
title: Two languages
kind: check-in
language: en
roles:
  - {id: host, name: {en: Host, de: "Gastgeber:in"}}
  - {id: scribe, name: Scribe}
steps:
  - kind: round
    title: {en: Arriving, de: Ankommen}
    prompt: {en: How are you arriving?, de: Wie kommst du an?}
    turn: {time: 2m}
  - kind: silence
    duration: 1m
  - kind: read
    title: Goodbye
    text: {en: Thank you., de: Danke.}
"""


def checked() -> PracticeInfo:
    """The script checked, saved to the index, and read back from it."""
    folder = user_practices_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "two.yaml").write_text(SCRIPT, encoding="utf-8")
    library = read_library()
    save_index(library, [check_entry(e) if e.needs_check else e for e in library.entries])
    entry = next(e for e in read_library().entries if e.path.name == "two.yaml")
    assert not entry.needs_check and entry.info is not None  # from the index
    return entry.info


def labels(info: PracticeInfo, *wanted: str) -> tuple[list[str], list[str]]:
    steps, roles = info.texts_in(*wanted)
    return [step.label for step in steps], list(roles)


def test_the_index_keeps_what_differs_in_each_language_and_role_names() -> None:
    info = checked()
    assert info.languages == ("en", "de")
    assert labels(info) == (["Arriving", "Silence", "Goodbye"], ["Host", "Scribe"])
    # Only the German that differs is kept: the rest reads as the practice's own.
    record = json.loads(index_path().read_text(encoding="utf-8"))
    assert record["index"] == INDEX_LAYOUT
    (kept,) = (r for key, r in record["practices"].items() if key.endswith("two.yaml"))
    assert kept["info"]["localized"] == {"de": [["Ankommen", None, None], ["Gastgeber:in", None]]}
    # An untitled step's label is the interface's word, said in the interface's language.
    assert [step.ours for step in info.steps] == [False, True, False]


@pytest.mark.parametrize(
    ("wanted", "steps", "roles"),
    [
        (("de",), ["Ankommen", "Silence", "Goodbye"], ["Gastgeber:in", "Scribe"]),
        (("de-AT",), ["Ankommen", "Silence", "Goodbye"], ["Gastgeber:in", "Scribe"]),
        (("nl", "de"), ["Ankommen", "Silence", "Goodbye"], ["Gastgeber:in", "Scribe"]),
        (("fr",), ["Arriving", "Silence", "Goodbye"], ["Host", "Scribe"]),
        (("en", "de"), ["Arriving", "Silence", "Goodbye"], ["Host", "Scribe"]),
    ],
)
def test_the_texts_are_chosen_as_a_session_chooses_its_language(
    wanted: tuple[str, ...], steps: list[str], roles: list[str]
) -> None:
    assert labels(checked(), *wanted) == (steps, roles)


def test_the_shipped_index_has_the_builtin_practices_in_their_languages() -> None:
    shipped = json.loads((REPO / "practices" / BUILTIN_INDEX).read_text(encoding="utf-8"))
    info = PracticeInfo.from_json(shipped["practices"]["check-in.yaml"]["info"])
    assert labels(info, "de") == (["Willkommen", "Ankommensrunde"], ["Gastgeber:in"])
    assert labels(info, "pt-BR")[1] == ["Pessoa anfitriã"]
    assert labels(info, "en") == (["Welcome", "Check-in"], ["Host"])


def test_the_preview_speaks_the_interface_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from circlekeeper.tui.screens.library import preview_text

    info = checked()
    entry = next(e for e in read_library().entries if e.path.name == "two.yaml")
    i18n.set_language("de")
    shown = str(preview_text(entry))
    assert "Ankommen" in shown and "Gastgeber:in, Scribe" in shown
    assert "Stille" in shown and "Silence" not in shown  # the untitled step, in German
    assert "Arriving" not in shown
    i18n.set_language("en")
    shown = str(preview_text(entry))
    assert "Arriving" in shown and "Host, Scribe" in shown and "Silence" in shown
    assert info.title in shown
