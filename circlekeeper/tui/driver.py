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

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from circlekeeper.engine.events import Event, Resumed, SessionEnded
from circlekeeper.sound.api import SoundSink, SoundStatus
from circlekeeper.tui.sleep import SleepWatch
from circlekeeper.tui.soundroute import SoundRouter

if TYPE_CHECKING:
    from circlekeeper.engine.commands import Command
    from circlekeeper.engine.session import Session
    from circlekeeper.engine.state import Snapshot
    from circlekeeper.records.summary import Summary
    from circlekeeper.tui.config import SessionConfig

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 1.0
"""Seconds between checkpoints while a session runs: a session cut short comes back within
about this of where it stopped (its countdown within a second). The live screen's tick
comes every second and writes one; a beat of its own writes one only when the tick waits."""
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
    """Seconds the computer slept, when the facilitator must be asked what now (the
    session is to pause at the moment it fell asleep)."""
    caught_up: float = 0.0
    """Seconds of a short sleep the timers caught up on by themselves."""


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
        sleep: SleepWatch | None = None,
    ) -> None:
        self.session = session
        self.clock = clock
        self.wall = wall
        self.sound = SoundRouter(config, sink)
        """Where cues go: the sound rules and the sink."""
        self.journal: JournalLike | None = None
        self.events: list[Event] = []
        self.walls: list[float | None] = []
        """When each of `events` happened (epoch seconds; None: not known, as for the events
        of a resumed session before it stopped)."""
        self.muted = False
        self.offset = 0.0
        """Seconds added to the clock for sleeps the session caught up on (a short one, or a
        long one the facilitator chose to skip past)."""
        self.sleep = sleep
        """Notices the computer sleeping (None: never, as with a test's mock clock)."""
        self.catching_up = False
        self.journal_error: str | None = None
        self.closed = False
        self.recorded_t = 0.0
        """The latest session time the journal has heard of."""
        self.held_for_resume = False
        """A resumed session waits in a guardian pause until the circle is ready."""
        self.started_wall: float | None = None
        """Epoch seconds when the session began (for a resumed one: when it first began)."""
        self.session_id: str | None = None
        """The id of the session's journal, once it has one."""

    @property
    def config(self) -> SessionConfig:
        """How the session is set up (shared with the sound router)."""
        return self.sound.config

    @config.setter
    def config(self, config: SessionConfig) -> None:
        self.sound.config = config

    @property
    def sink(self) -> SoundSink:
        """The sound sink (a stand-in while the real one loads)."""
        return self.sound.sink

    @property
    def sound_loading(self) -> bool:
        """True until the real sink replaces the stand-in (it loads after the first frame)."""
        return self.sound.loading

    def session_now(self) -> float:
        """Session time now (what the engine's events are stamped in), for sound."""
        if not self.session.started:
            return 0.0
        return float(self.session.session_time(self.now()))

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
        self._watch_sleep()
        if self.started_wall is None:
            self.started_wall = self.wall()
        return self.route(self.session.start(self.now()))

    def sound_ready(self) -> bool:
        """Whether sound is ready for the session to start (see `SoundRouter.ready`)."""
        return self.sound.ready()

    def hold_for_resume(self, events: Iterable[Event] = ()) -> list[Event]:
        """Take over a session rebuilt from its journal: `events` are what it said up to
        where it stopped (kept for the summary, neither played nor journalled again). A
        running one is held in a guardian pause, without its bell: the circle may not be
        seated yet."""
        before = list(events)
        self.events.extend(before)
        self.walls.extend([None] * len(before))
        self._watch_sleep()
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

    def _watch_sleep(self) -> None:
        if self.sleep is not None:
            self.sleep.reset()

    def tick(self) -> Tick:
        """Advance the engine to now; notice a sleep of the computer (`tui/sleep.py` says
        what it does: a short one is caught up on here, a long one is for the screen to ask
        about)."""
        result = Tick()
        session = self.session
        sleep = self.sleep.look() if self.sleep is not None else None
        if sleep is not None and session.started and not session.ended:
            if sleep.ask and not session.paused:
                result.suspended_for = sleep.seconds
            else:
                # The circle went on in the room: so does session time (a pause, too, lasted
                # that much longer). What fell due meanwhile rings now, late.
                log.info("the computer slept %.1f s; the timers catch up", sleep.seconds)
                self.offset += sleep.seconds
                result.caught_up = sleep.seconds
        if session.started and not session.ended:
            result.events = self.route(self.session.advance(self.now()))
            # Every tick records, even just after an event: skipping it would leave the
            # journal a second and a little behind until the next tick.
            self.checkpoint(skip=0.0)
        return result

    def checkpoint(self, skip: float = CHECKPOINT_SKIP) -> None:
        """Tell the journal how far the session got, unless it heard of that moment (or
        of one less than `skip` seconds before it) already. Never raises."""
        journal, session = self.journal, self.session
        if journal is None or not session.started or session.ended:
            return
        t = session.session_time(self.now())
        if t <= self.recorded_t or t - self.recorded_t < skip:
            return
        self.recorded_t = t
        try:
            journal.checkpoint(t)
            self.journal_error = getattr(journal, "error", None)
        except Exception as error:  # keep the circle going; the screen says the journal stopped
            self.journal_error = str(error)
            log.warning("journal checkpoint failed: %s", error)
            self.journal = None

    def checkpoint_due_in(self) -> float:
        """Seconds until the journal is next due to hear how far the session got: a
        `CHECKPOINT_EVERY` after the last record, so the checkpoints between ticks fall
        between them rather than beside them."""
        session = self.session
        if not session.started or session.ended:
            return CHECKPOINT_EVERY
        since = session.session_time(self.now()) - self.recorded_t
        return min(max(CHECKPOINT_EVERY - since, CHECKPOINT_SKIP), CHECKPOINT_EVERY)

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
        return events

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute every cue."""
        self.muted = muted
        self.sound.set_muted(muted)

    def sound_status(self) -> SoundStatus:
        """The sink's status, never raising."""
        return self.sound.status()

    def replace_sink(self, sink: SoundSink) -> None:
        """Swap in the real sink once it is loaded; keep the mute choice."""
        self.sound.replace_sink(sink, self.session_now(), muted=self.muted)

    # -- routing ----------------------------------------------------------------------------

    def route(self, events: Iterable[Event]) -> list[Event]:
        """Send events to sound and the journal; return them for the screen."""
        out = list(events)
        for event in out:
            if isinstance(event, Resumed):
                self.held_for_resume = False
        self.events.extend(out)
        self.walls.extend([self.wall()] * len(out))
        self.sound.route(out, self.session_now(), quiet=self.catching_up)
        for event in out:
            self._journal(event)
        return out

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
        return self.sound.language

    def close(self) -> None:
        """The session is over. Sound stays open, so a closing bell rings out in full."""
        self.closed = True
        self.sound.end()

    def release_sound(self, linger: float = 0.0) -> None:
        """Let the sound device go; a bell still ringing may sound up to `linger` seconds."""
        self.closed = True
        self.sound.release(linger)

    @property
    def ended(self) -> SessionEnded | None:
        """The end event, once the session is over."""
        for event in reversed(self.events):
            if isinstance(event, SessionEnded):
                return event
        return None
