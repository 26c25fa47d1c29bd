"""The `circles`, `history` and `export` commands: saved circles, the sessions kept, and
reportbacks, from the command line.

Each returns an exit status: 0 when done, 2 for bad input or something that cannot be done
(one line on stderr, `circlekeeper: what is wrong`, no traceback). Nothing the user wrote
is lost: a circles file that cannot be read is never overwritten.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, TextIO

from circlekeeper.i18n import N_, _, ngettext
from circlekeeper.records.circles import Circle, CircleStore, CircleStoreError

ExportFormat = Literal["md", "json", "csv"]


def _fail(message: str, err: TextIO | None = None) -> int:
    print(f"circlekeeper: {message}", file=err or sys.stderr)
    return 2


def split_people(text: str) -> list[str]:
    """`"Ana, Ben,Cy"` -> ["Ana", "Ben", "Cy"] (blanks dropped)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def parse_roles(given: Sequence[str], people: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """`["host=Ana", "scribe=Cy,Dee", "scribe=Ben"]` -> {"host": ("Ana",), "scribe": (...)}.

    Names are matched to the circle ignoring case and take its spelling; `ValueError` with
    a sentence for a malformed one or a name not in the circle.
    """
    spelled = {p.casefold(): p for p in people}
    roles: dict[str, list[str]] = {}
    for item in given:
        role, sep, names = item.partition("=")
        if not sep or not role.strip() or not split_people(names):
            raise ValueError(
                _("--role '{item}' should read ROLE=NAME, like --role scribe=Cy").format(item=item)
            )
        holders = roles.setdefault(role.strip(), [])
        for name in split_people(names):
            person = spelled.get(name.casefold())
            if person is None:
                raise ValueError(
                    _("--role '{item}': {name} is not in the circle").format(item=item, name=name)
                )
            if person not in holders:
                holders.append(person)
    return {role: tuple(holders) for role, holders in roles.items()}


def _store(err: TextIO | None) -> CircleStore:
    store = CircleStore()
    if store.problem:
        print(
            "circlekeeper: " + _("warning: {what}").format(what=store.problem),
            file=err or sys.stderr,
        )
    return store


def _describe(circle: Circle) -> dict[str, object]:
    """A circle as `circles show --json` gives it; `next_meeting` counts from 1."""
    return {
        "name": circle.name,
        "people": list(circle.people),
        "roles": {role: list(holders) for role, holders in circle.roles.items()},
        "meetings": [
            {"number": number, **meeting.to_json()}
            for number, meeting in enumerate(circle.meetings, start=1)
        ],
        "next_meeting": circle.meeting_count + 1,
        "next_host": circle.people[circle.meeting_count % len(circle.people)],
        "focus_order": list(circle.focus_order),
    }


def circles_add(
    name: str,
    people_text: str,
    roles: Sequence[str] = (),
    *,
    focus_order: str | None = None,
    replace: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """`circles add`: save a circle (with `replace`, new people and roles for one saved).

    `focus_order` ("Cy,Ana") is the order in which people take the focus, remembered for
    its meetings; without it a replaced circle keeps its order, in step with its people.
    """
    out = out or sys.stdout
    people = split_people(people_text)
    if not people:
        return _fail(_('--people names nobody; name them like --people "Ana,Ben,Cy"'), err)
    order = None if focus_order is None else split_people(focus_order)
    if order is not None and not order:
        return _fail(
            _('{option} names nobody; name the people like {option} "Cy,Ana,Ben"').format(
                option="--focus-order"
            ),
            err,
        )
    try:
        given = parse_roles(roles, people)
        store = _store(err)
        existing = store.get(name)
        if existing is not None and not replace:
            held = existing.meeting_count
            return _fail(
                ngettext(
                    "there is already a circle called '{name}' ({n} meeting); --replace gives "
                    "it these people and roles, keeping its meetings",
                    "there is already a circle called '{name}' ({n} meetings); --replace gives "
                    "it these people and roles, keeping its meetings",
                    held,
                ).format(name=existing.name, n=held),
                err,
            )
        circle = store.save(name, people, given, order)
    except (ValueError, CircleStoreError) as error:
        return _fail(str(error), err)
    said = (
        _("Saved '{name}': {people}.")
        if existing is None
        else _("Replaced the people and roles of '{name}': {people}.")
    )
    print(said.format(name=circle.name, people=", ".join(circle.people)), file=out)
    if circle.focus_order:
        print(_focus_order_line(circle), file=out)
    return 0


def _focus_order_line(circle: Circle) -> str:
    return "  " + _("focus order: {people}").format(people=", ".join(circle.focus_order))


def circles_list(*, as_json: bool = False, out: TextIO | None = None) -> int:
    """`circles list`: one line per saved circle."""
    out = out or sys.stdout
    circles = _store(None).list()
    if as_json:
        print(json.dumps([_describe(c) for c in circles], indent=2, ensure_ascii=False), file=out)
        return 0
    if not circles:
        print(
            _('No saved circles yet: circlekeeper circles add NAME --people "Ana,Ben,Cy"'),
            file=out,
        )
        return 0
    width = max(len(c.name) for c in circles)
    for circle in circles:
        held = circle.meeting_count
        size = ngettext("{n} person", "{n} people", len(circle.people)).format(n=len(circle.people))
        meetings = ngettext("{n} meeting", "{n} meetings", held).format(n=held)
        last = _(", last {date}").format(date=circle.meetings[-1].date.isoformat()) if held else ""
        print(f"{circle.name:<{width}}  {size}, {meetings}{last}", file=out)
    return 0


def circles_show(
    name: str, *, as_json: bool = False, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """`circles show`: a circle's people, roles, meetings, and who hosts the next one."""
    out = out or sys.stdout
    circle = _store(err).get(name)
    if circle is None:
        return _fail(
            _("no saved circle called '{name}'; `circlekeeper circles list` lists them").format(
                name=name
            ),
            err,
        )
    about = _describe(circle)
    if as_json:
        print(json.dumps(about, indent=2, ensure_ascii=False), file=out)
        return 0
    print(circle.name, file=out)
    print(
        "  " + _("people, in seat order: {people}").format(people=", ".join(circle.people)),
        file=out,
    )
    for role, holders in circle.roles.items():
        print(f"  {role}: {', '.join(holders)}", file=out)
    if circle.focus_order:
        print(_focus_order_line(circle), file=out)
    for number, meeting in enumerate(circle.meetings, start=1):
        parts = [
            "  " + _("meeting {n}").format(n=number),
            meeting.date.isoformat(),
            meeting.practice_title,
        ]
        if meeting.host:
            parts.append(_("hosted by {name}").format(name=meeting.host))
        if meeting.focus:
            parts.append(_("focus: {name}").format(name=meeting.focus))
        if meeting.session:
            parts.append(_("session {id}").format(id=meeting.session))
        print(" · ".join(parts), file=out)
    print(
        "  "
        + _("next: meeting {n} · hosted by {name}").format(
            n=about["next_meeting"], name=about["next_host"]
        ),
        file=out,
    )
    return 0


def circles_remove(name: str, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`circles remove`: forget a circle (its sessions stay in the history)."""
    out = out or sys.stdout
    try:
        store = _store(err)
        circle = store.get(name)
        if circle is None or not store.delete(name):
            return _fail(_("no saved circle called '{name}'").format(name=name), err)
    except CircleStoreError as error:
        return _fail(str(error), err)
    print(
        _("Removed '{name}'. Its sessions stay in `circlekeeper history`.").format(
            name=circle.name
        ),
        file=out,
    )
    return 0


def circles_rename(
    old: str, new: str, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """`circles rename`: a new name, the same people, roles and meetings."""
    out = out or sys.stdout
    try:
        renamed = _store(err).rename(old, new)
    except KeyError:
        return _fail(_("no saved circle called '{name}'").format(name=old), err)
    except (ValueError, CircleStoreError) as error:
        return _fail(str(error), err)
    print(_("Renamed '{old}' to '{new}'.").format(old=old, new=renamed.name), file=out)
    return 0


def history_command(*, as_json: bool = False, out: TextIO | None = None) -> int:
    """`history`: one row per session kept, oldest first."""
    from circlekeeper.records.history import history

    out = out or sys.stdout
    rows = history()
    if as_json:
        data = [row.to_json() for row in rows]
        print(json.dumps(data, indent=2, ensure_ascii=False), file=out)
        return 0
    if not rows:
        print(_("No sessions kept yet."), file=out)
        return 0
    width = max(len(row.id) for row in rows)
    for row in rows:
        print(f"{row.id:<{width}}  {row.line()}", file=out)
    return 0


CONSENT_QUESTION = N_(
    "Names of the people in the circle go into the reportback only if the group agreed. Did they?"
)
CONSENT_CHOICES = {"y": N_("yes, with names"), "n": N_("no: number people instead")}


def export_command(
    session: str | None,
    *,
    circle: str | None,
    fmt: ExportFormat,
    names: bool | None,
    output: Path | None,
    ask: Callable[[str, dict[str, str]], str | None],
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """`export`: one session's reportback (md, json, csv), or a saved circle's meetings in
    one (md, json). Names go in only with the group's consent: `names` None asks (`ask`
    gives None when there is no terminal to ask on: then nothing is exported)."""
    from circlekeeper.records import export
    from circlekeeper.records.atomic import atomic_write_text
    from circlekeeper.records.history import find_session
    from circlekeeper.records.journal import list_journals, read_journal, summarize_journal

    out = out or sys.stdout
    if (session is None) == (circle is None):
        return _fail(
            _("name a session (see `circlekeeper history`) or a saved circle (--circle)"), err
        )
    render: Callable[[bool], str]
    if circle is not None:
        if fmt == "csv":
            return _fail(_("a circle's reportback is Markdown (md) or JSON"), err)
        saved = _store(err).get(circle)
        if saved is None:
            return _fail(_("no saved circle called '{name}'").format(name=circle), err)
        wanted = {m.session for m in saved.meetings if m.session}
        summaries = {}
        for path in list_journals():
            contents = read_journal(path, repair=False)
            if contents.id in wanted and contents.header is not None:
                summaries[contents.id] = summarize_journal(contents)

        def render(names: bool) -> str:
            if fmt == "md":
                return export.circle_markdown(saved, summaries, names=names)
            data = export.circle_json(saved, summaries, names=names)
            return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    else:
        assert session is not None
        try:
            contents = read_journal(find_session(session), repair=False)
        except LookupError as error:
            return _fail(str(error), err)
        except OSError as error:
            return _fail(
                _("cannot read the session: {why}").format(why=error.strerror or error), err
            )
        if contents.header is None:
            return _fail(
                _("{id} has no header: there is nothing to report").format(id=contents.id), err
            )
        summary = summarize_journal(contents)

        def render(names: bool) -> str:
            if fmt == "md":
                return export.markdown(summary, names=names)
            if fmt == "json":
                data = export.as_json(summary, names=names)
                return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            return export.as_csv(summary, names=names)

    if names is None:
        answer = ask(_(CONSENT_QUESTION), {k: _(v) for k, v in CONSENT_CHOICES.items()})
        if answer is None:
            return _fail(
                _(
                    "say whether the group agreed to be named: --names or --anonymous (there "
                    "is no terminal to ask on, or no answer came)"
                ),
                err,
            )
        names = answer == "y"
    text = render(names)
    if output is None:
        out.write(text)
        return 0
    try:
        atomic_write_text(output, text)
    except OSError as error:
        return _fail(
            _("{path}: cannot write it: {why}").format(path=output, why=error.strerror or error),
            err,
        )
    said = _("Wrote {path}.") if names else _("Wrote {path} (people numbered, no names).")
    print(said.format(path=output), file=err or sys.stderr)
    return 0
