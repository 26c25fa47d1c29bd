"""Human-friendly durations: ``90s``, ``2m``, ``2m30s``, ``1h15m``."""

from __future__ import annotations

import re

MAX_SECONDS = 24 * 3600
_PATTERN = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
DURATION_REGEX = r"^(\d+h)?(\d+m)?(\d+s)?$"


class DurationError(ValueError):
    """A duration that cannot be read or is out of range."""


def parse_duration(text: str, *, allow_zero: bool = False) -> int:
    """Return whole seconds for a duration written like ``2m30s``."""
    cleaned = text.strip().replace(" ", "")
    match = _PATTERN.match(cleaned)
    if not cleaned or match is None:
        raise DurationError(f"{text!r} is not a duration; write it like 90s, 2m, 2m30s or 1h15m")
    hours, minutes, seconds = (int(match.group(k) or 0) for k in "hms")
    total = hours * 3600 + minutes * 60 + seconds
    if total == 0 and not allow_zero:
        raise DurationError(f"{text!r} is zero; a duration must be longer than 0s")
    if total > MAX_SECONDS:
        raise DurationError(f"{text!r} is longer than 24h")
    return total


def format_duration(seconds: float) -> str:
    """Write seconds back in the script style (``2m30s``); fractions are rounded."""
    total = round(seconds)
    if total <= 0:
        return "0s"
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts)


def approximate(seconds: float) -> str:
    """An estimate as people say it: `~12m`, `~1h15m`; to the minute, at least a minute."""
    return f"~{format_duration(max(60, round(seconds / 60) * 60))}"


def format_clock(seconds: float) -> str:
    """A countdown as ``M:SS`` or ``H:MM:SS``; negative values get a leading minus."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds) + 0.999) if seconds >= 0 else int(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"
