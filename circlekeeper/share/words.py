"""The shared view's own words, in every interface language: the page carries them all
and says itself in the viewer's choice, else the session's interface language.

The page's script looks a word up by its English text (`t("Lap {lap} of {laps}", ...)`),
so the English here and in `page.html` must match: a test holds them together.
"""

from __future__ import annotations

import gettext
import json
from functools import lru_cache

from circlekeeper import i18n
from circlekeeper.i18n import N_

WORDS: tuple[str, ...] = (
    N_("Language"),
    N_("connecting…"),
    N_("live"),
    N_("offline"),
    N_("Guardian pause: every timer is frozen."),
    N_("The session has ended. Thank you."),
    N_("Time"),
    N_("This step"),
    N_("Waiting for the session…"),
    N_("The circle"),
    N_("Groups"),
    N_("Find my group"),
    N_("your name"),
    N_("Agenda"),
    N_("{name}'s time"),
    N_("time left in this step"),
    N_("untimed"),
    N_("ends about {time}"),
    N_("step ends {time}"),
    N_("turn ends {time}"),
    N_("paused"),
    N_("speaking"),
    N_("next"),
    N_("passed"),
    N_("✓ spoke"),
    N_("Group {n}"),
    N_("Type your name to find your group."),
    N_("No group has that name; check the spelling."),
    N_("You are in group {n}."),
    N_("You are in group {n}, with {names}."),
    N_("{names} and {last}"),
    N_("step {n} of {total}"),
    N_("Finished"),
    N_("Waiting for the circle to begin…"),
    N_("Focus: {name}"),
    N_("Led by {names}"),
    N_("{name} speaks"),
    N_("The facilitator picks who speaks next"),
    N_("Next: {name}"),
    N_("Last in this lap"),
    N_("Lap {lap} of {laps}"),
    N_("{title} (skipped)"),
    N_("{name} is speaking."),
    N_("This link is not (or no longer) the session's link. Ask the facilitator for the new one."),
    N_("Lost the session. Trying again…"),
    N_("Lost the session. Reconnecting…"),
)
"""Every word the page shows, in English (the keys it looks them up by)."""


def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        i18n.DOMAIN,
        str(i18n.LOCALE_DIR),
        languages=[i18n.locale_name(language)],
        fallback=True,
    )


@lru_cache(maxsize=1)
def all_words() -> dict[str, dict[str, str]]:
    """Each interface language's words for the page: English → its own (English itself
    needs none: the page shows a key it does not find as it is)."""
    table: dict[str, dict[str, str]] = {}
    for language in i18n.LANGUAGES:
        if language == i18n.SOURCE:
            continue
        catalogue = _catalogue(language)
        table[language] = {word: catalogue.gettext(word) for word in WORDS}
    return table


def words_json() -> str:
    """The words as JSON safe to place inside the page's `<script type=application/json>`."""
    text = json.dumps(all_words(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
