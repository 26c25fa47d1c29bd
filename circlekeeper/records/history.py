"""Every session kept, one row each: `circlekeeper history`, and finding a session by its id.

A session's id is its journal's file name without `.jsonl` (`20261126-190203-check-in`):
it never changes, and it sorts by the time the session began. Anywhere an id is asked for,
an unambiguous beginning of one will do, and `last` is the latest session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circlekeeper.i18n import _
from circlekeeper.records.journal import (
    JournalContents,
    list_journals,
    read_journal,
    session_id,
    summarize_journal,
)
from circlekeeper.records.summary import Summary, clock


@dataclass(frozen=True)
class HistoryRow:
    """One session: its summary, and any trouble reading its journal."""

    summary: Summary
    path: Path
    problems: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The session's id."""
        return self.summary.session_id or session_id(self.path)

    def to_json(self) -> dict[str, Any]:
        """The row as `history --json` gives it: the export's JSON without the steps."""
        data = self.summary.to_json()
        data.pop("steps")
        data["notes"] = len(self.summary.notes)
        data["problems"] = list(self.problems)
        return data

    def line(self) -> str:
        """The row as `history` prints it, without the id (which leads the row)."""
        summary = self.summary
        when = summary.started.strftime("%Y-%m-%d %H:%M")
        parts = [when, summary.practice_title, clock(summary.duration), summary.state]
        who = summary.circle_name or ", ".join(summary.circle)
        if summary.meeting is not None and summary.circle_name:
            who += f" #{summary.meeting + 1}"
            if summary.host:
                who += f" (host {summary.host})"
        parts.append(who)
        return "  ".join(parts)


def history_row(contents: JournalContents) -> HistoryRow:
    """A journal read back, as a history row."""
    return HistoryRow(summarize_journal(contents), contents.path, tuple(contents.problems))


def history(directory: Path | None = None) -> list[HistoryRow]:
    """Every session with a readable header, oldest first. Reading repairs torn tails of
    sessions that are not running (as resuming would)."""
    rows = []
    for path in reversed(list_journals(directory)):
        try:
            contents = read_journal(path)
        except OSError:
            continue
        if contents.header is not None:
            rows.append(history_row(contents))
    return rows


def find_session(wanted: str, directory: Path | None = None) -> Path:
    """The journal of the session `wanted` names (an id, the start of one, or `last`).

    `LookupError` with a sentence saying what is wrong: none, or more than one, matches.
    """
    paths = list_journals(directory)  # newest first
    if not paths:
        raise LookupError(_("no session has been kept yet"))
    key = wanted.strip()
    if key in ("last", "latest"):
        return paths[0]
    exact = [p for p in paths if session_id(p) == key]
    if exact:
        return exact[0]
    matching = [p for p in paths if session_id(p).startswith(key)] if key else []
    if len(matching) == 1:
        return matching[0]
    if not matching:
        raise LookupError(_("no session '{id}'; `circlekeeper history` lists them").format(id=key))
    shown = ", ".join(session_id(p) for p in matching[:3])
    if len(matching) > 3:
        shown = _("{sessions} and {n} more").format(sessions=shown, n=len(matching) - 3)
    raise LookupError(
        _("'{id}' could be {sessions}; give more of the id").format(id=key, sessions=shown)
    )
