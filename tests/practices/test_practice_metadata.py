"""What every built-in practice says about itself: its sources and licence, its size, notes
for a new facilitator, and, for the practices a multilingual circle needs, every text in
five languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from circlekeeper.script.loader import load_practice
from circlekeeper.script.model import (
    BreakoutStep,
    ConsentStep,
    DiscussionStep,
    ExchangeStep,
    Practice,
    RoundStep,
    SitStep,
)
from circlekeeper.script.texts import text_languages
from circlekeeper.script.validate import iter_steps

PRACTICES = sorted((Path(__file__).resolve().parents[2] / "practices").glob("*.yaml"))
LIBRARY = {path.stem: load_practice(path) for path in PRACTICES}
FIVE = ("en", "de", "es", "fr", "pt-BR")
TRANSLATED = ("check-in", "check-out", "silent-sit", "listening-dyads", "consent-decision")
"""The practices a multilingual convergence needs in all five languages."""
SCRIPT_LICENCE = "CC-BY-SA-4.0"
GUIDED = (RoundStep, ConsentStep, ExchangeStep, DiscussionStep, BreakoutStep, SitStep)
"""Kinds of step where people act, and a new facilitator needs a note on what to watch."""


def header(path: Path) -> str:
    """The comment lines at the top of a script."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if line.startswith("#"))


def texts(value: Any) -> Iterator[str | dict[str, str]]:
    """Every text (plain or translated) in a loaded script, wherever it is."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from texts(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)
    elif isinstance(value, dict):
        if value and all(isinstance(item, str) for item in value.values()):
            yield value
        else:
            for item in value.values():
                yield from texts(item)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_each_practice_names_its_sources_and_licence(name: str) -> None:
    practice = LIBRARY[name]
    path = Path(PRACTICES[0].parent, f"{name}.yaml")
    assert practice.summary and len(practice.summary.split()) >= 15
    assert practice.licence == SCRIPT_LICENCE
    assert practice.authors
    assert practice.sources, "every practice names where it comes from"
    for source in practice.sources:
        assert source.title.strip()
        assert source.url is not None and re.match(r"^https?://[^\s/]+\.[^\s]+$", source.url)
    share_alike = [s for s in practice.sources if (s.licence or "").startswith("CC-BY-SA")]
    if share_alike:
        # Adapted from share-alike material: attributed in the script's own header too.
        assert "CC BY-SA 4.0" in header(path)
    for source in practice.sources:
        url = source.url or ""
        if "liberatingstructures.com/" in url and not url.endswith("/cc-license"):
            assert source.author == "Henri Lipmanowicz and Keith McCandless"
            assert source.licence == "CC-BY-SA-4.0"
            assert "Liberating Structures" in header(path)
        if "microsolidarity" in url:
            assert source.licence == "CC-BY-SA-4.0"


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_each_practice_has_a_size_with_a_typical_one(name: str) -> None:
    size = LIBRARY[name].size
    assert size.min <= size.max
    assert size.ideal is not None or size.min == size.max
    if size.ideal is not None:
        assert size.min <= size.ideal <= size.max


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_steps_where_people_act_carry_a_note_for_the_facilitator(name: str) -> None:
    practice = LIBRARY[name]
    for at in iter_steps(practice):
        if isinstance(at.step, GUIDED):
            assert at.step.note is not None, f"{name}: a {at.step.kind} step without a note"


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_language_of_a_practice_has_a_voice(name: str) -> None:
    practice = LIBRARY[name]
    assert set(text_languages(practice)) == set(practice.voices)
    for spec in practice.voices.values():
        assert spec.voice is not None and spec.rate is not None and 130 <= spec.rate <= 170


@pytest.mark.parametrize("name", TRANSLATED)
def test_the_multilingual_practices_give_every_text_in_five_languages(name: str) -> None:
    practice: Practice = LIBRARY[name]
    assert tuple(practice.voices) == FIVE
    found = list(texts(practice))
    assert found
    for text in found:
        assert isinstance(text, dict), f"{name}: {text!r} is in one language only"
        assert tuple(text) == FIVE, f"{name}: {text}"
        assert all(value.strip() for value in text.values())
    # Titles and role names too, where the format allows.
    for at in iter_steps(practice):
        assert isinstance(at.step.title, dict) and tuple(at.step.title) == FIVE
    for role in practice.roles:
        assert isinstance(role.name, dict) and tuple(role.name) == FIVE


def test_translations_are_not_left_in_english() -> None:
    # A copied English sentence under another language's key is the commonest slip.
    for name in TRANSLATED:
        for text in texts(LIBRARY[name]):
            assert isinstance(text, dict)
            english = text["en"]
            for code in FIVE[1:]:
                if len(english.split()) > 2:
                    assert text[code] != english, f"{name} [{code}]: {english}"
