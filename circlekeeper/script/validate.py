"""Checks that need the whole practice: references, ids, sounds, bell times, languages.

Pydantic checks each mapping on its own; these checks see the practice as a whole. Every
problem is collected (not only the first) with the position of the node at fault.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from circlekeeper.script.limits import MAX_INTERVAL_BELLS, MIN_INTERVAL
from circlekeeper.script.messages import did_you_mean
from circlekeeper.script.model import (
    Bells,
    BreakoutStep,
    CueSpec,
    ExchangeStep,
    ForEachStep,
    GroupStep,
    OpenEnded,
    Practice,
    RepeatStep,
    RoundStep,
    Step,
    StepBase,
    StickStep,
    When,
)
from circlekeeper.script.positions import PathKey, Pos, Positions
from circlekeeper.script.sounds import BUILTIN_SOUNDS

# ISO 639-1 two-letter codes, so a mistyped language (`eng`, `ge`) is caught early.
_ISO_639_1_TEXT = """
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
vi vo wa wo xh yi yo za zh zu
"""
ISO_639_1 = frozenset(_ISO_639_1_TEXT.split())


MAX_STEP_RUNS = 10_000
"""Most step runs a session may expand to (repeats and loops multiplied out)."""


@dataclass(frozen=True)
class _StepAt:
    """A step with its data path, its ancestors and the loop bindings in scope."""

    step: StepBase
    path: PathKey
    order: int
    ancestors: tuple[int, ...]
    bindings: frozenset[str]
    looped: bool = False
    """Inside a `repeat` or a `for-each`: the step may run more than once."""


def iter_steps(practice: Practice) -> Iterator[_StepAt]:
    """Every step in document order (pre-order), with where it is written."""
    counter = 0

    def visit(
        steps: list[Step],
        base: PathKey,
        ancestors: tuple[int, ...],
        bindings: frozenset[str],
        looped: bool,
    ) -> Iterator[_StepAt]:
        nonlocal counter
        for index, step in enumerate(steps):
            path = (*base, "steps", index)
            here = counter
            counter += 1
            yield _StepAt(step, path, here, ancestors, bindings, looped)
            inner = bindings
            if isinstance(step, ForEachStep):
                inner = bindings | {step.as_}
            if isinstance(step, ForEachStep | GroupStep | RepeatStep):
                again = looped or isinstance(step, ForEachStep | RepeatStep)
                yield from visit(step.steps, path, (*ancestors, here), inner, again)

    yield from visit(practice.steps, (), (), frozenset(), False)


class _Checker:
    def __init__(self, practice: Practice, positions: Positions, base_dir: Path | None) -> None:
        self.practice = practice
        self.positions = positions
        self.base_dir = base_dir
        self.errors: list[tuple[Pos, str]] = []
        self.role_ids = [role.id for role in practice.roles]
        self._steps: list[_StepAt] = []
        series = practice.series
        if series is not None and series.focus == "rotate":
            # The series' focus is a role the steps may name, like one under `roles`.
            self.role_ids.append(series.focus_role)

    def add(self, path: PathKey, message: str, *, key: bool = False) -> None:
        pos = self.positions.key(path) if key else self.positions.value(path)
        self.errors.append((pos, message))

    def run(self) -> list[tuple[Pos, str]]:
        self.check_roles()
        self.check_series()
        self.check_sounds()
        self.check_languages()
        steps = list(iter_steps(self.practice))
        self._steps = steps
        self.check_ids(steps)
        for at in steps:
            self.check_step(at)
        self.check_expansion(steps)
        self.check_cues(self.practice, ())
        return self.errors

    # Roles -------------------------------------------------------------------------------

    def check_roles(self) -> None:
        seen: dict[str, int] = {}
        for index, role in enumerate(self.practice.roles):
            path = ("roles", index, "id")
            if role.id in seen:
                first = self.positions.value(("roles", seen[role.id], "id"))[0]
                self.add(path, f"role `{role.id}` is defined twice (first on line {first})")
            else:
                seen[role.id] = index
        if self.practice.keeper_role is not None:
            self.role_ref(("keeper_role",), self.practice.keeper_role, frozenset())
        if self.practice.guardian.role is not None:
            self.role_ref(("guardian", "role"), self.practice.guardian.role, frozenset())

    def role_ref(self, path: PathKey, name: str, bindings: frozenset[str]) -> None:
        if name in self.role_ids or name in bindings:
            return
        known = sorted(set(self.role_ids) | bindings)
        field = ".".join(p for p in path[-2:] if isinstance(p, str))
        if not known:
            self.add(path, f"`{field}`: no role named `{name}`; define it under `roles`")
            return
        self.add(
            path,
            f"`{field}`: no role named `{name}`{did_you_mean(name, known)} "
            f"(roles here: {', '.join(known)})",
        )

    # Sounds ------------------------------------------------------------------------------

    def check_sounds(self) -> None:
        for name, sound in self.practice.sounds.items():
            path = ("sounds", name)
            if name in BUILTIN_SOUNDS:
                self.add(
                    path, f"`{name}` is a built-in sound already; choose another name", key=True
                )
            if sound.file is None:
                continue
            fpath = (*path, "file")
            if "/" in sound.file or "\\" in sound.file or ".." in sound.file:
                self.add(fpath, "a sound file must sit beside the script: no folders, no `..`")
                continue
            if self.base_dir is None:
                continue
            problem = sound_file_problem(self.base_dir, sound.file)
            if problem is not None:
                self.add(fpath, problem)

    def sound_ok(self, name: str) -> bool:
        return name in BUILTIN_SOUNDS or name in self.practice.sounds

    def check_cues(self, model: BaseModel, path: PathKey) -> None:
        """Walk every model in the tree; each cue must name a sound that exists."""
        if isinstance(model, CueSpec) and not self.sound_ok(model.sound):
            known = sorted(set(BUILTIN_SOUNDS) | set(self.practice.sounds))
            sound_path = (*path, "sound") if self.positions.has((*path, "sound")) else path
            self.add(
                sound_path,
                f"no sound named `{model.sound}`{did_you_mean(model.sound, known)} "
                f"(sounds: {', '.join(known)})",
            )
        for name, info in type(model).model_fields.items():
            key = info.alias or name
            if not self.positions.has((*path, key)):
                continue  # defaults are known to be good
            self.walk_value(getattr(model, name), (*path, key))

    def walk_value(self, value: Any, path: PathKey) -> None:
        if isinstance(value, BaseModel):
            self.check_cues(value, path)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.walk_value(item, (*path, index))
        elif isinstance(value, dict):
            for key, item in value.items():
                self.walk_value(item, (*path, key))

    # Languages ---------------------------------------------------------------------------

    def check_languages(self) -> None:
        self.language_code(("language",), self.practice.language, key=False)
        for code in self.practice.voices:
            self.language_code(("voices", code), code, key=True)
        self.walk_texts(self.practice, ())

    def language_code(self, path: PathKey, code: str, *, key: bool) -> None:
        primary = code.split("-")[0]
        if len(primary) == 2 and primary not in ISO_639_1:
            hint = did_you_mean(primary, sorted(ISO_639_1))
            self.add(path, f"`{code}` is not a known language code{hint}", key=key)

    def walk_texts(self, value: Any, path: PathKey) -> None:
        """Check every translated text: known codes, and the practice language present."""
        if isinstance(value, BaseModel):
            for name, info in type(value).model_fields.items():
                key = info.alias or name
                if self.positions.has((*path, key)):
                    self.walk_texts(getattr(value, name), (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.walk_texts(item, (*path, index))
        elif (
            isinstance(value, dict)
            and path
            and path[0] not in ("voices", "sounds")
            and all(isinstance(v, str) for v in value.values())
        ):
            for code in value:
                self.language_code((*path, code), code, key=True)
            lang = self.practice.language
            if lang not in value:
                self.add(
                    path,
                    f"this text has no `{lang}` version (the practice's `language`); "
                    f"add `{lang}:` or change `language`",
                )

    # Steps -------------------------------------------------------------------------------

    def check_ids(self, steps: list[_StepAt]) -> None:
        seen: dict[str, _StepAt] = {}
        for at in steps:
            sid = at.step.id
            if sid is None:
                continue
            if sid in seen:
                first = self.positions.value((*seen[sid].path, "id"))[0]
                self.add((*at.path, "id"), f"step id `{sid}` is used twice (first on line {first})")
            else:
                seen[sid] = at
        for at in steps:
            if not isinstance(at.step, RepeatStep):
                continue
            for index, ref in enumerate(at.step.of):
                path = (*at.path, "of", index)
                target = seen.get(ref)
                if target is None:
                    known = sorted(seen)
                    listed = f" (step ids: {', '.join(known)})" if known else ""
                    self.add(
                        path,
                        f"`of`: no step with id `{ref}`{did_you_mean(ref, known)}{listed}",
                    )
                elif target.order in at.ancestors or target.order == at.order:
                    self.add(path, f"`of`: a step cannot repeat `{ref}`, which contains it")
                elif target.order > at.order:
                    self.add(
                        path, f"`of`: `{ref}` comes later; `repeat` can only run earlier steps"
                    )

    def check_expansion(self, steps: list[_StepAt]) -> None:
        """A script whose repeats multiply into an endless session is refused.

        Counts the step runs for the largest circle; `repeat: {of: [a, a]}` chains could
        otherwise ask for billions. Counting stops just past the limit.
        """
        by_id = {at.step.id: at.step for at in steps if at.step.id is not None}
        people = self.practice.size.max
        memo: dict[int, int] = {}

        def runs(step: StepBase) -> int:
            key = id(step)
            if key in memo:
                return memo[key]
            memo[key] = 0  # a step inside itself is reported on its own; count it once
            total = 1
            if isinstance(step, GroupStep):
                total += sum(runs(s) for s in step.steps)
            elif isinstance(step, ForEachStep):
                total += people * sum(runs(s) for s in step.steps)
            elif isinstance(step, RepeatStep):
                body: list[StepBase] = list(step.steps) or [by_id[n] for n in step.of if n in by_id]
                total += step.times * sum(runs(s) for s in body)
            memo[key] = min(total, MAX_STEP_RUNS + 1)
            return memo[key]

        for index, step in enumerate(self.practice.steps):
            if runs(step) > MAX_STEP_RUNS:
                self.add(
                    ("steps", index),
                    f"this step would run more than {MAX_STEP_RUNS} steps for {people} people; "
                    "repeat fewer times",
                )
                return

    # Series -------------------------------------------------------------------------------

    def check_series(self) -> None:
        series = self.practice.series
        if series is None:
            return
        defined = [role.id for role in self.practice.roles]
        if series.focus == "rotate" and series.focus_role in defined:
            path: PathKey = ("series", "focus_role")
            if not self.positions.has(path):
                path = ("series",)
            self.add(
                path,
                f"the series' focus role `{series.focus_role}` is also defined under `roles`; "
                "give the series another `focus_role`",
            )
        if series.focus == "none":
            for name in ("focus_role", "focus_when"):
                if self.positions.has(("series", name)):
                    self.add(
                        ("series", name),
                        f"`{name}` has no effect with `focus: none`",
                        key=True,
                    )
        if series.focus_when is not None:
            self.check_when(series.focus_when, ("series", "focus_when"))

    def check_when(self, when: When, path: PathKey) -> None:
        """Meetings named in `when` must exist: `last` needs a series, numbers within it."""
        series = self.practice.series
        for name in ("meeting", "not_meeting"):
            refs = getattr(when, name)
            if refs is None:
                continue
            for index, ref in enumerate(refs):
                where = (
                    (*path, name, index)
                    if self.positions.has((*path, name, index))
                    else (
                        *path,
                        name,
                    )
                )
                if series is None and ref == "last":
                    self.add(
                        where,
                        "`last` needs a `series` at the top of the practice (how many meetings)",
                    )
                elif series is not None and isinstance(ref, int) and ref > series.meetings:
                    self.add(
                        where,
                        f"meeting {ref} never comes: the series has {series.meetings} meetings",
                    )

    def check_step(self, at: _StepAt) -> None:
        step, path = at.step, at.path
        if step.lead is not None:
            self.role_ref((*path, "lead"), step.lead, at.bindings)
        if step.when is not None:
            self.check_when(step.when, (*path, "when"))
        for field in ("only", "without"):
            for index, role in enumerate(getattr(step, field, ())):
                self.role_ref((*path, field, index), role, at.bindings)
        if isinstance(step, StickStep):
            self.check_stick(step, path, at.bindings)
        if isinstance(step, ExchangeStep):
            for field in ("first", "listener"):
                role = getattr(step, field)
                if role is not None:
                    self.role_ref((*path, field), role, at.bindings)
            if step.next_pair != "around" and self.positions.has((*path, "direction")):
                self.add(
                    (*path, "direction"),
                    "`direction` is used only with `next_pair: around`",
                    key=True,
                )
        if isinstance(step, ForEachStep):
            if self.positions.has((*path, "as_")):
                # The model also accepts its Python name; a script uses the YAML one only.
                self.add(
                    (*path, "as_"),
                    "unknown field `as_` in a for-each step; did you mean `as`?",
                    key=True,
                )
            if step.as_ in self.role_ids:
                self.add(
                    (*path, "as"),
                    f"`as: {step.as_}` hides the role `{step.as_}`; choose another name",
                )
        if isinstance(step, BreakoutStep):
            self.check_breakout(step, at)
        self.check_timing(step, path)

    def check_stick(self, step: StickStep, path: PathKey, bindings: frozenset[str]) -> None:
        """Who starts, who ends, whom a speaker addresses; settings that could never act."""
        for field in ("start_role", "end_with"):
            role = getattr(step, field)
            if role is not None:
                self.role_ref((*path, field), role, bindings)
        if step.start == "keeper-first" and self.practice.keeper_role is None:
            self.add(
                (*path, "start"),
                "`start: keeper-first` needs `keeper_role` at the top of the practice",
            )
        if step.order != "fixed" and self.positions.has((*path, "start")):
            who = "the facilitator picks" if step.order == "popcorn" else "the quietest speaks"
            self.add(
                (*path, "start"),
                f"`start` has no effect with `order: {step.order}`: {who} first",
                key=True,
            )
        turn, tpath = step.turn, (*path, "turn")
        timed = turn.time is not None or turn.budget is not None
        if not timed:
            for name in ("end", "end_cue"):
                if self.positions.has((*tpath, name)):
                    self.add(
                        (*tpath, name),
                        f"`turn.{name}` needs a turn `time` or `budget`: untimed turns end "
                        "when the facilitator moves on",
                        key=True,
                    )
        if turn.warning is None and self.positions.has((*tpath, "warning_cue")):
            self.add((*tpath, "warning_cue"), "`turn.warning_cue` needs a `turn.warning`", key=True)
        if isinstance(step, RoundStep):
            if step.until == "all-pass" and step.passing == "not-allowed":
                self.add(
                    (*path, "until"),
                    "`until: all-pass` needs passing: with `passing: not-allowed` nobody can pass",
                )
            if step.addressee is not None and step.addressee.role is not None:
                self.role_ref((*path, "addressee", "role"), step.addressee.role, bindings)

    def check_breakout(self, step: BreakoutStep, at: _StepAt) -> None:
        path = at.path
        largest = self.practice.size.max
        if step.group_size > largest:
            self.add(
                (*path, "group_size"),
                f"`group_size` is {step.group_size} but the practice's `size` allows at most "
                f"{largest} people",
            )
        if (
            isinstance(step.duration, int)
            and step.swap_every is not None
            and step.swap_every >= step.duration
        ):
            self.add(
                (*path, "swap_every"),
                f"`swap_every` ({_fmt(step.swap_every)}) must be shorter than the step "
                f"({_fmt(step.duration)})",
            )
        if (
            step.swap_every is None
            and not step.turn_each
            and self.positions.has((*path, "swap_cue"))
        ):
            self.add((*path, "swap_cue"), "`swap_cue` needs `swap_every` or `turn_each`", key=True)
        first = not at.looped and not any(
            isinstance(other.step, BreakoutStep) and other.order < at.order for other in self._steps
        )
        if first and step.shuffle in ("keep", "merge", "split"):
            self.add(
                (*path, "shuffle"),
                f"`shuffle: {step.shuffle}` needs an earlier breakout whose groups it "
                f"{'keeps' if step.shuffle == 'keep' else step.shuffle + 's'}",
            )
        if first and step.group_focus == "same":
            self.add(
                (*path, "group_focus"),
                "`group_focus: same` needs an earlier breakout whose focus it keeps; "
                "use `next` to start one",
            )

    def check_timing(self, step: StepBase, path: PathKey) -> None:
        """Timed bells and warnings must fall inside a fixed step duration; settings that
        need a clock need a duration."""
        if isinstance(step, OpenEnded):
            self.check_timebox(step, path)
        bells: Bells | None = getattr(step, "bells", None)
        if bells is None:
            return
        bpath = (*path, "bells")
        if bells.interval is not None and bells.interval.every < MIN_INTERVAL:
            # A bell every second is a metronome, not a reminder; it would also fill a
            # rehearsal with thousands of lines.
            self.add(
                (*bpath, "interval", "every"),
                f"interval bells every {_fmt(bells.interval.every)} are too close; "
                f"leave at least {MIN_INTERVAL}s between them",
            )
        if bells.warning is None and self.positions.has((*bpath, "warning_cue")):
            self.add(
                (*bpath, "warning_cue"), "`bells.warning_cue` needs a `bells.warning`", key=True
            )
        duration = getattr(step, "duration", None)
        if duration is None:
            timed = [
                name
                # `start` and `end` ring on an untimed step (when it starts and when the
                # facilitator moves on), `at` and `interval` as soft cues while it lasts;
                # half time and a warning before the end need an end to measure against.
                for name in ("halfway", "warning")
                if self.positions.has((*bpath, name))
            ]
            if timed:
                self.add(
                    (*bpath, timed[0]),
                    f"`bells.{timed[0]}` needs a `duration` on the step to be timed against",
                )
            return
        if not isinstance(duration, int):
            # A scaled duration: only its `max`, when given, bounds the bells for sure.
            if duration.max is None:
                return
            limit = duration.max
        else:
            limit = duration
        if bells.warning is not None and bells.warning >= limit:
            self.add(
                (*bpath, "warning"),
                f"`bells.warning` ({_fmt(bells.warning)}) must be shorter than the step "
                f"({_fmt(limit)})",
            )
        if bells.interval is not None and bells.interval.every >= limit:
            self.add(
                (*bpath, "interval", "every"),
                f"interval bells every {_fmt(bells.interval.every)} would never sound in a "
                f"{_fmt(limit)} step",
            )
        elif (
            bells.interval is not None
            and bells.interval.every >= MIN_INTERVAL
            and limit // bells.interval.every > MAX_INTERVAL_BELLS
        ):
            self.add(
                (*bpath, "interval", "every"),
                f"interval bells every {_fmt(bells.interval.every)} would ring "
                f"{limit // bells.interval.every:,} times in a {_fmt(limit)} step; "
                f"a step rings at most {MAX_INTERVAL_BELLS:,}",
            )
        for index, cue in enumerate(bells.at):
            if cue.at > limit:
                self.add(
                    (*bpath, "at", index, "at"),
                    f"a bell at {_fmt(cue.at)} falls after the end of the step ({_fmt(limit)})",
                )

    def check_timebox(self, step: OpenEnded, path: PathKey) -> None:
        if step.timebox is None:
            if self.positions.has((*path, "timebox_cue")):
                self.add((*path, "timebox_cue"), "`timebox_cue` needs a `timebox`", key=True)
            return
        duration = getattr(step, "duration", None)
        limit = duration if isinstance(duration, int) else getattr(duration, "max", None)
        if limit is not None and step.timebox >= limit:
            self.add(
                (*path, "timebox"),
                f"a soft `timebox` of {_fmt(step.timebox)} never sounds in a step that ends "
                f"after {_fmt(limit)}",
            )


def sound_file_problem(folder: Path, name: str) -> str | None:
    """Why the sound file `name` cannot be played from beside a script in `folder`, or None.

    The file must be a regular file whose real path is in the folder itself: a symbolic link
    may name another file of the folder, never one elsewhere; a pipe or a device would block
    the read. A hard link is the file itself, in the folder, and is taken: no name of a file
    is more its own than another, an archive or a git checkout cannot carry a link out of
    its folder, and the kernel (`protected_hardlinks`) lets nobody link a file they could
    not already read.
    """
    target = folder / name
    try:
        real = target.resolve()
        inside = real.parent == folder.resolve()
        mode = real.stat().st_mode
    except (OSError, RuntimeError):  # missing, unreadable, or a loop of links
        return f"sound file `{name}` not found beside the script"
    if not inside:
        return f"sound file `{name}` links outside the script's folder"
    if not stat.S_ISREG(mode):
        return f"sound file `{name}` is not a regular file"
    return None


def _fmt(seconds: int) -> str:
    from circlekeeper.script.duration import format_duration

    return format_duration(seconds)


def semantic_errors(
    practice: Practice, positions: Positions, base_dir: Path | None
) -> list[tuple[Pos, str]]:
    """Every semantic problem, each with the position of the node at fault."""
    return _Checker(practice, positions, base_dir).run()
