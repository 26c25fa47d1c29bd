"""`circlekeeper list`: the practice library on the command line, one line per practice.

The same sources and the same index as the library screen: scripts the index vouches for
are listed without loading them; new or changed ones are checked here and now (and the
index updated), so the list is never stale. Broken scripts are reported on stderr as
`path:line:col: message` after the good ones are listed, with exit status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from circlekeeper.console import emit, silence_stdout
from circlekeeper.library.index import Entry, PracticeInfo, check_entry, list_order, read_library


def as_json(entry: Entry, info: PracticeInfo) -> dict[str, Any]:
    """One practice as `list --json` gives it."""
    return {
        "name": entry.path.stem,
        "title": info.title,
        "kind": info.kind,
        "summary": info.summary,
        "size": {"min": info.size_min, "max": info.size_max, "typical": info.typical_size},
        "duration": None if info.duration is None else round(info.duration),
        "languages": list(info.languages),
        "origin": entry.origin,
        "path": str(entry.path),
    }


def text_rows(entries: Iterable[tuple[Entry, PracticeInfo]]) -> list[str]:
    """One aligned line per practice: name, title, kind, sizes, typical duration, languages."""
    from circlekeeper.script.duration import approximate
    from circlekeeper.script.errors import printable

    rows = []
    for entry, info in entries:
        duration = "" if info.duration is None else approximate(info.duration)
        rows.append(
            [
                printable(entry.path.stem),
                printable(" ".join(info.title.split())),
                info.kind,
                f"{info.size_min}-{info.size_max} people",
                f"{duration} for {info.typical_size}" if duration else "",
                ", ".join(info.languages),
            ]
        )
    widths = [max((len(row[n]) for row in rows), default=0) for n in range(6)]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def run_list(
    extra_dirs: list[Path],
    *,
    as_json_output: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """List every valid practice on `out`, then each broken one's errors on `err`.

    0 when every script is valid, 2 when any is broken; never a traceback.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    library = read_library(extra_dirs)
    entries = [check_entry(e) if e.needs_check else e for e in library.entries]
    try:
        from circlekeeper.library.index import save_index

        save_index(library, entries)
    except OSError as error:  # a cache that cannot be written costs speed, never the list
        emit(f"circlekeeper: could not save the library index: {error.strerror or error}", err)
    ordered = list_order(entries)
    good = [(entry, entry.info) for entry in ordered if entry.info is not None]
    broken = [entry for entry in ordered if entry.info is None]
    try:
        if as_json_output:
            emit(
                json.dumps([as_json(e, info) for e, info in good], ensure_ascii=False, indent=2),
                out,
            )
        else:
            for row in text_rows(good):
                emit(row, out)
        out.flush()
    except BrokenPipeError:
        silence_stdout()  # `circlekeeper list | head -1`: the reader left
    for entry in broken:
        for line in entry.error_lines():
            emit(line, err)
    return 2 if broken else 0
