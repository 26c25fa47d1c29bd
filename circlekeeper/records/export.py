"""Reportbacks a group can publish: one session, or all the meetings of a saved circle.

Markdown for people (what a crew brings to its retrospective, what a convergence publishes
for the people who came), JSON and CSV for tools. Names go in only with the group's consent:
`names=False` numbers people in seat order instead ("Person 1" sits first), in every table,
role and note (a name written in a note is replaced too, where it matches someone in the
circle).

Markdown is written in the interface's language: every word of it goes through the
catalogue (headings, labels, dates, lengths), and only the data stays as written: names,
the practice's own texts, notes. JSON and CSV are for tools: their keys, columns and kinds
stay English whatever the language (the stand-ins for names, "Person 1", are names, so they
are said in the language, as the Markdown says them).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from circlekeeper.engine import timeline
from circlekeeper.i18n import (
    N_,
    NC_,
    _,
    day_month,
    day_month_year,
    long_date,
    ngettext,
    pgettext,
    short_date_year,
)
from circlekeeper.records.changes import AgendaChange
from circlekeeper.records.circles import Circle, Meeting
from circlekeeper.records.summary import NoteSummary, StepSummary, Summary, clock

MADE_BY = N_("Kept with circlekeeper.")
"""The reportback's last line (in the interface's language where it is written)."""


def _stand_in(number: int) -> str:
    """The name that stands in for the `number`-th person when names are left out."""
    return _("Person {number}").format(number=number)


# --- names ---------------------------------------------------------------------------------


def aliases(people: Iterable[str]) -> dict[str, str]:
    """Each person's stand-in, in seat order: {"Ana": "Person 1", ...}."""
    return {name: _stand_in(number) for number, name in enumerate(dict.fromkeys(people), 1)}


def _replace_names(text: str, names: Mapping[str, str]) -> str:
    """`text` with every whole-word mention of a name (any case) replaced by its stand-in."""
    if not names:
        return text
    # Longest first, so "Ana Lucia" is replaced before "Ana".
    ordered = sorted(names, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(name) for name in ordered) + r")(?!\w)", re.IGNORECASE
    )
    folded = {name.casefold(): alias for name, alias in names.items()}
    return pattern.sub(lambda m: folded[m.group(1).casefold()], text)


def anonymize(summary: Summary, names: Mapping[str, str] | None = None) -> Summary:
    """The summary with every name replaced by its stand-in (`aliases` of its circle, unless
    a mapping is given: a circle's reportback keeps one numbering across its meetings)."""
    mapping = dict(names) if names is not None else {}
    for person in summary.circle:  # anyone the mapping lacks gets the next number
        mapping.setdefault(person, _stand_in(len(mapping) + 1))

    def one(name: str | None) -> str | None:
        return None if name is None else mapping.get(name, name)

    def keyed(values: Mapping[str, Any]) -> dict[str, Any]:
        return {mapping.get(k, k): v for k, v in values.items()}

    return dataclasses.replace(
        summary,
        circle=tuple(mapping[p] for p in summary.circle),
        airtime=keyed(summary.airtime),
        overtime=keyed(summary.overtime),
        turns=keyed(summary.turns),
        passes=keyed(summary.passes),
        roles={r: tuple(mapping.get(p, p) for p in ps) for r, ps in summary.roles.items()},
        host=one(summary.host),
        focus=one(summary.focus),
        steps=tuple(
            dataclasses.replace(
                step, focus=one(step.focus), title=_replace_names(step.title, mapping)
            )
            for step in summary.steps
        ),
        notes=tuple(
            dataclasses.replace(note, text=_replace_names(note.text, mapping))
            for note in summary.notes
        ),
        changes=tuple(
            change.renamed(lambda text: _replace_names(text, mapping)) for change in summary.changes
        ),
    )


# --- Markdown ------------------------------------------------------------------------------


def _md(text: str, *, table: bool = True) -> str:
    """Keep a name, title or note from breaking the Markdown around it (on one line; a `|`
    is escaped only where it could end a table cell)."""
    flat = " ".join(text.split())
    special = r"([\\`*_\[\]|<>])" if table else r"([\\`*_\[\]<>])"
    return re.sub(special, r"\\\1", flat)


def _people(names: Sequence[str]) -> str:
    """Ana, Ben, Cy and Dee."""
    shown = [_md(n) for n in names]
    if len(shown) <= 1:
        return "".join(shown) or _("Nobody")
    return _("{people} and {last}").format(people=", ".join(shown[:-1]), last=shown[-1])


