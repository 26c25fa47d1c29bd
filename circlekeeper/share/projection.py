"""The shared view's picture of a session: one JSON-ready projection of the engine's snapshot.

Only `Snapshot`'s field names are relied on, all here in `project`: the engine may change
how it computes them. Times the page counts down are given with `at`, the server's clock
when the snapshot was taken, so a page can count on its own between snapshots.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from circlekeeper.engine.clock import shown_minute

if TYPE_CHECKING:
    from circlekeeper.engine.state import Snapshot

Translations = Mapping[str, Mapping[str, str]]
"""A text as the session shows it → its versions by language code."""

TIMED = ("remaining", "turn_remaining", "step_remaining")
"""Counted down by the page between snapshots."""
VOLATILE = frozenset({*TIMED, "overtime", "ends_wall", "at", "sent"})
"""Fields that move with the clock alone: a change of them is not news by itself."""
TOLERANCE = 0.5
"""Seconds a timer's end may move before the page needs to hear of it (ticks jitter)."""
WALL_TOLERANCE = 30.0
"""Seconds the step's wall-clock end may move before it is news: it is sent as the minute
shown, so any change of it is (a change is a whole minute)."""


def project(
    snap: Snapshot,
    *,
    at: float,
    bells: int = 0,
    language: str = "",
    translations: Translations | None = None,
) -> dict[str, Any]:
    """The page's state: what is shown, plus what the page needs to count time itself.

    `at` is the server's clock (seconds) at the moment of the snapshot, `bells` how many
    bells have rung so far (the page flashes when it grows), `language` the session's.
    """
    table = translations or {}
    paused = snap.phase == "paused"
    step_number = next(
        (i for i, item in enumerate(snap.agenda, 1) if item.status == "current"), None
    )

    def versions(text: str | None) -> dict[str, str]:
        return dict(table.get(text, {})) if text else {}

    stems = list(snap.stems)
    stem_versions = [versions(stem) for stem in stems]
    languages = sorted({code for text in table.values() for code in text} | {language} - {""})
    return {
        "practice": snap.practice,
        "phase": snap.phase,
        "paused": paused,
        "step": snap.step_title,
        "step_kind": snap.step_kind,
        "step_number": step_number,
        "steps": len(snap.agenda),
        "agenda": [{"title": item.title, "status": item.status} for item in snap.agenda],
        "prompt": snap.step_text,
        "stems": stems,
        "focus": snap.focus,
        "lead": list(snap.lead),
        "speaker": snap.speaker,
        "next": snap.queue[0] if snap.queue else None,
        "queue": list(snap.queue),
        "lap": snap.lap,
        "laps": snap.laps,
        "popcorn": snap.popcorn,
        "circle": list(snap.circle),
        "spoken": list(snap.spoken),
        "passed": list(snap.passed),
        "groups": [list(group) for group in snap.groups],
        # Which timer is the main one and when it ends: the engine's rule, as on the screen.
        "timer": snap.timer,
        "remaining": snap.timer_remaining,
        "turn_remaining": snap.turn_remaining,
        "step_remaining": snap.step_remaining,
        "overtime": snap.turn_overtime,
        # The minute the screen shows (the engine's one rule), so the page, which only
        # writes it as HH:MM in the viewer's zone, can never show another.
        "ends_wall": None if snap.timer_ends_wall is None else shown_minute(snap.timer_ends_wall),
        "ends_estimated": snap.timer_ends_estimated,
        "bells": bells,
        "language": language,
        "languages": languages,
        "prompts": versions(snap.step_text),
        "titles": versions(snap.step_title),
        "stems_by_language": {
            code: [v.get(code, stem) for stem, v in zip(stems, stem_versions, strict=True)]
            for code in languages
            if any(code in v for v in stem_versions)
        },
        "at": at,
    }


def changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """True when `new` tells a page something `old` did not: anything shown changed, or a
    timer's end moved (more time given, a pause) beyond what counting down explains."""
    if old is None:
        return True
    if any(old.get(key) != value for key, value in new.items() if key not in VOLATILE):
        return True
    for (a, tolerance), (b, _) in zip(_anchors(old), _anchors(new), strict=True):
        if (a is None) != (b is None):
            return True
        if a is not None and b is not None and abs(a - b) > tolerance:
            return True
    return False


def _anchors(state: Mapping[str, Any]) -> list[tuple[float | None, float]]:
    """What stays still while time passes, each with how far it may wander: every timer's
    end (paused: its value; zero is its own mark, a timer at zero does not move on), when
    the overtime began, and the step's wall-clock end (the minute shown: news when it
    turns, not with every second a speaker runs over)."""
    at = float(state["at"])
    paused = bool(state["paused"])
    out: list[tuple[float | None, float]] = []
    for key in TIMED:
        value = state.get(key)
        if value is None:
            out.append((None, TOLERANCE))
        elif value <= 0 or paused:
            out.append((float(value), TOLERANCE))
        else:
            out.append((at + float(value), TOLERANCE))
    overtime = float(state.get("overtime") or 0.0)
    out.append((overtime if paused or overtime <= 0 else at - overtime, TOLERANCE))
    ends = state.get("ends_wall")
    out.append((None if ends is None or paused else float(ends), WALL_TOLERANCE))
    return out
