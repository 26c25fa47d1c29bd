"""A pseudo-language: every string of the catalogue, with each ASCII letter swapped for an
accented one (`Next` → `Ñéẋť`). Readable, and unmistakable: on a screen drawn in it, any
plain ASCII word is either data (a name, a practice's own words) or a string that never
went through the catalogue. The tests draw every screen in it to prove that every string
of the interface does.

Placeholders (`{name}`, `%(prog)s`, `%s`) and Rich markup (`[b]`, `[/]`) are kept as they
are, so the pseudo-translation fills and renders like a real one.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Collection
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "circlekeeper.pot"

PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ACCENTED = "áƀçďéƒĝĥíĵķĺɱñóƥʠŕšťúṽŵẋýžÁƁÇĎÉƑĜĤÍĴĶĹṀÑÓƤɊŔŠŤÚṼŴẌÝŽ"
_SWAP = str.maketrans(PLAIN, ACCENTED)
_KEPT = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sdr]|%[sdr]|\[/?[a-z ]*\]|\\[nt]")


def pseudo(text: str) -> str:
    """`text` in the pseudo-language: letters swapped, placeholders and markup kept."""
    out: list[str] = []
    end = 0
    for found in _KEPT.finditer(text):
        out.append(text[end : found.start()].translate(_SWAP))
        out.append(found.group())
        end = found.end()
    out.append(text[end:].translate(_SWAP))
    return "".join(out)


class PseudoCatalogue(gettext.NullTranslations):
    """Translates exactly the msgids of the catalogue (`known`: (context, msgid) pairs, the
    context None for none) into the pseudo-language; anything else stays as it is."""

    def __init__(self, known: Collection[tuple[str | None, str]]) -> None:
        super().__init__()
        self.known = set(known)

    def _say(self, context: str | None, message: str) -> str:
        return pseudo(message) if (context, message) in self.known else message

    def gettext(self, message: str) -> str:
        """A msgid in the pseudo-language."""
        return self._say(None, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        """The form for `n`, in the pseudo-language."""
        return (
            self._say(None, msgid1 if n == 1 else msgid2)
            if (None, msgid1) in self.known
            else (msgid1 if n == 1 else msgid2)
        )

    def pgettext(self, context: str, message: str) -> str:
        """A msgid meant in `context`, in the pseudo-language."""
        return self._say(context, message)


def template_messages(template: Path = TEMPLATE) -> set[tuple[str | None, str]]:
    """Every message of the catalogue's template, as (context, msgid): what a
    `PseudoCatalogue` knows. Reads the template with Babel, a development tool."""
    from babel.messages.pofile import read_po

    with template.open("rb") as f:
        catalog = read_po(f)
    found: set[tuple[str | None, str]] = set()
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        found.update((m.context, one) for one in ids)
    return found
