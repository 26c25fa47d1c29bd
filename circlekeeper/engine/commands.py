"""What a facilitator can ask of a session: frozen dataclasses, one per command.

Commands are data, like events: `Session.do(command, now)` takes any of them, and the
journal keeps each accepted one (`CommandTaken`) with its session time, so a session can be
rebuilt by replaying them. Each has a `name` (the trigger in the phase table) and a JSON
form; `command_from_json` reads that form back.

Adding a command: a dataclass here (and in `COMMAND_TYPES`), a handler in the session, a
row in the phase table.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar


class Refusal(Exception):
    """Raised by a command's handler, before it changes anything, to refuse it.

    The message is the reason, said to the facilitator ("nothing to undo"): a `Msg`, English
    wherever it is kept, that a screen says in the interface's language.
    """

    @property
    def reason(self) -> str:
        """Why the command is refused (the `Msg` itself, when it was given one)."""
        said = self.args[0] if self.args else ""
        return said if isinstance(said, str) else str(said)


@dataclass(frozen=True)
class Command:
    """Base of all commands."""

    name: ClassVar[str] = "command"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: `command` (the name), then the fields."""
        return {"command": self.name, **{f.name: getattr(self, f.name) for f in fields(self)}}


@dataclass(frozen=True)
class Start(Command):
    """Begin the session; session time counts from here."""

    name: ClassVar[str] = "start"


@dataclass(frozen=True)
class Next(Command):
    """Move on: the next speaker in a round, the next on the stack, else the next step."""

    name: ClassVar[str] = "next"


@dataclass(frozen=True)
class Pass(Command):
    """The speaker passes the stick (if the round allows it)."""

    name: ClassVar[str] = "pass"


@dataclass(frozen=True)
class Pick(Command):
    """Give the stick to `who` (popcorn), or add them to a discussion's stack."""

    who: str
    name: ClassVar[str] = "pick"


@dataclass(frozen=True)
class Extend(Command):
    """Add `seconds` to the current turn if it is timed, else to the step (negative: less)."""

    seconds: float
    name: ClassVar[str] = "extend"


@dataclass(frozen=True)
class Pause(Command):
    """Guardian pause: every timer freezes."""

    name: ClassVar[str] = "pause"


@dataclass(frozen=True)
class Resume(Command):
    """Lift the guardian pause."""

    name: ClassVar[str] = "resume"


@dataclass(frozen=True)
class Skip(Command):
    """End the current step now, with reason "skip"."""

    name: ClassVar[str] = "skip"


@dataclass(frozen=True)
class Undo(Command):
    """Take back the last next, pass or pick of this step."""

    name: ClassVar[str] = "undo"


@dataclass(frozen=True)
class End(Command):
    """End the whole session now."""

    name: ClassVar[str] = "end"


@dataclass(frozen=True)
class RingBell(Command):
    """Ring a bell by hand, now."""

    sound: str = "bowl"
    strikes: int = 1
    name: ClassVar[str] = "bell"


@dataclass(frozen=True)
class Confirm(Command):
    """An exchange: the speaker confirms they were heard ("yes, that's it"); the pair is done."""

    name: ClassVar[str] = "confirm"


@dataclass(frozen=True)
class More(Command):
    """An exchange: the speaker adds what is missing; the listener reflects again."""

    name: ClassVar[str] = "more"


@dataclass(frozen=True)
class NextPair(Command):
    """An exchange: this pair ends now, confirmed or not, and the next pair begins."""

    name: ClassVar[str] = "next-pair"


@dataclass(frozen=True)
class Listener(Command):
    """An exchange: `who` listens to the speaker (chosen by the speaker)."""

    who: str
    name: ClassVar[str] = "listener"


@dataclass(frozen=True)
class Respond(Command):
    """A consent round: `who` gives `response` (consent, concern, stand-aside, objection)."""

    who: str
    response: str
    name: ClassVar[str] = "respond"


@dataclass(frozen=True)
class Decide(Command):
    """A consent round: the facilitator ends it with `outcome` (no-consent, amend-and-return)."""

    outcome: str
    name: ClassVar[str] = "decide"


@dataclass(frozen=True)
class RaiseHand(Command):
    """A speaking queue: `who` asks to speak, with a `kind` of request (process, clarify,
    reply, new-point)."""

    who: str
    kind: str = "new-point"
    name: ClassVar[str] = "raise"


