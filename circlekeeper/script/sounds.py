"""The built-in sounds and how far apart their strikes ring: one table, read by the engine
(to space cues that fall due together) and by the player (to place each strike).

A light module: the sound package reads it without loading the format's models.
"""

from __future__ import annotations

STRIKE_SECONDS: dict[str, float] = {
    "bowl": 4.5,
    "chime": 2.0,
    "clappers": 1.1,
    "gong": 6.0,
    "warning": 1.4,
}
"""Seconds from one strike of each built-in sound to the next, as they are rung (the next
strike comes as the one before it decays): a cue that falls due with another waits this long
per strike of the one before it."""
BUILTIN_SOUNDS: tuple[str, ...] = tuple(STRIKE_SECONDS)
"""The sounds circlekeeper synthesises itself (the format's `BuiltinSound`)."""
FILE_STRIKE_SECONDS = 3.0
"""The same for a sound from a WAV file, whose length the format does not know."""
