"""Picking up a session that was cut short (kill -9, a power cut, a closed terminal).

Resume is replay: the journal's header has the practice (its path and a hash of its bytes)
and the whole circle plan; its `command_taken` records have every command with its session
time; its checkpoints say how far the session got. `rebuild` sets the session up again from
the header, replays the commands at their times (no sound, nothing journalled again),
and lets time run to the last recorded moment: the same step, the same speaker, the same
time left, the airtime so far. The caller carries on with the same clock.

`offer` says what the library shows before anything is loaded: the practice, when, the
step and the speaker.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from circlekeeper.engine.events import CommandTaken
from circlekeeper.i18n import _, msg, msg_n, short_date, tr, tr_error
from circlekeeper.records.journal import JournalContents, JournalHeader, plan_from_json
from circlekeeper.records.summary import Ledger

if TYPE_CHECKING:
    from circlekeeper.engine.replay import Replayed
    from circlekeeper.engine.session import Session
    from circlekeeper.engine.setup import CirclePlan
    from circlekeeper.script.model import Practice

ScriptState = Literal["same", "changed", "unknown"]
"""The practice file against the hash its journal kept: `unknown` when it kept none."""


class ResumeError(Exception):
    """The session cannot be set up again; the message says why, for the facilitator."""


class ScriptChanged(ResumeError):
    """The practice changed since the session began: ask before resuming it."""


def practice_fingerprint(data: bytes) -> str:
    """The hash a journal keeps of a practice script's bytes."""
    return hashlib.sha256(data).hexdigest()


def fingerprint_file(path: Path | None) -> str | None:
    """The hash of the script at `path`; None when there is no file to read."""
    if path is None:
        return None
    try:
        return practice_fingerprint(path.read_bytes())
    except OSError:
        return None


@dataclass(frozen=True)
class Offer:
    """An unfinished session as the library offers it, read from its journal alone."""

    id: str
    path: Path
    practice_title: str
    started: datetime
    stopped: datetime | None
    """When its last record was written: about when it stopped."""
    step_title: str | None
    speaker: str | None
    session_time: float
    circle: tuple[str, ...]
    circle_name: str | None
    paused: bool

    def lines(self) -> list[str]:
        """What the offer says, a line each: the practice and when, then where it stopped."""
        when = f"{short_date(self.started.date())}, {self.started.strftime('%H:%M')}"
        first = _("{practice}, started {when}").format(practice=self.practice_title, when=when)
        if self.circle_name:
            first += " " + _("with {circle}").format(circle=self.circle_name)
        if self.stopped is not None:
            first += ", " + _("stopped at {time}").format(time=self.stopped.strftime("%H:%M"))
        where = []
        if self.step_title:
            where.append(_("in “{step}”").format(step=tr(self.step_title)))
        if self.speaker:
            where.append(_("{name} speaking").format(name=self.speaker))
        if self.paused:
            where.append(_("paused"))
        minutes, seconds = divmod(round(self.session_time), 60)
        where.append(_("{time} into the session").format(time=f"{minutes}:{seconds:02d}"))
        second = ", ".join(where)
        return [first, second[:1].upper() + second[1:]]


def offer(contents: JournalContents) -> Offer:
    """What to say about an unfinished session; `ResumeError` without a header."""
    header = contents.header
    if header is None:
        raise ResumeError(
            msg("{file} has no header: the session cannot be set up", file=contents.path.name)
        )
    ledger = Ledger(circle=list(header.circle))
    for event in contents.events:
        ledger.feed(event)
    step = ledger.steps.get(ledger.current_step) if ledger.current_step is not None else None
    stopped = contents.last_wall
    return Offer(
        id=contents.id,
        path=contents.path,
        practice_title=header.practice_title,
        started=header.started,
        stopped=None if stopped is None else datetime.fromtimestamp(stopped).astimezone(),
        step_title=step.title if step is not None else None,
        speaker=ledger.open_turn.speaker if ledger.open_turn is not None else None,
        session_time=contents.last_t,
        circle=header.circle,
        circle_name=header.circle_name,
        paused=ledger.paused_at is not None,
    )


