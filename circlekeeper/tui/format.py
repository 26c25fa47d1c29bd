"""Small text helpers shared by screens and widgets."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from circlekeeper.engine.setup import CirclePlan


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
