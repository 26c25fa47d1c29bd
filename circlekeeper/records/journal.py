"""The session journal: every engine event, on disk the moment it happens.

One JSON object per line (JSONL) in `data_dir()/journals/<YYYYmmdd-HHMMSS>-<slug>.jsonl`:

- a `{"record": "header", ...}` line first: the practice (its path and a hash of its bytes),
  the whole circle plan, the saved circle's name and the options: all it takes to set the
  session up again;
- one line per engine event: `event.to_json()` plus `wall` (epoch seconds);
- `{"record": "checkpoint", "t": ...}` at least every second while a session runs, so a
  session cut short comes back within a second of where it stopped;
- `{"record": "resumed", "t": ...}` where a cut-short session was picked up again (session
  time carries on: the resumed engine is the old one, rebuilt by replaying its commands);
- `{"record": "closed", "summary": ...}` when the app closed the journal itself;
- `{"record": "discarded"}` when the facilitator chose not to resume it.

Each line is written, flushed and fsynced before `append` returns, so a crash loses at most
the record being written. On reading, a torn last line is cut away (or, if it is a whole
record missing only its newline, completed), so the next append never glues onto it. A bad
line in the middle is reported and skipped, never fatal. While a `Journal` is open it holds an
advisory lock on its file, so another window neither repairs nor resumes a live session.

A full disk: a write that fails is cut back at once, so the file always parses; what could
not be written is kept and written when space returns. Each journal holds a small reserve of
disk space beyond its end, so the records that end a session fit even on a full disk.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import sys
import threading
import time
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from circlekeeper import __version__
from circlekeeper.engine.events import EVENT_TYPES, Event, SessionEnded
from circlekeeper.engine.setup import CirclePlan
from circlekeeper.paths import PRIVATE_FILE, data_dir, private_dir
from circlekeeper.records.atomic import fsync_dir
from circlekeeper.records.summary import (
    Ledger,
    Summary,
    slugify,
    summary_from_ledger,
    with_circle,
)

try:  # advisory locks are POSIX-only; elsewhere a journal simply is never "in use"
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

JOURNAL_VERSION = 2
"""2: the header keeps the whole plan and the script's hash; checkpoints; resumes carry on."""
SUFFIX = ".jsonl"
CHECKPOINT_SYNC_EVERY = 4.9
"""Session seconds between checkpoints synced to the disk (every event is synced). Those
in between are written, not synced: an app that crashes or is killed loses none of them
(the system has them), a power cut at most this much more. A running sit checkpoints once
a second, and its fsync costs about twice the CPU of the rest of a checkpoint: this syncs
one in five."""
_EVENTS_BY_NAME: dict[str, type[Event]] = {cls.name: cls for cls in EVENT_TYPES}

WallClock = Callable[[], float]


