"""What a facilitator does in a rehearsal, read from an actions file: one table maps each
action to the engine's command.

An actions file is a YAML list, each item an action at a session time:

    - {at: 1m30s, do: pass}
    - {at: 4m, do: pick, who: Cy}
    - {at: 12m, do: respond, who: Ben, response: objection}

Every action of `ACTIONS` names its fields (with their readers) and builds one command;
adding an action is one row. Errors read `path:line:col: message`, like a script's, and
every one in the file is listed at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circlekeeper.engine.commands import (
    Command,
    Confirm,
    Decide,
    End,
    Extend,
    Listener,
    LowerHand,
    More,
    Next,
    NextPair,
    Note,
    Pass,
    Pause,
    Pick,
    RaiseHand,
    Respond,
    Resume,
    RingBell,
    Skip,
    Undo,
)
from circlekeeper.engine.consent import WAYS_OUT
from circlekeeper.script.duration import parse_duration
from circlekeeper.script.errors import ScriptErrors
from circlekeeper.script.messages import did_you_mean, show
from circlekeeper.script.model import REQUEST_KINDS, RESPONSES
from circlekeeper.script.positions import PathKey, Positions

MAX_ACTIONS = 10_000
"""An actions file may hold this many actions."""


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
    read: Callable[[Any], Any]
    default: Any = None
    required: bool = True


WHO = Field("who", _text)
BY = Field("by", _seconds)


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
)
"""Every action an actions file may name, and the command each one is."""
ACTIONS_BY_NAME: dict[str, ActionSpec] = {spec.name: spec for spec in ACTIONS}


@dataclass(frozen=True)
class Action:
    """One action of the file: the command, at a session time, and where it was written."""

    at: float
    command: Command
    line: int


Problem = tuple[PathKey, str, bool]
"""Where a problem is (a data path; True: at the key that names it) and what it is."""


def read_actions(data: Any, positions: Positions) -> tuple[list[Action], list[Problem]]:
    """The actions of a loaded file, in time order, and every problem in it."""
    problems: list[Problem] = []
    if not isinstance(data, list):
        what = "an actions file is a list of actions, like `- {at: 1m30s, do: pass}`"
        return [], [((), what, False)]
    if len(data) > MAX_ACTIONS:
        return [], [((), f"{len(data)} actions; a rehearsal takes at most {MAX_ACTIONS}", False)]
    found: list[Action] = []
    for index, item in enumerate(data):
        action = _read_one(item, (index,), positions, problems)
        if action is not None:
            found.append(action)
    # The same time: in the order they are written.
    return sorted(found, key=lambda a: a.at), problems


def _at(value: Any) -> float:
    if not isinstance(value, str):
        raise ValueError(f"{show(value)} is not a time; write it like 0s, 90s or 1m30s")
    return float(parse_duration(value, allow_zero=True))


def _read_one(
    item: Any, path: PathKey, positions: Positions, problems: list[Problem]
) -> Action | None:
    if not isinstance(item, dict):
        what = f"an action is a mapping like `{{at: 1m, do: next}}`, not {show(item)}"
        problems.append((path, what, False))
        return None
    start = len(problems)
    at: float | None = None
    if "at" not in item:
        problems.append((path, "an action needs `at`, the session time it happens at", False))
    else:
        try:
            at = _at(item["at"])
        except ValueError as exc:
            problems.append(((*path, "at"), f"`at`: {exc}", False))
    do = item.get("do")
    spec = ACTIONS_BY_NAME.get(do) if isinstance(do, str) else None
    if spec is None:
        names = [a.name for a in ACTIONS]
        where = (*path, "do") if "do" in item else path
        what = f"unknown action {show(do)}" if "do" in item else "an action needs `do`"
        hint = did_you_mean(do, names) if isinstance(do, str) else ""
        problems.append((where, f"{what}{hint} (actions: {', '.join(names)})", False))
        return None
    values: dict[str, Any] = {}
    known = {"at", "do", *(f.name for f in spec.fields)}
    for key in item:
        if key not in known:
            fields = ", ".join(["at", "do", *(f.name for f in spec.fields)])
            hint = did_you_mean(str(key), sorted(known))
            what = f"`{spec.name}` takes no field `{key}`{hint} (fields: {fields})"
            problems.append(((*path, key), what, True))
    for field in spec.fields:
        if field.name not in item:
            if field.required:
                problems.append((path, f"`{spec.name}` needs `{field.name}`", False))
            values[field.name] = field.default
            continue
        try:
            values[field.name] = field.read(item[field.name])
        except ValueError as exc:
            problems.append(((*path, field.name), f"`{field.name}`: {exc}", False))
    if len(problems) > start or at is None:
        return None
    return Action(at, spec.build(values), positions.value(path)[0])


def load_actions(path: Path) -> list[Action]:
    """The actions of the file at `path`, in time order; `ScriptErrors` on any problem."""
    from circlekeeper.script.loader import load_yaml_file

    loaded = load_yaml_file(path, empty="list the actions, like `- {at: 1m30s, do: pass}`")
    actions, problems = read_actions(loaded.data, loaded.positions)
    if problems:
        at = loaded.positions
        raise ScriptErrors(
            [
                loaded.error(at.key(where) if key else at.value(where), message)
                for where, message, key in problems
            ]
        )
    return actions
