"""The one small interface between a running session and whatever makes sound.

The TUI talks only to a `SoundSink`. The real one renders and plays; tests use
`RecordingSink`; `--silent` uses `NullSink`. No method may block the caller for more than
a few milliseconds, and none may raise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

QUIT_LINGER_S = 3.0
"""When the app quits, a bell still ringing may sound this long before it is faded out."""


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
    warning: str = ""
    """Sound works, but not as asked (another output, no speech): a line for a banner."""
    speech: bool = True
    """False once speech is known not to work: prompts are on screen only."""


@runtime_checkable
class SoundSink(Protocol):
    """Everything a session asks of sound.

    `at` is the monotonic time (`time.monotonic()`) a cue fell due; a sink plays every cue
    the same constant delay after it, so tick jitter does not reach the sound.
    """

    def bell(
        self, sound: str, strikes: int = 1, volume: float = 1.0, at: float | None = None
    ) -> None:
        """Ring a named sound (built-in or a practice's own), due at `at` (now when None)."""

    def speak(self, text: str, language: str = "en", at: float | None = None) -> None:
        """Speak `text` after the words before it, due at `at`; late or not at all when it
        is not rendered in time."""

    def hush(self) -> None:
        """A step ended: fade out its words and drop its words not yet spoken (bells ring on)."""

    def prepare(self, texts: Iterable[tuple[str, str]]) -> None:
        """Render (text, language) pairs in the background, ahead of need (the first call's
        texts are the opening words)."""

    def ready(self) -> bool:
        """Whether a session may start: output running steadily and opening words rendered
        (also True when sound cannot work: the circle then starts without it)."""

    def set_muted(self, muted: bool) -> None:
        """Silence or restore every cue."""

    def status(self) -> SoundStatus:
        """The current state, for the banner and the setup screen."""

    def close(self, linger: float = 0.0) -> None:
        """Release the device; a bell still ringing may sound up to `linger` seconds first."""


class NullSink:
    """No sound at all (`--silent`, or no audio on this machine)."""

    def __init__(self, detail: str = "sound off") -> None:
        self._detail = detail
        self._muted = False

    def bell(
        self, sound: str, strikes: int = 1, volume: float = 1.0, at: float | None = None
    ) -> None:
        """Do nothing."""

    def speak(self, text: str, language: str = "en", at: float | None = None) -> None:
        """Do nothing."""

    def hush(self) -> None:
        """Do nothing."""

    def prepare(self, texts: Iterable[tuple[str, str]]) -> None:
        """Do nothing."""

    def ready(self) -> bool:
        """Always: nothing to wait for."""
        return True

    def set_muted(self, muted: bool) -> None:
        """Remember the choice, for the status line."""
        self._muted = muted

    def status(self) -> SoundStatus:
        """Never ok: the screen shows visual cues instead."""
        return SoundStatus(ok=False, detail=self._detail, muted=self._muted)

    def close(self, linger: float = 0.0) -> None:
        """Do nothing."""


@dataclass
class RecordingSink:
    """Remembers every call, for tests. `due` holds each cue's `at`, in call order."""

    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    due: list[float | None] = field(default_factory=list)
    muted: bool = False
    closed: bool = False
    linger: float | None = None
    is_ready: bool = True

    def bell(
        self, sound: str, strikes: int = 1, volume: float = 1.0, at: float | None = None
    ) -> None:
        """Record a bell."""
        self.calls.append(("bell", (sound, strikes, volume)))
        self.due.append(at)

    def speak(self, text: str, language: str = "en", at: float | None = None) -> None:
        """Record speech."""
        self.calls.append(("speak", (text, language)))
        self.due.append(at)

    def hush(self) -> None:
        """Record that a step's words were stopped."""
        self.calls.append(("hush", ()))

    def prepare(self, texts: Iterable[tuple[str, str]]) -> None:
        """Record what was asked to be prepared."""
        self.calls.append(("prepare", tuple(texts)))

    def ready(self) -> bool:
        """As set by the test (ready by default)."""
        return self.is_ready

    def set_muted(self, muted: bool) -> None:
        """Record mute changes."""
        self.muted = muted
        self.calls.append(("mute", (muted,)))

    def status(self) -> SoundStatus:
        """Always fine."""
        return SoundStatus(ok=True, detail="recording", muted=self.muted)

    def close(self, linger: float = 0.0) -> None:
        """Record the close."""
        self.closed = True
        self.linger = linger

    def kinds(self) -> list[str]:
        """The names of the calls, in order."""
        return [kind for kind, _ in self.calls]