def journals_dir() -> Path:
    """Where journals live."""
    return data_dir() / "journals"


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalHeader:
    """What a session was set up with: enough to set it up again."""

    practice_title: str
    practice_path: str | None
    circle: tuple[str, ...]
    roles: dict[str, tuple[str, ...]]
    seed: int | None
    options: dict[str, Any]
    started_wall: float
    version: int = JOURNAL_VERSION
    app_version: str = __version__
    practice_sha256: str | None = None
    """A hash of the script's bytes when the session began: resuming says if it changed."""
    plan: dict[str, Any] | None = None
    """The whole circle plan (`plan_to_json`): seats, starter, host, roles, seed, meeting."""
    circle_name: str | None = None
    """The saved circle this session is a meeting of, if any."""

    @property
    def started(self) -> datetime:
        """When the journal was started, local time."""
        return datetime.fromtimestamp(self.started_wall).astimezone()

    def to_json(self) -> dict[str, Any]:
        """The header line."""
        return {
            "record": "header",
            "version": self.version,
            "app_version": self.app_version,
            "practice": self.practice_title,
            "practice_path": self.practice_path,
            "practice_sha256": self.practice_sha256,
            "circle_name": self.circle_name,
            "circle": list(self.circle),
            "roles": {role: list(people) for role, people in self.roles.items()},
            "seed": self.seed,
            "plan": self.plan,
            "options": self.options,
            "wall": self.started_wall,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JournalHeader:
        """Read a header line; `ValueError` when it is not one."""
        try:
            circle = tuple(str(p) for p in data["circle"])
            roles = {str(r): tuple(str(p) for p in ps) for r, ps in data.get("roles", {}).items()}
            seed = data.get("seed")
            path = data.get("practice_path")
            options = data.get("options") or {}
            plan = data.get("plan")
            sha = data.get("practice_sha256")
            circle_name = data.get("circle_name")
            if seed is not None and not isinstance(seed, int):
                raise TypeError("seed")
            if not isinstance(options, dict):
                raise TypeError("options")
            if plan is not None and not isinstance(plan, dict):
                raise TypeError("plan")
            if not all(v is None or isinstance(v, str) for v in (sha, circle_name)):
                raise TypeError("practice_sha256 or circle_name")
            return cls(
                practice_title=str(data["practice"]),
                practice_path=None if path is None else str(path),
                circle=circle,
                roles=roles,
                seed=seed,
                options=options,
                started_wall=float(data["wall"]),
                version=int(data.get("version", JOURNAL_VERSION)),
                app_version=str(data.get("app_version", "")),
                practice_sha256=sha,
                plan=plan,
                circle_name=circle_name,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a journal header ({exc})") from exc


def plan_to_json(plan: CirclePlan) -> dict[str, Any]:
    """A circle plan as JSON-ready data, every field of it."""
    data: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(plan)))
    return data  # tuples became lists, as they will be on disk


def plan_from_json(data: Mapping[str, Any]) -> CirclePlan:
    """The circle plan a header kept; `ValueError` when it is not one.

    Fields a later version added and this one does not know are left out; fields this
    version has and an older journal lacks take their defaults, where they have one.
    """
    return _from_json(CirclePlan, data, "the circle plan")


_HINTS: dict[type, dict[str, Any]] = {}

D = TypeVar("D")


