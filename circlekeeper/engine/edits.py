"""The agenda's commands: insert a step, remove or move a step still to come, set a step's
length, end the session at a time, and the list of emergent topics.

Steps are named by their id on the agenda (`agenda.py`). Only what is still to come may
change: the step in progress has its own commands (skip, more or less time). Every handler
checks first and raises `Refusal` before it changes anything; each change is an event that
says what changed (so the journal and a reportback can list it), and every edit ends with
`AgendaChanged`, the new forecast end.

Ending at a time shares the time left out in proportion among the steps that can stretch or
shrink (`agenda.flexible`), the step in progress included, none below its least
(`agenda.shortest`; the step in progress keeps at least a minute to close). Steps to come get
whole seconds; the step in progress takes up the rounding, so the last step ends at that time
to the millisecond when the step in progress can stretch. When the time is too short even at
the least, the command is refused and says how much time the steps left need.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from circlekeeper.engine.agenda import Agenda, flexible, resized, shortest
from circlekeeper.engine.commands import (
    AddTopic,
    BringForward,
    Command,
    EndAt,
    Insert,
    Move,
    Refusal,
    Remove,
    RemoveTopic,
    SetDuration,
)
from circlekeeper.engine.cues import StepRun
from circlekeeper.engine.events import (
    AgendaChanged,
    Event,
    ScheduleFitted,
    StepInserted,
    StepMoved,
    StepRemoved,
    StepRetimed,
    TopicAdded,
    TopicRemoved,
)
from circlekeeper.engine.plan import PlanError, RunStep, run_estimate, unroll
from circlekeeper.engine.projection import step_left
from circlekeeper.engine.steps import Steps
from circlekeeper.engine.templates import DEFAULT_SECONDS, template
from circlekeeper.i18n import msg, msg_n
from circlekeeper.script.duration import MAX_SECONDS, format_duration
from circlekeeper.script.fragment import check_step
from circlekeeper.script.messages import did_you_mean
from circlekeeper.script.model import DiscussionStep, Step
from circlekeeper.script.texts import step_title
from circlekeeper.script.validate import MAX_STEP_RUNS, iter_steps

Handler = Callable[[Command], None]

GRACE = 60.0
"""The least time left to the step in progress when the session is fitted to end at a time:
a minute to close, however short its kind may be."""
TOPIC_MAX = 200
"""The longest topic kept, in characters: a line on the list, the details come later."""


class EditsHost(Protocol):
    """What the agenda's commands need of the session."""

    @property
    def active(self) -> float:
        """Now, on the active clock."""
        ...

    def stamp(self) -> float:
        """Session time of what happens now."""
        ...

    def emit(self, event: Event) -> None:
        """Say that something happened."""
        ...


def _known(word: str, known: list[str]) -> str:
    """A close id, or the ids there are (a few of them), to say after "there is no ..."."""
    hint = did_you_mean(word, known)
    if hint or not known:
        return hint
    shown = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
    return msg(" (there are: {ids})", ids=shown)


def _span(seconds: float) -> str:
    return format_duration(seconds) if seconds >= 0.5 else "0s"


def share(room: float, items: list[tuple[float, float]]) -> list[float]:
    """`room` shared out in proportion to each item's length, none below its least: items
    are (length, least). The caller has made sure the leasts fit."""
    pinned = [False] * len(items)
    while True:
        free = [i for i, pin in enumerate(pinned) if not pin]
        rest = room - sum(items[i][1] for i, pin in enumerate(pinned) if pin)
        total = sum(items[i][0] for i in free)
        if not free:
            return [least for _, least in items]
        if total <= 0:
            return [items[i][1] if pinned[i] else rest / len(free) for i in range(len(items))]
        factor = rest / total
        low = [i for i in free if items[i][0] * factor < items[i][1]]
        if not low:
            return [items[i][1] if pinned[i] else items[i][0] * factor for i in range(len(items))]
        for i in low:
            pinned[i] = True


