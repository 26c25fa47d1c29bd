"""What the session engine says happened: frozen dataclasses, one per kind of event.

Every event carries `t`, the session time in seconds (monotonic, from `start`, kept to the
millisecond), and a snake_case `name` used by the JSON timeline and the journal. Events are
plain data: the TUI routes them to the screen, to sound and to the journal. Every command
answers with `CommandTaken` (then what it caused) or with one `Refused`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

EndReason = Literal["time", "next", "skip", "all-pass", "end", "done"]


@dataclass(frozen=True)
class Event:
    """Base of all events."""

    t: float
    name: ClassVar[str] = "event"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: `t`, `event`, then the fields."""
        data = asdict(self)
        t = data.pop("t")
        return {"t": round(t, 3), "event": self.name, **data}


@dataclass(frozen=True)
class CommandTaken(Event):
    """A command was accepted at `t`; `command` is its JSON form (`Command.to_json()`).

    It comes before the events the command caused. Replaying these, each at its `t`, into a
    session built from the same plan gives the same session again.
    """

    command: dict[str, Any]
    name: ClassVar[str] = "command_taken"


@dataclass(frozen=True)
class Refused(Event):
    """A command was refused and changed nothing; `reason` says why, for the facilitator."""

    command: dict[str, Any]
    reason: str
    name: ClassVar[str] = "refused"


@dataclass(frozen=True)
class SessionStarted(Event):
    """The session began."""

    practice: str
    circle: tuple[str, ...]
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    meeting: int = 1
    """Which meeting of the circle this is (1 is the first)."""
    meetings: int | None = None
    """How many meetings the series has (None: not a series)."""
    focus: str | None = None
    """Who is in focus at this meeting of a series."""
    name: ClassVar[str] = "session_started"


@dataclass(frozen=True)
class StepStarted(Event):
    """A step began. `index` counts steps as run (loops unrolled); `agenda` is its row."""

    index: int
    agenda: int
    kind: str
    title: str
    text: str | None
    duration: float | None
    focus: str | None = None
    id: str = ""
    """Its id on the live agenda (what agenda changes name it by)."""
    name: ClassVar[str] = "step_started"


@dataclass(frozen=True)
class StepEnded(Event):
    """A step ended, once, for one reason."""

    index: int
    reason: EndReason
    airtime: dict[str, float] = field(default_factory=dict)
    """Seconds each person spoke in this step (rounds only; empty for other steps)."""
    name: ClassVar[str] = "step_ended"


@dataclass(frozen=True)
class LapStarted(Event):
    """The talking stick begins another lap of a round."""

    lap: int
    prompt: str | None
    order: tuple[str, ...]
    name: ClassVar[str] = "lap_started"


@dataclass(frozen=True)
class TurnStarted(Event):
    """`speaker` holds the stick; `allowed` is their time (None when untimed)."""

    speaker: str
    lap: int
    allowed: float | None
    to: str | None = None
    """Whom the speaker addresses (a round's `addressee`, an exchange's listener)."""
    name: ClassVar[str] = "turn_started"


@dataclass(frozen=True)
class TurnWarning(Event):
    """The gentle cue: `remaining` seconds of this turn are left."""

    speaker: str
    remaining: float
    name: ClassVar[str] = "turn_warning"


@dataclass(frozen=True)
class TurnTimeUp(Event):
    """The turn's time ran out (soft end: the speaker may finish, overtime counts)."""

    speaker: str
    hard: bool
    name: ClassVar[str] = "turn_time_up"


@dataclass(frozen=True)
class TurnEnded(Event):
    """A turn ended; `spoke` is its airtime (pauses excluded), `overtime` the part past time."""

    speaker: str
    spoke: float
    overtime: float
    name: ClassVar[str] = "turn_ended"


@dataclass(frozen=True)
class Passed(Event):
    """`speaker` passed; `again` says whether they come back at the end of the queue."""

    speaker: str
    again: bool
    name: ClassVar[str] = "passed"