def _minutes(seconds: float) -> str:
    """39 minutes, 1 minute, 1 hour 5 minutes, under a minute."""
    total = round(seconds / 60)
    if seconds < 30:
        return _("under a minute")
    hours, minutes = divmod(total, 60)
    said = ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    if not hours:
        return said
    hours_said = ngettext("{n} hour", "{n} hours", hours).format(n=hours)
    if not minutes:
        return hours_said
    return _("{hours} {minutes}").format(hours=hours_said, minutes=said)


def _day(when: datetime) -> str:
    """Thursday 26 November 2026."""
    return long_date(when.date())


def _role_title(role: str) -> str:
    return role.replace("-", " ").replace("_", " ").capitalize()


def meeting_words(summary: Summary) -> str | None:
    """meeting 4 · hosted by Dee (or "meeting 3 of 6 · focus: Cy · hosted by Ana")."""
    parts = []
    if summary.meeting is not None:
        number = summary.meeting + 1
        if summary.meetings is not None:
            label = _("meeting {number} of {count}").format(number=number, count=summary.meetings)
        else:
            label = _("meeting {number}").format(number=number)
        parts.append(label)
    if summary.focus:
        parts.append(_("focus: {name}").format(name=_md(summary.focus)))
    if summary.host and summary.meeting is not None:
        parts.append(_("hosted by {name}").format(name=_md(summary.host)))
    return " · ".join(parts) or None


def _hm(when: datetime) -> str:
    """19:02, to the nearest minute (as the length in minutes is)."""
    return (when + timedelta(seconds=30)).strftime("%H:%M")


STATE_WORDS = {
    "running": NC_("session state", "running"),
    "discarded": NC_("session state", "discarded"),
}
"""How a session that did not finish stands, as the reportback says it (besides `unfinished`,
which it says as "cut short" alone)."""


def _when(summary: Summary, *, day: bool = True) -> str:
    """Thursday 26 November 2026, 19:02 to 19:41 · 39 minutes (and how it ended)."""
    start = summary.started
    line = _hm(start)
    end = summary.ended_at
    if end is not None and summary.finished:
        line = _("{start} to {end}").format(start=line, end=_hm(end))
    if day:
        line = _("{day}, {time}").format(day=_day(start), time=line)
    line += " · " + _minutes(summary.duration)
    state = summary.state
    if state == "ended early":
        line += _(", ended early")
    elif not summary.finished:
        if state in STATE_WORDS:
            word = pgettext("session state", STATE_WORDS[state])
            line += _(", cut short ({state})").format(state=word)
        else:
            line += _(", cut short")
    return line


def _step_line(number: int, step: StepSummary) -> str:
    title = f"**{_md(step.title)}**"
    if step.focus:
        title = _("{step} (focus: {name})").format(step=title, name=_md(step.focus))
    if step.outcome == "skipped":
        return f"{number}. " + _("{step}: skipped").format(step=title)
    took = clock(step.seconds)
    if step.outcome == "interrupted":
        return f"{number}. " + _("{step}: {length}, cut short").format(step=title, length=took)
    return f"{number}. {title}: {took}"


def _note_line(note: NoteSummary) -> str:
    if note.wall is not None:
        when = note.wall.strftime("%H:%M")
    else:
        when = _("{time} in").format(time=clock(note.at))
    if note.step:
        when = _("{time}, during {step}").format(time=when, step=_md(note.step))
    return f"- *{when}*: {_md(note.text, table=False)}"


def _change_line(change: AgendaChange) -> str:
    """`- *19:07 · 05:02* s5 "Pause" [silence, 1:00] inserted after s1`: when (the wall
    clock when known, and session time), and what the summary screen says of it."""
    when = timeline.clock(change.at)
    if change.wall is not None:
        when = f"{change.wall.strftime('%H:%M')} · {when}"
    return f"- *{when}* {_md(change.line(), table=False)}"


