"""The reportback: what a session amounted to, built from its events.

`Ledger` folds events one at a time (the journal's resume plan uses it too); `summarize`
turns a finished or interrupted session into a `Summary` that renders as Markdown or JSON.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from circlekeeper.engine.events import (
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
from circlekeeper.paths import data_dir
from circlekeeper.records.atomic import atomic_write_text

StepOutcome = Literal["done", "skipped", "interrupted"]


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
    _passing: str | None = None  # the next TurnEnded of this speaker closes a pass

    def _person(self, name: str) -> None:
        if name not in self.circle:
            self.circle.append(name)

    def feed(self, event: Event) -> None:
        """Take one event into account."""
        if self.first_t is None:
            self.first_t = event.t
        self.last_t = max(self.last_t, event.t)
        if isinstance(event, SessionStarted):
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
        """A JSON-ready dict."""
        return {
            "practice": self.practice_title,
            "circle": list(self.circle),
            "started": self.started.isoformat(timespec="seconds"),
            "duration": round(self.duration, 3),
            "ended": self.ended,
            "airtime_source": self.airtime_source,
            "people": [
                {
                    "name": person,
                    "airtime": round(self.airtime.get(person, 0.0), 3),
                    "overtime": round(self.overtime.get(person, 0.0), 3),
                    "turns": self.turns.get(person, 0),
                    "passes": self.passes.get(person, 0),
                }
                for person in self.circle
            ],
            "steps": [
                {
                    "index": step.index,
                    "title": step.title,
                    "kind": step.kind,
                    "seconds": round(step.seconds, 3),
                    "outcome": step.outcome,
                    "focus": step.focus,
                }
                for step in self.steps
            ],
            "steps_done": self.steps_done,
            "steps_skipped": self.steps_skipped,
            "pauses": self.pauses,
            "paused_total": round(self.paused_total, 3),
        }

    def to_markdown(self) -> str:
        """A readable reportback: who spoke how long, and which steps ran."""
        ending = {
            "done": "ran to the end",
            "end": "ended early",
            None: "cut short (not finished)",
        }[self.ended]
        lines = [
            f"# {_md(self.practice_title)}",
            "",
            f"- Date: {self.started.strftime('%A %d %B %Y, %H:%M')}",
            f"- Circle: {_md(', '.join(self.circle)) or '(nobody)'}",
            f"- Duration: {clock(self.duration)}, {ending}",
            f"- Pauses: {self.pauses}"
            + (f" ({clock(self.paused_total)} in all)" if self.pauses else ""),
            f"- Steps: {self.steps_done} done, {self.steps_skipped} skipped"
            + f" of {len(self.steps)}",
            "",
            "## Airtime",
            "",
            "| Person | Airtime | Share | Overtime | Turns | Passes |",
            "| --- | ---: | --- | ---: | ---: | ---: |",
        ]
        total = self.total_airtime
        most = max(self.airtime.values(), default=0.0)
        for person in self.circle:
            spoke = self.airtime.get(person, 0.0)
            share = f"{round(100 * spoke / total)}%" if total > 0 else "-"
            lines.append(
                f"| {_md(person)} | {clock(spoke)} | `{bar(spoke, most)}` {share} "
                f"| {clock(self.overtime.get(person, 0.0))} | {self.turns.get(person, 0)} "
                f"| {self.passes.get(person, 0)} |"
            )
        lines += ["", "## Steps", ""]
        if self.steps:
            lines += ["| # | Step | Kind | Time | Outcome |", "| ---: | --- | --- | ---: | --- |"]
            for number, step in enumerate(self.steps, start=1):
                title = step.title + (f" ({step.focus})" if step.focus else "")
                lines.append(
                    f"| {number} | {_md(title)} | {_md(step.kind)} | {clock(step.seconds)} "
                    f"| {step.outcome} |"
                )
        else:
            lines.append("No step ran.")
        return "\n".join(lines) + "\n"


def clock(seconds: float) -> str:
    """`m:ss`, or `h:mm:ss` from an hour on (rounded to the second)."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def bar(value: float, most: float, width: int = 12) -> str:
    """A text bar, full at `most`."""
    filled = round(width * value / most) if most > 0 else 0
    filled = min(width, max(0, filled))
    return "█" * filled + "░" * (width - filled)


def _md(text: str) -> str:
    """Keep a name or title from breaking a Markdown table row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def summarize(
    events: Iterable[Event],
    practice_title: str,
    circle: Sequence[str],
    *,
    started: datetime | None = None,
) -> Summary:
    """Build the reportback of a session from its events (a whole session or one cut short).

    `started` is when it began (the default: now, local time).
    """
    ledger = Ledger(circle=list(circle))
    for event in events:
        ledger.feed(event)
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
                index, step.title, step.kind, max(0.0, stop - step.started), outcome, step.focus
            )
        )
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
        suffix, text = ".md", summary.to_markdown()
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
