"""The reportback: what a session amounted to, built from its events.

`Ledger` folds events one at a time (the resume offer uses it too); `summarize` turns a
finished or interrupted session into a `Summary`: its numbers, its steps, the scribe's notes,
and who the circle was (`with_circle`). `export.py` renders it as Markdown, JSON or CSV.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from circlekeeper.engine.events import (
    AgendaChanged,
    CommandTaken,
    Event,
    Passed,
    Paused,
    Resumed,
    SessionEnded,
    SessionStarted,
    StepEnded,
    StepStarted,
    TurnEnded,
    TurnStarted,
    Undone,
)
from circlekeeper.engine.setup import CirclePlan
from circlekeeper.paths import data_dir
from circlekeeper.records.atomic import atomic_write_text
from circlekeeper.records.changes import AgendaChange, agenda_change

StepOutcome = Literal["done", "skipped", "interrupted"]


@dataclass(frozen=True)
class NoteSummary:
    """A note in the reportback: when, in which step, what."""

    at: float
    """Session time (seconds from the start)."""
    text: str
    step: str | None
    """The title of the step it was taken in."""
    wall: datetime | None = None


@dataclass
class StepRecord:
    """One step as run: when it started and how it ended (`reason` None while it runs)."""

    index: int
    agenda: int
    kind: str
    title: str
    started: float
    planned: float | None
    focus: str | None = None
    ended: float | None = None
    reason: str | None = None


@dataclass
class Ledger:
    """A running tally of a session, fed one event at a time.

    Airtime and overtime add up the `spoke` and `overtime` of every `TurnEnded`, as the
    engine's own totals do: an undo withdraws a turn that never gets a `TurnEnded`, and the
    resumed turn reports only its new part. A turn counts when it ends in speaking, not in a
    pass (the engine closes a passer's turn with a `TurnEnded` too); an undone next or pick
    makes the resumed turn one with the part before it, an undone pass is no pass.
    """

    circle: list[str] = field(default_factory=list)
    airtime: dict[str, float] = field(default_factory=dict)
    overtime: dict[str, float] = field(default_factory=dict)
    turns: dict[str, int] = field(default_factory=dict)
    passes: dict[str, int] = field(default_factory=dict)
    steps: dict[int, StepRecord] = field(default_factory=dict)
    current_step: int | None = None
    open_turn: TurnStarted | None = None
    pauses: int = 0
    paused_total: float = 0.0
    paused_at: float | None = None
    first_t: float | None = None
    last_t: float = 0.0
    ended: SessionEnded | None = None
    notes: list[NoteSummary] = field(default_factory=list)
    changes: list[AgendaChange] = field(default_factory=list)
    forecast: float | None = None
    """The forecast end (session time) the last agenda change gave."""
    _passing: str | None = None  # the next TurnEnded of this speaker closes a pass

    def _person(self, name: str) -> None:
        if name not in self.circle:
            self.circle.append(name)

    def feed(self, event: Event, wall: float | None = None) -> None:
        """Take one event into account (`wall`: when it was recorded, if known)."""
        if self.first_t is None:
            self.first_t = event.t
        self.last_t = max(self.last_t, event.t)
        when = None if wall is None else datetime.fromtimestamp(wall).astimezone()
        change = agenda_change(event, when, forecast=self.forecast)
        if change is not None:
            self.changes.append(change)
        elif isinstance(event, AgendaChanged):
            self.forecast = event.ends
        elif isinstance(event, CommandTaken):
            text = event.command.get("text")
            if event.command.get("command") == "note" and isinstance(text, str):
                step = self.steps.get(self.current_step) if self.current_step is not None else None
                self.notes.append(NoteSummary(event.t, text, step.title if step else None, when))
        elif isinstance(event, SessionStarted):
            for person in event.circle:
                self._person(person)
        elif isinstance(event, StepStarted):
            self.steps[event.index] = StepRecord(
                event.index,
                event.agenda,
                event.kind,
                event.title,
                event.t,
                event.duration,
                event.focus,
            )
            self.current_step = event.index
        elif isinstance(event, StepEnded):
            step = self.steps.get(event.index)
            if step is not None:
                step.ended, step.reason = event.t, event.reason
            if self.current_step == event.index:
                self.current_step = None
            self.open_turn = None
        elif isinstance(event, TurnStarted):
            self._person(event.speaker)
            self.open_turn = event
        elif isinstance(event, TurnEnded):
            who = event.speaker
            self._person(who)
            self.airtime[who] = self.airtime.get(who, 0.0) + event.spoke
            self.overtime[who] = self.overtime.get(who, 0.0) + event.overtime
            if self._passing == who:
                self._passing = None
            else:
                self.turns[who] = self.turns.get(who, 0) + 1
            self.open_turn = None
        elif isinstance(event, Passed):
            self._person(event.speaker)
            self.passes[event.speaker] = self.passes.get(event.speaker, 0) + 1
            self._passing = event.speaker
        elif isinstance(event, Undone):
            self._undo(event)
        elif isinstance(event, Paused):
            self.pauses += 1
            self.paused_at = event.t
        elif isinstance(event, Resumed):
            self.paused_total += event.paused_for
            self.paused_at = None
        elif isinstance(event, SessionEnded):
            self.ended = event
            self.current_step = None
            self.open_turn = None

    def _undo(self, event: Undone) -> None:
        """`event.speaker` holds the stick again: their pass, or the end of their turn, is off."""
        who = event.speaker
        if who is None:
            return
        if event.what == "pass":
            if self.passes.get(who, 0) > 0:
                self.passes[who] -= 1
        elif self.turns.get(who, 0) > 0:
            self.turns[who] -= 1  # the resumed turn counts once, when it ends

    @property
    def pause_open_for(self) -> float:
        """Seconds of a pause still in force at the last event (0 when not paused)."""
        return 0.0 if self.paused_at is None else max(0.0, self.last_t - self.paused_at)

    @property
    def steps_completed(self) -> int:
        """Steps that ended, for whatever reason."""
        return sum(1 for step in self.steps.values() if step.reason is not None)


@dataclass(frozen=True)
class StepSummary:
    """A step in the reportback."""

    index: int
    title: str
    kind: str
    seconds: float
    outcome: StepOutcome
    focus: str | None = None
    started: float = 0.0
    """Session time at which it began."""


@dataclass(frozen=True)
class Summary:
    """What a session amounted to. Times are in seconds."""

    practice_title: str
    circle: tuple[str, ...]
    started: datetime
    duration: float
    airtime: dict[str, float]
    overtime: dict[str, float]
    turns: dict[str, int]
    passes: dict[str, int]
    steps: tuple[StepSummary, ...]
    pauses: int
    paused_total: float
    ended: Literal["done", "end"] | None
    """How the session ended: `done` as planned, `end` stopped early, None cut short."""
    airtime_source: Literal["engine", "turns"]
    """`engine`: the engine's final ledger; `turns`: added up from the turns recorded."""
    notes: tuple[NoteSummary, ...] = ()
    """The scribe's notes, in the order they were taken."""
    session_id: str | None = None
    """The journal's id (`circlekeeper history`), when it came from one."""
    circle_name: str | None = None
    """The saved circle this was a meeting of."""
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    host: str | None = None
    meeting: int | None = None
    """How many meetings the circle had held before this one (None: not known)."""
    meetings: int | None = None
    """The series' length, when the practice is one."""
    focus: str | None = None
    """Who was in focus at this meeting of a series."""
    ended_at: datetime | None = None
    """When it ended (local time), when known."""
    status: str | None = None
    """How the journal stands (`finished`, `ended early`, `unfinished`, `discarded`...)."""
    resumes: int = 0
    """How many times it was cut short (a crash, a power cut) and picked up again."""
    changes: tuple[AgendaChange, ...] = ()
    """The agenda's live changes (steps inserted, removed, moved, retimed, the schedule
    fitted to an end, topics), in the order they were made."""

    @property
    def state(self) -> str:
        """How it stands, in a word or two: the journal's word when known."""
        if self.status is not None:
            return self.status
        return {"done": "finished", "end": "ended early", None: "unfinished"}[self.ended]

    @property
    def finished(self) -> bool:
        """The session ended (as planned or early): nothing of it is left to resume."""
        return self.ended is not None or self.state in ("finished", "ended early", "ended")

    @property
    def steps_done(self) -> int:
        """Steps that ran to their end (not skipped)."""
        return sum(1 for step in self.steps if step.outcome == "done")

    @property
    def steps_skipped(self) -> int:
        """Steps the facilitator skipped."""
        return sum(1 for step in self.steps if step.outcome == "skipped")

    @property
    def total_airtime(self) -> float:
        """Everyone's airtime together."""
        return sum(self.airtime.values())

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: the export's JSON, and the journal's closing summary."""
        return {
            "id": self.session_id,
            "practice": self.practice_title,
            "started": self.started.isoformat(timespec="seconds"),
            "ended": None if self.ended_at is None else self.ended_at.isoformat(timespec="seconds"),
            "finished": self.finished,
            "status": self.state,
            "circle_name": self.circle_name,
            "meeting": None if self.meeting is None else self.meeting + 1,
            "meetings": self.meetings,
            "host": self.host,
            "focus": self.focus,
            "people": list(self.circle),
            "roles": {role: list(holders) for role, holders in self.roles.items()},
            "duration": round(self.duration, 3),
            "airtime": {p: round(self.airtime.get(p, 0.0), 3) for p in self.circle},
            "overtime": {p: round(self.overtime.get(p, 0.0), 3) for p in self.circle},
            "turns": {p: self.turns.get(p, 0) for p in self.circle},
            "passes": {p: self.passes.get(p, 0) for p in self.circle},
            "airtime_source": self.airtime_source,
            "steps": [
                {
                    "number": number,
                    "title": step.title,
                    "kind": step.kind,
                    "at": round(step.started, 3),
                    "seconds": round(step.seconds, 3),
                    "outcome": step.outcome,
                    "focus": step.focus,
                }
                for number, step in enumerate(self.steps, start=1)
            ],
            "steps_done": self.steps_done,
            "steps_skipped": self.steps_skipped,
            "pauses": self.pauses,
            "paused_total": round(self.paused_total, 3),
            "resumes": self.resumes,
            "notes": [
                {
                    "at": round(note.at, 3),
                    "time": None if note.wall is None else note.wall.isoformat(timespec="seconds"),
                    "step": note.step,
                    "text": note.text,
                }
                for note in self.notes
            ],
            "agenda_changes": [change.to_json() for change in self.changes],
        }


def clock(seconds: float) -> str:
    """`m:ss`, or `h:mm:ss` from an hour on (rounded to the second)."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def summarize(
    events: Iterable[Event],
    practice_title: str,
    circle: Sequence[str],
    *,
    started: datetime | None = None,
    walls: Sequence[float | None] = (),
) -> Summary:
    """Build the reportback of a session from its events (a whole session or one cut short).

    `started` is when it began (the default: now, local time); `walls`, when each event
    happened (epoch seconds), where known.
    """
    ledger = Ledger(circle=list(circle))
    for number, event in enumerate(events):
        ledger.feed(event, walls[number] if number < len(walls) else None)
    return summary_from_ledger(ledger, practice_title, started=started)


