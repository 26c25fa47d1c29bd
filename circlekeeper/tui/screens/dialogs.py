"""Small modal dialogs: confirm quitting, the suspend question, help, the popcorn picker, a
choice among a few options, the scribe's note, and the offer to resume a session that did not
finish."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from circlekeeper.tui.format import duration_text, plain
from circlekeeper.tui.guard import Guarded


class ConfirmDialog(Guarded, ModalScreen[bool]):
    """A yes/no question; y or enter confirms, n or escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.yes = yes
        self.no = no

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


class SuspendDialog(Guarded, ModalScreen[str]):
    """The machine slept mid-session: resume where we were, skip ahead, or end."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r,escape", "choose('resume')", "Resume", id="suspend.resume"),
        Binding("a", "choose('skip')", "Skip ahead", id="suspend.skip"),
        Binding("e", "choose('end')", "End", id="suspend.end"),
    ]

    def __init__(self, slept: float) -> None:
        super().__init__(classes="dialog")
        self.slept = slept

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(
                f"The computer seems to have slept for {duration_text(self.slept)}.\n"
                "The session is paused. What now?",
                classes="dialog-question",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Resume (r)", id="resume", variant="primary")
                yield Button("Skip ahead (a)", id="skip")
                yield Button("End (e)", id="end", variant="error")

    def on_mount(self) -> None:
        self.query_one("#resume", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button chooses."""
        self.dismiss(event.button.id or "resume")

    def action_choose(self, choice: str) -> None:
        """A key chooses."""
        self.dismiss(choice)


class HelpScreen(Guarded, ModalScreen[None]):
    """Every key of the live session, as currently mapped."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close")
    ]

    def __init__(self, rows: Iterable[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.rows), default=5)
        lines = [f"{key:>{width}}  {what}" for key, what in self.rows]
        with Vertical(classes="dialog-box", id="help-box"):
            yield Static("Keys", classes="dialog-title")
            # Every key is listed; on a short terminal the list scrolls (arrows, page keys).
            with VerticalScroll(id="help-scroll"):
                yield Static(plain("\n".join(lines)), id="help-keys")
            yield Static(
                "Remap by id in keymap.toml · ctrl+p: all commands · ↑↓ scroll · esc closes",
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


class PickDialog(Guarded, ModalScreen[str | None]):
    """Choose one person: who speaks next (popcorn), who listens, who asks to speak."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
        *_number_keys("pick"),
    ]

    def __init__(
        self,
        names: Iterable[str],
        unavailable: Iterable[str | None] = (),
        *,
        title: str = "Who speaks next?",
    ) -> None:
        super().__init__(classes="dialog")
        self.names = list(names)
        self.unavailable = set(unavailable)
        self.title_text = title

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


class ShareDialog(Guarded, ModalScreen[None]):
    """The shared view's link and its QR code, for phones in the room."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v,enter", "close", "Close", id="share.close"),
    ]

    def __init__(self, url: str) -> None:
        super().__init__(classes="dialog")
        self.url = url

    def compose(self) -> ComposeResult:
        from circlekeeper.tui.widgets.qrcode import QRCode

        # Fits 80x24 with the largest code a network address gives: no room for padding.
        with Vertical(classes="dialog-box", id="share-box"):
            yield Static("Scan with a phone, or type the link (esc closes)", classes="dialog-title")
            with Center():
                yield QRCode(self.url, id="share-code")
            with Center():
                yield Static(plain(self.url), id="share-url")

    def action_close(self) -> None:
        """Back to the session."""
        self.dismiss(None)


class ChoiceDialog(Guarded, ModalScreen[str | None]):
    """Choose one of a few options (a response, a kind of request, a way out)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel"),
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


class NoteDialog(Guarded, ModalScreen[str | None]):
    """The scribe's note: enter keeps it (on session time), escape drops it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="note.cancel")
    ]

    def __init__(self, where: str) -> None:
        super().__init__(classes="dialog")
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="note-box"):
            yield Static("Note", classes="dialog-title")
            yield Static(plain(self.where), classes="dialog-hint", id="note-where")
            yield Input(placeholder="what the circle decided, who does what…", id="note-text")
            yield Static(
                "enter keeps it for the reportback · esc drops it · the session goes on",
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


class ResumeOfferDialog(Guarded, ModalScreen[str]):
    """A session was cut short: resume it, discard it (kept, never offered again), or later."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('resume')", "Resume", id="offer.resume"),
        Binding("d", "choose('discard')", "Discard", id="offer.discard"),
        Binding("l,escape", "choose('later')", "Later", id="offer.later"),
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
            yield Static("A session did not finish", classes="dialog-title")
            yield Static(plain("\n".join(self.lines)), classes="dialog-question", id="offer-text")
            if self.problem:
                yield Static(plain(self.problem), id="offer-problem")
            if self.more:
                others = "another one" if self.more == 1 else f"{self.more} others"
                yield Static(f"({others} after this)", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                if self.can_resume:
                    resume = "Resume anyway (r)" if self.problem else "Resume (r)"
                    yield Button(resume, id="resume", variant="primary")
                yield Button("Discard (d)", id="discard", variant="error")
                yield Button("Later (l)", id="later")
            yield Static(
                "Discarding keeps it in the history; it is not offered again.",
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
