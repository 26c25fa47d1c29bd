"""Saved circles: who is in a crew, which roles they hold, and the memory of its meetings.

All circles live in one JSON file, `data_dir()/circles.json`, replaced atomically on every
change. Each circle keeps its meetings (date, practice, host, focus, the session's id),
recorded when a session ends: `meeting_count` is the number the next session is set up with,
`focus_history` who has already been in focus, and who hosts it (and who is in focus) is the
engine's rule (`plan_circle`), never decided here: records count, they do not rotate. A
circle also remembers the focus order last chosen for it (at `circles add`, or for a meeting
it held), and keeps it in step with its people by the engine's rule (`carried_focus_order`).
Files written before circles had a focus order read as circles without one.

A file that cannot be read as circles is never thrown away: it is copied to a `.bak` file
beside it, what could be salvaged is kept, and `problem` says what happened.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circlekeeper.engine.setup import carried_focus_order
from circlekeeper.paths import data_dir
from circlekeeper.records.atomic import atomic_write_bytes, atomic_write_json

MAX_NAME = 60
STORE_VERSION = 1


class CircleStoreError(Exception):
    """The circles file could not be written (or must not be, because it could not be read)."""


@dataclass(frozen=True)
class Meeting:
    """One meeting of a circle, as it was recorded when its session ended."""

    date: dt.date
    practice_title: str
    host: str | None = None
    focus: str | None = None
    session: str | None = None
    """The id of the session's journal (`circlekeeper history`), when there was one."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "date": self.date.isoformat(),
            "practice": self.practice_title,
            "host": self.host,
            "focus": self.focus,
            "session": self.session,
        }

    @classmethod
    def from_json(cls, data: Any) -> Meeting:
        """Read one back; `ValueError` when malformed."""
        if not isinstance(data, dict):
            raise ValueError("a meeting must be an object")
        host, focus, session = data.get("host"), data.get("focus"), data.get("session")
        if not isinstance(data.get("practice"), str):
            raise ValueError("a meeting needs its practice")
        if not all(v is None or isinstance(v, str) for v in (host, focus, session)):
            raise ValueError("host, focus and session must be texts")
        date = dt.date.fromisoformat(str(data.get("date")))
        return cls(date, data["practice"], host, focus, session)


