"""Checking one script for the library: load and validate it, and describe it for the index.

This module imports the loader (pydantic and the YAML parser): the index imports it only
when a script has to be checked, off the UI thread.
"""

from __future__ import annotations

import time
import zlib
from pathlib import Path

from circlekeeper.engine.projection import step_estimates
from circlekeeper.library.index import (
    UNREAD,
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
from circlekeeper.script.texts import text_languages


def typical_size(practice: Practice) -> int:
    """The circle size the library estimates for: the ideal size, else 6 within the range."""
    size = practice.size
    return size.ideal or max(size.min, min(6, size.max))


def estimate_rows(practice: Practice, size: int) -> list[StepRow]:
    """Each top-level step with its estimated seconds for `size` people.

    The library's one call into the duration estimator: the list, the preview and
    `circlekeeper list` all take their durations from here.
    """
    return [
        StepRow(label, kind, seconds) for label, kind, seconds in step_estimates(practice, size)
    ]


def describe(practice: Practice) -> PracticeInfo:
    """What the library shows of a valid practice."""
    size = typical_size(practice)
    note = None
    try:
        steps = tuple(estimate_rows(practice, size))
        duration: float | None = sum(step.seconds for step in steps)
    except ValueError as error:  # valid, but not for this many people
        steps, duration = (), None
        note = f"cannot run for {size} people: {error}"
    except Exception as error:  # an estimate must never hide a valid practice
        steps, duration = (), None
        note = f"cannot estimate the duration: {error}"
    return PracticeInfo(
        title=practice.title,
        kind=practice.kind,
        summary=practice.summary,
        size_min=practice.size.min,
        size_max=practice.size.max,
        typical_size=size,
        duration=duration,
        languages=tuple(text_languages(practice)),
        steps=steps,
        roles=tuple(role.id for role in practice.roles),
        sources=tuple(
            SourceRow(source.title, source.author, source.url, source.licence)
            for source in practice.sources
        ),
        sound_files=tuple(
            sound.file for sound in practice.sounds.values() if sound.file is not None
        ),
        note=note,
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
