"""Small modal dialogs: confirm quitting, the suspend question, help, the popcorn picker, a
choice among a few options, the scribe's note, and the offer to resume a session that did not
finish."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from circlekeeper.i18n import N_, _, ngettext
from circlekeeper.tui.format import duration_text, plain
from circlekeeper.tui.guard import Guarded
from circlekeeper.tui.local import LocalModal


class ConfirmDialog(Guarded, LocalModal[bool]):
    """A yes/no question; y or enter confirms, n or escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str | None = None, no: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.yes = yes or _("Yes")
        self.no = no or _("No")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(plain(self.question), classes="dialog-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="error")
                yield Button(f"{self.no} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        # Focus the safe answer: an accidental enter keeps the circle running.
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers the question."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        """A key answers the question."""
        self.dismiss(value)


class SuspendDialog(Guarded, LocalModal[str]):
    """The machine slept mid-session: resume where we were, skip ahead, or end."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r,escape", "choose('resume')", N_("Resume"), id="suspend.resume"),
        Binding("a", "choose('skip')", N_("Skip ahead"), id="suspend.skip"),
        Binding("e", "choose('end')", N_("End"), id="suspend.end"),
    ]

    def __init__(self, slept: float) -> None:
        super().__init__(classes="dialog")
        self.slept = slept

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(
                _("The computer seems to have slept for {time}.").format(
                    time=duration_text(self.slept)
                )
                + "\n"
                + _("The session is paused. What now?"),
                classes="dialog-question",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Resume") + " (r)", id="resume", variant="primary")
                yield Button(_("Skip ahead") + " (a)", id="skip")
                yield Button(_("End") + " (e)", id="end", variant="error")

    def on_mount(self) -> None:
        self.query_one("#resume", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button chooses."""
        self.dismiss(event.button.id or "resume")

    def action_choose(self, choice: str) -> None:
        """A key chooses."""
        self.dismiss(choice)


class HelpScreen(Guarded, LocalModal[None]):
    """Every key of the live session, as currently mapped."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", N_("Close"), id="help.close")
    ]

    def __init__(self, rows: Iterable[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.rows), default=5)
        lines = [f"{key:>{width}}  {what}" for key, what in self.rows]
        with Vertical(classes="dialog-box", id="help-box"):
            yield Static(_("Keys"), classes="dialog-title")
            # Every key is listed; on a short terminal the list scrolls (arrows, page keys).
            with VerticalScroll(id="help-scroll"):
                yield Static(plain("\n".join(lines)), id="help-keys")
            yield Static(
                _("Remap by id in keymap.toml · ctrl+p: all commands · ↑↓ scroll · esc closes"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)


def _number_keys(prefix: str) -> list[BindingType]:
    """1-9 choose the option with that number."""
    return [Binding(str(n), f"number({n})", show=False, id=f"{prefix}.{n}") for n in range(1, 10)]


class PickDialog(Guarded, LocalModal[str | None]):
    """Choose one person: who speaks next (popcorn), who listens, who asks to speak."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="pick.cancel"),
        *_number_keys("pick"),
    ]

    def __init__(
        self,
        names: Iterable[str],
        unavailable: Iterable[str | None] = (),
        *,
        title: str | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.names = list(names)
        self.unavailable = set(unavailable)
        self.title_text = title or _("Who speaks next?")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(plain(self.title_text), classes="dialog-title")
            yield OptionList(
                *[
                    Option(
                        plain(f"{i}  {n}" if i <= 9 else n), id=n, disabled=n in self.unavailable
                    )
                    for i, n in enumerate(self.names, 1)
                ],
                id="pick-list",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Picked."""
        self.dismiss(event.option.id)

    def action_number(self, number: int) -> None:
        """The person with this number, unless they cannot be picked."""
        if 1 <= number <= len(self.names) and self.names[number - 1] not in self.unavailable:
            self.dismiss(self.names[number - 1])

    def action_cancel(self) -> None:
        """Nobody picked."""
        self.dismiss(None)


class ShareDialog(Guarded, LocalModal[None]):
    """The shared view's link and its QR code, for phones in the room."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v,enter", "close", N_("Close"), id="share.close"),
    ]

    def __init__(self, url: str) -> None:
        super().__init__(classes="dialog")
        self.url = url

    def compose(self) -> ComposeResult:
        from circlekeeper.tui.widgets.qrcode import QRCode

        # Fits 80x24 with the largest code a network address gives: no room for padding.
        with Vertical(classes="dialog-box", id="share-box"):
            yield Static(
                _("Scan with a phone, or type the link (esc closes)"), classes="dialog-title"
            )
            with Center():
                yield QRCode(self.url, id="share-code")
            with Center():
                yield Static(plain(self.url), id="share-url")

    def action_close(self) -> None:
        """Back to the session."""
        self.dismiss(None)


class ChoiceDialog(Guarded, LocalModal[str | None]):
    """Choose one of a few options (a response, a kind of request, a way out)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="choice.cancel"),
        *_number_keys("choice"),
    ]

    def __init__(self, title: str, options: Iterable[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(plain(self.title_text), classes="dialog-title")
            yield OptionList(
                *[
                    Option(plain(f"{i}  {label}"), id=key)
                    for i, (key, label) in enumerate(self.options, 1)
                ],
                id="choice-list",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Chosen."""
        self.dismiss(event.option.id)

    def action_number(self, number: int) -> None:
        """The option with this number."""
        if 1 <= number <= len(self.options):
            self.dismiss(self.options[number - 1][0])

    def action_cancel(self) -> None:
        """Nothing chosen."""
        self.dismiss(None)


class NoteDialog(Guarded, LocalModal[str | None]):
    """The scribe's note: enter keeps it (on session time), escape drops it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="note.cancel")
    ]

    def __init__(self, where: str) -> None:
        super().__init__(classes="dialog")
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="note-box"):
            yield Static(_("Note"), classes="dialog-title")
            yield Static(plain(self.where), classes="dialog-hint", id="note-where")
            yield Input(placeholder=_("what the circle decided, who does what…"), id="note-text")
            yield Static(
                _("enter keeps it for the reportback · esc drops it · the session goes on"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#note-text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: keep the note (an empty one is no note)."""
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        """Escape: no note."""
        self.dismiss(None)


class ResumeOfferDialog(Guarded, LocalModal[str]):
    """A session was cut short: resume it, discard it (kept, never offered again), or later."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('resume')", N_("Resume"), id="offer.resume"),
        Binding("d", "choose('discard')", N_("Discard"), id="offer.discard"),
        Binding("l,escape", "choose('later')", N_("Later"), id="offer.later"),
    ]

    def __init__(
        self,
        lines: Iterable[str],
        problem: str | None = None,
        *,
        can_resume: bool = True,
        more: int = 0,
    ) -> None:
        super().__init__(classes="dialog")
        self.lines = list(lines)
        self.problem = problem
        self.can_resume = can_resume
        self.more = more

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="offer-box"):
            yield Static(_("A session did not finish"), classes="dialog-title")
            yield Static(plain("\n".join(self.lines)), classes="dialog-question", id="offer-text")
            if self.problem:
                yield Static(plain(self.problem), id="offer-problem")
            if self.more:
                others = ngettext(
                    "(another one after this)", "({n} others after this)", self.more
                ).format(n=self.more)
                yield Static(others, classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                if self.can_resume:
                    resume = _("Resume anyway") if self.problem else _("Resume")
                    yield Button(resume + " (r)", id="resume", variant="primary")
                yield Button(_("Discard") + " (d)", id="discard", variant="error")
                yield Button(_("Later") + " (l)", id="later")
            yield Static(
                _("Discarding keeps it in the history; it is not offered again."),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#later" if self.problem else "#resume", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button chooses."""
        self.dismiss(event.button.id or "later")

    def action_choose(self, choice: str) -> None:
        """A key chooses (resuming only when it can be done)."""
        if choice != "resume" or self.can_resume:
            self.dismiss(choice)
