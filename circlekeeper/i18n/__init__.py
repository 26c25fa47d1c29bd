"""The interface in the facilitator's language: one gettext message catalogue.

Strings people read go through `_()` (`ngettext` where a number changes the words, `pgettext`
where one English word needs two translations) at the moment they are shown, so switching
the language switches every screen drawn after it. Strings with values use named
placeholders (`_("{name} speaks").format(name=...)`), so a translation can reorder them.

Code that makes words to be shown later and elsewhere (the engine's refusals, the sound
status, a default step title) makes a `Msg` instead: a `str` holding the English text,
which is what it is wherever it is stored, compared, logged or written to JSON, and which
also remembers its template and values, so the screen that shows it says it in the
interface's language (`tr`). The engine stays free of any catalogue and any file.

`N_()` marks a string for the catalogue without translating it (a binding's description,
a table of labels); whoever shows it translates it then.

The catalogue ships in English (the source: the msgids), German, Spanish, French and
Brazilian Portuguese, compiled in `locale/<ll_CC>/LC_MESSAGES/circlekeeper.mo`; the standard
library's `gettext` reads it. Languages are named by their tags, as practices name them
(`de`, `pt-BR`); a language without a catalogue falls back to its base language (`de-AT` to
`de`), then to a catalogue of the same base (`pt` to `pt-BR`), then to English.

Practice texts are not in the catalogue: a practice carries its own languages.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gettext as gettext_module

DOMAIN = "circlekeeper"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE = "en"
"""The language the msgids are written in."""
LANGUAGES: tuple[str, ...] = ("en", "de", "es", "fr", "pt-BR")
"""The interface's languages, as tags; the source first."""
NAMES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "pt-BR": "Português (Brasil)",
}
"""Each interface language by its own name, as a language menu lists it."""
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
"""Where the language is read from when none is given, in gettext's order."""

_state: dict[str, Any] = {
    "requested": SOURCE,
    "interface": SOURCE,
    "catalogue": None,
    "wrote": None,  # the LANGUAGE set_language put in the environment for click
}


def N_(message: str) -> str:
    """Mark `message` for the catalogue; it is translated where it is shown."""
    return message


def tag(code: str | None) -> str:
    """A language code as a tag: `pt_BR.UTF-8` → `pt-BR`, `DE` → `de`; "" for none or for
    the C locale."""
    if not code:
        return ""
    code = code.split(":")[0].split(".")[0].split("@")[0].strip().replace("_", "-")
    if code.upper() in ("C", "POSIX", ""):
        return ""
    base, _sep, region = code.partition("-")
    return f"{base.lower()}-{region.upper()}" if region else base.lower()


def interface_for(code: str | None) -> str:
    """The interface language that serves `code`: itself, its base language, a catalogue of
    the same base, else English."""
    wanted = tag(code)
    if not wanted:
        return SOURCE
    if wanted in LANGUAGES:
        return wanted
    base = wanted.split("-")[0]
    if base in LANGUAGES:
        return base
    return next((lang for lang in LANGUAGES if lang.split("-")[0] == base), SOURCE)


