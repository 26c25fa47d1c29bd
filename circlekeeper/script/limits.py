"""How much a practice script or an actions file may hold.

Every limit is far above what a real practice needs (the largest built-in script is 14 KB
and 470 values) and low enough that `check` answers within a second or two for any file it
accepts or refuses: reading YAML costs tens of microseconds a value, so a file is bounded in
bytes, in values and in depth before it is ever built, and every list in the format is
bounded again where it is declared, with its own message. A light module: the library index
reads `MAX_BYTES` without paying for pydantic or the YAML parser.
"""

from __future__ import annotations

MAX_BYTES = 256 * 1024
"""Scripts and actions files larger than this are refused before parsing (256 KiB)."""

MAX_NODES = 5_000
"""Most values (mappings, lists and scalars, keys included) a file may hold; counted while
parsing, so a file past it is refused without being built."""

MAX_DEPTH = 40
"""Deepest nesting of mappings and lists; real scripts stay well under 15."""

MAX_STEPS = 500
"""Most steps in one list of steps (the script's, a group's, a loop's)."""

MAX_ITEMS = 100
"""Most entries in any other list or mapping of the format (tags, roles, sounds, bells at
set times, prompts, stems, sources...)."""

MAX_INTERVAL_BELLS = 1_000
"""Most interval bells one timed step may ring (every 30 s for eight hours is 960)."""

MIN_INTERVAL = 5
"""The shortest time between interval bells, in seconds."""


def size_text(limit: int = MAX_BYTES) -> str:
    """The byte limit as people say it: `256 KiB`."""
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit // 1024} KiB"