def _from_json(cls: type[D], data: Mapping[str, Any], label: str) -> D:
    """A dataclass from its JSON form, each field turned back into its declared type;
    `ValueError` naming the field (after `label`) when it cannot be."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        if spec.name not in data:
            if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
                raise ValueError(f"{label} lacks {spec.name!r}")
            continue
        try:
            values[spec.name] = _coerce(hints[spec.name], data[spec.name])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{label}.{spec.name}: {exc}") from exc
    return cls(**values)


def _coerce(tp: Any, value: Any) -> Any:
    """Turn a JSON value back into the type a dataclass field declares (lists to tuples)."""
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        if value is None and type(None) in get_args(tp):
            return None
        errors = []
        for option in get_args(tp):
            if option is type(None):
                continue
            try:
                return _coerce(option, value)
            except (TypeError, ValueError) as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors) or f"unexpected {value!r}")
    if origin is Literal:
        if value not in get_args(tp):
            raise ValueError(f"{value!r} is not one of {get_args(tp)}")
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected a list, got {value!r}")
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(args[0], item) for item in value)
        if len(args) != len(value):
            raise ValueError(f"expected {len(args)} items, got {len(value)}")
        return tuple(_coerce(arg, item) for arg, item in zip(args, value, strict=True))
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {value!r}")
        key_type, value_type = get_args(tp)
        return {_coerce(key_type, k): _coerce(value_type, v) for k, v in value.items()}
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected a number, got {value!r}")
        return float(value)
    if tp is int or tp is str or tp is bool:
        if type(value) is not tp:
            raise TypeError(f"expected {tp.__name__}, got {value!r}")
        return value
    return value


def event_from_json(data: Mapping[str, Any]) -> Event:
    """Rebuild an engine event from its `to_json()` form; `ValueError` when it cannot be."""
    name = data.get("event")
    cls = _EVENTS_BY_NAME.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown event {name!r}")
    return _from_json(cls, data, str(name))


@dataclass(frozen=True)
class JournalEntry:
    """One event read back: `event.t` is session time across resumes, `line` is 1-based."""

    line: int
    event: Event
    wall: float | None
    segment: int


JournalStatus = Literal["running", "finished", "ended early", "ended", "discarded", "unfinished"]
"""How a journal's session stands: `ended` is one that ended but whose last records were lost
(the disk stayed full); `unfinished` is one cut short, to be resumed or discarded."""

ENDED_MARK = ".ended"
"""Put before `.jsonl` when a session ended but its last records could not be written: the
name alone then says it is not to be resumed."""


@dataclass
class JournalContents:
    """A journal read back. Problems are listed, never raised."""

    path: Path
    header: JournalHeader | None = None
    entries: list[JournalEntry] = field(default_factory=list)
    closed: dict[str, Any] | None = None
    """The `closed` record, when the app closed the journal itself."""
    resumes: int = 0
    """How many times the session was picked up again after a crash."""
    problems: list[str] = field(default_factory=list)
    """Lines that could not be read, and anything else worth a warning."""
    repaired: str | None = None
    """What reading repaired at the end of the file, if anything."""
    in_use: bool = False
    """Another open journal (a live session) holds this file."""
    last_t: float = 0.0
    """The latest session time recorded (events, checkpoints, resumes): how far it got."""
    last_wall: float | None = None
    """Epoch seconds of the latest record that has one: when it stopped."""
    discarded: float | None = None
    """When the facilitator chose not to resume it (epoch seconds), if they did."""

    @property
    def id(self) -> str:
        """The session's id: its file name without the ending."""
        return session_id(self.path)

    @property
    def events(self) -> list[Event]:
        """The events in order, session times continuing across resumes."""
        return [entry.event for entry in self.entries]

    @property
    def ended(self) -> bool:
        """The engine said the session was over (a `session_ended` record)."""
        return any(entry.event.name == "session_ended" for entry in self.entries)

    @property
    def end_lost(self) -> bool:
        """The session ended, but its last records never reached the disk (see `ENDED_MARK`)."""
        return self.path.name.endswith(ENDED_MARK + SUFFIX) and not self.ended

    @property
    def finished(self) -> bool:
        """Nothing to resume: the session ended, or the app closed the journal itself."""
        return self.ended or self.closed is not None or self.end_lost

    @property
    def resumable(self) -> bool:
        """A session cut short that can be picked up again (not discarded, not live)."""
        return (
            self.header is not None
            and not self.finished
            and not self.in_use
            and self.discarded is None
        )

    @property
    def status(self) -> JournalStatus:
        """How the session stands, in a word or two."""
        if self.in_use:
            return "running"
        for entry in reversed(self.entries):
            event = entry.event
            if isinstance(event, SessionEnded):
                return "finished" if event.reason == "done" else "ended early"
        if self.finished:
            return "ended"
        return "discarded" if self.discarded is not None else "unfinished"


def session_id(path: Path) -> str:
    """A journal's session id: its file name without `.jsonl` (and without `.ended`)."""
    return path.name.removesuffix(SUFFIX).removesuffix(ENDED_MARK)


def _parse_line(raw: bytes) -> dict[str, Any]:
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


def _salvage_glued(raw: bytes) -> dict[str, Any] | None:
    """A whole record glued onto the end of a torn one (a writer that appended after a crash
    without repairing first): find where it starts and keep it."""
    for marker in (b'{"t":', b'{"record":'):
        position = raw.find(marker, 1)
        while position != -1:
            try:
                return _parse_line(raw[position:])
            except (ValueError, UnicodeDecodeError):
                position = raw.find(marker, position + 1)
    return None


