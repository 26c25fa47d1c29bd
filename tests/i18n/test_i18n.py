"""The language machinery: tags, fallbacks, the environment, and words made to be shown
later (`Msg`)."""

from __future__ import annotations

import copy
import json
import os
from datetime import date

import pytest

from circlekeeper import i18n
from circlekeeper.i18n import Msg, msg, msg_n, tr
from circlekeeper.i18n.pseudo import PseudoCatalogue, pseudo


@pytest.mark.parametrize(
    ("code", "tagged"),
    [
        ("de", "de"),
        ("DE", "de"),
        ("pt_BR.UTF-8", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("fr_CA@euro", "fr-CA"),
        ("de_DE:fr", "de-DE"),
        ("C", ""),
        ("POSIX", ""),
        ("C.UTF-8", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_codes_become_tags(code: str | None, tagged: str) -> None:
    assert i18n.tag(code) == tagged


@pytest.mark.parametrize(
    ("wanted", "served"),
    [
        ("de", "de"),
        ("de-AT", "de"),
        ("es-MX", "es"),
        ("fr-CA", "fr"),
        ("pt-BR", "pt-BR"),
        ("pt", "pt-BR"),
        ("pt-PT", "pt-BR"),
        ("nl", "en"),
        ("en-GB", "en"),
        ("", "en"),
    ],
)
def test_a_language_falls_back_to_its_base_then_english(wanted: str, served: str) -> None:
    assert i18n.interface_for(wanted) == served


def test_the_environment_is_read_in_gettexts_order() -> None:
    env = {"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}
    assert i18n.environment_language(env) == "es-ES"
    assert i18n.environment_language({"LANG": "fr_FR.UTF-8"}) == "fr-FR"
    assert i18n.environment_language({"LANG": "C.UTF-8"}) == ""
    assert i18n.environment_language({}) == ""


def test_set_language_speaks_the_catalogue_and_tells_gettext(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert i18n.set_language("de-AT") == "de"
    assert i18n.language() == "de-AT"
    assert i18n.interface() == "de"
    assert i18n._("Monday") == "Montag"
    assert os.environ["LANGUAGE"] == "de"
    import gettext

    # click looks its words up through gettext's global functions: they speak German too.
    assert gettext.gettext("Show this message and exit.") != "Show this message and exit."


def test_without_a_code_the_environment_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LC_MESSAGES", "")
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    assert i18n.set_language(None) == "es"
    monkeypatch.setenv("LANG", "C")
    assert i18n.set_language(None) == "en"
    assert i18n._("Monday") == "Monday"


def test_a_msg_is_its_english_words_everywhere_it_is_kept() -> None:
    said = msg("{who} is not in this circle", who="Ana")
    assert said == "Ana is not in this circle"
    assert json.dumps({"reason": said}) == '{"reason": "Ana is not in this circle"}'
    kept = copy.deepcopy(said)
    assert isinstance(kept, Msg) and kept.values == {"who": "Ana"}
    assert f"{said}" == "Ana is not in this circle"


def test_a_msg_says_itself_in_the_interface_language() -> None:
    said = msg("{weekday}", weekday=msg("Monday"))
    i18n.set_language("fr")
    assert tr(said) == "lundi"
    assert said == "Monday"  # what is stored stays English
    assert tr("Ana") == "Ana"  # data is not translated


def test_a_msg_with_a_number_takes_the_right_form() -> None:
    one = msg_n("{n} person", "{n} people", 1)
    many = msg_n("{n} person", "{n} people", 3)
    assert (one, many) == ("1 person", "3 people")
    i18n.set_language("de")
    assert (tr(one), tr(many)) == ("1 Person", "3 Personen")


def test_a_broken_translation_never_loses_the_words() -> None:
    class Broken(PseudoCatalogue):
        def gettext(self, message: str) -> str:
            return "{missing}"

    i18n.use_catalogue(Broken(set()), interface="de")
    assert tr(msg("{who} passes", who="Ana")) == "Ana passes"


def test_dates_in_each_language() -> None:
    day = date(2026, 11, 26)
    assert i18n.long_date(day) == "Thursday 26 November 2026"
    i18n.set_language("de")
    assert i18n.long_date(day) == "Donnerstag, 26. November 2026"
    i18n.set_language("es")
    assert i18n.long_date(day) == "jueves, 26 de noviembre de 2026"
    i18n.set_language("fr")
    assert i18n.long_date(day) == "jeudi 26 novembre 2026"
    i18n.set_language("pt-BR")
    assert i18n.long_date(day) == "quinta-feira, 26 de novembro de 2026"


def test_the_pseudo_language_keeps_placeholders_and_markup() -> None:
    assert pseudo("Next") == "Ñéẋť"
    assert pseudo("[b]{name}[/b] speaks %(prog)s") == "[b]{name}[/b] šƥéáķš %(prog)s"
    catalogue = PseudoCatalogue({(None, "Next"), ("weekday, short", "Mon")})
    assert catalogue.gettext("Next") == "Ñéẋť"
    assert catalogue.gettext("Not known") == "Not known"
    assert catalogue.pgettext("weekday, short", "Mon") == "Ṁóñ"


def test_language_names_are_their_own() -> None:
    assert i18n.language_name("pt-BR") == "Português (Brasil)"
    assert i18n.language_name("de") == "Deutsch"
    assert i18n.language_name("nl") == "nl"
