"""Picking the text of a prompt in the session's language (the script's rules, None-safe)."""

from __future__ import annotations

from circlekeeper.script import texts
from circlekeeper.script.texts import pick_language

__all__ = ["localize", "pick_language"]


def localize(text: str | dict[str, str] | None, language: str, default: str) -> str | None:
    """The text in `language`, falling back to the practice's language, then to any."""
    if text is None:
        return None
    return texts.localize(text, language, default)
