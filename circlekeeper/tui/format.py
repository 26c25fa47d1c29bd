"""Small text helpers shared by screens and widgets."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text

from circlekeeper.script.errors import shown

if TYPE_CHECKING:
    from circlekeeper.engine.setup import CirclePlan
    from circlekeeper.script.model import Practice

__all__ = [
    "about_hhmm",
    "clock_text",
    "defaulted_roles_line",
    "duration_text",
    "one_line",
    "plain",
    "role_holders",
    "shown",
    "wall_hhmm",
]


def one_line(text: str) -> str:
    """`text` safe to draw on one line: white space runs become one space."""
    return shown(" ".join(text.split()))


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
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def about_hhmm(epoch: float) -> str:
    """Local wall-clock `HH:MM` of an epoch time, to the nearest minute (a forecast)."""
    return time.strftime("%H:%M", time.localtime(round(epoch / 60) * 60))


def wall_hhmm(epoch: float | None) -> str:
    """Local wall-clock `HH:MM` of an epoch time, or empty."""
    if epoch is None:
        return ""
    return time.strftime("%H:%M", time.localtime(epoch))


def meeting_words(plan: CirclePlan) -> str:
    """`meeting 4 · hosted by Dee`, or in a series `meeting 3 of 6 · focus: Cy · hosted by
    Ana` (meetings count from 1 here)."""
    return f"{plan.meeting_label} · hosted by {plan.host}"


def meeting_line(plan: CirclePlan, circle_name: str | None = None) -> str | None:
    """`Tuesday crew · meeting 4 · hosted by Dee`; None for a circle that is neither saved
    nor meeting in a series (it has no meetings to count)."""
    if circle_name is None and plan.meetings is None:
        return None
    words = meeting_words(plan)
    return f"{circle_name} · {words}" if circle_name else words


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
        holders = ", ".join(plan.roles.get(role.id, ())) or "nobody"
        how: str = role.assign
        if defaulted:
            how = "chosen by default"
        elif role.assign == "ask":
            how = "chosen"
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
    return "; ".join(parts) + f". To choose: the setup screen, or run --roles {example}."