def _lock(fd: int) -> bool:
    """Take the file's advisory lock without waiting; False when someone else holds it."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True  # filesystems without locks: behave as if we hold it
    return True


def _read_fd(path: Path, fd: int, *, repair: bool) -> JournalContents:
    """Parse the journal open on `fd`; repair a torn tail when `repair` (the lock is held)."""
    contents = JournalContents(path=path)
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    data = b"".join(chunks)

    pieces = data.split(b"\n")
    tail = pieces.pop()  # bytes after the last newline: empty unless the last write was torn
    lines: list[tuple[int, dict[str, Any] | None, int]] = []  # (line number, record, start)
    start = 0
    glued: list[int] = []
    for number, raw in enumerate(pieces, start=1):
        if raw.strip():
            try:
                lines.append((number, _parse_line(raw), start))
            except (ValueError, UnicodeDecodeError):
                record = _salvage_glued(raw)
                if record is not None:
                    glued.append(number)
                lines.append((number, record, start))
        start += len(raw) + 1

    cut_to: int | None = None  # truncate the file to this size
    complete_tail = False  # append the missing newline
    if tail.strip(b"\x00 \t\r"):
        try:
            last = _parse_line(tail)
        except (ValueError, UnicodeDecodeError):
            cut_to = len(data) - len(tail)
            contents.repaired = f"cut away a torn last record ({len(tail)} bytes)"
        else:
            lines.append((len(pieces) + 1, last, start))
            complete_tail = True
            contents.repaired = "completed a last record that lacked its line end"
    elif tail:
        cut_to = len(data) - len(tail)
        contents.repaired = f"cut away {len(tail)} stray bytes at the end"
    if cut_to is None and not complete_tail and lines and lines[-1][1] is None:
        number, _, cut_to = lines.pop()
        contents.repaired = f"cut away an unreadable last record (line {number})"

    if contents.repaired is not None:
        if repair:
            try:
                if cut_to is not None:
                    os.ftruncate(fd, cut_to)
                else:
                    os.lseek(fd, 0, os.SEEK_END)
                    os.write(fd, b"\n")
                os.fsync(fd)
            except OSError as exc:
                contents.problems.append(f"could not repair the end of the file: {exc}")
                contents.repaired = None
        else:
            contents.problems.append(f"not repaired: {contents.repaired}")
            contents.repaired = None

    for number in glued:
        contents.problems.append(
            f"line {number}: a torn record was skipped; the record glued onto it was kept"
        )
    segment = 0
    for number, record, _start in lines:
        if record is None:
            contents.problems.append(f"line {number}: unreadable record, skipped")
            continue
        wall = record.get("wall")
        if isinstance(wall, int | float) and not isinstance(wall, bool):
            contents.last_wall = float(wall)
        t = record.get("t")
        if isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t):
            contents.last_t = max(contents.last_t, float(t))
        kind = record.get("record")
        if kind == "header":
            if contents.header is not None or contents.entries:
                contents.problems.append(f"line {number}: a second header, ignored")
                continue
            try:
                contents.header = JournalHeader.from_json(record)
            except ValueError as exc:
                contents.problems.append(f"line {number}: {exc}")
        elif kind == "checkpoint":
            pass  # its only news is its time, taken above
        elif kind == "resumed":
            segment += 1
            contents.resumes += 1
        elif kind == "discarded":
            contents.discarded = contents.last_wall or 0.0
        elif kind == "closed":
            summary = record.get("summary")
            contents.closed = {"wall": record.get("wall"), "summary": summary}
        elif "event" in record:
            try:
                event = event_from_json(record)
            except (ValueError, TypeError) as exc:
                contents.problems.append(f"line {number}: {exc}")
                continue
            contents.entries.append(
                JournalEntry(
                    number, event, float(wall) if isinstance(wall, int | float) else None, segment
                )
            )
        else:
            contents.problems.append(f"line {number}: not a journal record, skipped")
    if contents.header is None:
        contents.problems.append("no header: the practice and circle are unknown")
    return contents


def read_journal(path: str | os.PathLike[str], *, repair: bool = True) -> JournalContents:
    """Read a journal, repairing a torn last line unless `repair=False` or it is in use.

    Raises `OSError` only when the file cannot be opened at all.
    """
    target = Path(path)
    try:
        fd = os.open(target, os.O_RDWR if repair else os.O_RDONLY)
    except FileNotFoundError:
        raise
    except OSError:  # read-only file or filesystem: read it, repair nothing
        fd = os.open(target, os.O_RDONLY)
        repair = False
    try:
        in_use = not _lock(fd)
        contents = _read_fd(target, fd, repair=repair and not in_use)
        contents.in_use = in_use
        return contents
    finally:
        os.close(fd)  # closing drops the lock


def list_journals(directory: Path | None = None) -> list[Path]:
    """Every journal file, newest first (by the time in its name)."""
    folder = directory if directory is not None else journals_dir()
    try:
        found = [p for p in folder.iterdir() if p.suffix == SUFFIX and p.is_file()]
    except OSError:
        return []
    return sorted(found, key=_age_key, reverse=True)


def _age_key(path: Path) -> tuple[str, float]:
    """The start time in the name, then (for two started in the same second) the mtime."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return path.name[:15], mtime


