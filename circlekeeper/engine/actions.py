"""What a facilitator does in a rehearsal, read from an actions file: one table maps each
action to the engine's command.

An actions file is a YAML list, each item an action at a session time:

    - {at: 1m30s, do: pass}
    - {at: 4m, do: pick, who: Cy}
    - {at: 12m, do: respond, who: Ben, response: objection}

    - {at: 5m, do: insert, step: {kind: silence, title: Pause, duration: 1m}}
    - {at: 20m, do: end-at, time: "21:30"}

Every action of `ACTIONS` names its fields (with their readers) and builds one command;
adding an action is one row. A step the file inserts is checked against the practice as the
file is read (`path:line:col`, like a script's step); a time of day counts from the
rehearsal's clock at its start. Errors read `path:line:col: message`, like a script's, and
every one in the file is listed at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from circlekeeper.engine.clock import session_time_at, time_of_day
from circlekeeper.engine.commands import (
    AddTopic,
    BringForward,
    Command,
    Confirm,
    Decide,
    End,
    EndAt,
    Extend,
    Insert,
    Listener,
    LowerHand,
    More,
    Move,
    Next,
    NextPair,
    Note,
    Pass,
    Pause,
    Pick,
    RaiseHand,
    Remove,
    RemoveTopic,
    Respond,
    Resume,
    RingBell,
    SetDuration,
    Skip,
    Undo,
)
from circlekeeper.engine.consent import WAYS_OUT
from circlekeeper.script.duration import parse_duration
from circlekeeper.script.errors import ScriptErrors
from circlekeeper.script.fragment import STEP_PATH, check_step
from circlekeeper.script.messages import did_you_mean, show
from circlekeeper.script.model import REQUEST_KINDS, RESPONSES, Practice
from circlekeeper.script.positions import PathKey, Pos, Positions

MAX_ACTIONS = 500
"""An actions file may hold this many actions (a rehearsal stops after 10,000 moves; 500
actions of seven values each stay within the 5,000 values a file may hold)."""


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a name, not {show(value)}")
    return value.strip()


def _seconds(value: Any) -> float:
    if not isinstance(value, str):
        raise ValueError(f"{show(value)} is not a duration; write it like 30s, 2m or 1m30s")
    return float(parse_duration(value))


def _words(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a note is some words, not {show(value)}")
    return value.strip()


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            hint = did_you_mean(value, list(choices)) if isinstance(value, str) else ""
            raise ValueError(f"{show(value)} is not one of: {', '.join(choices)}{hint}")
        return value

    return read


def _strikes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise ValueError(f"a bell is struck 1 to 12 times, not {show(value)}")
    return value


@dataclass(frozen=True)
class Field:
    """A field an action takes: how it is read, and its default when it may be left out."""

    name: str
    read: Callable[..., Any]
    """Reads the value (and, `in_context`, the `Reading` too); `ValueError` if it will not do."""
    default: Any = None
    required: bool = True
    in_context: bool = False


class Located(ValueError):
    """Problems inside a field's value, each already placed in the file."""

    def __init__(self, problems: list[tuple[Pos, str]]) -> None:
        super().__init__(problems[0][1] if problems else "")
        self.problems = problems


def _step(value: Any, reading: Reading) -> dict[str, Any]:
    """A step as the format writes it, checked against the practice as a script's step is."""
    if not isinstance(value, dict):
        raise ValueError(
            "a step is a mapping with a `kind`, like `{kind: silence, duration: 1m}`, "
            f"not {show(value)}"
        )
    if reading.practice is not None:
        base = reading.path
        # The step's positions in the file, keyed as if it were the practice's only step.
        inner = Positions(
            {
                (*STEP_PATH, *p[len(base) :]): at
                for p, at in reading.positions.values.items()
                if p[: len(base)] == base
            },
            {
                (*STEP_PATH, *p[len(base) :]): at
                for p, at in reading.positions.keys.items()
                if p[: len(base)] == base
            },
        )
        inner.values.setdefault((), reading.positions.value(base))
        inner.values.setdefault(("steps",), reading.positions.value(base))
        _, problems = check_step(reading.practice, value, inner)
        if problems:
            raise Located(problems)
    return value


def _time(value: Any, reading: Reading) -> float:
    """A time of day (`21:30`) as session time: from the rehearsal's start, the nearest such
    moment up to twelve hours ahead."""
    if not isinstance(value, str):
        raise ValueError(f'{show(value)} is not a time of day; write it like "21:30"')
    return session_time_at(time_of_day(value), reading.start, 0.0)


WHO = Field("who", _text)
BY = Field("by", _seconds)
STEP_ID = Field("step", _text)
"""A step on the agenda, by its id (shown on the agenda: `s3`, or the step's own `id`)."""


