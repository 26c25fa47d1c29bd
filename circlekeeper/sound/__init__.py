"""Cues: bells, spoken prompts and the one output stream that plays them."""

from __future__ import annotations

import logging

# Sound warnings belong in the app's log, never on a terminal the TUI is drawing: without
# this, Python's last-resort handler would print them to stderr when nothing is configured.
logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> object:
    # `from circlekeeper.sound import make_sink` without importing playback on package import.
    if name in ("make_sink", "AudioSink", "self_check"):
        from circlekeeper.sound import player

        return getattr(player, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