def unfinished_journals(directory: Path | None = None) -> list[JournalContents]:
    """Sessions that were cut short (no `session_ended`, not closed, not discarded, not
    live), newest first.

    A journal whose last line says it was closed or discarded is passed over after reading
    only its tail, so a long history costs little. Reading repairs the torn tails of the
    others, so they are ready to be resumed.
    """
    found = []
    for path in list_journals(directory):
        if path.name.endswith(ENDED_MARK + SUFFIX) or _ends_settled(path):
            continue
        try:
            contents = read_journal(path)
        except OSError:
            continue
        if contents.resumable:
            found.append(contents)
    return found


_TAIL = 64 * 1024


def _ends_settled(path: Path) -> bool:
    """The file's last whole line is a `closed` or `discarded` record (read from its end)."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - _TAIL))
            tail = handle.read()
    except OSError:
        return False
    lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
    if len(lines) < 2 and size > _TAIL:
        return False  # one very long last line: let the full read decide
    try:
        record = _parse_line(lines[-1])
    except (ValueError, UnicodeDecodeError):
        return False
    return record.get("record") in ("closed", "discarded")


def discard_journal(path: str | os.PathLike[str], *, clock: WallClock = time.time) -> str | None:
    """Mark a cut-short session as not to be resumed: it is kept, and never offered again.

    Returns why it could not be marked, or None. Never raises.
    """
    target = Path(path)
    try:
        fd = os.open(target, os.O_RDWR | os.O_APPEND)
    except OSError as exc:
        return f"cannot open {target.name}: {_why(exc)}"
    try:
        if not _lock(fd):
            return "this session's journal is open in another window"
        _read_fd(target, fd, repair=True)
        _write_all(fd, _encode({"record": "discarded", "wall": round(clock(), 3)}))
        os.fsync(fd)
    except OSError as exc:
        return f"cannot mark {target.name} as discarded: {_why(exc)}"
    finally:
        os.close(fd)
    return None


# --- writing -------------------------------------------------------------------------------


class Journal:
    """An open journal. `append` never raises: a write failure sets `error` instead.

    Records that could not be written are kept and retried on the next append (and by
    `retry`), so a passing problem (a full disk that gets space back) leaves no gap. A failed
    write is cut back at once, so the file parses whatever happens next.
    """

    def __init__(
        self, path: Path, header: JournalHeader | None, *, clock: WallClock = time.time
    ) -> None:
        self.path = path
        self.header = header
        self.error: str | None = None
        """Why the journal is not being written right now; None when all is well."""
        self.closed = False
        """`close` was asked: nothing more is appended (its records may still be pending)."""
        self.events: list[Event] = []
        """Every event of the session, in memory too (for the summary, even if the disk
        fails); after `reopen`, the earlier events too."""
        self.last_t = 0.0
        """The latest session time given to the journal (events and checkpoints)."""
        self._clock = clock
        self._fd: int | None = None
        self._good_size = 0  # file size after the last record known to be on disk
        self._dirty = False  # a write failed part-way and could not be cut back yet
        self._pending: list[bytes] = []
        self._synced_t: float | None = None  # session time of the last write synced to disk
        self._mutex = threading.Lock()
        self._reserved_to = 0  # disk space is set aside up to this offset
        self._next_reserve = 0  # do not ask for a reserve again before this size

    @property
    def failed(self) -> bool:
        """True while records are not reaching the disk (show a banner)."""
        return self.error is not None

    @property
    def id(self) -> str:
        """The session's id (`circlekeeper history`, `export`)."""
        return session_id(self.path)

    @property
    def held(self) -> bool:
        """The file is open (and locked) by this journal."""
        return self._fd is not None

    @property
    def unwritten(self) -> int:
        """Records kept in memory because the disk refused them (0 when all is on disk)."""
        return len(self._pending)

    @classmethod
    def create(
        cls,
        practice_title: str,
        practice_path: str | os.PathLike[str] | None,
        circle: Sequence[str],
        roles: Mapping[str, Sequence[str]] | None = None,
        seed: int | None = None,
        options: Mapping[str, Any] | None = None,
        *,
        plan: CirclePlan | None = None,
        practice_sha256: str | None = None,
        circle_name: str | None = None,
        directory: Path | None = None,
        clock: WallClock = time.time,
    ) -> Journal:
        """Start the journal of a new session and write its header. Never raises `OSError`.

        `options` is whatever else is needed to set the session up again (language, silent,
        speed...); it must be JSON-ready. If the file cannot be created, the journal comes
        back with `error` set and tries again on each append.
        """
        now = clock()
        header = JournalHeader(
            practice_title=practice_title,
            practice_path=None if practice_path is None else os.fspath(practice_path),
            circle=tuple(circle),
            roles={role: tuple(people) for role, people in (roles or {}).items()},
            seed=seed,
            options=dict(options or {}),
            started_wall=round(now, 3),
            practice_sha256=practice_sha256,
            plan=None if plan is None else plan_to_json(plan),
            circle_name=circle_name,
        )
        folder = directory if directory is not None else journals_dir()
        stem = time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + "-" + slugify(practice_title)
        journal = cls(folder / (stem + SUFFIX), header, clock=clock)
        journal._pending.append(_encode(header.to_json()))
        with journal._mutex:
            journal._write_pending()
        return journal

    @classmethod
    def for_plan(
        cls,
        practice_title: str,
        practice_path: str | os.PathLike[str] | None,
        plan: CirclePlan,
        *,
        options: Mapping[str, Any] | None = None,
        practice_sha256: str | None = None,
        circle_name: str | None = None,
        directory: Path | None = None,
        clock: WallClock = time.time,
    ) -> Journal:
        """Start the journal of a session set up with `plan` (kept whole in the header)."""
        return cls.create(
            practice_title,
            practice_path,
            plan.names,
            plan.roles,
            plan.seed,
            options,
            plan=plan,
            practice_sha256=practice_sha256,
            circle_name=circle_name,
            directory=directory,
            clock=clock,
        )

    @classmethod
    def reopen(
        cls, path: str | os.PathLike[str], *, at: float, clock: WallClock = time.time
    ) -> Journal:
        """Carry on a cut-short journal: repair its tail, then append a `resumed` marker.

        `at` is the session time the rebuilt session carries on from (session time goes
        on where it stopped). Never raises `OSError`; check `error`.
        """
        journal = cls(Path(path), None, clock=clock)
        try:
            fd = os.open(journal.path, os.O_RDWR | os.O_APPEND)
        except OSError as exc:
            journal.error = f"cannot open the journal to resume it: {_why(exc)}"
            return journal
        try:
            if not _lock(fd):
                os.close(fd)
                journal.error = "this session's journal is open in another window"
                return journal
            contents = _read_fd(journal.path, fd, repair=True)
            journal._good_size = os.fstat(fd).st_size
        except OSError as exc:
            os.close(fd)
            journal.error = f"cannot repair the journal to resume it: {_why(exc)}"
            return journal
        journal._fd = fd
        journal.header = contents.header
        journal.events = contents.events
        journal.last_t = max(contents.last_t, at)
        record = {"record": "resumed", "t": round(at, 3), "wall": round(clock(), 3)}
        journal._pending.append(_encode(record))
        with journal._mutex:
            journal._write_pending()
        return journal

    def append(self, event: Event) -> bool:
        """Write one engine event durably. Returns whether it reached the disk; never raises."""
        try:
            with self._mutex:
                if self.closed:
                    return False
                record = event.to_json()
                self.events.append(event)
                self.last_t = max(self.last_t, event.t)
                record["wall"] = round(self._clock(), 3)
                self._pending.append(_encode(record))
                return self._write_pending()
        except Exception as exc:  # the circle must go on whatever the journal meets
            self.error = f"could not record an event: {exc!r}"
            return False

    def checkpoint(self, t: float) -> bool:
        """Record that the session reached session time `t` (nothing else happened).

        How a session cut short between events comes back with the right time left. Synced
        to the disk when the last synced write is `CHECKPOINT_SYNC_EVERY` behind, else only
        written (see there). Returns whether it reached the file; never raises.
        """
        try:
            with self._mutex:
                if self.closed:
                    return False
                self.last_t = max(self.last_t, t)
                record = {"record": "checkpoint", "t": round(t, 3), "wall": round(self._clock(), 3)}
                self._pending.append(_encode(record))
                synced = self._synced_t
                sync = synced is None or not 0 <= t - synced < CHECKPOINT_SYNC_EVERY
                return self._write_pending(sync=sync)
        except Exception as exc:
            self.error = f"could not record a checkpoint: {exc!r}"
            return False

    def close(self, summary: Summary | Mapping[str, Any] | None = None) -> None:
        """Write a `closed` record (with the summary, if given) and release the file.

        Never raises. The summary may be a `Summary`, anything with `to_json()`, a mapping,
        or a dataclass. If the disk refuses, the records are kept and the file stays open:
        `retry` writes them once space returns, and then releases it.
        """
        with self._mutex:
            if self.closed:
                return
            self.closed = True
            try:
                record = {
                    "record": "closed",
                    "wall": round(self._clock(), 3),
                    "summary": _summary_json(summary),
                }
                self._pending.append(_encode(record))
                if self._write_pending():
                    self._release()
            except Exception as exc:  # closing must not take the app down either
                self.error = f"could not close the journal: {exc!r}"
                self._release()

    def retry(self) -> bool:
        """Write what the disk refused before; True when nothing is left to write.

        A closed journal whose last records are now written is released. Never raises.
        """
        with self._mutex:
            if not self._pending:
                return True
            try:
                done = self._write_pending()
            except Exception as exc:
                self.error = f"could not record: {exc!r}"
                return False
            if done and self.closed:
                self._release()
            return done

    def abandon(self) -> str | None:
        """The app is leaving: release the file whatever is still unwritten. Never raises.

        A session that ended but whose last records never reached the disk is renamed with
        `ENDED_MARK`, so it never reads as resumable. Returns a sentence saying what was
        lost, or None when nothing was.
        """
        with self._mutex:
            if not self._pending:
                self._release()
                return None
            lost = len(self._pending)
            message = f"{lost} record(s) of the session journal could not be written"
            if self.closed:
                marked = self.path.with_name(session_id(self.path) + ENDED_MARK + SUFFIX)
                try:
                    os.rename(self.path, marked)
                    fsync_dir(self.path.parent)
                except OSError as exc:
                    message += f"; it could not be marked as ended either ({_why(exc)})"
                else:
                    self.path = marked
                    message += "; it is marked as ended"
            self._pending.clear()
            self._release()
            return message

    def _release(self) -> None:
        """Give back the reserve and the file (and its lock)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            if not self._dirty:
                os.ftruncate(self._fd, self._good_size)  # frees the reserve past the end
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = None

    def _open_new(self) -> int:
        """Create the journal file under a name nobody has used (`-2`, `-3`... on a clash)."""
        created = not self.path.parent.is_dir()
        private_dir(self.path.parent)  # made 0700, or closed if an older version left it open
        if created:
            fsync_dir(self.path.parent.parent)  # the new folder's own entry
        stem = self.path.name.removesuffix(SUFFIX)
        base = stem
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
        for attempt in range(2, 1000):
            try:
                fd = os.open(self.path, flags, PRIVATE_FILE)
            except FileExistsError:
                stem = f"{base}-{attempt}"
                self.path = self.path.with_name(stem + SUFFIX)
                continue
            _lock(fd)
            return fd
        raise FileExistsError(f"no free journal name for {base}")

    def _write_pending(self, *, sync: bool = True) -> bool:
        """Write every pending record (and sync the file, unless `sync` is false); on
        failure cut the file back, remember why, and keep them for next time."""
        try:
            if self._fd is None:
                self._fd = self._open_new()
                fsync_dir(self.path.parent)
            if self._dirty:
                os.ftruncate(self._fd, self._good_size)
                self._dirty = False
            data = b"".join(self._pending)
            self._dirty = True  # until the whole batch is written (and synced, if asked)
            _write_all(self._fd, data)
            if sync:
                os.fsync(self._fd)
            self._dirty = False
        except OSError as exc:
            self.error = f"the session journal cannot be written: {_why(exc)}"
            self._cut_back()
            return False
        self._good_size += len(data)
        if sync:
            self._synced_t = self.last_t
        self._pending.clear()
        self.error = None
        self._keep_reserve()
        return True

    def _cut_back(self) -> None:
        """After a failed write: back to the last whole record, so the file always parses.
        Shrinking a file needs no space; if even that fails, the next write tries again."""
        if self._fd is None or not self._dirty:
            return
        try:
            os.ftruncate(self._fd, self._good_size)
            os.fsync(self._fd)
        except OSError:
            return
        self._dirty = False

    def _keep_reserve(self) -> None:
        """Keep `RESERVE` bytes of disk set aside past the end (never when it cannot be)."""
        if self._fd is None or self._good_size < self._next_reserve:
            return
        if self._reserved_to - self._good_size >= RESERVE_LOW:
            return
        if _reserve(self._fd, self._good_size, RESERVE):
            self._reserved_to = self._good_size + RESERVE
        else:  # a full disk or no support: ask again only once the file has grown a little
            self._next_reserve = self._good_size + RESERVE_LOW


RESERVE = 64 * 1024
"""Disk space each open journal sets aside past its end: the records that end a session
(its last events and the summary) fit in it even when the disk is full."""
RESERVE_LOW = 16 * 1024
"""Top the reserve up when less than this is left of it."""


def _load_fallocate() -> Callable[[int, int, int, int], int] | None:
    """Linux's `fallocate`, which can set space aside past a file's end without growing it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function = getattr(libc, "fallocate64", None) or libc.fallocate
        function.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
        function.restype = ctypes.c_int
    except (OSError, AttributeError, ImportError):
        return None
    return typing.cast(Callable[[int, int, int, int], int], function)


