"""The agenda screen: the step in progress and the steps to come with their clock times and
the forecast end, and the topics waiting; insert from templates, remove, move up and down,
change a step's length, end at a clock time, note and bring forward topics. Keyboard only.

Every change is an engine command: the engine decides, the screen shows what it says (a
refusal comes back as a notice with the reason). `AgendaFlows` holds the dialogs, so the
live screen's command palette runs the same ones without the screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from circlekeeper.engine.clock import session_time_at, time_of_day
from circlekeeper.engine.commands import (
    AddTopic,
    BringForward,
    Command,
    EndAt,
    Insert,
    Move,
    Remove,
    RemoveTopic,
    SetDuration,
)
from circlekeeper.engine.projection import ahead
from circlekeeper.engine.state import PlannedStep, Topic
from circlekeeper.engine.templates import TEMPLATE_KINDS
from circlekeeper.i18n import N_, _, tr, tr_error
from circlekeeper.tui.format import duration_text, step_kind_word, wall_hhmm
from circlekeeper.tui.guard import Guarded
from circlekeeper.tui.local import LocalModal, styles
from circlekeeper.tui.screens.agenda_forms import StepForm, TextDialog, read_length

if TYPE_CHECKING:
    from circlekeeper.tui.driver import Driver

R = TypeVar("R")
Do = Callable[[str, Command], None]
"""Give the engine a command (a label for errors), show what it answers, redraw."""


def clock_at(driver: Driver, session_t: float) -> str:
    """The wall clock at session time `session_t` (`HH:MM`, the minute `wall_hhmm` shows)."""
    now = driver.session.session_time(driver.now())
    return wall_hhmm(driver.wall() + (session_t - now))


TEMPLATE_LABELS: dict[str, str] = {
    "round": N_("A round with a prompt"),
    "silence": N_("A silence"),
    "breakout": N_("A breakout in small groups"),
    "discussion": N_("A discussion"),
    "sit": N_("A sit"),
}
"""How each template is offered."""


def step_label(step: PlannedStep) -> str:
    """ "s3  Closing silence · Cy (1 min)": a step as a list offers it."""
    focus = f" · {step.focus}" if step.focus else ""
    return f"{step.id}  {tr(step.title)}{focus} ({duration_text(step.seconds)})"


class AgendaFlows:
    """The agenda's dialogs, from the agenda screen or the command palette."""

    def __init__(self, screen: Screen[Any], driver: Driver, do: Do) -> None:
        self.screen = screen
        self.driver = driver
        self.do = do

    def ahead(self) -> tuple[PlannedStep, ...]:
        """The step in progress and the steps to come, as forecast now."""
        return ahead(self.driver.session, self.driver.now())

    def topics(self) -> tuple[Topic, ...]:
        """The topics waiting."""
        return tuple(self.driver.session.agenda.topics)

    def _push(self, dialog: ModalScreen[R], then: Callable[[R | None], None]) -> None:
        self.screen.app.push_screen(dialog, then)

    def _say(self, text: str) -> None:
        self.screen.notify(text, severity="warning", timeout=4, markup=False)

    def choose_step(self, title: str, then: Callable[[PlannedStep], None]) -> None:
        """Choose one of the steps to come, then go on."""
        from circlekeeper.tui.screens.dialogs import ChoiceDialog

        steps = {step.id: step for step in self.ahead() if not step.current}
        if not steps:
            self._say(_("No step is still to come."))
            return

        def chosen(key: object) -> None:
            if isinstance(key, str) and key in steps:
                then(steps[key])

        options = [(key, step_label(step)) for key, step in steps.items()]
        self._push(ChoiceDialog(title, options), chosen)

    def choose_topic(self, title: str, then: Callable[[Topic], None]) -> None:
        """Choose one of the topics waiting, then go on."""
        from circlekeeper.tui.screens.dialogs import ChoiceDialog

        topics = {topic.id: topic for topic in self.topics()}
        if not topics:
            self._say(_("No topic is waiting: t notes one."))
            return

        def chosen(key: object) -> None:
            if isinstance(key, str) and key in topics:
                then(topics[key])

        options = [(key, f"{key}  {topic.text}") for key, topic in topics.items()]
        self._push(ChoiceDialog(title, options), chosen)

    # -- the changes ----------------------------------------------------------------------------

    def insert(self, after: PlannedStep | None = None) -> None:
        """A step from a template, after the step in progress (or after `after`)."""
        if after is None or after.current:
            heading = _("Insert a step (next)")
        else:
            heading = _("Insert a step (after {step})").format(step=tr(after.title))

        def made(step: object) -> None:
            if isinstance(step, dict):
                self.do(N_("insert"), Insert(step, None if after is None else after.id))

        self._template(heading, made)

    def _template(self, heading: str, made: Callable[[object], None], title: str = "") -> None:
        from circlekeeper.tui.screens.dialogs import ChoiceDialog

        def kind_chosen(kind: object) -> None:
            if isinstance(kind, str) and kind in TEMPLATE_KINDS:
                label = _(TEMPLATE_LABELS[kind])
                self._push(StepForm(kind, f"{heading}: {label}", title=title), made)

        options = [(kind, _(TEMPLATE_LABELS[kind])) for kind in TEMPLATE_KINDS]
        self._push(ChoiceDialog(heading, options), kind_chosen)

    def remove(self, step: PlannedStep) -> None:
        """Take a step to come off the agenda (asks first)."""
        from circlekeeper.tui.screens.dialogs import ConfirmDialog

        def answered(yes: object) -> None:
            if yes is True:
                self.do(N_("remove"), Remove(step.id))

        question = _("Take “{step}” ({id}) off the agenda?").format(step=tr(step.title), id=step.id)
        self._push(ConfirmDialog(question, _("Remove"), _("Keep it")), answered)

    def move(self, step: PlannedStep, by: int) -> None:
        """Move a step to come one place earlier (-1) or later (1)."""
        order = list(self.ahead())
        ids = [s.id for s in order]
        if step.id not in ids or step.current:
            self._say(_("Only steps still to come move."))
            return
        k = ids.index(step.id)
        if by < 0:
            if k <= 1:
                self._say(_("“{step}” is next already.").format(step=tr(step.title)))
                return
            self.do(N_("move"), Move(step.id, ids[k - 2]))
        else:
            if k + 1 >= len(ids):
                self._say(_("“{step}” is last already.").format(step=tr(step.title)))
                return
            self.do(N_("move"), Move(step.id, ids[k + 1]))

    def move_after(self, step: PlannedStep) -> None:
        """Move a step to come to run after another one (chosen from a list)."""
        from circlekeeper.tui.screens.dialogs import ChoiceDialog

        order = [s for s in self.ahead() if s.id != step.id]
        options = [
            (
                s.id,
                _("next (after the step in progress)")
                if s.current
                else _("after {step}").format(step=step_label(s)),
            )
            for s in order
        ]

        def chosen(key: object) -> None:
            if isinstance(key, str):
                self.do(N_("move"), Move(step.id, key))

        title = _("Move “{step}” to run:").format(step=tr(step.title))
        self._push(ChoiceDialog(title, options), chosen)

    def length(self, step: PlannedStep) -> None:
        """A new length for a step to come."""
        if step.current:
            self._say(_("The step in progress takes more or less time with + and -."))
            return

        def typed(text: object) -> None:
            if isinstance(text, str):
                seconds = read_length(text)
                if seconds is not None:
                    self.do(N_("set a length"), SetDuration(step.id, float(seconds)))

        shared = " " + _("A round's speakers share it equally.") if step.kind == "round" else ""
        dialog = TextDialog(
            _("How long should “{step}” take? Now {length}.").format(
                step=tr(step.title), length=duration_text(step.seconds)
            ),
            hint=_("Like 5m, 90s, or minutes: 5.") + shared + " " + _("Enter: done · Esc: cancel"),
            placeholder="5m",
            check=_length_problem,
        )
        self._push(dialog, typed)

    def end_at(self) -> None:
        """End the whole session at a clock time: the time left is shared out."""
        ahead = self.ahead()
        forecast = clock_at(self.driver, ahead[-1].ends) if ahead else "--:--"

        def typed(text: object) -> None:
            if isinstance(text, str) and text.strip():
                self.do(N_("end at a time"), EndAt(self.session_time_of(text)))

        dialog = TextDialog(
            _("End the session at what time? As planned it ends at {time}.").format(time=forecast),
            hint=_(
                "The time left is shared out between silences, sits, breakouts and "
                "discussions; rounds keep their turns."
            )
            + " "
            + _("Enter: done · Esc: cancel"),
            placeholder="21:30",
            check=_clock_problem,
        )
        self._push(dialog, typed)

    def session_time_of(self, text: str) -> float:
        """Session time at which the wall clock reads `text` (`21:30`), the nearest such
        moment up to twelve hours ahead."""
        driver = self.driver
        now_s = driver.session.session_time(driver.now())
        local = time.localtime(driver.wall())
        clock_now = local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec + driver.wall() % 1
        return session_time_at(time_of_day(text), clock_now, now_s)

    def add_topic(self) -> None:
        """Note an emergent topic, to bring forward later."""

        def typed(text: object) -> None:
            if isinstance(text, str) and text.strip():
                self.do(N_("add a topic"), AddTopic(text))

        dialog = TextDialog(
            _("A topic to bring forward later:"),
            hint=_("A line for the list; the agenda screen (e) brings it forward.")
            + " "
            + _("Enter: done · Esc: cancel"),
            placeholder=_("Budget for the retreat"),
        )
        self._push(dialog, typed)

    def bring_forward(self, topic: Topic | None = None) -> None:
        """A topic becomes the next step (a template, titled with the topic)."""
        if topic is None:
            self.choose_topic(_("Bring which topic forward?"), self.bring_forward)
            return

        def made(step: object) -> None:
            if isinstance(step, dict):
                self.do(N_("bring a topic forward"), BringForward(topic.id, step))

        heading = _("Bring “{topic}” forward").format(topic=topic.text)
        self._template(heading, made, title=topic.text)

    def remove_topic(self, topic: Topic) -> None:
        """A topic leaves the list."""
        self.do(N_("remove a topic"), RemoveTopic(topic.id))