@dataclass(frozen=True)
class ActionSpec:
    """One kind of action: its name, its fields, and the command it becomes."""

    name: str
    fields: tuple[Field, ...]
    build: Callable[[dict[str, Any]], Command]
    help: str


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("next", (), lambda f: Next(), "the next speaker, part or step"),
    ActionSpec("pass", (), lambda f: Pass(), "the speaker passes"),
    ActionSpec("pick", (WHO,), lambda f: Pick(f["who"]), "`who` speaks next"),
    ActionSpec("pause", (), lambda f: Pause(), "guardian pause"),
    ActionSpec("resume", (), lambda f: Resume(), "lift the pause"),
    ActionSpec("skip", (), lambda f: Skip(), "skip the step"),
    ActionSpec("undo", (), lambda f: Undo(), "take back the last next, pass, pick or response"),
    ActionSpec("end", (), lambda f: End(), "end the session"),
    ActionSpec("extend", (BY,), lambda f: Extend(f["by"]), "`by` more for the turn or step"),
    ActionSpec("shorten", (BY,), lambda f: Extend(-f["by"]), "`by` less for the turn or step"),
    ActionSpec(
        "bell",
        (
            Field("sound", _text, "bowl", required=False),
            Field("strikes", _strikes, 1, required=False),
        ),
        lambda f: RingBell(f["sound"], f["strikes"]),
        "ring a bell by hand",
    ),
    ActionSpec(
        "respond",
        (WHO, Field("response", _one_of(RESPONSES))),
        lambda f: Respond(f["who"], f["response"]),
        "a response in a consent round",
    ),
    ActionSpec(
        "decide",
        (Field("outcome", _one_of(WAYS_OUT)),),
        lambda f: Decide(f["outcome"]),
        "end a consent round as no-consent or amend-and-return",
    ),
    ActionSpec("confirm", (), lambda f: Confirm(), "the speaker of an exchange was heard"),
    ActionSpec("more", (), lambda f: More(), "the speaker of an exchange adds more"),
    ActionSpec("next-pair", (), lambda f: NextPair(), "the next pair of an exchange"),
    ActionSpec("listener", (WHO,), lambda f: Listener(f["who"]), "`who` listens"),
    ActionSpec(
        "raise",
        (WHO, Field("kind", _one_of(REQUEST_KINDS), "new-point", required=False)),
        lambda f: RaiseHand(f["who"], f["kind"]),
        "`who` asks to speak (a `kind` of request)",
    ),
    ActionSpec("lower", (WHO,), lambda f: LowerHand(f["who"]), "`who` no longer asks to speak"),
    ActionSpec("note", (Field("text", _words),), lambda f: Note(f["text"]), "the scribe's note"),
    ActionSpec(
        "insert",
        (Field("step", _step, in_context=True), Field("after", _text, required=False)),
        lambda f: Insert(f["step"], f["after"]),
        "run `step` (as the format writes it) next, or after the step `after`",
    ),
    ActionSpec("remove", (STEP_ID,), lambda f: Remove(f["step"]), "take a step to come off"),
    ActionSpec(
        "move",
        (STEP_ID, Field("after", _text)),
        lambda f: Move(f["step"], f["after"]),
        "a step to come runs right after the step `after`",
    ),
    ActionSpec(
        "set-duration",
        (STEP_ID, Field("duration", _seconds)),
        lambda f: SetDuration(f["step"], f["duration"]),
        "a step to come takes `duration`",
    ),
    ActionSpec(
        "end-at",
        (Field("time", _time, in_context=True),),
        lambda f: EndAt(f["time"]),
        "end at `time` of day (21:30), the time left shared out",
    ),
    ActionSpec("add-topic", (Field("text", _text),), lambda f: AddTopic(f["text"]), "a topic"),
    ActionSpec(
        "remove-topic", (Field("topic", _text),), lambda f: RemoveTopic(f["topic"]), "drop a topic"
    ),
    ActionSpec(
        "bring-forward",
        (Field("topic", _text), Field("step", _step, required=False, in_context=True)),
        lambda f: BringForward(f["topic"], f["step"]),
        "a topic becomes the next step (a discussion, or `step`)",
    ),
)
"""Every action an actions file may name, and the command each one is."""
ACTIONS_BY_NAME: dict[str, ActionSpec] = {spec.name: spec for spec in ACTIONS}


@dataclass(frozen=True)
class Action:
    """One action of the file: the command, at a session time, and where it was written."""

    at: float
    command: Command
    line: int


Problem = tuple[Pos, str]
"""Where a problem is in the file, and what it is."""


@dataclass
class Reading:
    """What reading an actions file knows besides the file itself."""

    positions: Positions
    practice: Practice | None = None
    """The practice rehearsed: an inserted step is checked against it as the file is read
    (without it, the session refuses a step that would not do, when it comes)."""
    start: int = 0
    """The rehearsal's clock at its start, in seconds after midnight (for `end-at`)."""
    path: PathKey = ()
    """Where the value being read is."""
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: PathKey, message: str, *, key: bool = False) -> None:
        """A problem at the node at `path` (`key`: at the key that names it)."""
        at = self.positions.key(path) if key else self.positions.value(path)
        self.problems.append((at, message))