@dataclass(frozen=True)
class BellDue(Event):
    """Ring `sound` `strikes` times now; `reason` says why (start, end, interval, warning...)."""

    sound: str
    strikes: int
    reason: str
    say: str | None = None
    language: str | None = None
    """The language `say` is in (the practice's version picked for the session's language),
    so it is spoken with a voice for it."""
    name: ClassVar[str] = "bell_due"


@dataclass(frozen=True)
class PromptDue(Event):
    """Speak `text` (in `language`) now."""

    text: str
    language: str
    name: ClassVar[str] = "prompt_due"


@dataclass(frozen=True)
class GroupsFormed(Event):
    """A breakout split the circle into `groups`."""

    groups: tuple[tuple[str, ...], ...]
    hosts: tuple[str, ...] = ()
    """The host of each group, who stays at the table (empty: no hosts)."""
    focus: tuple[str, ...] = ()
    """The member in focus in each group (empty: no focus)."""
    name: ClassVar[str] = "groups_formed"


@dataclass(frozen=True)
class SwapDue(Event):
    """Inside each breakout group, the next person speaks."""

    swap: int
    speakers: tuple[str, ...] = ()
    """Who speaks now in each group, in the order of the groups (empty: not tracked)."""
    name: ClassVar[str] = "swap_due"


@dataclass(frozen=True)
class StackChanged(Event):
    """Taking stack in a discussion: `queue` is who asked to speak, in order."""

    queue: tuple[str, ...]
    kinds: tuple[str, ...] = ()
    """The kind of each request in `queue` (process, clarify, reply, new-point)."""
    name: ClassVar[str] = "stack_changed"


@dataclass(frozen=True)
class PairStarted(Event):
    """An exchange: pair number `pair` begins; `speaker` addresses `listener`."""

    pair: int
    speaker: str
    listener: str
    name: ClassVar[str] = "pair_started"


@dataclass(frozen=True)
class ListenerChosen(Event):
    """An exchange: the speaker chose `listener`."""

    speaker: str
    listener: str
    name: ClassVar[str] = "listener_chosen"


@dataclass(frozen=True)
class PartStarted(Event):
    """An exchange: a part of loop `loop` began (speak, reflect or confirm), its prompt shown."""

    part: str
    speaker: str
    listener: str
    loop: int
    prompt: str | None = None
    name: ClassVar[str] = "part_started"


@dataclass(frozen=True)
class PairEnded(Event):
    """An exchange: a pair is done; `confirmed` says whether the speaker felt heard."""

    pair: int
    speaker: str
    listener: str
    confirmed: bool
    loops: int
    name: ClassVar[str] = "pair_ended"


@dataclass(frozen=True)
class ResponseGiven(Event):
    """A consent round: `who` gave `response` in consent round `round`."""

    who: str
    response: str
    round: int
    name: ClassVar[str] = "response_given"


@dataclass(frozen=True)
class ConsentRoundEnded(Event):
    """Everyone has responded in consent round `round`; `objections` name who objects."""

    round: int
    responses: dict[str, str]
    objections: tuple[str, ...]
    name: ClassVar[str] = "consent_round_ended"


@dataclass(frozen=True)
class DecisionMade(Event):
    """A consent step is over: `result` is consent, no-consent, amend-and-return or
    undecided (skipped, time up, the session ended); `responses` holds each round's."""

    result: str
    rounds: int
    responses: tuple[dict[str, str], ...]
    proposal: str | None = None
    name: ClassVar[str] = "decision_made"


@dataclass(frozen=True)
class Paused(Event):
    """Guardian pause: every timer is frozen."""

    name: ClassVar[str] = "paused"


@dataclass(frozen=True)
class Resumed(Event):
    """The pause was lifted after `paused_for` seconds."""

    paused_for: float
    name: ClassVar[str] = "resumed"