def _length_problem(text: str) -> str | None:
    try:
        seconds = read_length(text)
    except ValueError as exc:
        return str(exc)
    return _("Type a length, like 5m.") if seconds is None else None


def _clock_problem(text: str) -> str | None:
    try:
        time_of_day(text)
    except ValueError as exc:
        return tr_error(exc)
    return None


class AgendaScreen(Guarded, LocalModal[None]):
    """The agenda of the running session, to change as the circle needs."""

    CSS_PATH = styles("dialogs", "agenda")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", N_("Back"), id="agenda.close"),
        Binding("i", "insert", N_("Insert"), id="agenda.insert"),
        Binding("x,delete", "remove", N_("Remove"), id="agenda.remove"),
        Binding(
            "left_square_bracket,shift+up", "move(-1)", N_("Up"), key_display="[", id="agenda.up"
        ),
        Binding(
            "right_square_bracket,shift+down",
            "move(1)",
            N_("Down"),
            key_display="]",
            id="agenda.down",
        ),
        Binding("d", "length", N_("Length"), id="agenda.length"),
        Binding("e", "end_at", N_("End at"), id="agenda.end-at"),
        Binding("t", "add_topic", N_("Topic"), id="agenda.topic"),
        Binding("f", "bring_forward", N_("Bring fwd"), id="agenda.bring"),
        Binding("m", "move_after", N_("Move to"), show=False, id="agenda.move-to"),
    ]

    def __init__(self, driver: Driver, do: Do) -> None:
        super().__init__(id="agenda-screen")
        self.driver = driver
        self.flows = AgendaFlows(self, driver, self._do)
        self._outer_do = do
        self._shown: object = None
        self._steps: dict[str, PlannedStep] = {}
        self._topics: dict[str, Topic] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="agenda-box"):
            yield Static("", id="agenda-head")
            yield DataTable(id="agenda-table", cursor_type="row", zebra_stripes=False)
            yield Static(
                _("enter: choices for the line · m: move it to… · esc: back to the session"),
                id="agenda-hint",
            )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in (
            ("", "mark"),
            (_("id"), "id"),
            (_("starts"), "starts"),
            (_("step"), "step"),
            (_("kind"), "kind"),
            (_("length"), "length"),
        ):
            table.add_column(label, key=key)
        self.refresh_rows()
        table.focus()
        self.set_interval(1.0, self.refresh_rows, name="agenda-refresh")

    def on_resize(self) -> None:
        self._shown = None
        self.refresh_rows()

    def _do(self, label: str, command: Command) -> None:
        self._outer_do(label, command)
        self.refresh_rows()

    # -- drawing ------------------------------------------------------------------------------

    def refresh_rows(self) -> None:
        """Redraw the rows from the forecast, keeping the selected line."""
        session = self.driver.session
        if session.ended:
            # Only from the top: dismissing pops whatever screen is on top (the summary).
            if self.app.screen is self:
                self.dismiss(None)
            return
        ahead = self.flows.ahead()
        topics = self.flows.topics()
        width = max(20, self.size.width - 44)
        rows = [
            (
                "▶" if step.current else "",
                step.id,
                _("now") if step.current else clock_at(self.driver, step.starts),
                _cut(tr(step.title) + (f" · {step.focus}" if step.focus else ""), width),
                step_kind_word(step.kind),
                duration_text(step.seconds),
            )
            for step in ahead
        ]
        rows += [("•", t.id, "", _cut(t.text, width), _("topic"), "") for t in topics]
        head = self._head(ahead)
        if (rows, head) == self._shown:
            return
        self._shown = (rows, head)
        self._steps = {step.id: step for step in ahead}
        self._topics = {t.id: t for t in topics}
        self.query_one("#agenda-head", Static).update(head)
        table = self.query_one(DataTable)
        selected = self._selected_key()
        table.clear()
        for row in rows:
            table.add_row(*(Text(cell) for cell in row), key=row[1])
        if selected is not None and selected in self._steps | self._topics:
            table.move_cursor(row=table.get_row_index(selected))

    def _head(self, ahead: tuple[PlannedStep, ...]) -> Text:
        driver = self.driver
        now = time.strftime("%H:%M", time.localtime(driver.wall()))
        head = Text(_("Agenda"), style="bold")
        head.append("  ·  " + _("now {time}").format(time=now))
        if ahead:
            head.append("  ·  " + _("forecast end") + " ")
            head.append(clock_at(driver, ahead[-1].ends), style="bold")
        if driver.session.paused:
            head.append("  ·  " + _("paused: the end moves with the pause"), style="italic")
        if ahead and ahead[0].current:
            now_s = driver.session.session_time(driver.now())
            left = duration_text(max(0.0, ahead[0].ends - now_s))
            progress = _("In progress: {step}, about {time} left").format(
                step=tr(ahead[0].title), time=left
            )
            head.append("\n" + progress, style="dim")
        return head

    def _selected_key(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # an empty or changing table: nothing selected
            return None
        return key

    def selected_step(self) -> PlannedStep | None:
        """The step on the selected line (None: a topic, or nothing)."""
        key = self._selected_key()
        return self._steps.get(key) if key is not None else None

    def selected_topic(self) -> Topic | None:
        """The topic on the selected line (None: a step, or nothing)."""
        key = self._selected_key()
        return self._topics.get(key) if key is not None else None

    # -- keys ---------------------------------------------------------------------------------

    def _step_or_say(self) -> PlannedStep | None:
        step = self.selected_step()
        if step is None:
            self.notify(_("Choose a step first (up and down)."), severity="warning", timeout=3)
        return step

    def action_close(self) -> None:
        """Back to the session."""
        self.dismiss(None)

    def action_insert(self) -> None:
        """A step from a template, after the selected step."""
        self.flows.insert(self.selected_step())

    def action_remove(self) -> None:
        """Remove the selected step (or topic)."""
        topic = self.selected_topic()
        if topic is not None:
            self.flows.remove_topic(topic)
            return
        step = self._step_or_say()
        if step is not None:
            if step.current:
                self.notify(_("The step in progress is skipped with s."), severity="warning")
                return
            self.flows.remove(step)

    def action_move(self, by: int) -> None:
        """Move the selected step one place up or down."""
        step = self._step_or_say()
        if step is not None:
            self.flows.move(step, by)

    def action_move_after(self) -> None:
        """Move the selected step to run after another (chosen from a list)."""
        step = self._step_or_say()
        if step is not None and not step.current:
            self.flows.move_after(step)

    def action_length(self) -> None:
        """A new length for the selected step."""
        step = self._step_or_say()
        if step is not None:
            self.flows.length(step)

    def action_end_at(self) -> None:
        """End the session at a clock time."""
        self.flows.end_at()

    def action_add_topic(self) -> None:
        """Note a topic."""
        self.flows.add_topic()

    def action_bring_forward(self) -> None:
        """The selected topic (or one chosen) becomes the next step."""
        self.flows.bring_forward(self.selected_topic())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a line: what can be done with it."""
        from circlekeeper.tui.screens.dialogs import ChoiceDialog

        key = event.row_key.value
        topic = self._topics.get(key or "")
        if topic is not None:
            options = [
                ("bring", _("Bring it forward as the next step")),
                ("remove", _("Remove it")),
            ]

            def topic_choice(what: object) -> None:
                if what == "bring":
                    self.flows.bring_forward(topic)
                elif what == "remove":
                    self.flows.remove_topic(topic)

            title = _("Topic: {topic}").format(topic=topic.text)
            self.app.push_screen(ChoiceDialog(title, options), topic_choice)
            return
        step = self._steps.get(key or "")
        if step is None:
            return
        if step.current:
            options = [
                ("insert", _("Insert a step after it")),
                ("end", _("End the session at a time")),
            ]
        else:
            options = [
                ("insert", _("Insert a step after it")),
                ("length", _("Change its length")),
                ("up", _("Move it up")),
                ("down", _("Move it down")),
                ("move", _("Move it to run after…")),
                ("remove", _("Remove it")),
            ]
        actions: dict[str, Callable[[], None]] = {
            "insert": lambda: self.flows.insert(step),
            "end": self.flows.end_at,
            "length": lambda: self.flows.length(step),
            "up": lambda: self.flows.move(step, -1),
            "down": lambda: self.flows.move(step, 1),
            "move": lambda: self.flows.move_after(step),
            "remove": lambda: self.flows.remove(step),
        }

        def step_choice(what: object) -> None:
            if isinstance(what, str) and what in actions:
                actions[what]()

        self.app.push_screen(ChoiceDialog(f"{step.id}: {tr(step.title)}", options), step_choice)


def _cut(text: str, width: int) -> str:
    """`text` on one line, cut to `width` with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
