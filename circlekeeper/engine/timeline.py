"""The readable timeline of a session: one line per event worth a reader's attention."""

from __future__ import annotations

from circlekeeper.engine.clock import hhmm_of_day
from circlekeeper.engine.consent import RESPONSE_WORDS
from circlekeeper.engine.events import (
    AgendaChanged,
    BellDue,
    CommandTaken,
    ConsentRoundEnded,
    DecisionMade,
    Event,
    GroupsFormed,
    LapStarted,
    ListenerChosen,
    PairEnded,
    PairStarted,
    PartStarted,
    Passed,
    Paused,
    PromptDue,
    Refused,
    ResponseGiven,
    Resumed,
    ScheduleFitted,
    SessionEnded,
    SessionStarted,
    StackChanged,
    StepEnded,
    StepInserted,
    StepMoved,
    StepRemoved,
    StepRetimed,
    StepStarted,
    SwapDue,
    TimeChanged,
    TopicAdded,
    TopicRemoved,
    TurnEnded,
    TurnStarted,
    TurnTimeUp,
    TurnWarning,
    Undone,
)
from circlekeeper.engine.stack import KIND_WORDS

PART_WORDS: dict[str, str] = {
    "speak": "speaks to",
    "reflect": "reflects back to",
    "confirm": "confirms with",
}
"""How each part of an exchange reads: "Ben reflects back to Ana"."""


def clock(seconds: float) -> str:
    """`mm:ss` from the start (minutes may pass 59)."""
    total = round(seconds)
    return f"{total // 60:02d}:{total % 60:02d}"