@dataclass
class Resumption:
    """A cut-short session set up again, at the moment it stopped."""

    contents: JournalContents
    practice: Practice
    practice_path: Path
    plan: CirclePlan
    options: dict[str, Any]
    circle_name: str | None
    replayed: Replayed
    script: ScriptState
    warnings: list[str] = field(default_factory=list)

    @property
    def session(self) -> Session:
        """The rebuilt session: started (unless it never was), at `at`."""
        return self.replayed.session

    @property
    def at(self) -> float:
        """The session time it carries on from."""
        return self.replayed.until


def script_state(contents: JournalContents) -> tuple[ScriptState, Path]:
    """The practice file and whether it changed; `ResumeError` when it is gone."""
    header = contents.header
    if header is None:
        raise ResumeError(
            msg("{file} has no header: the session cannot be set up", file=contents.path.name)
        )
    if header.practice_path is None:
        raise ResumeError(msg("the journal does not say which practice file the session ran"))
    path = Path(header.practice_path)
    if not path.is_file():
        raise ResumeError(
            msg(
                "the practice file {path} is gone, so “{title}” cannot be set up again; put it "
                "back to resume, or discard the session",
                path=path,
                title=header.practice_title,
            )
        )
    if header.practice_sha256 is None:
        return "unknown", path
    now = fingerprint_file(path)
    return ("same" if now == header.practice_sha256 else "changed"), path


def rebuild(
    contents: JournalContents,
    now: float,
    *,
    changed_ok: bool = False,
    load: Callable[[Path], Practice] | None = None,
) -> Resumption:
    """Set the journal's session up again and replay it to where it stopped.

    `now` is the machine time at which the rebuilt session reads the last recorded session
    time (give it the clock the session will run on). Raises `ScriptChanged` when the
    practice file changed since (unless `changed_ok`), and `ResumeError` when it cannot be
    done at all; each says why in a sentence. `load` loads the practice (default: the
    script loader; a caller resuming many sessions of one practice may keep it loaded).
    """
    from circlekeeper.engine import command_from_json
    from circlekeeper.engine.plan import PlanError
    from circlekeeper.engine.replay import replay
    from circlekeeper.script.errors import ScriptErrors
    from circlekeeper.script.loader import load_practice

    state, path = script_state(contents)
    header = contents.header
    assert header is not None  # script_state checked it
    if state == "changed" and not changed_ok:
        raise ScriptChanged(
            msg(
                "{file} has changed since “{title}” began; resuming runs the changed script "
                "from the same place, which may not fit",
                file=path.name,
                title=header.practice_title,
            )
        )
    try:
        practice = (load or load_practice)(path)
    except ScriptErrors as exc:
        first = exc.errors[0] if exc.errors else exc
        raise ResumeError(msg("the practice no longer loads: {problem}", problem=first)) from None
    options = dict(header.options)
    warnings: list[str] = []
    try:
        plan = _plan(header.plan, practice, header, options)
        commands = [
            (entry.event.t, command_from_json(entry.event.command))
            for entry in contents.entries
            if isinstance(entry.event, CommandTaken)
        ]
        replayed = replay(practice, plan, commands, until=contents.last_t, now=now)
    except (ValueError, PlanError) as exc:
        raise ResumeError(
            msg("the session cannot be set up again: {problem}", problem=tr_error(exc))
        ) from None
    if replayed.refused:
        warnings.append(
            msg_n(
                "{n} of the session's commands did not fit the changed script",
                "{n} of the session's commands did not fit the changed script",
                len(replayed.refused),
            )
        )
    return Resumption(
        contents=contents,
        practice=practice,
        practice_path=path,
        plan=plan,
        options=options,
        circle_name=header.circle_name,
        replayed=replayed,
        script=state,
        warnings=warnings,
    )


def _plan(
    kept: dict[str, Any] | None,
    practice: Practice,
    header: JournalHeader,
    options: dict[str, Any],
) -> CirclePlan:
    """The plan the header kept; for a journal of the first version, the plan made again
    from its circle, roles, seed and options (the same rule gives the same plan)."""
    if kept is not None:
        return plan_from_json(kept)
    from circlekeeper.engine.setup import plan_circle

    meeting = options.get("meeting", 0)
    starter = options.get("starter")
    language = options.get("language")
    return plan_circle(
        practice,
        header.circle,
        starter=starter if isinstance(starter, str) else None,
        given_roles=header.roles,
        meeting=meeting if isinstance(meeting, int) else 0,
        seed=header.seed if header.seed is not None else 0,
        language=language if isinstance(language, str) else None,
    )
