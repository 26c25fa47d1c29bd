"""The message catalogue: current with the code, complete in every language, the same
placeholders in every translation, and the shipped `.mo` files compiled from the `.po`."""

from __future__ import annotations

import gettext
import importlib.util
import re
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message

from circlekeeper import i18n

REPO = Path(__file__).resolve().parents[2]


@cache
def messages_tool() -> ModuleType:
    """`scripts/messages.py`, the catalogue's tooling."""
    spec = importlib.util.spec_from_file_location("messages_tool", REPO / "scripts/messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["messages_tool"] = module
    spec.loader.exec_module(module)
    return module


@cache
def template() -> Catalog:
    tool = messages_tool()
    catalog: Catalog = tool.read(tool.TEMPLATE)
    return catalog


@cache
def translation(language: str) -> Catalog:
    tool = messages_tool()
    catalog: Catalog = tool.read(tool.po_path(language), language)
    return catalog


LANGUAGES = [i18n.locale_name(lang) for lang in i18n.LANGUAGES if lang != i18n.SOURCE]

_PLACEHOLDER = re.compile(r"\{([a-z_]*)(?:![rsa])?(?::[^{}]*)?\}|%\(([a-z_]+)\)[sdr]|%[sdr]")
_MARKUP = re.compile(r"\[/?[a-z ]*\]")


def placeholders(text: str) -> list[str]:
    """The named values (and Rich markup tags) a message uses, sorted."""
    found = [m.group(1) or m.group(2) or m.group() for m in _PLACEHOLDER.finditer(text)]
    return sorted(found + _MARKUP.findall(text))


def ids(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, key(m)) for m in catalog if m.id}


def key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def test_the_template_is_current_with_the_code() -> None:
    extracted = messages_tool().extract()
    new = ids(extracted) - ids(template())
    gone = ids(template()) - ids(extracted)
    assert not new and not gone, (
        f"run `make messages`: {len(new)} new strings {sorted(new, key=str)[:5]}, "
        f"{len(gone)} gone {sorted(gone, key=str)[:5]}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    catalog = translation(language)
    assert ids(catalog) == ids(template()), "run `make messages`, then translate"
    missing = [
        key(m)
        for m in catalog
        if m.id
        and (m.fuzzy or not m.string or not all(isinstance(s, str) and s for s in _forms(m)))
    ]
    assert not missing, f"{language}: {len(missing)} untranslated, first: {missing[:5]}"


def _forms(message: Message) -> tuple[Any, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    wrong = []
    for m in translation(language):
        if not m.id:
            continue
        if isinstance(m.id, str):
            if placeholders(m.id) != placeholders(str(m.string)):
                wrong.append((m.id, m.string))
            continue
        want = placeholders(m.id[1])
        singular = placeholders(m.id[0])
        for i, form in enumerate(_forms(m)):
            # A singular may say "one" in words instead of `{n}`, or keep the English
            # singular's own values; nothing else may go.
            have = placeholders(str(form))
            if have not in (want, [p for p in want if p != "n"]) and not (
                i == 0 and have == singular
            ):
                wrong.append((m.id[1], form))
    assert not wrong, f"{language}: {len(wrong)} with other placeholders, first: {wrong[:3]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shipped_mo_is_compiled_from_the_po(language: str) -> None:
    tool = messages_tool()
    mo = tool.po_path(language).with_suffix(".mo")
    assert mo.read_bytes() == tool.mo_bytes(translation(language)), "run `make messages`"


@pytest.mark.parametrize("language", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_gettext_reads_each_catalogue(language: str) -> None:
    found = gettext.translation(
        i18n.DOMAIN, str(i18n.LOCALE_DIR), languages=[i18n.locale_name(language)]
    )
    assert isinstance(found, gettext.GNUTranslations)
    info = found.info()
    assert info["language"] == i18n.locale_name(language)
    assert "nplurals=2" in info["plural-forms"]


def test_brazilian_plurals_count_zero_and_one_as_one() -> None:
    i18n.set_language("pt-BR")
    assert i18n.ngettext("{n} person", "{n} people", 0) == i18n.ngettext(
        "{n} person", "{n} people", 1
    )
