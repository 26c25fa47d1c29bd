"""The live agenda: the run list as it stands, a stable id for every run step, the rows a
screen shows with their estimates, and the list of emergent topics.

At set-up it is the practice's run list (`plan.unroll`), a row per top-level step that runs at
this meeting. Live edits (`edits.py`) change only what is still to come: each rebuilds the
flat run list in place, so a run's index stays the order steps run in and what has run never
moves. A row is a top-level step's runs side by side; a step inserted, or moved out of a
loop, is a row of its own, and a loop an insert splits shows as two rows of the same title.

Ids: a step's own `id` (`welcome`; `welcome-2` when a loop runs it again), else `s` and its
number in the run list at set-up (`s3`); steps inserted later go on counting. An id is never
given twice, even after its step is removed, so a journal names one step by it for good.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from circlekeeper.engine.plan import (
    LeafStep,
    RunStep,
    reading_seconds,
    run_estimate,
    runs_here,
    unroll,
)
from circlekeeper.engine.setup import CirclePlan
from circlekeeper.engine.state import Topic
from circlekeeper.script.model import (
    BreakoutStep,
    DiscussionStep,
    Practice,
    ReadStep,
    RoundStep,
    SilenceStep,
    SitStep,
)
from circlekeeper.script.texts import localize, step_title
from circlekeeper.script.validate import iter_steps

SHORTEST: dict[str, float] = {"silence": 30.0, "sit": 120.0, "breakout": 120.0, "discussion": 120.0}
"""How short ending the session at a time may make a step of each kind that can stretch or
shrink (a step planned shorter keeps its length as the least)."""


def flexible(step: LeafStep) -> bool:
    """Whether ending the session at a time may stretch or shrink `step`: a span of time (a
    silence, a sit, a breakout, a discussion, a reading with a duration). Rounds, consent
    rounds, exchanges and readings at reading pace keep their length: someone's turn to
    speak is not cut short to fit a schedule."""
    if isinstance(step, ReadStep):
        return step.duration is not None
    return isinstance(step, SilenceStep | SitStep | BreakoutStep | DiscussionStep)


def shortest(step: LeafStep, planned: float, language: str, default: str) -> float:
    """The least time a flexible step may be given: its kind's least (a reading: the time to
    read it aloud), or what it was planned to take, if that is less."""
    if isinstance(step, ReadStep):
        least = reading_seconds(localize(step.text, language, default))
    else:
        least = SHORTEST.get(step.kind, 60.0)
    return min(planned, least)


def resized(step: LeafStep, seconds: int) -> LeafStep:
    """`step`, made to take `seconds`: a round's turns share them out (a lap budget, so each
    lap takes its share), any other step gets them as its duration (for a consent round, an
    exchange or a round until everyone passes: a time box)."""
    if isinstance(step, RoundStep) and step.until == "laps":
        budget = max(1, round(seconds / step.lap_count))
        turn = step.turn.model_copy(update={"time": None, "budget": budget})
        if step.duration is None:
            return step.model_copy(update={"turn": turn})
        return step.model_copy(update={"turn": turn, "duration": seconds})
    return step.model_copy(update={"duration": seconds})


@dataclass(frozen=True)
class AgendaRow:
    """One row of the agenda: a top-level step of the practice (or a step put on the agenda
    live), its runs and their estimate."""

    title: str
    kind: str
    first: int
    """The run index of its first run."""
    count: int
    seconds: float
    step: int = 0
    """Which top-level step of the practice it is (past the last: one put there live)."""


def agenda_rows(
    practice: Practice,
    plan: CirclePlan,
    runs: tuple[RunStep, ...] | list[RunStep],
    estimates: list[float] | None = None,
) -> tuple[AgendaRow, ...]:
    """The agenda of a session as set up: per top-level step that runs at this meeting, its
    title, kind, runs and estimate (`estimates`: each run's, when they are known already)."""
    silent = frozenset(r.id for r in practice.roles if not r.speaks)
    rows: list[AgendaRow] = []
    pos = 0
    for i, step in enumerate(practice.steps):
        if not runs_here(step, plan):
            continue  # not part of this meeting of the series
        total = 0.0
        count = 0
        # Unrolling keeps each top-level step's runs together and in order.
        while pos + count < len(runs) and runs[pos + count].agenda == i:
            run = runs[pos + count]
            total += (
                estimates[pos + count]
                if estimates is not None
                else run_estimate(run, practice, plan, silent)
            )
            count += 1
        title = step_title(step, plan.language, practice.language)
        rows.append(AgendaRow(title, step.kind, pos, count, total, i))
        pos += count
    return tuple(rows)


@dataclass
class Row:
    """A row as the agenda keeps it: its runs, which edits may add to or take from."""

    key: int
    title: str
    kind: str
    runs: list[RunStep]


class Agenda:
    """The run list and its rows, ids, estimates and topics; edits go through here."""

    def __init__(self, practice: Practice, plan: CirclePlan) -> None:
        self.practice = practice
        self.plan = plan
        self.silent = frozenset(r.id for r in practice.roles if not r.speaks)
        self.runs: list[RunStep] = []
        """The steps as they will run, in order: the one list `Steps` walks."""
        self.rows: list[Row] = []
        self.estimates: dict[str, float] = {}
        """How long each run step is planned to take, by id."""
        self.topics: list[Topic] = []
        """Emergent topics, to bring forward later, in the order they were raised."""
        self.topics_gone: dict[str, str] = {}
        """Topics off the list, by id: how they left ("removed", "brought-forward")."""
        self.version = 0
        """Counts changes, so what is worked out from the agenda knows when to redo it."""
        self._reserved = {at.step.id for at in iter_steps(practice) if at.step.id is not None}
        self._used: set[str] = set()
        self._made = 0
        self._topics_made = 0
        self._keys = len(practice.steps)
        self._index: dict[str, int] = {}
        self._tail: tuple[int, int, float] = (-2, -1, 0.0)
        self._rows_cache: tuple[int, tuple[AgendaRow, ...]] = (-1, ())
        named = unroll(practice, plan, lambda step, index: self.fresh_id(step.id, index + 1))
        self._made = len(named)
        each = [run_estimate(run, practice, plan, self.silent) for run in named]
        self.estimates = {run.id: seconds for run, seconds in zip(named, each, strict=True)}
        for row in agenda_rows(practice, plan, named, each):
            self.rows.append(
                Row(row.step, row.title, row.kind, list(named[row.first : row.first + row.count]))
            )
        self._sync()

    # -- ids ------------------------------------------------------------------------------

    def fresh_id(self, own: str | None, number: int | None = None) -> str:
        """A new id: `own` if it was never given, else `own-2`, `own-3`...; without one,
        `s` and `number` (its place in the run list as set up; an author's id of that name
        makes it `s3-2`), or for a step inserted later the next number free."""
        if own is None and number is None:
            while True:
                self._made += 1
                found = f"s{self._made}"
                if found not in self._used and found not in self._reserved:
                    break
        else:
            base = own if own is not None else f"s{number}"
            reserved = self._reserved if own is None else frozenset()
            found, n = base, 1
            while found in self._used or found in reserved:
                n += 1
                found = f"{base}-{n}"
        self._used.add(found)
        return found

    def taken(self, step_id: str) -> bool:
        """Whether `step_id` was ever given to a step of this session."""
        return step_id in self._used

    def where(self, step_id: str) -> int | None:
        """The run index of the step with this id (None: no such step on the agenda)."""
        return self._index.get(step_id)

    def new_key(self) -> int:
        """A row key for a step put on the agenda live."""
        self._keys += 1
        return self._keys

    # -- the rows -----------------------------------------------------------------------------

    def agenda_rows(self) -> tuple[AgendaRow, ...]:
        """The rows as they stand, each with its first run, its run count and its estimate."""
        version, rows = self._rows_cache
        if version == self.version:
            return rows
        out: list[AgendaRow] = []
        pos = 0
        for row in self.rows:
            total = 0.0
            for run in row.runs:
                total += self.estimates[run.id]
            out.append(AgendaRow(row.title, row.kind, pos, len(row.runs), total, row.key))
            pos += len(row.runs)
        self._rows_cache = (self.version, tuple(out))
        return self._rows_cache[1]

    def tail(self, pos: int) -> float:
        """How long the steps after run `pos` are planned to take, together."""
        at, version, total = self._tail
        if at != pos or version != self.version:
            total = 0.0
            for run in self.runs[pos + 1 :]:
                total += self.estimates[run.id]
            self._tail = (pos, self.version, total)
        return total

    def _locate(self, pos: int) -> tuple[int, int]:
        """The row holding run `pos`, and where in the row it is."""
        first = 0
        for i, row in enumerate(self.rows):
            if pos < first + len(row.runs):
                return i, pos - first
            first += len(row.runs)
        raise IndexError(pos)  # pragma: no cover - edits check the position first

    def _sync(self) -> None:
        """Rebuild the run list from the rows (indexes follow the order), after a change."""
        merged: list[Row] = []
        for row in self.rows:
            if merged and merged[-1].key == row.key and row.runs and merged[-1].runs:
                merged[-1].runs.extend(row.runs)  # the two halves of a split loop, together again
            elif row.runs or row.key < len(self.practice.steps):
                merged.append(row)
        self.rows = merged
        flat: list[RunStep] = []
        for row in self.rows:
            for j, run in enumerate(row.runs):
                if run.index != len(flat):
                    run = row.runs[j] = replace(run, index=len(flat))
                flat.append(run)
        self.runs[:] = flat
        self._index = {run.id: run.index for run in flat}
        self.version += 1

    # -- edits (checked by the caller: positions are of steps still to come) ------------------

    def insert(self, after: int, runs: list[RunStep], title: str, kind: str) -> None:
        """Put `runs` (their ids given) on the agenda right after run `after`, as a row."""
        for run in runs:
            self.estimates[run.id] = run_estimate(run, self.practice, self.plan, self.silent)
        key = self.new_key()
        self._place(after, Row(key, title, kind, [replace(run, agenda=key) for run in runs]))

    def _place(self, after: int, row: Row) -> None:
        ri, off = self._locate(after)
        holder = self.rows[ri]
        if off == len(holder.runs) - 1:
            self.rows.insert(ri + 1, row)
        else:
            rest = Row(holder.key, holder.title, holder.kind, holder.runs[off + 1 :])
            del holder.runs[off + 1 :]
            self.rows[ri + 1 : ri + 1] = [row, rest]
        self._sync()

    def remove(self, pos: int) -> RunStep:
        """Take run `pos` off the agenda."""
        ri, off = self._locate(pos)
        run = self.rows[ri].runs.pop(off)
        if not self.rows[ri].runs:
            del self.rows[ri]
        self._sync()
        return run

    def move(self, pos: int, after: int) -> None:
        """Run `pos` runs right after run `after` instead: a row of its own, or its whole row
        when it is the only run in it."""
        ri, off = self._locate(pos)
        holder = self.rows[ri]
        if len(holder.runs) == 1:
            row = self.rows.pop(ri)
        else:
            run = holder.runs.pop(off)
            key = self.new_key()
            title = step_title(run.step, self.plan.language, self.practice.language)
            row = Row(key, title, run.step.kind, [replace(run, agenda=key)])
        self._sync()
        self._place(after - 1 if after > pos else after, row)

    def replace_step(self, pos: int, step: LeafStep) -> RunStep:
        """Run `pos` runs `step` instead (its new length); its estimate follows."""
        ri, off = self._locate(pos)
        run = replace(self.rows[ri].runs[off], step=step)
        self.rows[ri].runs[off] = run
        self.runs[pos] = run
        self.estimates[run.id] = run_estimate(run, self.practice, self.plan, self.silent)
        self.version += 1
        return run

    # -- topics --------------------------------------------------------------------------------

    def topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, if it is on the list."""
        return next((t for t in self.topics if t.id == topic_id), None)

    def add_topic(self, text: str) -> Topic:
        """Put a topic on the list; it gets the next id (`t1`, `t2`...)."""
        self._topics_made += 1
        topic = Topic(f"t{self._topics_made}", text)
        self.topics.append(topic)
        return topic

    def drop_topic(self, topic_id: str, why: str) -> None:
        """Take a topic off the list (`why`: removed, or brought forward)."""
        self.topics = [t for t in self.topics if t.id != topic_id]
        self.topics_gone[topic_id] = why
