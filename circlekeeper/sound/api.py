"""The one small interface between a running session and whatever makes sound.

The TUI talks only to a `SoundSink`. The real one renders and plays; tests use
`RecordingSink`; `--silent` uses `NullSink`. No method may block the caller for more than
a few milliseconds, and none may raise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class SoundStatus:
    """What the sound side can do right now."""

    ok: bool
    """True when cues are being played on an output device."""
    detail: str
    """A one-line account for the banner: the device, or what is wrong."""
    prepared: int = 0
    """Prompts rendered so far."""
    to_prepare: int = 0
    """Prompts asked for by `prepare`."""
    muted: bool = False
    failed: int = 0
    """Prompts asked for by `prepare` that could not be rendered (shown on screen only)."""


@runtime_checkable
class SoundSink(Protocol):
    """Everything a session asks of sound."""

    def bell(self, sound: str, strikes: int = 1, volume: float = 1.0) -> None:
        """Ring a named sound (built-in or a practice's own) now."""

    def speak(self, text: str, language: str = "en") -> None:
        """Speak `text` now if it is rendered; late or not at all otherwise."""

    def prepare(self, texts: Iterable[tuple[str, str]]) -> None:
        """Render (text, language) pairs in the background, ahead of need."""

    def set_muted(self, muted: bool) -> None:
        """Silence or restore every cue."""

    def status(self) -> SoundStatus:
        """The current state, for the banner and the setup screen."""

    def close(self) -> None:
        """Stop playing and release the device."""


class NullSink:
    """No sound at all (`--silent`, or no audio on this machine)."""

    def __init__(self, detail: str = "sound off") -> None:
        self._detail = detail
        self._muted = False

    def bell(self, sound: str, strikes: int = 1, volume: float = 1.0) -> None:
        """Do nothing."""

    def speak(self, text: str, language: str = "en") -> None:
        """Do nothing."""

    def prepare(self, texts: Iterable[tuple[str, str]]) -> None:
        """Do nothing."""

    def set_muted(self, muted: bool) -> None:
        """Remember the choice, for the status line."""
        self._muted = muted

    def status(self) -> SoundStatus:
        """Never ok: the screen shows visual cues instead."""
        return SoundStatus(ok=False, detail=self._detail, muted=self._muted)

    def close(self) -> None:
        """Do nothing."""


@dataclass
class RecordingSink:
    """Remembers every call, for tests."""

    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    muted: bool = False
    closed: bool = False

    def bell(self, sound: str, strikes: int = 1, volume: float = 1.0) -> None:
        """Record a bell."""
        self.calls.append(("bell", (sound, strikes, volume)))

    def speak(self, text: str, language: str = "en") -> None:
        """Record speech."""
        self.calls.append(("speak", (text, language)))

    def prepare(self, texts: Iterable[tuple[str, str]]) -> None:
        """Record what was asked to be prepared."""
        self.calls.append(("prepare", tuple(texts)))

    def set_muted(self, muted: bool) -> None:
        """Record mute changes."""
        self.muted = muted
        self.calls.append(("mute", (muted,)))

    def status(self) -> SoundStatus:
        """Always fine."""
        return SoundStatus(ok=True, detail="recording", muted=self.muted)

    def close(self) -> None:
        """Record the close."""
        self.closed = True

    def kinds(self) -> list[str]:
        """The names of the calls, in order."""
        return [kind for kind, _ in self.calls]