def summary_from_ledger(
    ledger: Ledger, practice_title: str, *, started: datetime | None = None
) -> Summary:
    """The `Summary` of what a `Ledger` has seen."""
    people = tuple(ledger.circle)
    airtime = {p: ledger.airtime.get(p, 0.0) for p in people}
    overtime = {p: ledger.overtime.get(p, 0.0) for p in people}
    source: Literal["engine", "turns"] = "turns"
    if ledger.ended is not None and ledger.ended.airtime:
        # The engine's ledger knows about undo and resumed turns; trust it where it speaks.
        source = "engine"
        for person in ledger.ended.airtime:
            if person not in airtime:
                people += (person,)
        airtime = {p: ledger.ended.airtime.get(p, airtime.get(p, 0.0)) for p in people}
        overtime = {p: ledger.ended.overtime.get(p, overtime.get(p, 0.0)) for p in people}
    end_t = ledger.ended.t if ledger.ended is not None else ledger.last_t
    steps = []
    for index in sorted(ledger.steps):
        step = ledger.steps[index]
        stop = step.ended if step.ended is not None else end_t
        outcome: StepOutcome = (
            "interrupted" if step.reason is None else "skipped" if step.reason == "skip" else "done"
        )
        steps.append(
            StepSummary(
                index,
                step.title,
                step.kind,
                max(0.0, stop - step.started),
                outcome,
                step.focus,
                step.started,
            )
        )
    notes = tuple(ledger.notes)
    first = ledger.first_t if ledger.first_t is not None else 0.0
    return Summary(
        practice_title=practice_title,
        circle=people,
        started=started if started is not None else datetime.now().astimezone(),
        duration=max(0.0, end_t - first),
        airtime=airtime,
        overtime=overtime,
        turns={p: ledger.turns.get(p, 0) for p in people},
        passes={p: ledger.passes.get(p, 0) for p in people},
        steps=tuple(steps),
        pauses=ledger.pauses,
        paused_total=ledger.paused_total + ledger.pause_open_for,
        ended=ledger.ended.reason if ledger.ended is not None else None,
        airtime_source=source,
        notes=notes,
        changes=tuple(ledger.changes),
    )


