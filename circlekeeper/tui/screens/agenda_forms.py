"""The agenda's small forms: one line typed (a topic, a length, a time of day), and a step made
from a template (a round with a prompt, a silence, a breakout, a discussion, a sit).

Keyboard only: Tab moves between fields, Enter takes the form, Esc leaves it. What is typed is
read here as far as a screen may (a length, a group size); whether the step will do is the
engine's to say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from circlekeeper.engine.templates import DEFAULT_SECONDS, template
from circlekeeper.i18n import N_, _, ngettext
from circlekeeper.script.duration import DurationError, format_duration, parse_duration
from circlekeeper.tui.guard import Guarded
from circlekeeper.tui.local import LocalModal, styles


def read_length(text: str) -> int | None:
    """Seconds of a length typed as `5m`, `90s`, `1m30s` or a bare number of minutes (`5`);
    None when nothing is typed. `ValueError` saying how to write it otherwise."""
    cleaned = text.strip().lower()
    if not cleaned:
        return None
    if cleaned.isascii() and cleaned.isdigit():
        minutes = int(cleaned)
        if not 1 <= minutes <= 24 * 60:
            raise ValueError(_("a length is 1 minute to 24 hours"))
        return minutes * 60
    try:
        return parse_duration(cleaned)
    except DurationError:
        raise ValueError(
            _("“{text}”: write a length like 5m, 90s or 1m30s").format(text=text.strip())
        ) from None


class TextDialog(Guarded, LocalModal[str | None]):
    """One line typed; `check` says what is wrong with it (the dialog stays), or None."""

    CSS_PATH = styles("dialogs", "agenda")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="text.cancel"),
    ]

    def __init__(
        self,
        title: str,
        *,
        hint: str = "",
        placeholder: str = "",
        value: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.hint = hint
        self.placeholder = placeholder
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="text-input", compact=True)
            yield Static("", id="text-problem", classes="form-problem")
            yield Static(Text(self.hint or _("Enter: done · Esc: cancel")), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: take what is typed, unless it will not do."""
        event.stop()
        problem = self.check(event.value) if self.check is not None else None
        if problem:
            self.query_one("#text-problem", Static).update(Text(problem))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Nothing typed."""
        self.dismiss(None)


@dataclass(frozen=True)
class FormField:
    """A field of a step's form."""

    key: str
    label: str
    placeholder: str = ""
    value: str = ""


def _length_value(kind: str) -> str:
    seconds = DEFAULT_SECONDS.get(kind)
    return "" if seconds is None else format_duration(seconds)


def form_fields(kind: str, title: str = "") -> list[FormField]:
    """What the form of a template asks, in order."""
    name = FormField("title", _("Title"), _("as the agenda shows it (may be left empty)"), title)
    length = FormField("length", _("Length"), _("like 5m, 90s, or minutes: 5"), _length_value(kind))
    if kind == "round":
        return [
            name,
            FormField("prompt", _("Prompt"), _("what each person speaks to")),
            FormField("length", _("Time per person"), _("like 2m; empty: untimed turns")),
        ]
    if kind == "breakout":
        return [
            FormField("size", _("Group size"), _("2 for pairs, 3 for threes..."), "2"),
            length,
            FormField("prompt", _("Prompt"), _("what the groups talk about (may be left empty)")),
            name,
        ]
    if kind == "discussion":
        return [
            name,
            FormField("prompt", _("Prompt"), _("the question (may be left empty)")),
            FormField(length.key, length.label, _("like 10m; empty: open-ended"), length.value),
        ]
    if kind == "sit":
        return [
            name,
            length,
            FormField("prompt", _("Guidance"), _("read at the start (may be empty)")),
        ]
    return [
        name,
        length,
        FormField("prompt", _("Prompt"), _("shown and spoken (may be left empty)")),
    ]


def breakout_title(size: int) -> str:
    """ "Breakout in pairs", "Breakout in groups of 5": an inserted breakout's title, in the
    interface's language (it is the facilitator's word for it, kept as typed)."""
    if size == 2:
        return _("Breakout in pairs")
    if size == 3:
        return _("Breakout in threes")
    return ngettext("Breakout in groups of {n}", "Breakout in groups of {n}", size).format(n=size)


def form_step(kind: str, values: dict[str, str]) -> dict[str, Any]:
    """The step a filled form makes, as the format writes it; `ValueError` saying which
    field will not do."""
    try:
        seconds = read_length(values.get("length", ""))
    except ValueError as exc:
        raise ValueError(_("Length: {problem}").format(problem=exc)) from None
    size = 2
    title = values.get("title")
    if kind == "breakout":
        typed = values.get("size", "").strip() or "2"
        if not (typed.isascii() and typed.isdigit()) or not 2 <= int(typed) <= 12:
            raise ValueError(_("Group size: a whole number from 2 to 12"))
        size = int(typed)
        if seconds is None:
            raise ValueError(_("Length: a breakout needs one, like 4m"))
        title = (title or "").strip() or breakout_title(size)
    if kind == "silence" and seconds is None:
        raise ValueError(
            _("Length: a silence needs one, like {length}").format(length=_length_value(kind))
        )
    if kind == "sit" and seconds is None:
        raise ValueError(
            _("Length: a sit needs one, like {length}").format(length=_length_value(kind))
        )
    if kind == "round" and not values.get("prompt", "").strip():
        raise ValueError(_("Prompt: a round needs a prompt"))
    return template(
        kind,
        seconds=seconds,
        title=title,
        prompt=values.get("prompt"),
        group_size=size,
    )


class StepForm(Guarded, LocalModal[dict[str, Any] | None]):
    """A step from a template: its fields, then Enter inserts it."""

    CSS_PATH = styles("dialogs", "agenda")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="form.cancel"),
    ]

    def __init__(self, kind: str, heading: str, *, title: str = "") -> None:
        super().__init__(classes="dialog")
        self.kind = kind
        self.heading = heading
        self.fields = form_fields(kind, title)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="step-form"):
            yield Static(Text(self.heading), classes="dialog-title")
            for spec in self.fields:
                with Horizontal(classes="form-row"):
                    yield Label(spec.label)
                    yield Input(
                        spec.value,
                        placeholder=spec.placeholder,
                        id=f"form-{spec.key}",
                        compact=True,
                    )
            yield Static("", id="form-problem", classes="form-problem")
            yield Static(
                _("Tab: next field · Enter: put it on the agenda · Esc: cancel"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in any field: the step, unless a field will not do."""
        event.stop()
        values = {
            spec.key: self.query_one(f"#form-{spec.key}", Input).value for spec in self.fields
        }
        try:
            step = form_step(self.kind, values)
        except ValueError as exc:
            self.query_one("#form-problem", Static).update(Text(str(exc)))
            return
        self.dismiss(step)

    def action_cancel(self) -> None:
        """No step."""
        self.dismiss(None)