def read_actions(
    data: Any, positions: Positions, *, practice: Practice | None = None, start: int = 0
) -> tuple[list[Action], list[Problem]]:
    """The actions of a loaded file, in time order, and every problem in it."""
    reading = Reading(positions, practice, start)
    if not isinstance(data, list):
        reading.add((), "an actions file is a list of actions, like `- {at: 1m30s, do: pass}`")
        return [], reading.problems
    if len(data) > MAX_ACTIONS:
        reading.add((), f"{len(data)} actions; a rehearsal takes at most {MAX_ACTIONS}")
        return [], reading.problems
    found: list[Action] = []
    for index, item in enumerate(data):
        action = _read_one(item, (index,), reading)
        if action is not None:
            found.append(action)
    # The same time: in the order they are written.
    return sorted(found, key=lambda a: a.at), reading.problems


_FRACTION = re.compile(r"^(?P<whole>.*?)(?P<s>\d+\.\d{1,3})s$")
"""A time with a fraction of a second (`12.345s`, `1m2.5s`): what a session's journal
knows of when a key was pressed, so that its rehearsal presses it at the same moment."""


def _at(value: Any) -> float:
    if not isinstance(value, str):
        raise ValueError(f"{show(value)} is not a time; write it like 0s, 90s, 1m30s or 12.5s")
    fraction = _FRACTION.match(value.strip())
    if fraction is None:
        return float(parse_duration(value, allow_zero=True))
    whole = fraction["whole"]
    if whole and not whole.endswith(("h", "m")):
        raise ValueError(f"{show(value)} is not a time; write it like 0s, 90s, 1m30s or 12.5s")
    return (parse_duration(whole, allow_zero=True) if whole else 0) + float(fraction["s"])


def _read_one(item: Any, path: PathKey, reading: Reading) -> Action | None:
    if not isinstance(item, dict):
        reading.add(path, f"an action is a mapping like `{{at: 1m, do: next}}`, not {show(item)}")
        return None
    start = len(reading.problems)
    at: float | None = None
    if "at" not in item:
        reading.add(path, "an action needs `at`, the session time it happens at")
    else:
        try:
            at = _at(item["at"])
        except ValueError as exc:
            reading.add((*path, "at"), f"`at`: {exc}")
    do = item.get("do")
    spec = ACTIONS_BY_NAME.get(do) if isinstance(do, str) else None
    if spec is None:
        names = [a.name for a in ACTIONS]
        where = (*path, "do") if "do" in item else path
        what = f"unknown action {show(do)}" if "do" in item else "an action needs `do`"
        hint = did_you_mean(do, names) if isinstance(do, str) else ""
        reading.add(where, f"{what}{hint} (actions: {', '.join(names)})")
        return None
    values: dict[str, Any] = {}
    known = {"at", "do", *(f.name for f in spec.fields)}
    for key in item:
        if key not in known:
            fields = ", ".join(["at", "do", *(f.name for f in spec.fields)])
            hint = did_you_mean(str(key), sorted(known))
            what = f"`{spec.name}` takes no field `{key}`{hint} (fields: {fields})"
            reading.add((*path, key), what, key=True)
    for spec_field in spec.fields:
        if spec_field.name not in item:
            if spec_field.required:
                reading.add(path, f"`{spec.name}` needs `{spec_field.name}`")
            values[spec_field.name] = spec_field.default
            continue
        reading.path = (*path, spec_field.name)
        try:
            if spec_field.in_context:
                values[spec_field.name] = spec_field.read(item[spec_field.name], reading)
            else:
                values[spec_field.name] = spec_field.read(item[spec_field.name])
        except Located as exc:
            reading.problems.extend(exc.problems)
        except ValueError as exc:
            reading.add(reading.path, f"`{spec_field.name}`: {exc}")
    if len(reading.problems) > start or at is None:
        return None
    return Action(at, spec.build(values), reading.positions.value(path)[0])


def load_actions(path: Path, *, practice: Practice | None = None, start: int = 0) -> list[Action]:
    """The actions of the file at `path`, in time order; `ScriptErrors` on any problem.

    `practice`: steps the file inserts are checked against it; `start`: the rehearsal's clock
    at its start (seconds after midnight), which times of day in the file count from."""
    from circlekeeper.script.loader import load_yaml_file

    loaded = load_yaml_file(path, empty="list the actions, like `- {at: 1m30s, do: pass}`")
    actions, problems = read_actions(loaded.data, loaded.positions, practice=practice, start=start)
    if problems:
        raise ScriptErrors([loaded.error(where, message) for where, message in problems])
    return actions