def environment_language(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`,
    the first one set), as a tag; "" when it asks for none."""
    env = os.environ if environ is None else environ
    for name in ENVIRONMENT:
        value = env.get(name, "")
        if value:
            return tag(value)
    return ""


def locale_name(language: str) -> str:
    """The catalogue folder of an interface language: `pt-BR` → `pt_BR`."""
    return language.replace("-", "_")


def _catalogue(language: str) -> gettext_module.NullTranslations | None:
    """The compiled catalogue of an interface language (None for the source, English)."""
    if language == SOURCE:
        return None
    import gettext

    return gettext.translation(
        DOMAIN, str(LOCALE_DIR), languages=[locale_name(language)], fallback=True
    )


def set_language(code: str | None = None) -> str:
    """Speak `code` from now on (None: what the environment asks for, else English).

    Returns the interface language that serves it. Libraries that look their own words up
    through gettext's global functions (click's help and errors) are told too: the
    catalogue carries their words, and `LANGUAGE` names the language, as gettext expects.
    """
    environ = dict(os.environ)
    if environ.get("LANGUAGE") == _state.get("wrote"):
        # Our own word for click, not the user's: the environment speaks through the rest.
        environ.pop("LANGUAGE", None)
    requested = tag(code) or environment_language(environ) or SOURCE
    interface = interface_for(requested)
    use_catalogue(_catalogue(interface), requested=requested, interface=interface)
    import gettext

    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = _state["wrote"] = locale_name(interface)
    return interface


def use_catalogue(
    catalogue: gettext_module.NullTranslations | None,
    *,
    requested: str = SOURCE,
    interface: str = SOURCE,
) -> None:
    """Speak from `catalogue` (None: English, the msgids themselves). Tests use it to put a
    made-up catalogue in place."""
    _state.update(requested=requested, interface=interface, catalogue=catalogue)


def language() -> str:
    """The language asked for, as a tag (it may have no catalogue: `nl`)."""
    return str(_state["requested"])


def interface() -> str:
    """The interface language in use: one of `LANGUAGES`."""
    return str(_state["interface"])


def _(message: str) -> str:
    """`message` in the interface's language."""
    catalogue = _state["catalogue"]
    return message if catalogue is None else str(catalogue.gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the number `n`, in the interface's language."""
    catalogue = _state["catalogue"]
    if catalogue is None:
        return singular if n == 1 else plural
    return str(catalogue.ngettext(singular, plural, n))


def pgettext(context: str, message: str) -> str:
    """`message` as meant in `context`, where one English word needs two translations."""
    catalogue = _state["catalogue"]
    return message if catalogue is None else str(catalogue.pgettext(context, message))


class Msg(str):
    """English words, as stored, compared, logged and written to JSON, that can also say
    themselves in the interface's language (`tr`): they keep their template and values."""

    template: str
    plural: str | None
    n: int | None
    values: dict[str, Any]

    def __new__(
        cls,
        english: str,
        template: str | None = None,
        values: Mapping[str, Any] | None = None,
        plural: str | None = None,
        n: int | None = None,
    ) -> Msg:
        self = super().__new__(cls, english)
        self.template = english if template is None else template
        self.values = dict(values or {})
        self.plural = plural
        self.n = n
        return self

    def translated(self) -> str:
        """The words in the interface's language (the English ones, should a translation
        not fit its values: words are never lost to a broken translation)."""
        if self.plural is not None and self.n is not None:
            text = ngettext(self.template, self.plural, self.n)
        else:
            text = _(self.template)
        values = {k: tr(v) if isinstance(v, str) else v for k, v in self.values.items()}
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return str(self)


def msg(template: str, **values: Any) -> Msg:
    """Words to show later, in whatever language is then in use: `template` with named
    `{placeholders}` filled from `values`."""
    return Msg(template.format(**values) if values else template, template, values)


def msg_n(singular: str, plural: str, n: int, **values: Any) -> Msg:
    """Like `msg`, in the form for the number `n` (which is also the value `{n}`)."""
    values = {"n": n, **values}
    english = (singular if n == 1 else plural).format(**values)
    return Msg(english, singular, values, plural, n)


def tr(text: str) -> str:
    """`text` in the interface's language when it is a `Msg`; any other text is data (a
    name, a practice's own words) and stays as it is."""
    return text.translated() if isinstance(text, Msg) else text


def tr_error(error: BaseException) -> str:
    """What an exception says, in the interface's language when it said it with a `Msg`."""
    said = error.args[0] if len(error.args) == 1 else None
    return tr(said) if isinstance(said, Msg) else str(error).strip("'\"")


def tr_or_none(text: str | None) -> str | None:
    """`tr`, for a text that may be missing."""
    return None if text is None else tr(text)


def NC_(context: str, message: str) -> str:
    """Mark `message`, meant in `context`, for the catalogue; translated where it is shown."""
    return message


WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
SHORT_WEEKDAYS = (
    NC_("weekday, short", "Mon"),
    NC_("weekday, short", "Tue"),
    NC_("weekday, short", "Wed"),
    NC_("weekday, short", "Thu"),
    NC_("weekday, short", "Fri"),
    NC_("weekday, short", "Sat"),
    NC_("weekday, short", "Sun"),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
SHORT_MONTHS = (
    NC_("month, short", "Jan"),
    NC_("month, short", "Feb"),
    NC_("month, short", "Mar"),
    NC_("month, short", "Apr"),
    NC_("month, short", "May"),
    NC_("month, short", "Jun"),
    NC_("month, short", "Jul"),
    NC_("month, short", "Aug"),
    NC_("month, short", "Sep"),
    NC_("month, short", "Oct"),
    NC_("month, short", "Nov"),
    NC_("month, short", "Dec"),
)


def _date_values(day: date) -> dict[str, Any]:
    return {
        "weekday": _(WEEKDAYS[day.weekday()]),
        "wd": pgettext("weekday, short", SHORT_WEEKDAYS[day.weekday()]),
        "day": day.day,
        "month": _(MONTHS[day.month - 1]),
        "mon": pgettext("month, short", SHORT_MONTHS[day.month - 1]),
        "year": day.year,
    }


def long_date(day: date) -> str:
    """`Thursday 26 November 2026`, as the interface's language writes a date."""
    return _("{weekday} {day} {month} {year}").format(**_date_values(day))


def short_date(day: date) -> str:
    """`Thu 26 Nov`: a day and its month, abbreviated."""
    return _("{wd} {day} {mon}").format(**_date_values(day))


def short_date_year(day: date) -> str:
    """`Thu 26 Nov 2026`: a short date with its year (a table of meetings across years)."""
    return _("{wd} {day} {mon} {year}").format(**_date_values(day))


def month_year(day: date) -> str:
    """`November 2026`."""
    return _("{month} {year}").format(**_date_values(day))


def day_month(day: date) -> str:
    """`26 November`."""
    return _("{day} {month}").format(**_date_values(day))


def day_month_year(day: date) -> str:
    """`26 November 2026`."""
    return _("{day} {month} {year}").format(**_date_values(day))


def language_name(code: str) -> str:
    """A language by its own name (`Deutsch`), or its tag when it is not one of ours."""
    return NAMES.get(tag(code), code)


STEP_KINDS = {
    kind: kind
    for kind in (
        NC_("step kind", "read"),
        NC_("step kind", "silence"),
        NC_("step kind", "sit"),
        NC_("step kind", "round"),
        NC_("step kind", "consent"),
        NC_("step kind", "exchange"),
        NC_("step kind", "discussion"),
        NC_("step kind", "breakout"),
        NC_("step kind", "for-each"),
        NC_("step kind", "repeat"),
        NC_("step kind", "group"),
    )
}
"""Each kind of step, as a list of steps names it: in English, as scripts write it."""


def step_kind_word(kind: str) -> str:
    """A kind of step, in the interface's language."""
    return pgettext("step kind", kind) if kind in STEP_KINDS else kind