@dataclass(frozen=True)
class LowerHand(Command):
    """A speaking queue: `who` no longer asks to speak."""

    who: str
    name: ClassVar[str] = "lower"


@dataclass(frozen=True)
class Note(Command):
    """The scribe's note, kept on session time with the rest (it changes nothing else)."""

    text: str
    name: ClassVar[str] = "note"


NOTE_MAX = 4_000
"""The longest note kept, in characters: a paragraph or two, not a transcript."""


@dataclass(frozen=True)
class Insert(Command):
    """The agenda: run `step` (a step as the format writes it) right after the current step,
    or after the step whose id is `after`."""

    step: dict[str, Any]
    after: str | None = None
    name: ClassVar[str] = "insert"


@dataclass(frozen=True)
class Remove(Command):
    """The agenda: take the step `step` (an id), still to come, off the agenda."""

    step: str
    name: ClassVar[str] = "remove"


@dataclass(frozen=True)
class Move(Command):
    """The agenda: the step `step`, still to come, runs right after the step `after` (the
    current step's id: it runs next)."""

    step: str
    after: str
    name: ClassVar[str] = "move"


@dataclass(frozen=True)
class SetDuration(Command):
    """The agenda: the step `step`, still to come, takes `seconds` (a round: its turns share
    them)."""

    step: str
    seconds: float
    name: ClassVar[str] = "set-duration"


@dataclass(frozen=True)
class EndAt(Command):
    """The agenda: the session ends at session time `at`; the time left is shared out among
    the steps that can stretch or shrink."""

    at: float
    name: ClassVar[str] = "end-at"


@dataclass(frozen=True)
class AddTopic(Command):
    """An emergent topic goes on the list, to bring forward later."""

    text: str
    name: ClassVar[str] = "add-topic"


@dataclass(frozen=True)
class RemoveTopic(Command):
    """The topic `topic` (an id) leaves the list."""

    topic: str
    name: ClassVar[str] = "remove-topic"


@dataclass(frozen=True)
class BringForward(Command):
    """The topic `topic` becomes a step right after the current one: `step` (as the format
    writes it; its title defaults to the topic), or an open discussion of it."""

    topic: str
    step: dict[str, Any] | None = None
    name: ClassVar[str] = "bring-forward"


COMMAND_TYPES: tuple[type[Command], ...] = (
    Start,
    Next,
    Pass,
    Pick,
    Extend,
    Pause,
    Resume,
    Skip,
    Undo,
    End,
    RingBell,
    Confirm,
    More,
    NextPair,
    Listener,
    Respond,
    Decide,
    RaiseHand,
    LowerHand,
    Note,
    Insert,
    Remove,
    Move,
    SetDuration,
    EndAt,
    AddTopic,
    RemoveTopic,
    BringForward,
)
COMMANDS_BY_NAME: dict[str, type[Command]] = {cls.name: cls for cls in COMMAND_TYPES}


def _field_value(command: str, field: str, kind: str, value: Any) -> Any:
    """`value` checked against the field's type; a `ValueError` a person can read if not."""
    if kind.endswith(" | None"):
        return None if value is None else _field_value(command, field, kind[:-7], value)
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{command}: `{field}` must be a non-empty text, not {value!r}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{command}: `{field}` must be a whole number, not {value!r}")
        return value
    if kind.startswith("dict"):
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ValueError(f"{command}: `{field}` must be an object, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{command}: `{field}` must be a number of seconds, not {value!r}")
    return float(value)


def command_from_json(data: Any) -> Command:
    """Rebuild a command from its `to_json()` form; `ValueError` saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"a command is an object with a `command` name, not {data!r}")
    given = data.get("command")
    cls = COMMANDS_BY_NAME.get(given) if isinstance(given, str) else None
    if cls is None:
        known = ", ".join(COMMANDS_BY_NAME)
        raise ValueError(f"unknown command {given!r}; the commands are: {known}")
    name = cls.name
    specs = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - {"command"} - set(specs))
    if unknown:
        raise ValueError(f"{name}: unknown field {unknown[0]!r}")
    values: dict[str, Any] = {}
    for field_name, spec in specs.items():
        if field_name not in data:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise ValueError(f"{name}: `{field_name}` is missing")
            continue
        values[field_name] = _field_value(name, field_name, str(spec.type), data[field_name])
    return cls(**values)
