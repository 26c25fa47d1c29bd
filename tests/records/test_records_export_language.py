"""A Markdown reportback is written in the interface's language, every word of it but the
data (names, the practice's own texts, the notes); JSON and CSV keep their English keys.

As on the screens (`tests/tui/test_every_string.py`), the export is first written in the
pseudo-language, which changes every letter of every string the catalogue knows: a plain
English word left in it never went through the catalogue. Then a German and a French
export of the same journals are held to the English one: no English word of it is left.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from records_meetings import CREW_MEETING, FIRST, NAMES, meet
from records_meetings import utc as utc  # the fixture

from circlekeeper import i18n
from circlekeeper.cli import cli
from circlekeeper.engine.commands import End, Next, Start
from circlekeeper.i18n.pseudo import PseudoCatalogue, template_messages
from circlekeeper.records.circles import CircleStore
from circlekeeper.records.export import as_csv, as_json, circle_markdown, markdown
from circlekeeper.records.summary import Summary

pytestmark = pytest.mark.usefixtures("utc")

WORD = re.compile(r"[A-Za-z]{2,}")
SHORT = [(0.0, Start()), (30.0, Next()), (150.0, Next()), (200.0, End())]
CIRCLE = "Tuesday crew"

SAME = {
    "de": {"person", "november", "nov", "was", "pause"},
    "fr": {"notes", "date", "focus", "journal", "minutes", "pause", "nov"},
}
"""Words a translation shares with the English, spelt the same (ignoring case)."""


def words(text: str) -> set[str]:
    """The words of `text`, ignoring case."""
    return {w.casefold() for w in WORD.findall(text)}


@pytest.fixture
def reportbacks(tmp_path: Path) -> Iterator[tuple[list[Summary], str]]:
    """Three journalled meetings of a saved crew (the first with notes and a pause, one
    with a focus), and the circle's name."""
    store = CircleStore()
    store.save(CIRCLE, NAMES, {"scribe": ["Cy"]})
    summaries = []
    for meeting, script in enumerate([FIRST, SHORT, SHORT]):
        summary = meet(None, meeting, script)
        summaries.append(summary)
        store.record_meeting(
            CIRCLE,
            summary.practice_title,
            summary.host,
            "Dee" if meeting == 1 else None,
            summary.started.date(),
            summary.session_id,
        )
    store.record_meeting(CIRCLE, "Crew meeting", "Dee", None, summaries[-1].started.date())
    # Every line the reportback can have: overtime, a step skipped and one cut short, a
    # step with a focus, a session cut short and picked up twice, one still running.
    first = summaries[0]
    steps = list(first.steps)
    steps[1] = dataclasses.replace(steps[1], focus="Ben")
    steps.append(dataclasses.replace(steps[-1], title="Check-out", outcome="skipped"))
    steps.append(dataclasses.replace(steps[-1], title="Check-out", outcome="interrupted"))
    summaries[0] = dataclasses.replace(
        first,
        steps=tuple(steps),
        overtime={**first.overtime, "Cy": 25.0},
        resumes=2,
    )
    summaries[2] = dataclasses.replace(summaries[2], ended=None, status="running", ended_at=None)
    yield summaries, CIRCLE


def written(summaries: list[Summary]) -> str:
    """Every Markdown the exports write of these meetings, with names and without."""
    circle = CircleStore().get(CIRCLE)
    assert circle is not None
    by_id = {s.session_id or "": s for s in summaries}
    texts = []
    for names in (True, False):
        texts += [markdown(s, names=names) for s in summaries]
        texts.append(circle_markdown(circle, by_id, names=names))
        empty = dataclasses.replace(circle, meetings=())
        texts.append(circle_markdown(empty, {}, names=names))
        texts.append(markdown(dataclasses.replace(summaries[1], steps=(), pauses=3), names=names))
    return "\n".join(texts)


def data_words(summaries: list[Summary]) -> set[str]:
    """The words of the data: the practice script, names, notes, the circle's name, ids."""
    text = CREW_MEETING.read_text(encoding="utf-8")
    text += " ".join([CIRCLE, *NAMES, "circlekeeper"])
    for s in summaries:
        text += " " + " ".join(n.text for n in s.notes) + " " + (s.session_id or "")
    return set(WORD.findall(text))


