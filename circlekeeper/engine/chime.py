"""The bell line: cues that fall due at the same moment never ring on top of each other.

Identical cues due together ring once. Different ones ring one after the other, in the
order they fell due: each waits until the one before it has struck all its strikes (at
the sound's own spacing) and said its words. A waiting cue is due on the active clock,
so a pause holds it too; it still rings when the step that asked for it has ended.

A bell rung by hand and the guardian's cues do not wait in line: the facilitator asked
for them now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from circlekeeper.engine.cues import CueRow, StepRun
from circlekeeper.script.model import CueSpec, SoundDef
from circlekeeper.script.sounds import FILE_STRIKE_SECONDS, STRIKE_SECONDS

WORD_SECONDS = 0.4
"""Seconds a spoken word takes (150 words a minute), for words that follow a cue."""
SETTLE_SECONDS = 1.0
"""A breath between a cue's last strike and what follows its words."""

Key = tuple[str, int, str | None]
"""What a cue sounds like: its sound, strikes and words."""


@dataclass(frozen=True)
class Waiting:
    """A cue waiting for the one before it to finish."""

    due: float
    """Active time at which it rings."""
    sound: str
    strikes: int
    reason: str
    words: str | None
    language: str | None = None
    """The language of `words`."""


@dataclass
class BellLine:
    """The cues of the current moment, and those still waiting their turn."""

    sounds: dict[str, SoundDef]
    waiting: list[Waiting] = field(default_factory=list)
    moment: float | None = None
    """Active time of the latest cue rung in line."""
    heard: set[Key] = field(default_factory=set)
    """Cues rung (or queued) at `moment`: the same again is not rung twice."""
    busy_until: float = 0.0
    """Active time at which the cues of this moment have finished."""

    def length(self, sound: str, strikes: int, words: str | None) -> float:
        """Seconds a cue takes: its strikes at the sound's spacing, then its words."""
        own = self.sounds.get(sound)
        base = own.builtin if own is not None and own.builtin is not None else sound
        per = STRIKE_SECONDS.get(base, FILE_STRIKE_SECONDS)
        said = 0.0 if not words else len(words.split()) * WORD_SECONDS + SETTLE_SECONDS
        return strikes * per + said

    def ask(
        self,
        a: float,
        sound: str,
        strikes: int,
        reason: str,
        words: str | None,
        language: str | None = None,
    ) -> bool:
        """A cue falls due at active time `a`. True: ring it now; False: it waits in line
        (or was rung already at this moment). `language`: the language of `words`."""
        key: Key = (sound, strikes, words)
        if a != self.moment:
            self.moment = a
            self.heard = set()
            if not self.waiting:
                self.busy_until = a
        if key in self.heard:
            return False
        self.heard.add(key)
        if self.waiting or self.busy_until > a:
            self.waiting.append(Waiting(self.busy_until, sound, strikes, reason, words, language))
            self.busy_until += self.length(sound, strikes, words)
            return False
        self.busy_until = a + self.length(sound, strikes, words)
        return True

    @property
    def due(self) -> float | None:
        """When the next waiting cue rings (active time), if one waits."""
        return self.waiting[0].due if self.waiting else None

    def pop(self) -> Waiting:
        """The next waiting cue, now ringing: it becomes the moment's cue."""
        cue = self.waiting.pop(0)
        self.moment = cue.due
        self.heard = {(cue.sound, cue.strikes, cue.words)}
        return cue


def _no_cue(_: StepRun) -> tuple[CueSpec | None, str]:
    return None, "queued"


def _no_time(_: StepRun) -> float | None:
    return None


def _no_fire(_host: object, _st: StepRun) -> None:
    return None


LINE_ROW = CueRow("queued", -1, _no_time, _no_cue, _no_fire)
"""Stands for the bell line among the due cues: a cue waiting for the one before it (it is
fired by the session, whose line it is)."""