def span(seconds: float | None) -> str:
    """`m:ss`, or "untimed"."""
    if seconds is None:
        return "untimed"
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def quote(text: str | None, limit: int = 70) -> str:
    """` "text"`, on one line and cut short, or nothing."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return f' "{flat if len(flat) <= limit else flat[: limit - 1] + "…"}"'


def _command(command: dict[str, object]) -> str:
    """`pick Cy`, `respond Ben objection`, `insert silence "Pause"`: a command as a
    facilitator would say it (times as `m:ss`, a step by its kind and title)."""
    values: list[str] = []
    for key, value in command.items():
        if key == "command" or value is None:
            continue
        if isinstance(value, dict):
            title = value.get("title")
            values.append(f"{value.get('kind', 'step')}{quote(str(title)) if title else ''}")
        elif isinstance(value, float) and key == "at":
            values.append(clock(value))
        elif isinstance(value, float) and key == "seconds":
            values.append(("-" if value < 0 else "") + span(abs(value)))
        elif key == "after":
            values.append(f"after {value}")
        else:
            values.append(str(value))
    return " ".join([str(command.get("command")), *values])


def _talk(event: Event) -> str | None:
    """Lines for exchanges, consent rounds and the speaking queue."""
    if isinstance(event, PairStarted):
        return f"pair {event.pair}: {event.speaker} speaks to {event.listener}"
    if isinstance(event, ListenerChosen):
        return f"{event.speaker} chooses {event.listener} to listen"
    if isinstance(event, PartStarted):
        holder, other = (
            (event.listener, event.speaker)
            if event.part == "reflect"
            else (event.speaker, event.listener)
        )
        again = f" (again, {event.loop})" if event.loop > 1 and event.part == "speak" else ""
        return (
            f"{holder} {PART_WORDS.get(event.part, event.part)} {other}{again}{quote(event.prompt)}"
        )
    if isinstance(event, PairEnded):
        how = "heard" if event.confirmed else "moved on before confirming"
        loops = f", {event.loops} reflections" if event.loops > 1 else ""
        return f"pair {event.pair} done: {event.speaker} {how}{loops}"
    if isinstance(event, ResponseGiven):
        return f"{event.who} {RESPONSE_WORDS.get(event.response, event.response)}"
    if isinstance(event, ConsentRoundEnded):
        if not event.objections:
            return f"consent round {event.round}: no objection"
        return (
            f"consent round {event.round}: objection from {', '.join(event.objections)}; "
            "amend the proposal"
        )
    if isinstance(event, DecisionMade):
        rounds = "round" if event.rounds == 1 else "rounds"
        return f"decision: {event.result.replace('-', ' ')} after {event.rounds} {rounds}"
    if isinstance(event, StackChanged):
        if not event.queue:
            return "waiting to speak: nobody"
        kinds = event.kinds or ("new-point",) * len(event.queue)
        waiting = [
            name if kind == "new-point" else f"{name} ({KIND_WORDS.get(kind, kind)})"
            for name, kind in zip(event.queue, kinds, strict=False)
        ]
        return "waiting to speak: " + ", ".join(waiting)
    return None


def agenda_line(event: Event) -> str | None:
    """What an agenda change or a topic event says (None: another kind of event)."""
    if isinstance(event, StepInserted):
        topic = f" (topic {event.topic})" if event.topic else ""
        return (
            f"{event.id} {quote(event.title).strip()} [{event.kind}, {span(event.seconds)}] "
            f"inserted after {event.after}{topic}"
        )
    if isinstance(event, StepRemoved):
        return f"{event.id} {quote(event.title).strip()} removed"
    if isinstance(event, StepMoved):
        return f"{event.id} {quote(event.title).strip()} moved after {event.after}"
    if isinstance(event, StepRetimed):
        what = f"{event.id} {quote(event.title).strip()}"
        if event.left:
            return f"{what} has {span(event.seconds)} left (had {span(event.was)})"
        return f"{what} takes {span(event.seconds)} (was {span(event.was)})"
    if isinstance(event, ScheduleFitted):
        return f"fitted to end at {clock(event.at)}"
    if isinstance(event, TopicAdded):
        return f"topic {event.id}:{quote(event.text)}"
    if isinstance(event, TopicRemoved):
        how = "brought forward" if event.why == "brought-forward" else "removed"
        return f"topic {event.id} {how}"
    return None


def _agenda(event: Event, start: int | None) -> str | None:
    """Lines for the agenda's changes and the topics list, in the timeline (an end at a
    time also as a clock, given the clock at the start)."""
    if isinstance(event, AgendaChanged):
        return f"agenda: forecast end {clock(event.ends)}{_of_day(event.ends, start)}"
    line = agenda_line(event)
    if line is None or line.startswith("topic "):
        return line
    if isinstance(event, ScheduleFitted):
        line += _of_day(event.at, start)
    return f"agenda: {line}"


def _of_day(t: float, start: int | None) -> str:
    """` (19:40)`: the clock at session time `t` when the session began at `start` (seconds
    after midnight), to the minute every screen shows; nothing without a start."""
    return "" if start is None else f" ({hhmm_of_day(start + t)})"


def describe(
    event: Event, titles: dict[int, str], *, acted: bool = False, start: int | None = None
) -> str | None:
    """One readable line for an event, without its time; None for a line not worth showing.

    Commands are shown only when `acted` (an action of the file): the simulation's own moves
    speak through what they cause (the JSON timeline has them all). With `start` (the clock
    at the start, seconds after midnight) an end the agenda forecasts also reads as a clock.
    """
    if isinstance(event, CommandTaken):
        return f"action: {_command(event.command)}" if acted else None
    if isinstance(event, Refused):
        return f"refused {_command(event.command)}: {event.reason}"
    if isinstance(event, SessionStarted):
        roles = ", ".join(f"{r}: {'+'.join(h)}" for r, h in event.roles.items() if h)
        extra = f" (roles: {roles})" if roles else ""
        meeting = ""
        if event.meetings is not None or event.meeting > 1:
            meeting = f", meeting {event.meeting}"
            meeting += f" of {event.meetings}" if event.meetings is not None else ""
            meeting += f", focus: {event.focus}" if event.focus else ""
        return f"session started: {event.practice} with {', '.join(event.circle)}{meeting}{extra}"
    if isinstance(event, StepStarted):
        titles[event.index] = event.title
        focus = f", focus {event.focus}" if event.focus else ""
        return (
            f"step {event.index + 1}: {event.title} [{event.kind}, {span(event.duration)}"
            f"{focus}]{quote(event.text)}"
        )
    if isinstance(event, StepEnded):
        return f"step {event.index + 1} ended: {titles.get(event.index, '')} ({event.reason})"
    if isinstance(event, LapStarted):
        return f"lap {event.lap}: {' > '.join(event.order)}{quote(event.prompt)}"
    if isinstance(event, TurnStarted):
        to = f", to {event.to}" if event.to else ""
        return f"{event.speaker} has the stick ({span(event.allowed)}{to})"
    if isinstance(event, TurnWarning):
        return f"{event.speaker}: {span(event.remaining)} left"
    if isinstance(event, TurnTimeUp):
        how = "the stick moves on" if event.hard else "may finish"
        return f"{event.speaker}: time is up, {how}"
    if isinstance(event, TurnEnded):
        over = f", {span(event.overtime)} over" if event.overtime else ""
        return f"{event.speaker} done, spoke {span(event.spoke)}{over}"
    if isinstance(event, Passed):
        return f"{event.speaker} passes" + (" (back at the end)" if event.again else "")
    if isinstance(event, BellDue):
        return f"bell: {event.sound} x{event.strikes} ({event.reason}){quote(event.say)}"
    if isinstance(event, PromptDue):
        return f"say [{event.language}]:{quote(event.text)}"
    if isinstance(event, GroupsFormed):
        groups = []
        for i, group in enumerate(event.groups):
            marks = []
            if i < len(event.hosts):
                marks.append(f"host {event.hosts[i]}")
            if i < len(event.focus):
                marks.append(f"focus {event.focus[i]}")
            groups.append("+".join(group) + (f" ({', '.join(marks)})" if marks else ""))
        return "groups: " + " | ".join(groups)
    if isinstance(event, SwapDue):
        if event.speakers:
            return f"swap {event.swap}: now {', '.join(event.speakers)} speak in their groups"
        return f"swap {event.swap}: the next person in each group speaks"
    if isinstance(event, Paused):
        return "paused"
    if isinstance(event, Resumed):
        return f"resumed after {span(event.paused_for)}"
    if isinstance(event, TimeChanged):
        return f"{event.target} time {event.seconds:+.0f}s"
    if isinstance(event, Undone):
        return f"undone: {event.what}"
    if isinstance(event, SessionEnded):
        air = ", ".join(f"{n} {span(s)}" for n, s in event.airtime.items())
        return f"session ended ({event.reason}); airtime: {air}"
    return _talk(event) or _agenda(event, start) or event.name
