"""The library index: what the practice list and its preview show, without loading a script.

Loading a script costs pydantic and the YAML parser (about 150 ms to import) and 10-15 ms per
practice to parse and validate; the library's first frame cannot wait for that. So what the
list and the preview need is kept in an index in the user's cache folder: one record per
file, keyed by the file's resolved path, its size and a checksum of its bytes (a checksum, not
the modification time: copies that keep the time, and filesystems that round it to seconds,
would otherwise show an edited file as unchanged), under the index layout, the practice
format and circlekeeper's version. The built-in practices ship with their records
(`library-index.json` beside them), so even a first run lists them at once.

Reading the index (`read_library`) imports neither pydantic nor the YAML parser: it walks the
folders, reads each file's bytes, and takes the record whose key matches. A file without a
matching record is listed under the title and kind its top lines declare until it is checked
(`check_entry`: in a thread for the library, in line for `circlekeeper list`). A record
never vouches for a script that failed: broken scripts are checked again every time, so a fix
shows as soon as it is made. Opening a practice always loads and validates the file itself.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from circlekeeper import __version__, paths
from circlekeeper.i18n import N_
from circlekeeper.script.languages import pick_language
from circlekeeper.script.limits import MAX_BYTES

INDEX_LAYOUT = 2
"""The layout of the index file; a change makes every older index unreadable (and rebuilt).
2: role names, not ids; the preview's texts in each of a practice's other languages."""
PRACTICE_FORMAT = 1
"""The practice-script format version (`script.model.FORMAT_VERSION`, kept equal by a test)."""
MAX_SCRIPT_BYTES = MAX_BYTES
"""Larger files are not read here; checking one reports it too big (the loader's limit)."""
RACY_NS = 3_000_000_000
"""A file changed less than this before it was read is compared by its bytes (3 s: more
than the coarsest timestamps, FAT's two seconds)."""
UNREAD = -1
"""The size in the record of a file that could not be read: it never matches a file."""
BUILTIN_INDEX = "library-index.json"
"""The built-in practices' own index, beside them."""

KIND_TITLES = {
    "check-in": N_("Check-in"),
    "check-out": N_("Check-out"),
    "sit": N_("Sitting"),
    "feedback": N_("Feedback"),
    "conflict": N_("Conflict repair"),
    "decision": N_("Decisions"),
    "convergence": N_("Convergence"),
    "dyad": N_("Dyads"),
    "other": N_("Other"),
}
"""Headings of the library's groups, in the order they are listed (one per practice kind);
in English, marked for the catalogue: a screen shows them translated."""
BROKEN_TITLE = N_("Could not load")
"""The heading of the scripts that failed, listed last."""


class StepRow(NamedTuple):
    """One top-level step in the preview: its label, kind and estimated seconds."""

    label: str
    kind: str
    seconds: float
    ours: bool = False
    """The label is the interface's word for an untitled step (`Reading`), not the
    practice's: a screen says it in the interface's language."""


class Localized(NamedTuple):
    """The preview's texts in one more of a practice's languages: each step's label and each
    role's name (in the order of `steps` and `roles`), None where the practice's own reads."""

    language: str
    steps: tuple[str | None, ...]
    roles: tuple[str | None, ...]


class SourceRow(NamedTuple):
    """Where a practice comes from."""

    title: str
    author: str | None = None
    url: str | None = None
    licence: str | None = None


class PracticeInfo(NamedTuple):
    """What the list, the preview and `circlekeeper list` show of a valid practice."""

    title: str
    kind: str
    summary: str | None
    size_min: int
    size_max: int
    typical_size: int
    """The size the duration is estimated for: the script's ideal size, else 6 within range."""
    duration: float | None
    """Estimated seconds for `typical_size` people; None when it could not be estimated."""
    languages: tuple[str, ...]
    """Every language the practice's texts are written in, its own language first."""
    steps: tuple[StepRow, ...] = ()
    roles: tuple[str, ...] = ()
    """Each role's name, in the practice's own language."""
    sources: tuple[SourceRow, ...] = ()
    sound_files: tuple[str, ...] = ()
    """WAV files the script names beside itself: the record holds only while they are there."""
    note: str | None = None
    """Something worth saying about an otherwise valid practice (an estimate that failed)."""
    localized: tuple[Localized, ...] = ()
    """The steps' labels and the roles' names in each other language that has any of its
    own (kept small: what reads as in the practice's language is not repeated)."""

    def texts_in(self, *wanted: str) -> tuple[tuple[StepRow, ...], tuple[str, ...]]:
        """The steps and role names to show for the first of `wanted` (languages, most
        wanted first) the practice is written in, chosen as a session chooses its texts'
        language; in the practice's own language when it has none of them."""
        own = self.languages[0] if self.languages else ""
        versions = {item.language: item for item in self.localized}
        for language in wanted:
            code = pick_language(dict.fromkeys(self.languages), language, own)
            if code == own:
                if language.split("-")[0] == own.split("-")[0]:
                    break  # its own language: its own texts
                continue  # not written in it: the next one wanted
            found = versions.get(code)
            if found is None:
                break  # written in it, but not these texts: the practice's own
            steps = tuple(
                row if label is None else row._replace(label=label)
                for row, label in zip(self.steps, found.steps, strict=True)
            )
            roles = tuple(
                name if other is None else other
                for name, other in zip(self.roles, found.roles, strict=True)
            )
            return steps, roles
        return self.steps, self.roles

    def to_json(self) -> dict[str, Any]:
        """Plain data for the index file."""
        return {
            "title": self.title,
            "kind": self.kind,
            "summary": self.summary,
            "size": [self.size_min, self.size_max, self.typical_size],
            "duration": self.duration,
            "languages": list(self.languages),
            "steps": [[s.label, s.kind, s.seconds, *([1] if s.ours else [])] for s in self.steps],
            "roles": list(self.roles),
            "sources": [[s.title, s.author, s.url, s.licence] for s in self.sources],
            "sound_files": list(self.sound_files),
            "note": self.note,
            "localized": {
                item.language: [list(item.steps), list(item.roles)] for item in self.localized
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PracticeInfo:
        """Back from `to_json`; raises (KeyError, TypeError, ValueError) on malformed data."""
        size_min, size_max, typical = (int(n) for n in data["size"])
        duration = data["duration"]
        info = cls(
            title=str(data["title"]),
            kind=str(data["kind"]),
            summary=None if data["summary"] is None else str(data["summary"]),
            size_min=size_min,
            size_max=size_max,
            typical_size=typical,
            duration=None if duration is None else float(duration),
            languages=tuple(str(code) for code in data["languages"]),
            steps=tuple(
                StepRow(str(label), str(kind), float(seconds), bool(ours and ours[0]))
                for label, kind, seconds, *ours in data["steps"]
            ),
            roles=tuple(str(role) for role in data["roles"]),
            sources=tuple(SourceRow(*(_text_or_none(v) for v in row)) for row in data["sources"]),
            sound_files=tuple(str(name) for name in data["sound_files"]),
            note=_text_or_none(data["note"]),
            localized=tuple(
                Localized(
                    str(language),
                    tuple(_text_or_none(label) for label in steps),
                    tuple(_text_or_none(name) for name in roles),
                )
                for language, (steps, roles) in data["localized"].items()
            ),
        )
        if not info.title or info.kind not in KIND_TITLES:
            raise ValueError("not a practice record")
        for item in info.localized:
            if len(item.steps) != len(info.steps) or len(item.roles) != len(info.roles):
                raise ValueError("texts that do not match the steps and roles")
        return info


def _text_or_none(value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise TypeError("expected text")
    return value


class Stamp(NamedTuple):
    """What a file's metadata says about its bytes, and when they were last read."""

    mtime_ns: int
    ctime_ns: int
    """Changed by any write or replacement, and not settable by copies that keep times."""
    read_ns: int
    """Wall-clock time just before the bytes were read (for the racy-timestamp rule)."""

    def vouches(self, st: os.stat_result) -> bool:
        """True when the file is certainly unchanged since its bytes were read.

        Timestamps have a granularity (a few milliseconds, two seconds on FAT): a file
        changed again within it after being read would keep the same stamp. So a stamp
        taken less than RACY_NS after the file's last change vouches for nothing, and the
        bytes are compared instead (the rule git uses for its index).
        """
        return (
            st.st_mtime_ns == self.mtime_ns
            and st.st_ctime_ns == self.ctime_ns
            and self.read_ns - max(self.mtime_ns, self.ctime_ns) >= RACY_NS
        )


class Record(NamedTuple):
    """What the index holds for one file: its key and what checking it found."""

    size: int
    crc32: int
    """CRC-32 of the file's bytes: compared whenever the stamp cannot vouch for them."""
    stamp: Stamp | None
    """None in the built-in practices' own index: their times change when installed."""
    info: PracticeInfo | None
    errors: tuple[tuple[int, int, str], ...] = ()
    """(line, column, message) of each error; the path is added when it is shown."""
    sounds: tuple[tuple[str, bool], ...] = ()
    """Each sound file the script names, and whether it was there beside it."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the index file."""
        return {
            "size": self.size,
            "crc32": self.crc32,
            "stamp": None if self.stamp is None else list(self.stamp),
            "sounds": {name: present for name, present in self.sounds},
            "info": None if self.info is None else self.info.to_json(),
            "errors": [list(error) for error in self.errors],
        }

    @classmethod
    def from_json(cls, data: Any) -> Record:
        """Back from `to_json`; raises on malformed data."""
        info = data["info"]
        errors = tuple((int(line), int(col), str(msg)) for line, col, msg in data["errors"])
        if (info is None) == (not errors):
            raise ValueError("a record is either a practice or its errors")
        stamp = data["stamp"]
        return cls(
            size=int(data["size"]),
            crc32=int(data["crc32"]),
            stamp=None if stamp is None else Stamp(*(int(n) for n in stamp)),
            info=None if info is None else PracticeInfo.from_json(info),
            errors=errors,
            sounds=tuple((str(name), bool(there)) for name, there in data["sounds"].items()),
        )

    def sounds_unchanged(self, folder: Path) -> bool:
        """True when each sound file the script names is (or is not) there as when checked."""
        return all(sound_present(folder, name) == there for name, there in self.sounds)


class Guess(NamedTuple):
    """A script's title and kind as its top lines declare them, before it is checked."""

    title: str | None
    kind: str | None


class Entry(NamedTuple):
    """One script in the library: valid (`info`), broken (`errors`), or not yet checked."""

    path: Path
    origin: str
    """Where it comes from: `built-in`, `yours`, or the name of a `--practices` folder."""
    key: str
    """The resolved path: the index's key, and the entry's identity in the list."""
    info: PracticeInfo | None = None
    errors: tuple[tuple[int, int, str], ...] = ()
    """(line, column, message) of each error of a broken script."""
    guess: Guess | None = None
    record: Record | None = None
    """The index record this entry was listed from or checked into."""
    needs_check: bool = True
    """No record vouches for it (new, changed, or broken last time): check it."""

    @property
    def title(self) -> str:
        """The practice's title; until it is checked, the title it declares or its file name."""
        if self.info is not None:
            return self.info.title
        if self.guess is not None and self.guess.title and not self.errors:
            return self.guess.title
        return self.path.name

    def error_lines(self, label: str | None = None) -> list[str]:
        """Each error as `path:line:col: message` (`label` in place of the path if given)."""
        from circlekeeper.script.errors import printable

        where = printable(label if label is not None else str(self.path))
        return [f"{where}:{line}:{col}: {message}" for line, col, message in self.errors]

    @property
    def kind(self) -> str | None:
        """The kind it is listed under; None for a broken script."""
        if self.info is not None:
            return self.info.kind
        if self.errors:
            return None
        guessed = self.guess.kind if self.guess is not None else None
        return guessed if guessed in KIND_TITLES else "other"


class Library(NamedTuple):
    """Every script found, as the index knows them, and what `save_index` needs."""

    entries: tuple[Entry, ...]
    folders: tuple[Path, ...]
    """The resolved folders that were read."""
    previous: dict[str, Any]
    """The user index's records as read, to keep those of folders not read this time."""


# ----- where practices are ------------------------------------------------------------------


def library_dirs(extra_dirs: Iterable[Path]) -> list[tuple[str, Path]]:
    """(origin, folder) for every place practices come from, built-in first."""
    dirs = [("built-in", paths.builtin_practices_dir()), ("yours", paths.user_practices_dir())]
    dirs += [(d.name or str(d), d) for d in extra_dirs]
    return dirs


def index_path() -> Path:
    """The user's library index, in circlekeeper's cache folder."""
    return paths.cache_dir() / "library" / "index.json"


def sound_present(folder: Path, name: str) -> bool:
    """Whether the sound file `name` is a file beside the script, as validation requires."""
    target = folder / name
    try:
        return target.is_file() and target.resolve().parent == folder.resolve()
    except OSError:
        return False


# ----- reading ------------------------------------------------------------------------------


def _header() -> dict[str, Any]:
    return {"index": INDEX_LAYOUT, "format": PRACTICE_FORMAT, "circlekeeper": __version__}


def _read_records(path: Path) -> dict[str, Any]:
    """The raw records of an index file; empty when it is missing, corrupt or out of date."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in _header().items()):
        return {}
    records = data.get("practices")
    return records if isinstance(records, dict) else {}


def _record(raw: dict[str, Any], key: str) -> Record | None:
    found = raw.get(key)
    if found is None:
        return None
    try:
        return Record.from_json(found)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a damaged record is a miss, never an error


_TOP_KEY = re.compile(rb"^(title|kind):[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)


def guess_title_and_kind(data: bytes) -> Guess:
    """The `title:` and `kind:` a script declares at its top level, read without YAML.

    Only simple one-line values are taken (plain, or quoted without escapes); anything else
    is left to the real check. Used only to list a script while it is being checked.
    """
    found: dict[str, str | None] = {}
    for match in _TOP_KEY.finditer(data):
        name = match.group(1).decode()
        if name not in found:
            found[name] = _simple_scalar(match.group(2))
    return Guess(found.get("title"), found.get("kind"))


def _simple_scalar(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"' and "\\" not in text:
        value = text[1:-1]
    elif len(text) >= 2 and text[0] == text[-1] == "'":
        value = text[1:-1].replace("''", "'")
    elif text and text[0] not in "\"'>|[]{}&*!%@`#":
        value = text.split(" #", 1)[0].rstrip()
    else:
        return None
    value = value.strip()
    return value if value and value.isprintable() else None


def _entry(path: Path, origin: str, key: str, records: Iterable[Record | None]) -> Entry:
    """The entry for one file: from the first record that vouches for it, else unchecked.

    A record whose stamp matches the file's vouches without reading it; otherwise the bytes
    are read once and their checksum compared (and the record's stamp renewed).
    """
    entry = Entry(path, origin, key)
    try:
        st = os.stat(key)
    except OSError:
        return entry  # the check says why it cannot be read
    if st.st_size > MAX_SCRIPT_BYTES:
        return entry
    data: bytes | None = None
    for record in records:
        if record is None or record.size != st.st_size:
            continue
        if record.stamp is None or not record.stamp.vouches(st):
            if data is None:
                read_ns = time.time_ns()
                data = _read(key)
                if data is None:
                    return entry
            if zlib.crc32(data) != record.crc32:
                continue
            record = record._replace(stamp=Stamp(st.st_mtime_ns, st.st_ctime_ns, read_ns))
        if not record.sounds_unchanged(path.parent):
            continue
        if record.info is not None:
            return entry._replace(info=record.info, record=record, needs_check=False)
        return entry._replace(errors=record.errors, record=record)
    if data is None:
        data = _read(key)
    return entry if data is None else entry._replace(guess=guess_title_and_kind(data))


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_SCRIPT_BYTES + 1)
    except OSError:
        return None


def _files(extra_dirs: Iterable[Path]) -> Iterator[tuple[str, Path, str]]:
    """(origin, path, resolved path) of every script, once each, built-in first."""
    seen: set[str] = set()
    for origin, folder in library_dirs(extra_dirs):
        for path, key in paths.practice_files(folder):
            if key not in seen:
                seen.add(key)
                yield origin, path, key


def read_library(extra_dirs: Iterable[Path] = ()) -> Library:
    """Every script in the library, listed from the index where it vouches for the file.

    Never raises for a bad file or a bad index: a damaged index is ignored (and rebuilt by
    the next `save_index`), a file that cannot be read is left for the check to explain.
    """
    extra = list(extra_dirs)
    user = _read_records(index_path())
    builtin_dir = paths.builtin_practices_dir()
    shipped = _read_records(builtin_dir / BUILTIN_INDEX)
    # Built-in records are keyed by the path inside the built-in folder, wherever it is.
    builtin_root = os.path.join(os.path.realpath(builtin_dir), "") if shipped else None

    def candidates(key: str) -> Iterator[Record | None]:
        # Decoded one at a time: the user's record usually vouches, and the shipped one
        # is then never built.
        yield _record(user, key)
        if builtin_root is not None and key.startswith(builtin_root):
            yield _record(shipped, key[len(builtin_root) :].replace(os.sep, "/"))

    entries = [_entry(path, origin, key, candidates(key)) for origin, path, key in _files(extra)]
    folders = tuple(folder.resolve() for _, folder in library_dirs(extra))
    return Library(tuple(entries), folders, user)


# ----- the order of the list ----------------------------------------------------------------


def grouped(entries: Iterable[Entry]) -> list[tuple[str, list[Entry]]]:
    """(heading, entries) in list order: by kind, by title within a kind, broken last."""
    groups: dict[str | None, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.kind, []).append(entry)
    out: list[tuple[str, list[Entry]]] = []
    for kind, heading in KIND_TITLES.items():
        if kind in groups:
            # Stable: equal titles keep the order of their folders, built-in first.
            group = sorted(groups[kind], key=lambda e: e.title.casefold())
            out.append((heading, group))
    if None in groups:
        out.append((BROKEN_TITLE, sorted(groups[None], key=lambda e: e.path.name)))
    return out


def list_order(entries: Iterable[Entry]) -> list[Entry]:
    """Entries in the order the library lists them."""
    return [entry for _, group in grouped(entries) for entry in group]


# ----- checking -----------------------------------------------------------------------------


def check_entry(entry: Entry) -> Entry:
    """Load and validate the entry's file now: the entry as it really is, with its record.

    Imports the loader (pydantic, YAML): call it off the UI thread.
    """
    from circlekeeper.library.describe import check_file

    return with_record(entry, check_file(entry.path))


def with_record(entry: Entry, record: Record) -> Entry:
    """The entry as `record` (just made by checking its file) describes it."""
    return entry._replace(
        info=record.info, errors=record.errors, guess=None, record=record, needs_check=False
    )


# ----- writing ------------------------------------------------------------------------------


def index_data(records: dict[str, Record]) -> dict[str, Any]:
    """The whole index file as plain data."""
    return {
        **_header(),
        "practices": {key: records[key].to_json() for key in sorted(records)},
    }


def save_index(library: Library, entries: Iterable[Entry]) -> bool:
    """Write the user's index for `entries`, if it changed; True when written.

    Records of files outside the folders read this time (another `--practices` folder)
    are kept while the file exists; records of deleted files are dropped. The file is
    replaced atomically, readable by the user alone.
    """
    from circlekeeper.records.atomic import atomic_write_bytes

    fresh = {e.key: e.record for e in entries if e.record is not None and e.record.size != UNREAD}
    raw = {key: record.to_json() for key, record in fresh.items()}
    for key, old in library.previous.items():
        if key in raw or any(Path(key).is_relative_to(f) for f in library.folders):
            continue
        if os.path.isfile(key):
            raw[key] = old
    if raw == library.previous:
        return False
    data = {**_header(), "practices": {key: raw[key] for key in sorted(raw)}}
    target = index_path()
    paths.private_dir(target.parent)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    atomic_write_bytes(target, text.encode("utf-8"))
    return True


# ----- the built-in practices' own index ----------------------------------------------------


def builtin_index_data(folder: Path | None = None) -> dict[str, Any]:
    """The index the built-in practices ship with, built by checking each of them now."""
    from circlekeeper.library.describe import check_file

    root = (folder or paths.builtin_practices_dir()).resolve()
    records = {
        # No stamps: an installed file's times are not the times it had here.
        path.resolve().relative_to(root).as_posix(): check_file(path)._replace(stamp=None)
        for path in paths.iter_practice_files([root])
    }
    return index_data(records)


def builtin_index_text(folder: Path | None = None) -> str:
    """`builtin_index_data` as the text of `library-index.json`: one line per practice."""
    data = builtin_index_data(folder)
    practices = data.pop("practices")
    head = json.dumps(data, ensure_ascii=False)[:-1]
    lines = [
        f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in practices.items()
    ]
    return head + ', "practices": {\n' + ",\n".join(lines) + "\n}}\n"


def write_builtin_index(folder: Path | None = None) -> Path:
    """Rewrite the built-in practices' `library-index.json`; returns its path."""
    target = (folder or paths.builtin_practices_dir()) / BUILTIN_INDEX
    target.write_text(builtin_index_text(folder), encoding="utf-8")
    return target