def _airtime_table(
    people: Sequence[str],
    airtime: Mapping[str, float],
    overtime: Mapping[str, float],
    turns: Mapping[str, int],
    passes: Mapping[str, int],
    extra: tuple[str, Mapping[str, int]] | None = None,
) -> list[str]:
    total = sum(airtime.get(p, 0.0) for p in people)
    show_over = any(overtime.get(p, 0.0) >= 1.0 for p in people)
    head = [_("Person"), _("Spoke"), pgettext("airtime", "Share"), _("Turns"), _("Passed")]
    if show_over:
        head.insert(2, _("Over time"))
    if extra is not None:
        head.append(extra[0])
    rows = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for person in people:
        spoke = airtime.get(person, 0.0)
        cells = [
            _md(person),
            clock(spoke),
            _("{percent}%").format(percent=round(100 * spoke / total)) if total > 0 else "-",
            str(turns.get(person, 0)),
            str(passes.get(person, 0)),
        ]
        if show_over:
            cells.insert(2, clock(overtime.get(person, 0.0)))
        if extra is not None:
            cells.append(str(extra[1].get(person, 0)))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _who(summary: Summary, *, people: bool = True) -> str:
    """Who was there and who held which role (the host's role and a series' focus role
    aside: the meeting's line says them already)."""
    count = len(summary.circle)
    line = ""
    if people:
        line = ngettext(
            "{people} was in the circle.", "{people} were in the circle.", count
        ).format(people=_people(summary.circle))
    roles = [
        _("{role}: {people}").format(role=_role_title(role), people=_people(holders))
        for role, holders in summary.roles.items()
        if holders
        and not (role == "host" and holders == (summary.host,))
        and not (summary.focus is not None and holders == (summary.focus,))
    ]
    if roles:
        line += " " + ". ".join(roles) + "."
    return line.strip()


def _pauses(summary: Summary) -> str | None:
    said = []
    count, total = summary.pauses, clock(summary.paused_total)
    if count == 1:
        said.append(_("The circle paused once ({total} in all).").format(total=total))
    elif count == 2:
        said.append(_("The circle paused twice ({total} in all).").format(total=total))
    elif count:
        said.append(
            ngettext(
                "The circle paused {n} time ({total} in all).",
                "The circle paused {n} times ({total} in all).",
                count,
            ).format(n=count, total=total)
        )
    count = summary.resumes
    if count == 1:
        said.append(
            _(
                "The session was cut short once and picked up again where it stopped, held "
                "in a pause until the circle was ready."
            )
        )
    elif count == 2:
        said.append(
            _(
                "The session was cut short twice and picked up again where it stopped, held "
                "in a pause until the circle was ready."
            )
        )
    elif count:
        said.append(
            ngettext(
                "The session was cut short {n} time and picked up again where it stopped, "
                "held in a pause until the circle was ready.",
                "The session was cut short {n} times and picked up again where it stopped, "
                "held in a pause until the circle was ready.",
                count,
            ).format(n=count)
        )
    return " ".join(said) or None


def _session_body(
    summary: Summary, level: int, *, airtime: bool = True, people: bool = True
) -> list[str]:
    """Everything under a session's title, with headings at `level`."""
    h = "#" * level
    who = _who(summary, people=people)
    lines = [who, ""] if who else []
    lines += [f"{h} " + _("What we did"), ""]
    if summary.steps:
        lines += [_step_line(n, step) for n, step in enumerate(summary.steps, start=1)]
    else:
        lines.append(_("No step ran."))
    pauses = _pauses(summary)
    if pauses:
        lines += ["", pauses]
    if summary.changes:
        lines += ["", f"{h} {_('Agenda changes')}", ""]
        lines += [_change_line(change) for change in summary.changes]
    if summary.notes:
        lines += ["", f"{h} " + _("Notes"), ""]
        lines += [_note_line(note) for note in summary.notes]
    if airtime:
        lines += ["", f"{h} " + _("Who spoke how long"), ""]
        lines += _airtime_table(
            summary.circle, summary.airtime, summary.overtime, summary.turns, summary.passes
        )
    return lines


def _anonymous_line() -> str:
    said = _(
        "Names are left out: people are numbered in seat order, and names in the notes "
        "are replaced where they match someone in the circle."
    )
    return f"*{said}*"


def markdown(summary: Summary, *, names: bool = True) -> str:
    """One session's reportback in Markdown."""
    shown = summary if names else anonymize(summary)
    lines = [f"# {_md(shown.practice_title)}", ""]
    about = meeting_words(shown)
    if shown.circle_name:
        about = f"**{_md(shown.circle_name)}**" + (f" · {about}" if about else "")
    if about:
        lines.append(about + "  ")
    lines += [_when(shown), ""]
    lines += _session_body(shown, 2)
    lines += ["", "---", ""]
    if not names:
        lines += [_anonymous_line(), ""]
    footer = _(MADE_BY)
    if shown.session_id:
        footer += " " + _("Session {id}.").format(id=shown.session_id)
    lines.append(f"*{footer}*")
    return "\n".join(lines) + "\n"


def _short_day(when: datetime) -> str:
    return short_date_year(when.date())