@dataclass(frozen=True)
class Circle:
    """A saved circle: people in seating order, role holders, and its meetings (oldest first)."""

    name: str
    people: tuple[str, ...]
    roles: dict[str, tuple[str, ...]]
    meetings: tuple[Meeting, ...] = ()
    focus_order: tuple[str, ...] = ()
    """The order in which its members take the focus, everyone in it (empty: none chosen:
    the engine's default, around the circle from the second seat)."""

    @property
    def meeting_count(self) -> int:
        """How many meetings were recorded."""
        return len(self.meetings)

    @property
    def focus_history(self) -> tuple[str | None, ...]:
        """Who was in focus at each recorded meeting, oldest first (None: no focus): what
        `plan_circle` reads to give everyone the focus once before anyone has it twice."""
        return tuple(m.focus for m in self.meetings)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (without the name, which is its key in the file)."""
        return {
            "people": list(self.people),
            "roles": {role: list(holders) for role, holders in self.roles.items()},
            "meetings": [m.to_json() for m in self.meetings],
            "focus_order": list(self.focus_order),
        }


def check_name(name: str, what: str = "name") -> str:
    """A name with its spaces trimmed; `ValueError` when empty or longer than 60 characters."""
    if not isinstance(name, str):
        raise ValueError(f"the {what} must be text")
    trimmed = " ".join(name.split())
    if not trimmed:
        raise ValueError(f"the {what} must not be empty")
    if len(trimmed) > MAX_NAME:
        raise ValueError(f"the {what} {trimmed[:20]!r}... is longer than {MAX_NAME} characters")
    return trimmed


def _check_people(people: Sequence[str]) -> tuple[str, ...]:
    names = tuple(check_name(p, "person's name") for p in people)
    seen: set[str] = set()
    for person in names:
        if person.casefold() in seen:
            raise ValueError(f"{person!r} is in the circle twice")
        seen.add(person.casefold())
    return names


def _check_roles(
    roles: Mapping[str, Sequence[str]], people: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    checked: dict[str, tuple[str, ...]] = {}
    for role, holders in roles.items():
        role_name = check_name(role, "role")
        names = tuple(check_name(h, "person's name") for h in holders)
        strangers = [h for h in names if h not in people]
        if strangers:
            raise ValueError(f"{', '.join(strangers)} hold {role_name!r} but are not in the circle")
        checked[role_name] = names
    return checked


def _circle_from_json(name: str, data: Any) -> Circle:
    if not isinstance(data, dict):
        raise ValueError("not an object")
    people = _check_people(list(data.get("people", [])))
    roles = _check_roles(dict(data.get("roles", {})), people)
    meetings = tuple(Meeting.from_json(m) for m in data.get("meetings", []))
    order = data.get("focus_order", [])
    if not isinstance(order, list) or not all(isinstance(p, str) for p in order):
        raise ValueError("the focus order must be a list of names")
    # Kept in step with the people, whatever the file says (a hand edit, an older version).
    focus_order = carried_focus_order(order, people)
    return Circle(check_name(name, "circle's name"), people, roles, meetings, focus_order)


def _check_focus_order(order: Sequence[str], people: tuple[str, ...]) -> tuple[str, ...]:
    """A focus order chosen for a circle, completed with everyone else in seat order;
    `ValueError` for a name not in the circle or named twice."""
    spelled = {p.casefold(): p for p in people}
    chosen: list[str] = []
    for name in order:
        person = spelled.get(" ".join(name.split()).casefold())
        if person is None:
            raise ValueError(f"{name} is in the focus order, but not in the circle")
        if person in chosen:
            raise ValueError(f"the focus order names {person} twice")
        chosen.append(person)
    return carried_focus_order(chosen, people)


class CircleStore:
    """The saved circles. Each change re-reads the file first, so two windows do not fight."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else data_dir() / "circles.json"
        self.problem: str | None = None
        """What went wrong reading the file (shown to the user once); None when all is well."""
        self.backup: Path | None = None
        """Where the unreadable original was kept, when it was."""
        self._read_only = False
        self._circles: dict[str, Circle] = {}
        self._load()

    # --- reading ---------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self._circles = {}
            return
        except OSError as exc:
            # Unreadable (permissions, a bad disk): saving would overwrite what we could not
            # read, so refuse to write until it can be read.
            self._circles = {}
            self._read_only = True
            self.problem = f"cannot read {self.path.name}: {exc.strerror or exc}"
            return
        self._read_only = False
        circles, trouble = self._parse(raw)
        self._circles = circles
        if trouble:
            self._keep_backup(raw, trouble)

    def _parse(self, raw: bytes) -> tuple[dict[str, Circle], list[str]]:
        """Everything that can be read, and what could not."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            return {}, [f"not valid JSON ({exc})"]
        if not isinstance(data, dict) or not isinstance(data.get("circles"), dict):
            return {}, ["not a circles file"]
        circles: dict[str, Circle] = {}
        trouble = []
        for name, entry in data["circles"].items():
            try:
                circle = _circle_from_json(name, entry)
            except (ValueError, TypeError) as exc:
                trouble.append(f"circle {name!r}: {exc}")
                continue
            if circle.name.casefold() in (n.casefold() for n in circles):
                trouble.append(f"circle {name!r} appears twice")
                continue
            circles[circle.name] = circle
        return circles, trouble

    def _keep_backup(self, raw: bytes, trouble: list[str]) -> None:
        """Copy the original aside, then write what was salvaged, so this happens once."""
        for attempt in range(1, 1000):
            suffix = ".bak" if attempt == 1 else f".{attempt}.bak"
            candidate = self.path.with_name(self.path.name + suffix)
            try:
                atomic_write_bytes(candidate, raw, overwrite=False)
            except FileExistsError:
                continue
            except OSError as exc:
                self._read_only = True
                self.problem = (
                    f"{self.path.name} could not be read ({'; '.join(trouble)}) and no backup "
                    f"could be made ({exc.strerror or exc}); it is left as it is"
                )
                return
            self.backup = candidate
            break
        kept = len(self._circles)
        self.problem = (
            f"{self.path.name} could not be fully read ({'; '.join(trouble)}); the original is "
            f"kept as {self.backup.name if self.backup else '?'}, {kept} circle(s) recovered"
        )
        with contextlib.suppress(CircleStoreError):  # the backup exists; next save retries
            self._write()

    def list(self) -> list[Circle]:
        """Every saved circle, by name."""
        return sorted(self._circles.values(), key=lambda c: c.name.casefold())

    def names(self) -> builtins.list[str]:
        """The names of the saved circles, in order."""
        return [c.name for c in self.list()]

    def get(self, name: str) -> Circle | None:
        """The circle called `name` (ignoring case), or None."""
        key = self._key(name)
        return None if key is None else self._circles[key]

    def meeting_count(self, name: str) -> int:
        """Meetings recorded so far: what the next session passes to `plan_circle` as its
        `meeting` (0 for a circle not saved)."""
        circle = self.get(name)
        return 0 if circle is None else circle.meeting_count

    # --- changing --------------------------------------------------------------------------

    def save(
        self,
        name: str,
        people: Sequence[str],
        roles: Mapping[str, Sequence[str]] | None = None,
        focus_order: Sequence[str] | None = None,
    ) -> Circle:
        """Save a circle (new, or replacing the people and roles of one of that name).

        Its meetings are kept. `focus_order` (names of its people) is the order in which they
        take the focus; None keeps the order it had, in step with its people now.
        `ValueError` for a bad name; `CircleStoreError` when the file cannot be written.
        """
        title = check_name(name, "circle's name")
        checked = _check_people(people)
        if not checked:
            raise ValueError("a circle needs at least one person")
        checked_roles = _check_roles(roles or {}, checked)
        chosen = None if focus_order is None else _check_focus_order(focus_order, checked)
        self._reload()
        key = self._key(title)
        old = self._circles.get(key) if key is not None else None
        meetings = old.meetings if old is not None else ()
        if chosen is None:
            chosen = carried_focus_order(old.focus_order if old else (), checked)
        if key is not None:
            del self._circles[key]
        circle = Circle(title, checked, checked_roles, meetings, chosen)
        self._circles[title] = circle
        self._write()
        return circle

    def delete(self, name: str) -> bool:
        """Forget a circle; False when there was none of that name."""
        self._reload()
        key = self._key(name)
        if key is None:
            return False
        del self._circles[key]
        self._write()
        return True

    def rename(self, old: str, new: str) -> Circle:
        """Give a circle a new name, keeping its people, roles and meetings.

        `KeyError` when there is no circle called `old`; `ValueError` when `new` is not a
        good name or another circle has it.
        """
        title = check_name(new, "circle's name")
        self._reload()
        key = self._key(old)
        if key is None:
            raise KeyError(old)
        taken = self._key(title)
        if taken is not None and taken != key:
            raise ValueError(f"there is already a circle called {taken!r}")
        circle = self._circles.pop(key)
        renamed = dataclasses.replace(circle, name=title)
        self._circles[title] = renamed
        self._write()
        return renamed

    def record_meeting(
        self,
        name: str,
        practice_title: str,
        host: str | None = None,
        focus: str | None = None,
        date: dt.date | None = None,
        session: str | None = None,
        focus_order: Sequence[str] = (),
    ) -> Circle:
        """Remember that the circle met (default: today). `KeyError` for an unknown circle.

        A session already recorded (the same `session` id) is not recorded twice. A
        `focus_order` the meeting had (chosen for it, or brought from the circle) is
        remembered for the meetings to come.
        """
        self._reload()
        key = self._key(name)
        if key is None:
            raise KeyError(name)
        circle = self._circles[key]
        if session is not None and any(m.session == session for m in circle.meetings):
            return circle
        meeting = Meeting(date or dt.date.today(), practice_title, host, focus, session)
        order = carried_focus_order(focus_order, circle.people) or circle.focus_order
        updated = dataclasses.replace(
            circle, meetings=(*circle.meetings, meeting), focus_order=order
        )
        self._circles[key] = updated
        self._write()
        return updated

    # --- internals -------------------------------------------------------------------------

    def _key(self, name: str) -> str | None:
        wanted = " ".join(str(name).split()).casefold()
        return next((key for key in self._circles if key.casefold() == wanted), None)

    def _reload(self) -> None:
        """Pick up changes another window saved; keep our view if the file went bad meanwhile."""
        if self._read_only:
            self._load()
            if self._read_only:
                raise CircleStoreError(self.problem or f"{self.path.name} cannot be read")
            return
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise CircleStoreError(f"cannot read {self.path.name}: {exc.strerror or exc}") from exc
        circles, trouble = self._parse(raw)
        if trouble:
            self._circles = {**circles, **self._circles}
            self._keep_backup(raw, trouble)
        else:
            self._circles = circles

    def _write(self) -> None:
        if self._read_only:
            raise CircleStoreError(self.problem or f"{self.path.name} cannot be read")
        data = {
            "version": STORE_VERSION,
            "circles": {name: c.to_json() for name, c in sorted(self._circles.items())},
        }
        try:
            atomic_write_json(self.path, data)
        except OSError as exc:
            raise CircleStoreError(f"cannot save {self.path.name}: {exc.strerror or exc}") from exc