def test_every_word_of_the_markdown_goes_through_the_catalogue(
    reportbacks: tuple[list[Summary], str],
) -> None:
    summaries, _ = reportbacks
    i18n.use_catalogue(PseudoCatalogue(template_messages()), requested="en", interface="en")
    text = written(summaries)
    plain = set(WORD.findall(text)) - data_words(summaries)
    assert not plain, f"plain English in the reportback: {sorted(plain)}\n{text}"


@pytest.mark.parametrize("language", ["de", "fr"])
def test_a_german_or_french_reportback_has_no_english_left(
    reportbacks: tuple[list[Summary], str], language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    summaries, _ = reportbacks
    english = words(written(summaries)) - words(" ".join(data_words(summaries)))
    monkeypatch.setenv("LANGUAGE", "")
    i18n.set_language(language)
    text = written(summaries)
    left = (words(text) & english) - SAME[language]
    assert not left, f"English left in the {language} reportback: {sorted(left)}\n{text}"
    # Dates and lengths are said in the language too.
    said = {"de": ["Mittwoch, 18. November 2026", "18 Minuten"], "fr": ["mercredi", "minutes"]}
    assert all(words in text for words in said[language]), text


@pytest.mark.parametrize("language", ["de", "fr"])
def test_json_and_csv_keep_their_english_keys(
    reportbacks: tuple[list[Summary], str], language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    summaries, _ = reportbacks
    first = summaries[0]
    english = (as_json(first), as_csv(first))
    monkeypatch.setenv("LANGUAGE", "")
    i18n.set_language(language)
    data, table = as_json(first), as_csv(first)
    assert list(data) == list(english[0]) and data["status"] == english[0]["status"]
    assert table.splitlines()[0] == english[1].splitlines()[0]
    assert [row.split(",")[0] for row in table.splitlines()] == [
        row.split(",")[0] for row in english[1].splitlines()
    ]
    # A stand-in for a name is a name: said in the language, in every format alike.
    stand_in = {"de": "Person 1", "fr": "Personne 1"}[language]
    assert as_json(first, names=False)["people"][0] == stand_in
    assert f"| {stand_in} |" in markdown(first, names=False)


def test_the_export_command_writes_in_the_language_asked(
    reportbacks: tuple[list[Summary], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    summaries, _ = reportbacks
    monkeypatch.setenv("LANGUAGE", "")
    session = summaries[0].session_id or ""
    result = CliRunner().invoke(cli, ["export", session, "--names", "--lang", "de"])
    assert result.exit_code == 0, result.output
    assert "## Wer wie lange gesprochen hat" in result.stdout
    assert "Ana, Ben, Cy und Dee waren im Kreis." in result.stdout
    circle = CliRunner().invoke(cli, ["--lang", "fr", "export", "--circle", CIRCLE, "--anonymous"])
    assert circle.exit_code == 0, circle.output
    assert "## Nos rencontres" in circle.stdout and "Personne 1" in circle.stdout
    assert (
        json.loads(
            CliRunner()
            .invoke(cli, ["export", session, "--names", "--format", "json", "--lang", "de"])
            .stdout
        )["status"]
        == "finished"
    )


def test_a_series_focus_is_said_once_in_the_language(
    reportbacks: tuple[list[Summary], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The series' focus role is the meeting's focus: said on the meeting's line, not again
    as a role in the role's own (English) id."""
    summaries, _ = reportbacks
    focused = dataclasses.replace(
        summaries[1], meetings=6, focus="Dee", roles={**summaries[1].roles, "focus": ("Dee",)}
    )
    monkeypatch.setenv("LANGUAGE", "")
    i18n.set_language("de")
    text = markdown(focused)
    assert "**Tuesday crew** · Treffen 2 von 6 · Fokus: Dee · geleitet von Ben" in text
    assert "Focus" not in text and "Scribe: Cy." in text
