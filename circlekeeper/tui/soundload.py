"""Making the sound sink for a practice: one place, so every caller passes the same things."""

from __future__ import annotations

from pathlib import Path

from circlekeeper.script.model import Practice
from circlekeeper.sound.api import SoundSink


def practice_sink(
    practice: Practice, path: Path | None, *, device: str | None, language: str
) -> SoundSink:
    """A sink with the practice's voices and its own sounds (WAV files only from its folder).

    Loads numpy and PortAudio: call it from a worker thread, never before the first frame.
    """
    from circlekeeper.sound.player import make_sink

    return make_sink(
        device=device,
        voices=practice.voices,
        language=language,
        sounds=practice.sounds,
        sounds_dir=path.parent if path is not None else None,
    )
