"""Circle setup: who is in the room (typed or from a saved circle), their order, who starts,
roles, language and sound; then start the live session.

The screen decides no rule: seats, starter, host, the meeting's rotation and every role come
from the engine's `plan_circle`, which the screen asks again whenever a choice changes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static, Switch
from textual.widgets.option_list import Option

from circlekeeper.script.texts import localize
from circlekeeper.tui.format import meeting_words
from circlekeeper.tui.host import AppHost, host_of

if TYPE_CHECKING:
    from circlekeeper.engine.setup import CirclePlan
    from circlekeeper.records.circles import CircleStore
    from circlekeeper.script.model import Practice
    from circlekeeper.sound.api import SoundSink


def split_names(text: str) -> list[str]:
    """`Ana, Ben,Cy` → ["Ana", "Ben", "Cy"]; blanks dropped, first spelling of a name kept."""
    names: list[str] = []
    seen: set[str] = set()
    for raw in text.replace("\n", ",").split(","):
        name = raw.strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


class SetupScreen(Screen[None]):
    """Set up the circle for one practice."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start", id="setup.start", priority=True),
        Binding("alt+up,ctrl+up", "move(-1)", "Move up", id="setup.up"),
        Binding("alt+down,ctrl+down", "move(1)", "Move down", id="setup.down"),
        Binding("escape", "back", "Library", id="setup.back"),
    ]

    def __init__(self, practice: Practice, path: Path | None) -> None:
        super().__init__(id="setup")
        self.practice = practice
        self.path = path
        self.names: list[str] = []
        self.store: CircleStore | None = None
        self.sound: SoundSink | None = None
        self.seed: int | None = None
        """Drawn by the first plan and kept, so the roles shown are the roles used."""
        self.saved_roles: dict[str, tuple[str, ...]] = {}
        """The roles the chosen saved circle holds at every meeting."""
        self._sound_handed_over = False

    @property
    def ck(self) -> AppHost:
        """The app, as far as a screen may ask of it."""
        return host_of(self)

    def compose(self) -> ComposeResult:
        from circlekeeper.engine.setup import focus_order_matters

        practice = self.practice
        languages = sorted({practice.language, *practice.voices})
        with VerticalScroll(id="setup-body"):
            yield Static(f"[b]{practice.title}[/b]: set up the circle", id="setup-title")
            yield Static("", id="setup-sound-status")
            yield Label("Saved circle")
            yield Select[str]([], prompt="(none)", id="setup-saved", allow_blank=True)
            yield Static("", id="setup-meeting")
            yield Label("Names, in seating order (comma between names)")
            yield Input(placeholder="type names, e.g.  Ana, Ben, Cy", id="setup-names")
            yield Label("Order (alt+up / alt+down moves the highlighted person)")
            yield OptionList(id="setup-order")
            yield Label("Who starts")
            yield Select[str]([], prompt="the host", id="setup-starter")
            if focus_order_matters(practice):
                yield Label("Focus order (comma between names; empty: around the circle)")
                yield Input(placeholder="e.g.  Cy, Ana", id="setup-focus-order")
            for role in practice.roles:
                if role.assign == "ask":
                    name = localize(role.name, practice.language, practice.language)
                    yield Label(f"Role: {name}")
                    yield Select[str]([], prompt="(chosen by default)", id=f"role-{role.id}")
            yield Static("", id="setup-roles")
            with Horizontal(classes="setup-row"), VerticalScroll(classes="setup-col"):
                yield Label("Language")
                yield Select[str](
                    [(lang, lang) for lang in languages],
                    value=practice.language,
                    allow_blank=False,
                    id="setup-language",
                )
            with Horizontal(classes="setup-row"):
                yield Label("Sound")
                yield Switch(value=True, id="setup-sound")
                yield Label("Announce steps and speakers")
                yield Switch(value=False, id="setup-announce")
            with Horizontal(classes="setup-row"):
                yield Label("Shared view in a browser")
                yield Switch(value=False, id="setup-share")
                yield Label("…for phones on this network")
                yield Switch(value=False, id="setup-share-lan")
            yield Label("Output device (by name; empty: the default)")
            with Horizontal(classes="setup-row"):
                yield Input(placeholder="default", id="setup-device")
                yield Button("Find outputs", id="setup-find-outputs")
            yield OptionList(id="setup-outputs")
            yield Label("Save this circle as")
            yield Input(placeholder="e.g. Tuesday crew", id="setup-circle-name")
            with Horizontal(id="setup-buttons"):
                yield Button("Start (ctrl+s)", id="setup-start", variant="primary")
                yield Button("Save circle", id="setup-save")
                yield Button("Back (esc)", id="setup-back")
            yield Static("", id="setup-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#setup-names", Input).focus()
        self.ck.guard("reading saved circles", self._load_store)
        self.query_one("#setup-sound-status", Static).display = False
        if self.ck.given_sink is None:
            # Sound loads and pre-renders the prompts while the circle is being set up.
            self._load_sound()
            self.set_interval(1.0, self._show_sound_progress, name="sound-progress")

    @work(thread=True, exit_on_error=False, exclusive=True, group="setup-sound")
    def _load_sound(self) -> None:
        from circlekeeper.script.texts import spoken_texts
        from circlekeeper.tui.soundload import practice_sink

        practice = self.practice
        sink = practice_sink(practice, self.path, device=None, language=practice.language)
        self.app.call_from_thread(self._sound_ready, sink)
        sink.prepare(spoken_texts(practice, practice.language))

    def _sound_ready(self, sink: SoundSink) -> None:
        if not self.is_attached:  # the facilitator went back meanwhile
            self._close_sound(sink)
            return
        self.sound = sink
        self._show_sound_progress()

    def _show_sound_progress(self) -> None:
        if self.sound is None:
            return
        status = self.ck.guard("reading the sound status", self.sound.status)
        if status is None:
            return
        if not status.ok:
            text = f"Sound: {status.detail}"
        elif status.to_prepare and status.prepared < status.to_prepare:
            text = f"Sound: {status.detail}; preparing speech {status.prepared}/{status.to_prepare}"
        else:
            text = f"Sound: {status.detail}; speech ready"
        shown = self.query_one("#setup-sound-status", Static)
        shown.update(text)
        shown.display = True

    def _close_sound(self, sink: SoundSink) -> None:
        self.ck.guard("closing sound", sink.close)

    def on_unmount(self) -> None:
        if self.sound is not None and not self._sound_handed_over:
            self._close_sound(self.sound)

    def _load_store(self) -> None:
        from circlekeeper.records.circles import CircleStore

        self.store = CircleStore()
        if self.store.problem:
            self.notify(self.store.problem, title="Saved circles", severity="warning")
        names = self.store.names()
        self.query_one("#setup-saved", Select).set_options([(n, n) for n in names])

    # -- names and order --------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing names updates the order and the pickers; a focus order, the plan."""
        if event.input.id == "setup-names":
            self._set_names(split_names(event.value), from_input=True)
        elif event.input.id == "setup-focus-order":
            self._show_plan()

    def _set_names(self, names: list[str], *, from_input: bool = False) -> None:
        self.names = names
        if not from_input:
            with self.prevent(Input.Changed):
                self.query_one("#setup-names", Input).value = ", ".join(names)
        order = self.query_one("#setup-order", OptionList)
        highlighted = order.highlighted
        order.clear_options()
        order.add_options([Option(f"{i}. {n}", id=n) for i, n in enumerate(names, 1)])
        if highlighted is not None and names:
            order.highlighted = min(highlighted, len(names) - 1)
        choices = [(n, n) for n in names]
        starter = self.query_one("#setup-starter", Select)
        keep = starter.value if starter.value in names else Select.NULL
        starter.set_options(choices)
        starter.value = keep
        for select in self.query(Select).results():
            if select.id and select.id.startswith("role-"):
                keep = select.value if select.value in names else Select.NULL
                select.set_options(choices)
                select.value = keep
        self._show_plan()

    def plan(self) -> CirclePlan | None:
        """The circle as the engine sets it up from what is chosen now (None: no names yet,
        or a choice it refuses)."""
        from circlekeeper.engine.setup import plan_circle

        if not self.names:
            return None
        starter = self.query_one("#setup-starter", Select).value
        language = self.query_one("#setup-language", Select).value
        try:
            plan = plan_circle(
                self.practice,
                self.names,
                starter=starter if isinstance(starter, str) else None,
                given_roles=self._given_roles(),
                meeting=self._meeting(),
                seed=self.seed,
                language=language if isinstance(language, str) else None,
                focus_order=self._focus_order(),
            )
        except ValueError as error:
            self._status(str(error))
            return None
        self.seed = plan.seed
        return plan

    def _focus_order(self) -> list[str] | None:
        """The focus order typed at setup (None: none, or the practice has no use for one)."""
        found = self.query("#setup-focus-order")
        if not found:
            return None
        return split_names(found.first(Input).value) or None

    def _show_plan(self) -> None:
        """Who starts, who hosts and who holds each role, as the session will have them."""
        shown = self.query_one("#setup-roles", Static)
        plan = self.plan() if self.is_mounted else None
        meeting = self.query_one("#setup-meeting", Static)
        line = None
        if plan is not None and (self._saved_name() is not None or plan.meetings is not None):
            # A circle neither saved nor in a series has no meetings to count. A series'
            # meeting and focus are said here, once: "meeting 3 of 6 · focus: Cy · hosted by Ana".
            line = meeting_words(plan)
        meeting.update(line or "")
        meeting.display = line is not None
        if plan is None:
            shown.update("")
            return
        practice = self.practice
        parts = [f"Starts: {plan.starter}" + (" (the host)" if plan.starter == plan.host else "")]
        for role in practice.roles:
            label = localize(role.name, plan.language, practice.language)
            holders = ", ".join(plan.roles.get(role.id, ())) or "nobody"
            how: str = role.assign
            if role.id in plan.defaulted_roles:
                how = "chosen by default"
            elif role.assign == "ask":
                how = "chosen"
            parts.append(f"{label}: {holders} ({how})")
        shown.update("; ".join(parts))

    def _saved_name(self) -> str | None:
        """The saved circle this session will be a meeting of (its name as saved), if any."""
        circle_name = self.query_one("#setup-circle-name", Input).value.strip()
        if self.store is None or not circle_name:
            return None
        circle = self.store.get(circle_name)
        return None if circle is None else circle.name

    def _meeting(self) -> int:
        """How many meetings the saved circle of this name has had (0: a new circle)."""
        name = self._saved_name()
        return 0 if name is None or self.store is None else self.store.meeting_count(name)

    def action_move(self, step: int) -> None:
        """Move the highlighted person up or down the order."""
        order = self.query_one("#setup-order", OptionList)
        index = order.highlighted
        if index is None or not 0 <= index + step < len(self.names):
            return
        names = list(self.names)
        names[index], names[index + step] = names[index + step], names[index]
        self._set_names(names)
        order.highlighted = index + step

    def on_select_changed(self, event: Select.Changed) -> None:
        """Picking a saved circle fills in its people and roles; any other choice shows the
        circle as the session will have it."""
        if event.select.id != "setup-saved":
            self._show_plan()
            return
        if not isinstance(event.value, str):
            return
        circle = self.store.get(event.value) if self.store else None
        if circle is None:
            return
        self.saved_roles = dict(circle.roles)
        self._set_names(list(circle.people))
        self.query_one("#setup-circle-name", Input).value = circle.name
        for role, holders in circle.roles.items():
            selects = self.query(f"#role-{role}")
            if selects and holders:
                selects.first(Select).value = holders[0]
        self._show_plan()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """A circle name typed in full: the meeting count (and so the host) may change."""
        if event.input.id == "setup-circle-name":
            self._show_plan()

    # -- buttons ----------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Start, save or go back."""
        if event.button.id == "setup-start":
            self.action_start()
        elif event.button.id == "setup-find-outputs":
            self._status("Looking for audio outputs…")
            self._find_outputs()
        elif event.button.id == "setup-save":
            self.ck.guard("saving the circle", self._save_circle)
        else:
            self.action_back()

    @work(thread=True, exit_on_error=False, exclusive=True, group="outputs")
    def _find_outputs(self) -> None:
        """In a thread: PortAudio starts slowly and must never stall the screen."""
        from circlekeeper.sound.player import list_outputs, load_sounddevice

        try:
            outputs = [
                o.name + (" (default)" if o.default else "")
                for o in list_outputs(load_sounddevice())
            ]
            problem = None
        except Exception as error:  # no PortAudio, no device: say so, keep the form usable
            outputs, problem = [], str(error)
        self.app.call_from_thread(self._show_outputs, outputs, problem)

    def _show_outputs(self, outputs: list[str], problem: str | None) -> None:
        listing = self.query_one("#setup-outputs", OptionList)
        listing.clear_options()
        listing.add_options([Option(name, id=name.removesuffix(" (default)")) for name in outputs])
        listing.display = bool(outputs)
        if problem or not outputs:
            self._status(f"No audio outputs found{': ' + problem if problem else ''}.")
        else:
            self._status(f"{len(outputs)} outputs found: pick one with enter.")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Picking an output fills in the device name."""
        if event.option_list.id == "setup-outputs" and event.option.id:
            self.query_one("#setup-device", Input).value = event.option.id

    def action_back(self) -> None:
        """Back to the library."""
        self.app.pop_screen()

    def _status(self, message: str) -> None:
        self.query_one("#setup-status", Static).update(message)

    def _given_roles(self) -> dict[str, tuple[str, ...]]:
        """The saved circle's standing roles, then what is chosen on this screen."""
        given: dict[str, tuple[str, ...]] = dict(self.saved_roles)
        for select in self.query(Select).results():
            if select.id and select.id.startswith("role-") and isinstance(select.value, str):
                given[select.id.removeprefix("role-")] = (select.value,)
        return given

    def _save_circle(self) -> None:
        name = self.query_one("#setup-circle-name", Input).value.strip()
        if not name:
            self._status("Give the circle a name to save it.")
            return
        if not self.names:
            self._status("Type the names first.")
            return
        if self.store is None:
            from circlekeeper.records.circles import CircleStore

            self.store = CircleStore()
        saved = self.store.save(name, self.names, self._given_roles())
        self.saved_roles = dict(saved.roles)
        self.query_one("#setup-saved", Select).set_options([(n, n) for n in self.store.names()])
        self._status(f"Saved the circle “{saved.name}”.")
        self._show_plan()

    def _share_address(self) -> str | None:
        """Where the shared view listens: None (off), this computer, or every address."""
        if not self.query_one("#setup-share", Switch).value:
            return None
        from circlekeeper.share import LAN_HOST

        return LAN_HOST if self.query_one("#setup-share-lan", Switch).value else ""

    def on_switch_changed(self, event: Switch.Changed) -> None:
        """Sharing with phones means sharing; no sharing means no phones."""
        if event.switch.id == "setup-share-lan" and event.value:
            self.query_one("#setup-share", Switch).value = True
        elif event.switch.id == "setup-share" and not event.value:
            self.query_one("#setup-share-lan", Switch).value = False

    def action_start(self) -> None:
        """Check the circle and open the live session."""
        self.ck.guard("starting the session", self._start)

    def _start(self) -> None:
        from circlekeeper.tui.config import SessionConfig

        if not self.names:
            self._status("Type at least one name.")
            return
        plan = self.plan()
        if plan is None:
            return
        for warning in plan.warnings:
            self.notify(warning, severity="warning")
        device = self.query_one("#setup-device", Input).value.strip() or None
        config = SessionConfig(
            practice=self.practice,
            path=self.path,
            plan=plan,
            silent=not self.query_one("#setup-sound", Switch).value,
            device=device,
            announce=self.query_one("#setup-announce", Switch).value,
            share=self._share_address(),
        )
        # The meeting is recorded when the session ends, never when it starts.
        config = dataclasses.replace(config, circle_name=self._saved_name())
        prepared = None
        if self.sound is not None:
            # The prepared sink was made for the default output and the script's language.
            if config.silent or device or config.language != self.practice.language:
                self._close_sound(self.sound)
            else:
                prepared = self.sound
            self.sound = None
        self._sound_handed_over = prepared is not None
        self.ck.start_session(config, prepared)