@dataclass(frozen=True)
class TimeChanged(Event):
    """The current turn (or step, outside a round) got `seconds` more (negative: less)."""

    seconds: float
    target: Literal["turn", "step"]
    name: ClassVar[str] = "time_changed"


@dataclass(frozen=True)
class Undone(Event):
    """The last next, pass or pick was taken back.

    `speaker` holds the stick again (a TurnStarted follows, its `allowed` the time they had
    left); `dropped` is whose turn was withdrawn: it gets no TurnEnded and its time counts for
    nobody. So the `spoke` of all TurnEnded events adds up to the airtime totals.
    """

    what: str
    speaker: str | None = None
    dropped: str | None = None
    name: ClassVar[str] = "undone"


@dataclass(frozen=True)
class StepInserted(Event):
    """A step was put on the agenda live; it runs right after `after`."""

    id: str
    title: str
    kind: str
    seconds: float
    """How long it is planned to take."""
    after: str
    """The id of the step it follows."""
    after_title: str
    topic: str | None = None
    """The emergent topic it brings forward (None: none)."""
    name: ClassVar[str] = "step_inserted"


@dataclass(frozen=True)
class StepRemoved(Event):
    """A step still to come was taken off the agenda."""

    id: str
    title: str
    kind: str
    name: ClassVar[str] = "step_removed"


@dataclass(frozen=True)
class StepMoved(Event):
    """A step still to come now runs right after `after`."""

    id: str
    title: str
    after: str
    after_title: str
    name: ClassVar[str] = "step_moved"


@dataclass(frozen=True)
class StepRetimed(Event):
    """A step's length changed: `seconds` planned now, `was` before. `why`: set by hand, or
    shared out to end the session at a time."""

    id: str
    title: str
    seconds: float
    was: float
    why: Literal["set", "end-at"]
    left: bool = False
    """The step in progress: `seconds` and `was` are the time it has left, and had."""
    name: ClassVar[str] = "step_retimed"


@dataclass(frozen=True)
class ScheduleFitted(Event):
    """The steps left were fitted to end the session at `at` (session time); the
    `StepRetimed` events that follow say how."""

    at: float
    name: ClassVar[str] = "schedule_fitted"


@dataclass(frozen=True)
class TopicAdded(Event):
    """An emergent topic was put on the list, to bring forward later."""

    id: str
    text: str
    name: ClassVar[str] = "topic_added"


@dataclass(frozen=True)
class TopicRemoved(Event):
    """A topic left the list: removed, or brought forward as a step."""

    id: str
    text: str
    why: Literal["removed", "brought-forward"]
    name: ClassVar[str] = "topic_removed"


@dataclass(frozen=True)
class AgendaChanged(Event):
    """After every agenda change: the forecast end (session time) if every step to come
    runs as planned, and the ids of the steps to come, in order."""

    ends: float
    to_come: tuple[str, ...]
    name: ClassVar[str] = "agenda_changed"


@dataclass(frozen=True)
class SessionEnded(Event):
    """The session is over. Airtime and overtime in seconds per person."""

    airtime: dict[str, float]
    overtime: dict[str, float]
    reason: Literal["done", "end"]
    name: ClassVar[str] = "session_ended"


EVENT_TYPES: tuple[type[Event], ...] = (
    CommandTaken,
    Refused,
    SessionStarted,
    StepStarted,
    StepEnded,
    LapStarted,
    TurnStarted,
    TurnWarning,
    TurnTimeUp,
    TurnEnded,
    Passed,
    BellDue,
    PromptDue,
    GroupsFormed,
    SwapDue,
    StackChanged,
    PairStarted,
    ListenerChosen,
    PartStarted,
    PairEnded,
    ResponseGiven,
    ConsentRoundEnded,
    DecisionMade,
    Paused,
    Resumed,
    TimeChanged,
    Undone,
    StepInserted,
    StepRemoved,
    StepMoved,
    StepRetimed,
    ScheduleFitted,
    TopicAdded,
    TopicRemoved,
    AgendaChanged,
    SessionEnded,
)