def with_circle(
    summary: Summary,
    plan: CirclePlan | None,
    *,
    circle_name: str | None = None,
    session_id: str | None = None,
) -> Summary:
    """The summary with who the circle was: roles, host, meeting, a series' focus."""
    if plan is None:
        return dataclasses.replace(summary, circle_name=circle_name, session_id=session_id)
    return dataclasses.replace(
        summary,
        circle_name=circle_name,
        session_id=session_id,
        roles=dict(plan.roles),
        host=plan.host,
        meeting=plan.meeting,
        meetings=plan.meetings,
        focus=plan.focus,
    )


def slugify(text: str, *, limit: int = 40) -> str:
    """A lowercase ASCII file-name part: "Check-in (Crew Ä)" -> "check-in-crew-a"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "session"


def save_summary(
    summary: Summary,
    directory: Path | None = None,
    *,
    kind: Literal["markdown", "json"] = "markdown",
) -> Path:
    """Write the reportback to `directory` (default: the data folder's `summaries/`).

    Never overwrites: a second summary of the same minute gets `-2`, `-3`... Returns the path.
    """
    folder = directory if directory is not None else data_dir() / "summaries"
    stem = f"{summary.started.strftime('%Y%m%d-%H%M')}-{slugify(summary.practice_title)}"
    if kind == "markdown":
        from circlekeeper.records.export import markdown

        suffix, text = ".md", markdown(summary)
    else:
        suffix = ".json"
        text = json.dumps(summary.to_json(), indent=2, ensure_ascii=False) + "\n"
    for attempt in range(1, 10_000):
        path = folder / (stem + ("" if attempt == 1 else f"-{attempt}") + suffix)
        if path.exists():
            continue
        try:
            atomic_write_text(path, text, overwrite=False)
        except FileExistsError:
            continue  # another writer took the name between the check and the link
        return path
    raise FileExistsError(f"no free file name for {stem}{suffix} in {folder}")
