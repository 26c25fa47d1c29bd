"""From engine events to sound: which cues a circle hears, when, and which it does not.

The driver hands every routed event to `SoundRouter.route`, with the session clock's time.
The router works out each cue's due time on the monotonic clock (a tick may come late; the
sink places the cue at its due time all the same), and applies the rules that are about the
session rather than the device:

- a step that ends takes its unfinished words with it (`hush`), before the next step's cues;
- cues that fell due during a stall of more than a few seconds (the process stopped, the
  event loop blocked) are journalled by the driver, but only the latest is played;
- while the real sink is still loading, cues are held and handed over when it arrives, if
  they are not too old by then;
- announce mode speaks each new step and speaker, queued behind the words being spoken, in
  the interface's language and with a voice for it;
- a bell's words are spoken in the language they are written in (the practice's version
  picked for the session), with a voice for that language.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from circlekeeper import i18n
from circlekeeper.engine.events import (
    BellDue,
    Event,
    PromptDue,
    StepEnded,
    StepStarted,
    TurnStarted,
)
from circlekeeper.i18n import _, msg, tr
from circlekeeper.sound.api import NullSink, SoundSink, SoundStatus

if TYPE_CHECKING:
    from circlekeeper.tui.config import SessionConfig

log = logging.getLogger(__name__)

STALL_S = 3.0
"""A cue this far overdue when routed fell due during a stall: of those in one batch, only
the latest is played."""
HELD_SPEECH_MAX_AGE = 30.0
"""Speech asked for while sound was loading is still spoken this late (the welcome text)."""
HELD_BELL_MAX_AGE = 3.0
"""A bell that late would mislead: past this it is left out (its flash was shown)."""


@dataclass(frozen=True)
class Cue:
    """One thing to hear: a bell (with the words after it) or words alone."""

    t: float
    """Session-clock time it fell due."""
    calls: tuple[tuple[str, tuple[Any, ...]], ...]
    """Sink calls, in order: ("bell", (sound, strikes)) and ("speak", (text, language))."""
    manual: bool = False
    """A bell rung by hand (no schedule: as soon as possible)."""


def announcement(event: Event) -> str | None:
    """The words announce mode speaks for a change of step or speaker, in the interface's
    language (`i18n.interface()`: the language they are spoken in)."""
    if isinstance(event, StepStarted):
        return next_step_words(event.title) if event.title else None
    if isinstance(event, TurnStarted):
        return event.speaker
    return None


def next_step_words(title: str) -> str:
    """ "Next: Closing silence", as announce mode says a new step."""
    return _("Next: {step}").format(step=tr(title))


class SoundRouter:
    """Turns routed events into sink calls; owns the sink until the app lets it go."""

    def __init__(
        self,
        config: SessionConfig,
        sink: SoundSink | None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.sink: SoundSink = sink or NullSink(msg("sound is starting"))
        self.loading = sink is None and not config.silent
        """True until the real sink replaces the stand-in (it loads after the first frame)."""
        self.monotonic = monotonic
        self.ended = False
        self.dropped = 0
        """Overdue cues left silent after a stall."""
        self._held: list[tuple[float, str, tuple[Any, ...]]] = []
        """Cues asked for while sound was loading: (session-clock time, kind, args)."""

    @property
    def language(self) -> str:
        """The language prompts are spoken in."""
        return self.config.language or self.config.practice.language

    # -- the session ------------------------------------------------------------------------

    def route(self, events: Iterable[Event], now: float, *, quiet: bool = False) -> None:
        """Play what `events` call for; `now` is the session time of routing (the time the
        engine stamps its events in; a resumed session's too).

        `quiet`: the events are time passing at once (skipping past a suspend): nothing sounds.
        """
        if self.config.silent or quiet:
            return
        cues: list[Cue | None] = []  # None: the step ended here
        for event in events:
            if isinstance(event, StepEnded):
                cues.append(None)
            cue = self._cue(event)
            if cue is not None:
                cues.append(cue)
        latest_overdue = max(
            (i for i, c in enumerate(cues) if c is not None and now - self._due(c) > STALL_S),
            default=None,
        )
        for i, cue in enumerate(cues):
            if cue is None:
                self._call("hush", ())
                continue
            overdue = now - self._due(cue) > STALL_S
            if overdue and i != latest_overdue:
                self.dropped += 1
                log.info("cue overdue after a stall, left silent: %s", cue.calls)
                continue
            self._play(cue, now)

    @staticmethod
    def _due(cue: Cue) -> float:
        return cue.t

    def _cue(self, event: Event) -> Cue | None:
        calls: list[tuple[str, tuple[Any, ...]]] = []
        if isinstance(event, BellDue):
            calls.append(("bell", (event.sound, event.strikes)))
            if event.say:
                calls.append(("speak", (event.say, event.language or self.language)))
        elif isinstance(event, PromptDue):
            calls.append(("speak", (event.text, event.language)))
        elif self.config.announce:
            text = announcement(event)
            if text:
                calls.append(("speak", (text, i18n.interface())))
        manual = isinstance(event, BellDue) and event.reason == "manual"
        return Cue(event.t, tuple(calls), manual) if calls else None

    def _play(self, cue: Cue, now: float) -> None:
        due = self._due(cue)
        if self.loading:
            # Bounded even if sound never finishes loading: older cues could not be replayed.
            self._held = [h for h in self._held if now - h[0] <= HELD_SPEECH_MAX_AGE]
            self._held += [(due, kind, args) for kind, args in cue.calls]
        # The cue fell due `now - due` ago on the session clock: the same on the monotonic one.
        # A bell rung by hand has no schedule to keep: it sounds as soon as it can.
        at = None if cue.manual else self.monotonic() - max(0.0, now - due)
        for kind, args in cue.calls:
            self._call(kind, args, at)

    def _call(self, kind: str, args: tuple[Any, ...], at: float | None = None) -> None:
        try:
            if kind == "hush":
                self.sink.hush()
                if self.loading:  # the ended step's words must not be replayed either
                    self._held = [h for h in self._held if h[1] != "speak"]
            else:
                getattr(self.sink, kind)(*args, at=at)
        except Exception as error:  # sound never takes the circle down
            log.warning("sound failed on %s: %s", kind, error)

    # -- the sink ---------------------------------------------------------------------------

    def prepare(self) -> None:
        """Ask the sink to render what the session will say: the opening words first."""
        from circlekeeper.script.texts import spoken_texts

        practice, language = self.config.practice, self.language
        texts = spoken_texts(practice, language)
        opening = spoken_texts(practice.model_copy(update={"steps": practice.steps[:1]}), language)
        rest = [t for t in texts if t not in opening]
        if self.config.announce:
            said = {next_step_words(step) for step in _titles(practice, language)}
            said |= set(self.config.circle)
            rest += [(text, i18n.interface()) for text in sorted(said)]
        try:
            self.sink.prepare(opening)
            if rest:
                self.sink.prepare(rest)
        except Exception as error:
            log.warning("preparing speech failed: %s", error)

    def ready(self) -> bool:
        """Whether the session may start as far as sound goes (never raises)."""
        if self.config.silent:
            return True
        if self.loading:
            return False
        try:
            return bool(self.sink.ready())
        except Exception as error:
            log.warning("sound readiness failed: %s", error)
            return True

    def status(self) -> SoundStatus:
        """The sink's status, never raising."""
        try:
            return self.sink.status()
        except Exception as error:  # a sink must not raise, but a live circle outranks it
            log.warning("sound status failed: %s", error)
            return SoundStatus(ok=False, detail=msg("sound failed: {problem}", problem=str(error)))

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute every cue."""
        with contextlib.suppress(Exception):
            self.sink.set_muted(muted)

    def replace_sink(self, sink: SoundSink, now: float, *, muted: bool = False) -> None:
        """Swap in the real sink once it is loaded (`now` in session time), and hand it the
        held cues."""
        if self.ended:  # the session ended while sound was loading: release it at once
            with contextlib.suppress(Exception):
                sink.close()
            return
        old, self.sink = self.sink, sink
        self.loading = False
        if muted:
            self.set_muted(True)
        try:
            old.close()
        except Exception as error:
            log.warning("closing the old sink failed: %s", error)
        self._replay_held(now)

    def _replay_held(self, now: float) -> None:
        """Give the real sink what the stand-in could not play, if it is not too late."""
        held, self._held = self._held, []
        mono = self.monotonic()
        for due, kind, args in held:
            age = now - due
            limit = HELD_SPEECH_MAX_AGE if kind == "speak" else HELD_BELL_MAX_AGE
            if age > limit:
                log.info("%s asked for while sound was loading is too late now: %s", kind, args)
                continue
            self._call(kind, args, mono - max(0.0, age))

    def end(self) -> None:
        """The session is over: the sink stays open, so a closing bell rings out."""
        self.ended = True

    def release(self, linger: float = 0.0) -> None:
        """Let the sink go: a bell still ringing may sound up to `linger` seconds."""
        self.ended = True
        try:
            self.sink.close(linger)
        except Exception as error:
            log.warning("closing sound failed: %s", error)


def _titles(practice: Any, language: str) -> list[str]:
    """Every step title a session can announce (nested steps included), as the session
    shows it in `language`."""
    from circlekeeper.script.texts import step_title
    from circlekeeper.script.validate import iter_steps

    return [step_title(at.step, language, practice.language) for at in iter_steps(practice)]