class Edits:
    """Handlers of the agenda's commands for one session."""

    def __init__(
        self, agenda: Agenda, steps: Steps, host: EditsHost, forecast: Callable[[], float]
    ) -> None:
        self.agenda = agenda
        self.steps = steps
        self.host = host
        self.forecast = forecast
        """Session time the last step ends if every step runs as planned from now."""
        self.practice = agenda.practice
        self.plan = agenda.plan
        self.handlers: dict[type[Command], Handler] = {
            Insert: self.insert,
            Remove: self.remove,
            Move: self.move,
            SetDuration: self.set_duration,
            EndAt: self.end_at,
            AddTopic: self.add_topic,
            RemoveTopic: self.remove_topic,
            BringForward: self.bring_forward,
        }

    # -- finding steps ------------------------------------------------------------------------

    def _current(self) -> StepRun:
        st = self.steps.current
        if st is None:
            raise Refusal(msg("the last step is over: the session is ending"))
        return st

    def _find(self, step_id: str) -> int:
        pos = self.agenda.where(step_id)
        if pos is not None:
            return pos
        if self.agenda.taken(step_id):
            raise Refusal(msg("`{id}` was taken off the agenda", id=step_id))
        known = [run.id for run in self.agenda.runs[self.steps.position :]]
        raise Refusal(
            msg(
                "there is no step `{id}` on the agenda{hint}",
                id=step_id,
                hint=_known(step_id, known),
            )
        )

    def _to_come(self, step_id: str, instead: str) -> int:
        """The run index of a step still to come; the step in progress is refused with what
        to do `instead`."""
        self._current()
        pos = self._find(step_id)
        if pos < self.steps.position:
            raise Refusal(msg("`{id}` has run already", id=step_id))
        if pos == self.steps.position:
            raise Refusal(msg("`{id}` is running now: {instead}", id=step_id, instead=instead))
        return pos

    def _after(self, step_id: str | None) -> int:
        """Where a step goes: after the step in progress (None) or one still to come."""
        here = self.steps.position
        self._current()
        if step_id is None:
            return here
        pos = self._find(step_id)
        if pos < here:
            raise Refusal(
                msg(
                    "`{id}` has run already: a step can go after the one running, or one to come",
                    id=step_id,
                )
            )
        return pos

    def _title(self, pos: int) -> str:
        st = self.steps.current
        if st is not None and pos == self.steps.position:
            return st.title
        return step_title(self.agenda.runs[pos].step, self.plan.language, self.practice.language)

    def _changed(self) -> None:
        """Every edit ends here: the next step may have changed, and so has the forecast."""
        self.steps.refresh_next()
        to_come = tuple(run.id for run in self.agenda.runs[self.steps.position + 1 :])
        self.host.emit(AgendaChanged(self.host.stamp(), self.forecast(), to_come))

    # -- insert --------------------------------------------------------------------------------

    def _checked(self, data: Any) -> Step:
        step, problems = check_step(self.practice, data)
        if step is None:
            messages = [message for _, message in problems]
            if len(messages) > 1:
                raise Refusal(
                    msg_n(
                        "this step would not do: {problem} (and {n} more)",
                        "this step would not do: {problem} (and {n} more)",
                        len(messages) - 1,
                        problem=messages[0],
                    )
                )
            raise Refusal(msg("this step would not do: {problem}", problem=messages[0]))
        practice = self.practice.model_copy(update={"steps": [step]})
        for at in iter_steps(practice):
            if at.step.id is not None and self.agenda.taken(at.step.id):
                raise Refusal(
                    msg("there is a step `{id}` already: give this one another id", id=at.step.id)
                )
        return step

    def _runs(self, step: Step) -> tuple[RunStep, ...]:
        practice = self.practice.model_copy(update={"steps": [step]})
        try:
            runs = unroll(practice, self.plan)
        except PlanError as exc:
            raise Refusal(exc.args[0] if exc.args else str(exc)) from None
        if not runs:
            raise Refusal(
                msg("this step would not run at this meeting (its `when`, or nobody to loop over)")
            )
        if len(self.agenda.runs) + len(runs) > MAX_STEP_RUNS:
            raise Refusal(msg("the agenda holds at most {n} steps", n=MAX_STEP_RUNS))
        return runs

    def _put(self, data: Any, after_id: str | None, topic: str | None) -> None:
        after = self._after(after_id)
        step = self._checked(data)
        runs = self._runs(step)
        # Checked: from here on nothing refuses.
        named = [replace(run, id=self.agenda.fresh_id(run.step.id)) for run in runs]
        follows, follows_title = self.agenda.runs[after].id, self._title(after)
        lang, default = self.plan.language, self.practice.language
        self.agenda.insert(after, named, step_title(step, lang, default), step.kind)
        for run in named:
            title = step_title(run.step, lang, default)
            seconds = self.agenda.estimates[run.id]
            self.host.emit(
                StepInserted(
                    self.host.stamp(),
                    run.id,
                    title,
                    run.step.kind,
                    seconds,
                    follows,
                    follows_title,
                    topic,
                )
            )
            follows, follows_title = run.id, title

    def insert(self, command: Command) -> None:
        """A step, right after the step in progress or after a step to come."""
        assert isinstance(command, Insert)
        self._put(command.step, command.after, None)
        self._changed()

    # -- remove, move, length ------------------------------------------------------------------

    def remove(self, command: Command) -> None:
        """A step still to come leaves the agenda."""
        assert isinstance(command, Remove)
        pos = self._to_come(command.step, msg("skip it instead"))
        title = self._title(pos)
        run = self.agenda.remove(pos)
        self.host.emit(StepRemoved(self.host.stamp(), run.id, title, run.step.kind))
        self._changed()

    def move(self, command: Command) -> None:
        """A step still to come runs right after another (the step in progress: next)."""
        assert isinstance(command, Move)
        pos = self._to_come(command.step, msg("only the steps to come move"))
        after = self._after(command.after)
        if after == pos:
            raise Refusal(msg("a step cannot follow itself"))
        if after == pos - 1:
            raise Refusal(
                msg("`{step}` follows `{after}` already", step=command.step, after=command.after)
            )
        title, after_title = self._title(pos), self._title(after)
        self.agenda.move(pos, after)
        self.host.emit(
            StepMoved(self.host.stamp(), command.step, title, command.after, after_title)
        )
        self._changed()

    def set_duration(self, command: Command) -> None:
        """A step still to come takes this long (a round: its turns share it out)."""
        assert isinstance(command, SetDuration)
        pos = self._to_come(command.step, msg("give it more or less time instead"))
        seconds = command.seconds
        if not math.isfinite(seconds) or not 1 <= round(seconds) <= MAX_SECONDS:
            raise Refusal(msg("a step takes from 1s to 24h"))
        run = self.agenda.runs[pos]
        was = self.agenda.estimates[run.id]
        step = resized(run.step, round(seconds))
        now = run_estimate(replace(run, step=step), self.practice, self.plan, self.agenda.silent)
        if now == was:
            raise Refusal(msg("`{id}` takes {length} already", id=run.id, length=_span(was)))
        self.agenda.replace_step(pos, step)
        title = self._title(pos)
        self.host.emit(StepRetimed(self.host.stamp(), run.id, title, now, was, "set"))
        self._changed()

    # -- end at a time --------------------------------------------------------------------------

    def end_at(self, command: Command) -> None:
        """The session ends at session time `at`: the time left is shared out."""
        assert isinstance(command, EndAt)
        st = self._current()
        if not math.isfinite(command.at):
            raise Refusal(msg("give the time to end at"))
        left = command.at - self.host.stamp()
        if left <= 0:
            raise Refusal(msg("that time has passed"))
        agenda, a = self.agenda, self.host.active
        lang, default = self.plan.language, self.practice.language
        run = st.run
        length = step_left(st, a, agenda.estimates[run.id])
        now_flex = flexible(run.step) and (
            st.deadline is not None or isinstance(run.step, DiscussionStep)
        )
        items: list[tuple[float, float]] = []
        fixed = 0.0
        if now_flex:
            elapsed = max(0.0, a - st.start_a)
            least = max(GRACE, shortest(run.step, math.inf, lang, default) - elapsed)
            length = max(length, min(GRACE, least)) if st.deadline is None else length
            items.append((length, min(length, least)))
        else:
            fixed += length
        later = agenda.runs[self.steps.position + 1 :]
        flex = [r for r in later if flexible(r.step)]
        for r in later:
            planned = agenda.estimates[r.id]
            if flexible(r.step):
                items.append((planned, shortest(r.step, planned, lang, default)))
            else:
                fixed += planned
        if not items:
            raise Refusal(
                msg(
                    "none of the steps left can stretch or shrink (rounds, consent rounds, "
                    "exchanges and readings keep their time): remove a step instead"
                )
            )
        need = fixed + sum(least for _, least in items)
        if need > left:
            raise Refusal(
                msg(
                    "the steps left need at least {need} and there are {left} until then: "
                    "remove a step, or end later",
                    need=_span(need),
                    left=_span(left),
                )
            )
        lengths = share(left - fixed, items)
        # Whole seconds for the steps to come; the step in progress takes up the rounding.
        carry = 0.0
        wholes: list[int] = []
        for (_, least), exact in zip(
            items[1:] if now_flex else items, lengths[1:] if now_flex else lengths, strict=True
        ):
            whole = max(math.ceil(least - 1e-9), round(exact + carry))
            carry += exact - whole
            wholes.append(whole)
        # Checked: from here on nothing refuses.
        self.host.emit(ScheduleFitted(self.host.stamp(), command.at))
        if now_flex:
            # To the millisecond, like every time the session keeps.
            new_left = round(max(0.0, lengths[0] + carry), 3)
            was = step_left(st, a, agenda.estimates[run.id])
            self.steps.set_deadline(st, new_left)
            self.host.emit(
                StepRetimed(self.host.stamp(), run.id, st.title, new_left, was, "end-at", True)
            )
        for r, whole in zip(flex, wholes, strict=True):
            was = agenda.estimates[r.id]
            if whole != was:
                pos = agenda.where(r.id)
                assert pos is not None
                agenda.replace_step(pos, resized(r.step, whole))
                title = step_title(r.step, lang, default)
                self.host.emit(
                    StepRetimed(self.host.stamp(), r.id, title, float(whole), was, "end-at")
                )
        self._changed()

    # -- topics ---------------------------------------------------------------------------------

    def add_topic(self, command: Command) -> None:
        """An emergent topic goes on the list."""
        assert isinstance(command, AddTopic)
        text = " ".join(command.text.split())
        if not text:
            raise Refusal(msg("a topic needs a few words"))
        if len(text) > TOPIC_MAX:
            raise Refusal(
                msg("a topic is at most {n} characters: the details come later", n=TOPIC_MAX)
            )
        same = next((t for t in self.agenda.topics if t.text.casefold() == text.casefold()), None)
        if same is not None:
            raise Refusal(msg("“{text}” is on the list already ({id})", text=text, id=same.id))
        topic = self.agenda.add_topic(text)
        self.host.emit(TopicAdded(self.host.stamp(), topic.id, topic.text))

    def _topic(self, topic_id: str) -> tuple[str, str]:
        topic = self.agenda.topic(topic_id)
        gone = self.agenda.topics_gone.get(topic_id)
        if gone is not None:
            if gone == "brought-forward":
                raise Refusal(msg("topic `{id}` was brought forward already", id=topic_id))
            raise Refusal(msg("topic `{id}` was removed already", id=topic_id))
        if topic is None:
            known = [t.id for t in self.agenda.topics]
            raise Refusal(
                msg(
                    "there is no topic `{id}` on the list{hint}",
                    id=topic_id,
                    hint=_known(topic_id, known),
                )
            )
        return topic.id, topic.text

    def remove_topic(self, command: Command) -> None:
        """A topic leaves the list."""
        assert isinstance(command, RemoveTopic)
        topic_id, text = self._topic(command.topic)
        self.agenda.drop_topic(topic_id, "removed")
        self.host.emit(TopicRemoved(self.host.stamp(), topic_id, text, "removed"))

    def bring_forward(self, command: Command) -> None:
        """A topic becomes the next step: the step given (titled after the topic unless it has
        a title), or a discussion of it."""
        assert isinstance(command, BringForward)
        topic_id, text = self._topic(command.topic)
        data: Any = command.step
        if data is None:
            data = template("discussion", seconds=DEFAULT_SECONDS["discussion"])
        if isinstance(data, dict) and "title" not in data:
            data = {**data, "title": text}
        self._put(data, None, topic_id)
        self.agenda.drop_topic(topic_id, "brought-forward")
        self.host.emit(TopicRemoved(self.host.stamp(), topic_id, text, "brought-forward"))
        self._changed()
