"""Small text helpers shared by screens and widgets."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text

from circlekeeper.engine.clock import shown_minute
from circlekeeper.i18n import N_, _, ngettext, step_kind_word, tr
from circlekeeper.script.errors import shown as escaped

if TYPE_CHECKING:
    from circlekeeper.engine.setup import CirclePlan
    from circlekeeper.script.model import Practice

__all__ = [
    "clock_text",
    "defaulted_roles_line",
    "duration_text",
    "one_line",
    "plain",
    "role_holders",
    "shown",
    "step_kind_word",
    "wall_hhmm",
]


def one_line(text: str) -> str:
    """`text` safe to draw on one line: white space runs become one space."""
    return escaped(" ".join(tr(text).split()))


def plain(text: str, style: str = "") -> Text:
    """What a script or a person wrote, for a widget: exactly as written, never read as
    markup (`[pass]`, `[/]` and `[b]` show as they are), control characters escaped.

    Every text from a practice, a name or a message with such text in it reaches the screen
    through this (or through `shown` into a `Text`), never as a plain string: a widget reads
    a string as markup."""
    return Text(shown(text), style=style, end="")


def clock_text(seconds: float | None) -> str:
    """`12:34`, or `1:02:03` past an hour; `--:--` when untimed. Rounds up so 0:00 means done."""
    if seconds is None:
        return "--:--"
    whole = max(0, int(-(-seconds // 1)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def duration_text(seconds: float) -> str:
    """`45 s`, `12 min`, `1 h 05 min`, for estimates and summaries."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return _("{n} s").format(n=f"{seconds:.0f}")
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("{n} min").format(n=minutes)
    return _("{hours} h {minutes} min").format(hours=minutes // 60, minutes=f"{minutes % 60:02d}")


def wall_hhmm(epoch: float | None) -> str:
    """Local wall-clock `HH:MM` of an epoch time (the minute `shown_minute` gives: a step
    ending at 11:49:29 shows 11:50 here as on the agenda), or empty."""
    if epoch is None:
        return ""
    return time.strftime("%H:%M", time.localtime(shown_minute(epoch)))


def meeting_words(plan: CirclePlan) -> str:
    """`meeting 4 · hosted by Dee`, or in a series `meeting 3 of 6 · focus: Cy · hosted by
    Ana` (meetings count from 1 here)."""
    number = plan.meeting + 1
    if plan.meetings is not None:
        label = _("meeting {number} of {count}").format(number=number, count=plan.meetings)
    else:
        label = _("meeting {number}").format(number=number)
    if plan.focus:
        label += " · " + _("focus: {name}").format(name=plan.focus)
    return label + " · " + _("hosted by {name}").format(name=plan.host)


def meeting_line(plan: CirclePlan, circle_name: str | None = None) -> str | None:
    """`Tuesday crew · meeting 4 · hosted by Dee`; None for a circle that is neither saved
    nor meeting in a series (it has no meetings to count)."""
    if circle_name is None and plan.meetings is None:
        return None
    words = meeting_words(plan)
    return f"{circle_name} · {words}" if circle_name else words


ASSIGN_WORDS = {
    "ask": N_("chosen"),
    "rotate": N_("rotates"),
    "first": N_("the first in the circle"),
    "random": N_("drawn at random"),
}
"""How a role is given, as the screen says it after the holder's name."""


def role_holders(
    practice: Practice, plan: CirclePlan, *, only_defaulted: bool = False
) -> list[str]:
    """Each role and who holds it, and how they came to: `Host: Ana (chosen by default)`.
    `only_defaulted`: only the roles asked at setup that nobody was given."""
    from circlekeeper.script.texts import localize

    parts = []
    for role in practice.roles:
        defaulted = role.id in plan.defaulted_roles
        if only_defaulted and not defaulted:
            continue
        label = localize(role.name, plan.language, practice.language)
        holders = ", ".join(plan.roles.get(role.id, ())) or _("nobody")
        how = _("chosen by default") if defaulted else _(ASSIGN_WORDS.get(role.assign, role.assign))
        parts.append(f"{label}: {holders} ({how})")
    return parts


def defaulted_roles_line(practice: Practice, plan: CirclePlan) -> str | None:
    """Who holds the roles that are asked at setup and were not given, and how to choose
    them (`--roles` on the command line, the pickers on the setup screen); None when every
    such role was given."""
    parts = role_holders(practice, plan, only_defaulted=True)
    if not parts:
        return None
    ids = [role.id for role in practice.roles if role.id in plan.defaulted_roles]
    example = ",".join(f"{role}=NAME" for role in ids)
    return (
        "; ".join(parts)
        + ". "
        + _("To choose: the setup screen, or run --roles {example}.").format(example=example)
    )


KIND_WORDS = {
    "process": N_("point of process"),
    "clarify": N_("clarifying question"),
    "reply": N_("reply"),
    "new-point": N_("new point"),
}
"""A speaking queue's kinds of request, as a list of choices or a queue's entry names them."""


def _word(table: dict[str, str], key: str, otherwise: str) -> str:
    """`key`'s word from a table of labels, in the interface's language; `otherwise` for a
    key the table does not know."""
    word = table.get(key)
    return _(word) if word is not None else otherwise


def kind_word(kind: str) -> str:
    """A kind of request to speak, in the interface's language."""
    return _word(KIND_WORDS, kind, kind)


RESPONSE_WORDS = {
    "consent": N_("consent"),
    "concern": N_("concern"),
    "stand-aside": N_("stand aside"),
    "objection": N_("objection"),
}
"""A consent round's responses, as the screen names them."""


def response_word(response: str) -> str:
    """A response in a consent round, in the interface's language."""
    return _word(RESPONSE_WORDS, response, response.replace("-", " "))


def capitalized(text: str) -> str:
    """`text` with its first letter upper case (a word chosen from a list)."""
    return text[:1].upper() + text[1:]


def time_changed_text(seconds: float, target: str) -> str:
    """`+30 s for this turn`: the note when the facilitator gives or takes time."""
    sign = "+" if seconds >= 0 else "−"
    n = f"{sign}{abs(seconds):.0f}"
    if target == "turn":
        return _("{n} s for this turn").format(n=n)
    return _("{n} s for this step").format(n=n)


def people_text(count: int) -> str:
    """`1 person`, `4 people`."""
    return ngettext("{n} person", "{n} people", count).format(n=count)


def shown(text: str | None, *, lines: bool = True) -> str:
    """A text the engine, a practice or a person gave, safe to draw: in the interface's
    language where it can be (a `Msg`), control characters escaped (see `escaped`)."""
    return escaped(tr(text), lines=lines) if text else ""
