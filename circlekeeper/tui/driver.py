"""The thin driver between the clock, the engine, sound and the journal.

The app's interval timer calls `Driver.tick()`. The driver asks the engine what happened
since the last tick (`session.advance(now)`) and routes each event to sound and to the
journal; the screen gets the same events back and redraws from a snapshot. Ticks are never
counted: every time shown comes from `clock.now()` through the engine.

The journal hears every event, and a checkpoint on every tick and every `CHECKPOINT_EVERY`
seconds while the session runs, so a session cut short comes back with its time left right
to within that. A resumed session is held in a guardian pause until the
facilitator lifts it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from circlekeeper.engine.events import (
    BellDue,
    Event,
    PromptDue,
    Resumed,
    SessionEnded,
    StepStarted,
    TurnStarted,
)
from circlekeeper.sound.api import NullSink, SoundSink, SoundStatus

if TYPE_CHECKING:
    from circlekeeper.engine.commands import Command
    from circlekeeper.engine.session import Session
    from circlekeeper.engine.state import Snapshot
    from circlekeeper.records.summary import Summary
    from circlekeeper.tui.config import SessionConfig

log = logging.getLogger(__name__)

SUSPEND_THRESHOLD = 20.0
"""Seconds by which wall time may outrun monotonic time between ticks before we call it a
suspend (lid closed). NTP slews are far smaller; a real suspend is minutes."""
HELD_SPEECH_MAX_AGE = 30.0
"""Speech asked for while sound was loading is still spoken this late (the welcome text)."""
HELD_BELL_MAX_AGE = 3.0
"""A bell that late would mislead: past this it is left out (its flash was shown)."""
CHECKPOINT_EVERY = 0.5
"""Seconds between checkpoints while a session runs (the live screen's timer): a session
cut short comes back within about this of where it stopped, well inside a second."""
CHECKPOINT_SKIP = 0.1
"""A checkpoint this soon after the journal's last record would add nothing: left out."""


class ClockLike(Protocol):
    """What the driver needs of a clock: monotonic seconds."""

    def now(self) -> float:
        """Monotonic seconds."""
        ...


class JournalLike(Protocol):
    """What the driver needs of a journal."""

    @property
    def id(self) -> str | None:
        """The session's id (its journal's name), if it has one."""
        ...

    def append(self, event: Event) -> object:
        """Write one event durably."""
        ...

    def checkpoint(self, t: float) -> object:
        """Record that the session reached session time `t`."""
        ...

    def close(self, summary: Summary | None = None) -> None:
        """Write the closing record."""
        ...

    def retry(self) -> bool:
        """Write what the disk refused before; True when nothing is left to write."""
        ...

    def abandon(self) -> str | None:
        """Release the file whatever is unwritten; what was lost, if anything."""
        ...


@dataclass
class Tick:
    """What one tick found."""

    events: list[Event] = field(default_factory=list)
    suspended_for: float | None = None
    """Seconds the machine seemed asleep (wall jumped past monotonic), if it did."""


class Driver:
    """Owns the session and routes its events; knows nothing about widgets."""

    def __init__(
        self,
        config: SessionConfig,
        session: Session,
        clock: ClockLike,
        *,
        wall: Callable[[], float] = time.time,
        sink: SoundSink | None = None,
    ) -> None:
        self.config = config
        self.session = session
        self.clock = clock
        self.wall = wall
        self.sink: SoundSink = sink or NullSink("sound is starting")
        self.sound_loading = sink is None and not config.silent
        """True until the real sink replaces the stand-in (it loads after the first frame)."""
        self.journal: JournalLike | None = None
        self.events: list[Event] = []
        self.muted = False
        self.offset = 0.0
        """Seconds added to the clock after a suspend the facilitator chose to skip past."""
        self.catching_up = False
        self._last: tuple[float, float] | None = None
        self.journal_error: str | None = None
        self.closed = False
        self._held: list[tuple[float, str, tuple[Any, ...]]] = []
        """Cues asked for while sound was loading: (session time, "bell" or "speak", args)."""
        self.recorded_t = 0.0
        """The latest session time the journal has heard of."""
        self.held_for_resume = False
        """A resumed session waits in a guardian pause until the circle is ready."""
        self.started_wall: float | None = None
        """Epoch seconds when the session began (for a resumed one: when it first began)."""
        self.session_id: str | None = None
        """The id of the session's journal, once it has one."""

    # -- time -------------------------------------------------------------------------------

    def now(self) -> float:
        """Session time: the monotonic clock plus any skipped-ahead suspend."""
        return self.clock.now() + self.offset

    def snapshot(self) -> Snapshot:
        """The picture for the screen, with the wall-clock end of the step."""
        return self.session.snapshot(self.now(), wall=self.wall())

    # -- commands ---------------------------------------------------------------------------

    def start(self) -> list[Event]:
        """Start the session now."""
        self._last = (self.clock.now(), self.wall())
        if self.started_wall is None:
            self.started_wall = self._last[1]
        return self.route(self.session.start(self.now()))

    def hold_for_resume(self, events: Iterable[Event] = ()) -> list[Event]:
        """Take over a session rebuilt from its journal: `events` are what it said up to
        where it stopped (kept for the summary, neither played nor journalled again). A
        running one is held in a guardian pause, without its bell: the circle may not be
        seated yet."""
        self.events.extend(events)
        self._last = (self.clock.now(), self.wall())
        session = self.session
        if not session.started or session.ended:
            return []
        self.held_for_resume = True
        if session.paused:
            return []
        from circlekeeper.engine.commands import Pause

        self.catching_up = True  # no pause bell
        try:
            return self.do(Pause())
        finally:
            self.catching_up = False

    def tick(self) -> Tick:
        """Advance the engine to now; notice a suspend."""
        mono, wall = self.clock.now(), self.wall()
        result = Tick()
        if self._last is not None and not self.session.ended:
            jumped = (wall - self._last[1]) - (mono - self._last[0])
            if jumped > SUSPEND_THRESHOLD and not self.session.paused:
                result.suspended_for = jumped
        self._last = (mono, wall)
        if self.session.started and not self.session.ended:
            result.events = self.route(self.session.advance(self.now()))
            self.checkpoint()
        return result

    def checkpoint(self) -> None:
        """Tell the journal how far the session got (unless it heard of that moment a
        moment ago). Never raises."""
        journal, session = self.journal, self.session
        if journal is None or not session.started or session.ended:
            return
        t = session.session_time(self.now())
        if t - self.recorded_t < CHECKPOINT_SKIP:
            return
        self.recorded_t = t
        try:
            journal.checkpoint(t)
            self.journal_error = getattr(journal, "error", None)
        except Exception as error:  # keep the circle going; the screen says the journal stopped
            self.journal_error = str(error)
            log.warning("journal checkpoint failed: %s", error)
            self.journal = None

    def do(self, command: Command) -> list[Event]:
        """Give the engine a command now and route what it answers (a refusal too: it says
        why, and the journal keeps it)."""
        return self.route(self.session.do(command, self.now()))

    def skip_ahead(self, seconds: float) -> list[Event]:
        """After a suspend: resume, then let the lost time pass at once (without sound)."""
        events = self.route(self.session.resume(self.now())) if self.session.paused else []
        self.offset += seconds
        self.catching_up = True
        try:
            events += self.route(self.session.advance(self.now()))
        finally:
            self.catching_up = False
        self._last = (self.clock.now(), self.wall())
        return events

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute every cue."""
        self.muted = muted
        self.sink.set_muted(muted)

    def sound_status(self) -> SoundStatus:
        """The sink's status, never raising."""
        try:
            return self.sink.status()
        except Exception as error:  # a sink must not raise, but a live circle outranks it
            log.warning("sound status failed: %s", error)
            return SoundStatus(ok=False, detail=f"sound failed: {error}")

    def replace_sink(self, sink: SoundSink) -> None:
        """Swap in the real sink once it is loaded; keep the mute choice."""
        if self.closed:  # the session ended while sound was loading: release it at once
            with contextlib.suppress(Exception):
                sink.close()
            return
        old, self.sink = self.sink, sink
        self.sound_loading = False
        if self.muted:
            sink.set_muted(True)
        try:
            old.close()
        except Exception as error:
            log.warning("closing the old sink failed: %s", error)
        self._replay_held()

    def _replay_held(self) -> None:
        """Give the real sink what the stand-in could not play, if it is not too late."""
        held, self._held = self._held, []
        now = self.now()
        for t, kind, args in held:
            limit = HELD_SPEECH_MAX_AGE if kind == "speak" else HELD_BELL_MAX_AGE
            if now - t > limit:
                log.info("%s asked for while sound was loading is too late now: %s", kind, args)
                continue
            try:
                getattr(self.sink, kind)(*args)
            except Exception as error:  # sound never takes the circle down
                log.warning("sound failed on a held %s: %s", kind, error)

    # -- routing ----------------------------------------------------------------------------

    def route(self, events: Iterable[Event]) -> list[Event]:
        """Send events to sound and the journal; return them for the screen."""
        out = list(events)
        for event in out:
            if isinstance(event, Resumed):
                self.held_for_resume = False
            self.events.append(event)
            self._sound(event)
            self._journal(event)
        return out

    def _sound(self, event: Event) -> None:
        if self.config.silent or self.catching_up:
            return
        cues: list[tuple[str, tuple[Any, ...]]] = []
        if isinstance(event, BellDue):
            cues.append(("bell", (event.sound, event.strikes)))
            if event.say:
                cues.append(("speak", (event.say, self.language)))
        elif isinstance(event, PromptDue):
            cues.append(("speak", (event.text, event.language)))
        elif self.config.announce:
            text = announcement(event)
            if text:
                cues.append(("speak", (text, self.language)))
        if self.sound_loading and cues:
            now = self.now()
            # Bounded even if sound never finishes loading: older cues could not be replayed.
            self._held = [h for h in self._held if now - h[0] <= HELD_SPEECH_MAX_AGE]
            self._held += [(now, kind, args) for kind, args in cues]
        for kind, args in cues:
            try:
                getattr(self.sink, kind)(*args)
            except Exception as error:  # sound never takes the circle down
                log.warning("sound failed on %s: %s", event.name, error)

    def _journal(self, event: Event) -> None:
        if self.journal is None:
            return
        self.recorded_t = max(self.recorded_t, event.t)
        try:
            self.journal.append(event)
            # The journal never raises; it keeps its trouble in `error` for a banner.
            self.journal_error = getattr(self.journal, "error", None)
        except Exception as error:  # keep the circle going; the screen says the journal stopped
            self.journal_error = str(error)
            log.warning("journal append failed: %s", error)
            self.journal = None

    @property
    def language(self) -> str:
        """The language prompts are spoken in."""
        return self.config.language or self.config.practice.language

    def close(self) -> None:
        """Release the sound device."""
        self.closed = True
        try:
            self.sink.close()
        except Exception as error:
            log.warning("closing sound failed: %s", error)

    @property
    def ended(self) -> SessionEnded | None:
        """The end event, once the session is over."""
        for event in reversed(self.events):
            if isinstance(event, SessionEnded):
                return event
        return None


def announcement(event: Event) -> str | None:
    """The words announce mode speaks for a change of step or speaker."""
    if isinstance(event, StepStarted):
        return f"Next: {event.title}" if event.title else None
    if isinstance(event, TurnStarted):
        return event.speaker
    return None
