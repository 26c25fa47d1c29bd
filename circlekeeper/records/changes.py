"""The agenda's live changes, as a session's reportback tells them.

One rule turns the engine's agenda and topic events into `AgendaChange`s (`agenda_change`),
and one says each in words (`AgendaChange.line`): the summary screen, the Markdown, JSON and
CSV exports all read the same list, so they can never disagree about what changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from circlekeeper.engine import timeline
from circlekeeper.engine.clock import shown_minute
from circlekeeper.engine.events import (
    Event,
    ScheduleFitted,
    StepInserted,
    StepMoved,
    StepRemoved,
    StepRetimed,
    TopicAdded,
    TopicRemoved,
)
from circlekeeper.engine.timeline import quote, span
from circlekeeper.i18n import _, step_kind_word, tr

ChangeKind = Literal[
    "inserted",
    "removed",
    "moved",
    "retimed",
    "fitted",
    "topic-added",
    "topic-removed",
    "topic-brought-forward",
]


@dataclass(frozen=True)
class AgendaChange:
    """One change to the agenda or the topics list, made live.

    `before` and `after` apply to `retimed` (the step's planned seconds, or for the step in
    progress the seconds it had left and has) and to `fitted` (the forecast end before, when
    an earlier change told it, and the end asked for; both session time).
    """

    kind: ChangeKind
    at: float
    """Session time (seconds from the start)."""
    wall: datetime | None = None
    """When it was made (local time), when known."""
    step: str | None = None
    """The agenda id of the step (the script's id, or `sN`); a topic's id for a topic."""
    title: str | None = None
    """The step's title, or the topic's words."""
    step_kind: str | None = None
    seconds: float | None = None
    """An inserted step's planned length."""
    follows: str | None = None
    """Inserted or moved: the id of the step it now runs after."""
    follows_title: str | None = None
    before: float | None = None
    after: float | None = None
    left: bool = False
    """Retimed: the step in progress (`before` and `after` are the time it had and has left)."""
    why: str | None = None
    """Retimed: `set` by hand, or shared out by `end-at`."""
    topic: str | None = None
    """Inserted: the topic it brings forward."""

    def line(self) -> str:
        """What changed, in the interface's language, on one line (without its time)."""
        title = _one_line(tr(self.title or ""))
        if self.kind == "inserted":
            line = _('{id} "{step}" [{kind}, {length}] inserted after {after}').format(
                id=self.step,
                step=title,
                kind=step_kind_word(self.step_kind or ""),
                length=span(self.seconds),
                after=self.follows,
            )
            if self.topic:
                line += " " + _("(topic {id})").format(id=self.topic)
            return line
        if self.kind == "removed":
            return _('{id} "{step}" removed').format(id=self.step, step=title)
        if self.kind == "moved":
            return _('{id} "{step}" moved after {after}').format(
                id=self.step, step=title, after=self.follows
            )
        if self.kind == "retimed":
            said = (
                _('{id} "{step}" has {length} left (had {was})')
                if self.left
                else _('{id} "{step}" takes {length} (was {was})')
            )
            return said.format(
                id=self.step, step=title, length=span(self.after), was=span(self.before)
            )
        if self.kind == "fitted":
            # A time of day where the change's own is known (a session time such as 11:56
            # would read as one), to the minute every screen shows for a session time.
            end = self.ends_at
            if end is None:
                time = timeline.clock(self.after or 0.0)
            else:
                minute = datetime.fromtimestamp(shown_minute(end.timestamp()), end.tzinfo)
                time = minute.strftime("%H:%M")
            return _("fitted to end at {time}").format(time=time)
        if self.kind == "topic-added":
            return _('topic {id}: "{topic}"').format(id=self.step, topic=title)
        if self.kind == "topic-brought-forward":
            return _("topic {id} brought forward").format(id=self.step)
        return _("topic {id} removed").format(id=self.step)

    @property
    def ends_at(self) -> datetime | None:
        """A fitted schedule's end as a time of day, when the change's own is known."""
        if self.kind != "fitted" or self.wall is None or self.after is None:
            return None
        return self.wall + timedelta(seconds=self.after - self.at)

    def renamed(self, rename: Callable[[str], str]) -> AgendaChange:
        """The change with `rename` applied to the words people typed (titles, a topic)."""
        return dataclasses.replace(
            self,
            title=None if self.title is None else rename(self.title),
            follows_title=None if self.follows_title is None else rename(self.follows_title),
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: `kind`, `at` (session seconds), `time` (ISO 8601), the step or topic,
        and what applies of `step_kind`, `seconds`, `follows`, `before`, `after`, `why`."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "at": round(self.at, 3),
            "time": None if self.wall is None else self.wall.isoformat(timespec="seconds"),
        }
        if self.kind.startswith("topic-"):
            data.update(topic=self.step, text=self.title)
            return data
        data.update(step=self.step, title=self.title)
        if self.kind == "inserted":
            data.update(step_kind=self.step_kind, seconds=_seconds(self.seconds))
            data.update(follows=self.follows, follows_title=self.follows_title)
            data.update(topic=self.topic)
        elif self.kind == "removed":
            data.update(step_kind=self.step_kind)
        elif self.kind == "moved":
            data.update(follows=self.follows, follows_title=self.follows_title)
        elif self.kind in ("retimed", "fitted"):
            data.update(before=_seconds(self.before), after=_seconds(self.after))
            if self.kind == "retimed":
                data.update(in_progress=self.left, why=self.why)
            else:
                end = self.ends_at
                data.update(end_time=None if end is None else end.isoformat(timespec="seconds"))
        return data


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _one_line(text: str) -> str:
    """A typed title or topic on one line, cut short, as the timeline quotes it."""
    return quote(text).strip()[1:-1]


def agenda_change(
    event: Event, wall: datetime | None = None, *, forecast: float | None = None
) -> AgendaChange | None:
    """The change an agenda or topic event records (None: another kind of event).

    `forecast` is the session's forecast end before it, when known (the last
    `AgendaChanged`): what a fitted schedule was fitted from.
    """
    t = event.t
    if isinstance(event, StepInserted):
        return AgendaChange(
            "inserted",
            t,
            wall,
            event.id,
            event.title,
            event.kind,
            seconds=event.seconds,
            follows=event.after,
            follows_title=event.after_title,
            topic=event.topic,
        )
    if isinstance(event, StepRemoved):
        return AgendaChange("removed", t, wall, event.id, event.title, event.kind)
    if isinstance(event, StepMoved):
        return AgendaChange(
            "moved",
            t,
            wall,
            event.id,
            event.title,
            follows=event.after,
            follows_title=event.after_title,
        )
    if isinstance(event, StepRetimed):
        return AgendaChange(
            "retimed",
            t,
            wall,
            event.id,
            event.title,
            before=event.was,
            after=event.seconds,
            left=event.left,
            why=event.why,
        )
    if isinstance(event, ScheduleFitted):
        return AgendaChange("fitted", t, wall, before=forecast, after=event.at)
    if isinstance(event, TopicAdded):
        return AgendaChange("topic-added", t, wall, event.id, event.text)
    if isinstance(event, TopicRemoved):
        kind: ChangeKind = (
            "topic-brought-forward" if event.why == "brought-forward" else "topic-removed"
        )
        return AgendaChange(kind, t, wall, event.id, event.text)
    return None
