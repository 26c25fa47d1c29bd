"""Picking the text of a prompt in the session's language."""

from __future__ import annotations


def pick_language(text: str | dict[str, str], language: str, default: str) -> str:
    """The language the text will be given in: the wanted one if present, else the default."""
    if isinstance(text, str):
        return default
    if language in text:
        return language
    if default in text:
        return default
    return next(iter(text))


def localize(text: str | dict[str, str] | None, language: str, default: str) -> str | None:
    """The text in `language`, falling back to the practice's language, then to any."""
    if text is None:
        return None
    if isinstance(text, str):
        return text
    return text[pick_language(text, language, default)]