_FALLOCATE = _load_fallocate()
_KEEP_SIZE = 0x01  # FALLOC_FL_KEEP_SIZE


def _reserve(fd: int, offset: int, length: int) -> bool:
    """Set `length` bytes aside from `offset` without changing the file's size."""
    if _FALLOCATE is None:
        return False
    return _FALLOCATE(fd, _KEEP_SIZE, offset, length) == 0


def _write_all(fd: int, data: bytes) -> None:
    """`os.write` may write less than asked; loop until all of it is out."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _encode(record: Mapping[str, Any]) -> bytes:
    # default=str: an odd value in an event must not cost the whole record
    return (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _summary_json(summary: object) -> Any:
    """The summary's JSON form, whatever kind of object it came as."""
    if summary is None:
        return None
    to_json = getattr(summary, "to_json", None)
    if callable(to_json):
        return to_json()
    if isinstance(summary, Mapping):
        return dict(summary)
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        return dataclasses.asdict(summary)
    return str(summary)


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


# --- reportback --------------------------------------------------------------------------


def summarize_journal(contents: JournalContents) -> Summary:
    """The reportback of a journal's session, finished or not: its numbers, steps and notes,
    who the circle was, when it ended and how it stands."""
    header = contents.header
    ledger = Ledger(circle=list(header.circle) if header else [])
    ended_wall: float | None = None
    for entry in contents.entries:
        ledger.feed(entry.event, entry.wall)
        if isinstance(entry.event, SessionEnded):
            ended_wall = entry.wall
    title = header.practice_title if header else contents.path.stem
    started = header.started if header else None
    summary = summary_from_ledger(ledger, title, started=started)
    plan = None
    if header is not None and header.plan is not None:
        with contextlib.suppress(ValueError):
            plan = plan_from_json(header.plan)
    summary = with_circle(
        summary,
        plan,
        circle_name=header.circle_name if header else None,
        session_id=contents.id,
    )
    if plan is None and header is not None:
        summary = dataclasses.replace(summary, roles=dict(header.roles))
    if ended_wall is None and contents.closed is not None:
        wall = contents.closed.get("wall")
        ended_wall = float(wall) if isinstance(wall, int | float) else None
    ended_at = None if ended_wall is None else datetime.fromtimestamp(ended_wall).astimezone()
    return dataclasses.replace(
        summary, ended_at=ended_at, status=contents.status, resumes=contents.resumes
    )
