"""Checking one script for the library: load and validate it, and describe it for the index.

This module imports the loader (pydantic and the YAML parser): the index imports it only
when a script has to be checked, off the UI thread.
"""

from __future__ import annotations

import time
import zlib
from pathlib import Path

from circlekeeper.engine.agenda import AgendaRow
from circlekeeper.engine.projection import step_rows
from circlekeeper.i18n import Msg
from circlekeeper.library.index import (
    UNREAD,
    Localized,
    PracticeInfo,
    Record,
    SourceRow,
    Stamp,
    StepRow,
    sound_present,
)
from circlekeeper.script.errors import ScriptError, ScriptErrors, printable
from circlekeeper.script.loader import load_text, read_script
from circlekeeper.script.model import Practice
from circlekeeper.script.texts import localize, step_title, text_languages


def typical_size(practice: Practice) -> int:
    """The circle size the library estimates for: the ideal size, else 6 within the range."""
    size = practice.size
    return size.ideal or max(size.min, min(6, size.max))


def estimate_rows(rows: tuple[AgendaRow, ...]) -> list[StepRow]:
    """Each top-level step with its estimated seconds (`rows`: `step_rows` for the typical
    size).

    The library's one call into the duration estimator: the list, the preview and
    `circlekeeper list` all take their durations from here.
    """
    return [StepRow(row.title, row.kind, row.seconds, isinstance(row.title, Msg)) for row in rows]


def localized(
    practice: Practice, rows: tuple[AgendaRow, ...], languages: list[str]
) -> tuple[Localized, ...]:
    """The steps' labels (of `rows`) and the roles' names in each of `languages` (the
    practice's other ones) that has any of them differ from the practice's own; None where
    one does not."""
    own = practice.language
    steps = [practice.steps[row.step] for row in rows]
    own_roles = [localize(role.name, own, own) for role in practice.roles]
    out = []
    for language in languages:
        labels = [step_title(step, language, own) for step in steps]
        names = [localize(role.name, language, own) for role in practice.roles]
        item = Localized(
            language,
            tuple(None if a == row.title else a for a, row in zip(labels, rows, strict=True)),
            tuple(None if a == b else a for a, b in zip(names, own_roles, strict=True)),
        )
        if any(v is not None for v in (*item.steps, *item.roles)):
            out.append(item)
    return tuple(out)


def describe(practice: Practice) -> PracticeInfo:
    """What the library shows of a valid practice."""
    size = typical_size(practice)
    languages = text_languages(practice)
    note = None
    rows: tuple[AgendaRow, ...] = ()
    try:
        rows = step_rows(practice, size)
        steps = tuple(estimate_rows(rows))
        duration: float | None = sum(step.seconds for step in steps)
    except ValueError as error:  # valid, but not for this many people
        rows, steps, duration = (), (), None
        note = f"cannot run for {size} people: {error}"
    except Exception as error:  # an estimate must never hide a valid practice
        rows, steps, duration = (), (), None
        note = f"cannot estimate the duration: {error}"
    own = practice.language
    return PracticeInfo(
        title=practice.title,
        kind=practice.kind,
        summary=practice.summary,
        size_min=practice.size.min,
        size_max=practice.size.max,
        typical_size=size,
        duration=duration,
        languages=tuple(languages),
        steps=steps,
        roles=tuple(localize(role.name, own, own) for role in practice.roles),
        sources=tuple(
            SourceRow(source.title, source.author, source.url, source.licence)
            for source in practice.sources
        ),
        sound_files=tuple(
            sound.file for sound in practice.sounds.values() if sound.file is not None
        ),
        note=note,
        localized=localized(practice, rows, languages[1:]),
    )


def check_file(path: Path) -> Record:
    """Load and validate the script at `path`: its index record, valid or with its errors."""
    return load_and_check(path)[1]


def load_and_check(path: Path) -> tuple[Practice | None, Record]:
    """Load and validate the script at `path`: the practice (None if it failed) and its record.

    The record's key is taken from the very bytes that were validated. Never raises for a
    bad script: every failure becomes an error line.
    """
    label = str(path)
    read_ns = time.time_ns()
    try:
        data = read_script(path)
    except ScriptErrors as failed:
        return None, Record(UNREAD, 0, None, None, _positions(failed.errors))
    size, crc = len(data), zlib.crc32(data)
    try:
        st = path.stat()
        stamp: Stamp | None = Stamp(st.st_mtime_ns, st.st_ctime_ns, read_ns)
    except OSError:
        stamp = None  # the checksum alone will have to do
    try:
        practice = load_text(data, label, path.parent)
        info = describe(practice)
    except ScriptErrors as failed:
        errors = _positions(failed.errors) or ((1, 1, str(failed)),)
        return None, Record(size, crc, stamp, None, errors)
    except Exception as error:  # report it like any other error, never crash the library
        reason = f"internal error while checking: {type(error).__name__}: {error}"
        return None, Record(size, crc, stamp, None, ((1, 1, printable(reason)),))
    sounds = tuple((name, sound_present(path.parent, name)) for name in info.sound_files)
    return practice, Record(size, crc, stamp, info, sounds=sounds)


def _positions(errors: list[ScriptError]) -> tuple[tuple[int, int, str], ...]:
    return tuple((error.line, error.col, error.message) for error in errors)
