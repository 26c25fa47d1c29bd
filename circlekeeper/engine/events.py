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
    name: ClassVar[str] = "groups_formed"


@dataclass(frozen=True)
class SwapDue(Event):
    """Inside each breakout group, the next person speaks."""

    swap: int
    name: ClassVar[str] = "swap_due"


@dataclass(frozen=True)
class StackChanged(Event):
    """Taking stack in a discussion: `queue` is who asked to speak, in order."""

    queue: tuple[str, ...]
    name: ClassVar[str] = "stack_changed"


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
    Paused,
    Resumed,
    TimeChanged,
    Undone,
    SessionEnded,
)