def circle_markdown(circle: Circle, summaries: Mapping[str, Summary], *, names: bool = True) -> str:
    """A saved circle's meetings in one reportback: each meeting, airtime across them all,
    and every note. `summaries` are the meetings' sessions by id (a meeting whose journal
    is gone is still listed, from the circle's own record)."""
    mapping = aliases(circle.people)
    meetings = list(circle.meetings)
    found = [summaries.get(m.session or "") for m in meetings]
    if not names:
        for summary in found:
            if summary is not None:
                for person in summary.circle:
                    mapping.setdefault(person, _stand_in(len(mapping) + 1))
        found = [None if s is None else anonymize(s, mapping) for s in found]

    def plain(person: str) -> str:
        return person if names else mapping.get(person, person)

    def name(person: str | None) -> str:
        return "" if person is None else _md(plain(person))

    people = [plain(p) for p in circle.people]
    lines = [f"# {_md(circle.name)}", ""]
    count = ngettext("{n} meeting", "{n} meetings", len(meetings)).format(n=len(meetings))
    if meetings:
        first, last = meetings[0].date, meetings[-1].date
        if first == last:
            span = long_date(first)
        elif first.year == last.year:
            span = _("{first} to {last}").format(first=day_month(first), last=day_month_year(last))
        else:
            span = _("{first} to {last}").format(
                first=day_month_year(first), last=day_month_year(last)
            )
        count = _("{meetings}, {span}").format(meetings=count, span=span)
    lines += [f"{_people(people)} · {count}", ""]
    if not meetings:
        lines += [_("This circle has not met yet."), ""]
    else:
        lines += _meetings_table(meetings, found, name)
        lines += _totals(meetings, found, plain)
        for number, (meeting, summary) in enumerate(zip(meetings, found, strict=True), 1):
            same = summary is not None and list(summary.circle) == people
            lines += _meeting_section(number, meeting, summary, name, people=not same)
    lines += ["---", ""]
    if not names:
        lines += [_anonymous_line(), ""]
    lines.append(f"*{_(MADE_BY)}*")
    return "\n".join(lines) + "\n"


def _meetings_table(
    meetings: list[Meeting], found: list[Summary | None], name: Callable[[str | None], str]
) -> list[str]:
    focus = any(m.focus for m in meetings)
    words = [_("Date"), _("Practice"), _("Host"), *([_("Focus")] if focus else []), _("Length")]
    head = "| # | " + " | ".join(words) + " |"
    rule = "| ---: | --- | --- | --- |" + (" --- |" if focus else "") + " ---: |"
    lines = ["## " + _("Our meetings"), "", head, rule]
    for number, (meeting, summary) in enumerate(zip(meetings, found, strict=True), 1):
        day = datetime(meeting.date.year, meeting.date.month, meeting.date.day)
        length = "" if summary is None else _minutes(summary.duration)
        if summary is not None and summary.state == "ended early":
            length += _(", ended early")
        cells = [str(number), _short_day(day), _md(meeting.practice_title), name(meeting.host)]
        if focus:
            cells.append(name(meeting.focus))
        lines.append("| " + " | ".join([*cells, length]) + " |")
    return [*lines, ""]


def _totals(
    meetings: list[Meeting], found: list[Summary | None], plain: Callable[[str], str]
) -> list[str]:
    sessions = [s for s in found if s is not None]
    if not sessions:
        return [_("The sessions' journals are gone: only the meetings themselves are known."), ""]
    airtime = _added(s.airtime for s in sessions)
    overtime = _added(s.overtime for s in sessions)
    turns = {p: round(n) for p, n in _added(s.turns for s in sessions).items()}
    passes = {p: round(n) for p, n in _added(s.passes for s in sessions).items()}
    hosted: dict[str, int] = {}
    for meeting in meetings:
        if meeting.host:
            key = plain(meeting.host)
            hosted[key] = hosted.get(key, 0) + 1
    order = list(dict.fromkeys([*sessions[-1].circle, *(p for s in sessions for p in s.circle)]))
    shown = [p for p in order if p in airtime or p in turns]
    rows = _airtime_table(shown, airtime, overtime, turns, passes, (_("Hosted"), hosted))
    heading = "## " + _("Who spoke how long, all meetings together")
    return [heading, "", *rows, ""]


