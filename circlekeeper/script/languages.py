"""Which version of a translated text to use: a light module (no models), so the library's
preview chooses its language by the same rule as a session without loading a script."""

from __future__ import annotations

from collections.abc import Mapping


def pick_language(
    text: str | Mapping[str, object], language: str | None, default_language: str
) -> str:
    """The language whose version of `text` is used for `language`.

    Exact code first (`pt-BR`), then the same base language (`pt`, or `pt-PT` for `pt`),
    then the practice's language, then whichever version comes first.
    """
    if isinstance(text, str):
        return default_language
    for wanted in (language, default_language):
        if not wanted:
            continue
        if wanted in text:
            return wanted
        base = wanted.split("-")[0]
        if base in text:
            return base
        for code in text:
            if code.split("-")[0] == base:
                return code
    return next(iter(text))
