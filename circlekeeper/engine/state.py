"""A frozen picture of a session at one moment, for the screen and for tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Phase = Literal["ready", "running", "paused", "ended"]
TimerKind = Literal["turn", "step"]


@dataclass(frozen=True)
class AgendaItem:
    """One row of the agenda: a top-level step of the practice."""

    title: str
    kind: str
    status: Literal["done", "current", "todo", "skipped"]
    estimate: float | None


@dataclass(frozen=True)
class Topic:
    """An emergent topic on the list, to bring forward later."""

    id: str
    text: str


@dataclass(frozen=True)
class PlannedStep:
    """A step of the live agenda that is running or still to come, with its forecast."""

    id: str
    title: str
    kind: str
    current: bool
    seconds: float
    """Its length as planned (the step in progress: what it has had and has left)."""
    starts: float
    """Session time it started, or is forecast to start."""
    ends: float
    """Session time it is forecast to end."""
    flexible: bool
    """Whether ending the session at a time may stretch or shrink it."""
    focus: str | None = None
    """The focus person of the loop it belongs to."""


@dataclass(frozen=True)
class Snapshot:
    """Everything the live screen shows, computed at `now` (session seconds)."""

    now: float
    phase: Phase
    practice: str
    circle: tuple[str, ...]
    roles: dict[str, tuple[str, ...]]
    agenda: tuple[AgendaItem, ...]
    step_index: int | None
    """Steps as run so far (loops unrolled); None before start and after the end."""
    step_kind: str | None
    step_title: str | None
    step_text: str | None
    """The step's prompt or text, in the session's language."""
    stems: tuple[str, ...]
    focus: str | None
    """The focus person of a for-each loop, else the member in focus at this meeting of a
    series."""
    step_remaining: float | None
    """Seconds left in the step; None for untimed steps. Never negative."""
    step_elapsed: float
    step_ends_wall: float | None
    """Epoch seconds at which the step will end, when `wall` was given to `snapshot`."""
    speaker: str | None
    lap: int | None
    laps: int | None
    turn_remaining: float | None
    """Seconds left in the speaker's turn; None when untimed. Never negative."""
    turn_overtime: float
    """Seconds the speaker has gone past their time (soft end)."""
    queue: tuple[str, ...]
    """Who speaks after the current speaker, in order."""
    spoken: tuple[str, ...]
    """Who has spoken in this lap."""
    passed: tuple[str, ...]
    """Who has passed in this lap."""
    groups: tuple[tuple[str, ...], ...]
    next_cue: str | None
    """What sounds next ("bowl x1 (end)")."""
    next_cue_in: float | None
    """Seconds until it sounds."""
    airtime: dict[str, float] = field(default_factory=dict)
    overtime: dict[str, float] = field(default_factory=dict)
    can_undo: bool = False
    popcorn: bool = False
    """The facilitator picks who speaks next (`pick`)."""
    stack: bool = False
    """A discussion taking stack: `pick` adds someone to the queue (or gives them the floor if
    it is open), `next` gives the floor to the first in the queue."""
    step_note: str | None = None
    """Guidance for the facilitator (never spoken)."""
    lead: tuple[str, ...] = ()
    """Who holds the role that leads this step."""
    turn_allowed: float | None = None
    """The time the speaker was given for this turn; None when untimed."""
    step_ends_estimated: bool = False
    """True when `step_ends_wall` is a forecast: a round whose turns still to come are
    counted at their full time (passes and early finishes make it end sooner)."""
    starter: str | None = None
    """Who holds the stick first in a round that starts with the first seat."""
    host: str | None = None
    """Who hosts this meeting."""
    meeting: int = 1
    """Which meeting of the circle this is (1 is the first)."""
    meetings: int | None = None
    """How many meetings the series has (None: the practice is not a series)."""
    addressee: str | None = None
    """Whom the speaker addresses (a round's addressee; in an exchange, the other person)."""
    ask: str | None = None
    """What is asked right now: a consent round's question, an exchange part's prompt."""
    participants: tuple[str, ...] = ()
    """Who takes part in the step (everyone but the focus, say)."""
    part: str | None = None
    """An exchange: speak, reflect or confirm (None between pairs)."""
    pair_speaker: str | None = None
    """An exchange: who speaks in the current pair (the listener holds the floor to
    reflect)."""
    listener: str | None = None
    """An exchange: who listens in the current pair."""
    pair: int | None = None
    pairs: int | None = None
    loop: int | None = None
    """An exchange: how many times the speaker has spoken in this pair (1 the first)."""
    heard: tuple[str, ...] = ()
    """An exchange: speakers who confirmed they were heard, in order."""
    responses: dict[str, str] = field(default_factory=dict)
    """A consent round: each response given in the current round."""
    response_kinds: tuple[str, ...] = ()
    """A consent round: the responses people may give."""
    amending: bool = False
    """A consent round: objections stand; the next round starts with next."""
    queue_kinds: tuple[str, ...] = ()
    """The kind of each request in `queue` (a speaking queue)."""
    request_kinds: tuple[str, ...] = ()
    """The kinds of request the queue takes (empty: no queue)."""
    timebox: float | None = None
    """A soft time box: seconds after the start at which its cue sounds (the step goes on)."""
    group_hosts: tuple[str, ...] = ()
    """The host of each breakout group, who stays at the table."""
    group_focus: tuple[str, ...] = ()
    """The member in focus in each breakout group."""
    group_speakers: tuple[str, ...] = ()
    """Who speaks now in each breakout group, when swaps are signalled."""
    ends: float | None = None
    """Session time the last step is forecast to end, if every step runs as planned (None
    before the start and after the end)."""
    ends_wall: float | None = None
    """The same as epoch seconds, when `wall` was given to `snapshot`."""
    topics: tuple[Topic, ...] = ()
    """Emergent topics waiting to be brought forward."""
    timer: TimerKind | None = None
    """What the main countdown counts, for every screen alike: the speaker's turn (timed,
    or past its time), else the step; None when nothing counts down."""
    timer_remaining: float | None = None
    """Seconds left on what `timer` counts."""
    timer_ends_wall: float | None = None
    """Epoch seconds at which what `timer` counts ends (when `wall` was given): a turn's
    end, or the step's; None once a turn is past its time."""
    timer_ends_estimated: bool = False
    """True when `timer_ends_wall` is a forecast (see `step_ends_estimated`)."""