def _added(tallies: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Per person, the sum over every tally."""
    total: dict[str, float] = {}
    for tally in tallies:
        for person, value in tally.items():
            total[person] = total.get(person, 0.0) + value
    return total


def _meeting_section(
    number: int,
    meeting: Meeting,
    summary: Summary | None,
    name: Callable[[str | None], str],
    *,
    people: bool,
) -> list[str]:
    day = datetime(meeting.date.year, meeting.date.month, meeting.date.day)
    heading = _("Meeting {number}: {practice}, {day}").format(
        number=number, practice=_md(meeting.practice_title), day=_day(day)
    )
    lines = ["## " + heading, ""]
    intro = ""
    if meeting.focus:
        intro += _("Focus: {name}.").format(name=name(meeting.focus)) + " "
    if meeting.host:
        intro += _("Hosted by {name}.").format(name=name(meeting.host)) + " "
    if summary is None:
        return [*lines, intro + _("Its journal is gone, so there is nothing more to say."), ""]
    when = _when(summary, day=False)
    # After a sentence, so it starts as one ("De 19:00 à 19:18" in French).
    lines += [intro + when[:1].upper() + when[1:] + ".", ""]
    return [*lines, *_session_body(summary, 3, airtime=False, people=people), ""]


# --- JSON and CSV --------------------------------------------------------------------------


def as_json(summary: Summary, *, names: bool = True) -> dict[str, Any]:
    """One session's reportback as JSON-ready data."""
    shown = summary if names else anonymize(summary)
    return {**shown.to_json(), "anonymous": not names}


def circle_json(
    circle: Circle, summaries: Mapping[str, Summary], *, names: bool = True
) -> dict[str, Any]:
    """A saved circle's meetings as JSON-ready data (each with its session, when found)."""
    mapping = aliases(circle.people)
    people = list(circle.people) if names else [mapping[p] for p in circle.people]

    def who(person: str | None) -> str | None:
        if names or person is None:
            return person
        return mapping.setdefault(person, _stand_in(len(mapping) + 1))

    meetings = []
    for number, meeting in enumerate(circle.meetings, start=1):
        summary = summaries.get(meeting.session or "")
        if summary is not None and not names:
            summary = anonymize(summary, mapping)
        meetings.append(
            {
                "number": number,
                "date": meeting.date.isoformat(),
                "practice": meeting.practice_title,
                "host": who(meeting.host),
                "focus": who(meeting.focus),
                "session": meeting.session,
                "summary": None if summary is None else summary.to_json(),
            }
        )
    return {"circle": circle.name, "people": people, "meetings": meetings, "anonymous": not names}


CSV_COLUMNS = (
    "record",
    "person",
    "step",
    "title",
    "at",
    "seconds",
    "airtime",
    "overtime",
    "turns",
    "passes",
    "outcome",
    "text",
    "change",
    "id",
    "before",
    "after",
    "time",
)
"""One table for spreadsheets: a `person` row per person (airtime in seconds), a `step` row
per step (its start `at` and length in seconds from the session's start), a `note` row per
note, a `change` row per live change to the agenda (`change` its kind, `id` the step's or
topic's, `title` the step's title or the topic, `seconds` an inserted step's length,
`before`/`after` a retimed step's seconds or a fitted schedule's forecast end, `text` what
the summary says of it). Filter on `record`. `time` is the wall clock (ISO 8601) of a note
or change, when known. The last five columns came after the others, which keep their places."""


def as_csv(summary: Summary, *, names: bool = True) -> str:
    """One session's reportback as CSV (see `CSV_COLUMNS`)."""
    shown = summary if names else anonymize(summary)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for person in shown.circle:
        writer.writerow(
            {
                "record": "person",
                "person": person,
                "airtime": round(shown.airtime.get(person, 0.0), 1),
                "overtime": round(shown.overtime.get(person, 0.0), 1),
                "turns": shown.turns.get(person, 0),
                "passes": shown.passes.get(person, 0),
            }
        )
    for number, step in enumerate(shown.steps, start=1):
        writer.writerow(
            {
                "record": "step",
                "person": step.focus or "",
                "step": number,
                "title": step.title,
                "at": round(step.started, 1),
                "seconds": round(step.seconds, 1),
                "outcome": step.outcome,
            }
        )
    titles = {step.title: n for n, step in enumerate(shown.steps, start=1)}
    for note in shown.notes:
        writer.writerow(
            {
                "record": "note",
                "step": titles.get(note.step or "", ""),
                "title": note.step or "",
                "at": round(note.at, 1),
                "text": note.text,
                "time": _iso(note.wall),
            }
        )
    for change in shown.changes:
        writer.writerow(
            {
                "record": "change",
                "title": change.title or "",
                "at": round(change.at, 1),
                "seconds": "" if change.seconds is None else round(change.seconds, 1),
                "text": change.line(),
                "change": change.kind,
                "id": change.step or "",
                "before": "" if change.before is None else round(change.before, 1),
                "after": "" if change.after is None else round(change.after, 1),
                "time": _iso(change.wall),
            }
        )
    return out.getvalue()


def _iso(when: datetime | None) -> str:
    return "" if when is None else when.isoformat(timespec="seconds")
