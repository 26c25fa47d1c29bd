"""Circle setup: who is in the room (typed or from a saved circle), their order, who starts,
roles, language and sound; then start the live session.

The screen decides no rule: seats, starter, host, the meeting's rotation and every role come
from the engine's `plan_circle`, which the screen asks again whenever a choice changes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static, Switch
from textual.widgets.option_list import Option

from circlekeeper import i18n
from circlekeeper.i18n import N_, _, ngettext, tr, tr_error
from circlekeeper.script.texts import localize, text_languages
from circlekeeper.tui.format import meeting_words, plain, role_holders
from circlekeeper.tui.guard import Guarded
from circlekeeper.tui.host import AppHost, host_of
from circlekeeper.tui.local import LocalScreen, styles

if TYPE_CHECKING:
    from circlekeeper.engine.setup import CirclePlan
    from circlekeeper.records.circles import CircleStore
    from circlekeeper.script.model import Practice, Role
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


def language_choices(practice: Practice) -> list[tuple[str, str]]:
    """(label, tag) for the language menu: the interface's languages, then any other the
    practice is written in. A language the practice has no texts in says which language
    its prompts will be in instead."""
    written = text_languages(practice)
    tags = list(i18n.LANGUAGES) + [lang for lang in written if lang not in i18n.LANGUAGES]
    choices = []
    for lang in tags:
        label = i18n.language_name(lang)
        fallback = localize({lang: "", **dict.fromkeys(written, "")}, lang, practice.language)
        if lang not in written and fallback == "":
            from circlekeeper.script.languages import pick_language

            used = pick_language(dict.fromkeys(written, ""), lang, practice.language)
            label += " · " + _("prompts in {language}").format(language=i18n.language_name(used))
        choices.append((label, lang))
    return choices


def chosen_language(practice: Practice, choices: list[tuple[str, str]]) -> str:
    """The language the menu starts at: the one asked for (`--lang`, the environment), else
    the interface's, else the practice's own."""
    tags = [lang for _label, lang in choices]
    for lang in (i18n.language(), i18n.interface(), practice.language):
        if lang in tags:
            return lang
    return tags[0]


class SetupScreen(Guarded, LocalScreen[None]):
    """Set up the circle for one practice."""

    CSS_PATH = styles("setup")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", N_("Start"), id="setup.start", priority=True),
        Binding("alt+up,ctrl+up", "move(-1)", N_("Move up"), id="setup.up"),
        Binding("alt+down,ctrl+down", "move(1)", N_("Move down"), id="setup.down"),
        Binding("escape", "back", N_("Library"), id="setup.back"),
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
        self._role_of: dict[str, str] = {}
        """Each role picker's id → the role it gives."""
        self.languages = language_choices(practice)
        self.sound_language = chosen_language(practice, self.languages)
        """The language the setup screen opens at, and the prepared speech's."""

    @property
    def ck(self) -> AppHost:
        """The app, as far as a screen may ask of it."""
        return host_of(self)

    def compose(self) -> ComposeResult:
        from circlekeeper.engine.setup import focus_order_matters

        practice = self.practice
        language = self.sound_language
        title = escape(localize(practice.title, language, practice.language))
        with VerticalScroll(id="setup-body"):
            heading = _("[b]{title}[/b]: set up the circle").format(title=title)
            yield Static(Text.from_markup(heading), id="setup-title")
            yield Static("", id="setup-sound-status")
            # One line a field, label first, so the whole form fits 80x24 with little
            # scrolling and Start never hides below the fold (it is docked under the form).
            with Horizontal(classes="setup-line"):
                yield Label(_("Saved circle"), classes="setup-label")
                yield Select[str](
                    [], prompt=_("(none)"), id="setup-saved", allow_blank=True, compact=True
                )
            yield Static("", id="setup-meeting")
            with Horizontal(classes="setup-line"):
                yield Label(_("Names"), classes="setup-label")
                yield Input(
                    placeholder=_("in seating order, e.g.  Ana, Ben, Cy"),
                    id="setup-names",
                    compact=True,
                )
            yield Static(
                _("Seating order (alt+up / alt+down moves the highlighted person)"),
                classes="setup-hint",
            )
            yield OptionList(id="setup-order", compact=True)
            with Horizontal(classes="setup-line"):
                yield Label(_("Who starts"), classes="setup-label")
                yield Select[str]([], prompt=_("the host"), id="setup-starter", compact=True)
                yield Label(_("Language"), classes="setup-label setup-second")
                yield Select[str](
                    self.languages,
                    value=language,
                    allow_blank=False,
                    id="setup-language",
                    compact=True,
                )
            if focus_order_matters(practice):
                with Horizontal(classes="setup-line"):
                    yield Label(_("Focus order"), classes="setup-label")
                    yield Input(
                        placeholder=_("e.g.  Cy, Ana (empty: around the circle)"),
                        id="setup-focus-order",
                        compact=True,
                    )
            for role in practice.roles:
                if role.assign == "ask":
                    yield from self._role_pickers(role)
            yield Static("", id="setup-roles")
            with Horizontal(classes="setup-line setup-switches"):
                yield Switch(value=True, id="setup-sound")
                yield Label(_("Sound"))
                yield Switch(value=False, id="setup-announce")
                yield Label(_("Announce steps and speakers"))
            with Horizontal(classes="setup-line setup-switches"):
                yield Switch(value=False, id="setup-share")
                yield Label(_("Shared view in a browser"))
                yield Switch(value=False, id="setup-share-lan")
                yield Label(_("…for phones on this network"))
            with Horizontal(classes="setup-line"):
                yield Label(_("Output"), classes="setup-label")
                yield Input(placeholder=_("default (or a name)"), id="setup-device", compact=True)
                yield Button(_("Find outputs"), id="setup-find-outputs", compact=True)
            yield OptionList(id="setup-outputs", compact=True)
            with Horizontal(classes="setup-line"):
                yield Label(_("Save circle as"), classes="setup-label")
                yield Input(
                    placeholder=_("e.g. Tuesday crew"), id="setup-circle-name", compact=True
                )
                yield Button(_("Save circle"), id="setup-save", compact=True)
            yield Static("", id="setup-status")
        with Horizontal(id="setup-buttons"):
            yield Button(
                _("Start") + " (ctrl+s)", id="setup-start", variant="primary", compact=True
            )
            yield Button(_("Back") + " (esc)", id="setup-back", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#setup-names", Input).focus()
        self.ck.guard(N_("reading saved circles"), self._load_store)
        self.query_one("#setup-sound-status", Static).display = False
        if self.ck.given_sink is None:
            # Sound loads and pre-renders the prompts while the circle is being set up.
            self._load_sound()
            self.set_interval(1.0, self._show_sound_progress, name="sound-progress")

    @work(thread=True, exit_on_error=False, exclusive=True, group="setup-sound")
    def _load_sound(self) -> None:
        from circlekeeper.script.texts import spoken_texts
        from circlekeeper.tui.soundload import practice_sink

        practice, language = self.practice, self.sound_language
        sink = practice_sink(practice, self.path, device=None, language=language)
        self.app.call_from_thread(self._sound_ready, sink)
        sink.prepare(spoken_texts(practice, language))

    def _sound_ready(self, sink: SoundSink) -> None:
        if not self.is_attached:  # the facilitator went back meanwhile
            self._close_sound(sink)
            return
        self.sound = sink
        self._show_sound_progress()

    def _show_sound_progress(self) -> None:
        if self.sound is None:
            return
        status = self.ck.guard(N_("reading the sound status"), self.sound.status)
        if status is None:
            return
        detail = tr(status.detail)
        if not status.ok:
            text = _("Sound: {detail}").format(detail=detail)
        elif status.to_prepare and status.prepared < status.to_prepare:
            text = _("Sound: {detail}; preparing speech {done}/{total}").format(
                detail=detail, done=status.prepared, total=status.to_prepare
            )
        else:
            text = _("Sound: {detail}; speech ready").format(detail=detail)
        shown = self.query_one("#setup-sound-status", Static)
        shown.update(plain(text))
        shown.display = True

    def _close_sound(self, sink: SoundSink) -> None:
        self.ck.guard(N_("closing sound"), sink.close)

    def on_unmount(self) -> None:
        if self.sound is not None and not self._sound_handed_over:
            self._close_sound(self.sound)

    def _load_store(self) -> None:
        from circlekeeper.records.circles import CircleStore

        self.store = CircleStore()
        if self.store.problem:
            self.notify(tr(self.store.problem), title=_("Saved circles"), severity="warning")
        names = self.store.names()
        self.query_one("#setup-saved", Select).set_options([(plain(n), n) for n in names])

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
        order.add_options([Option(plain(f"{i}. {n}"), id=n) for i, n in enumerate(names, 1)])
        if highlighted is not None and names:
            order.highlighted = min(highlighted, len(names) - 1)
        choices = [(plain(n), n) for n in names]
        starter = self.query_one("#setup-starter", Select)
        keep = starter.value if starter.value in names else Select.NULL
        starter.set_options(choices)
        starter.value = keep
        for select in self._pickers():
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
                focus_history=self._focus_history(),
            )
        except ValueError as error:
            self._status(tr_error(error))
            return None
        self.seed = plan.seed
        return plan

    def _focus_order(self) -> list[str] | None:
        """The focus order typed at setup, else the one the saved circle remembers, in step
        with the names typed (None: none, or the practice has no use for one)."""
        from circlekeeper.engine.setup import carried_focus_order

        if not self.query("#setup-focus-order"):
            return None
        typed = self._typed_focus_order()
        if typed:
            return typed
        name = self._saved_name()
        circle = None if name is None or self.store is None else self.store.get(name)
        if circle is None:
            return None
        return list(carried_focus_order(circle.focus_order, self.names)) or None

    def _focus_history(self) -> tuple[str | None, ...] | None:
        """Who was in focus at each meeting the saved circle recorded (None: not saved)."""
        name = self._saved_name()
        circle = None if name is None or self.store is None else self.store.get(name)
        return None if circle is None else circle.focus_history

    def _typed_focus_order(self) -> list[str] | None:
        """The focus order typed (None: none typed, or no field for it)."""
        found = self.query("#setup-focus-order")
        return (split_names(found.first(Input).value) or None) if found else None

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
        meeting.update(plain(line or ""))
        meeting.display = line is not None
        if plan is None:
            shown.update("")
            return
        if plan.starter == plan.host:
            parts = [_("Starts: {name} (the host)").format(name=plan.starter)]
        else:
            parts = [_("Starts: {name}").format(name=plan.starter)]
        parts += role_holders(self.practice, plan)
        shown.update(plain("; ".join(parts)))

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
        for field in self.query("#setup-focus-order").results(Input):
            # What it remembers, shown where it can be changed for this meeting.
            field.value = ", ".join(circle.focus_order)
        for role, holders in circle.roles.items():
            pickers = self._pickers(role)
            for picker, holder in zip(pickers, holders, strict=False):
                picker.value = holder
            for picker in pickers[len(holders) :]:
                picker.value = Select.NULL
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
            self._status(_("Looking for audio outputs…"))
            self._find_outputs()
        elif event.button.id == "setup-save":
            self.ck.guard(N_("saving the circle"), self._save_circle)
        else:
            self.action_back()

    @work(thread=True, exit_on_error=False, exclusive=True, group="outputs")
    def _find_outputs(self) -> None:
        """In a thread: PortAudio starts slowly and must never stall the screen."""
        from circlekeeper.sound.player import list_outputs, load_sounddevice

        try:
            outputs = [(o.name, o.default) for o in list_outputs(load_sounddevice())]
            problem = None
        except Exception as error:  # no PortAudio, no device: say so, keep the form usable
            outputs, problem = [], tr_error(error)
        self.app.call_from_thread(self._show_outputs, outputs, problem)

    def _show_outputs(self, outputs: list[tuple[str, bool]], problem: str | None) -> None:
        listing = self.query_one("#setup-outputs", OptionList)
        listing.clear_options()
        listing.add_options(
            [
                Option(plain(name + (" " + _("(default)") if default else "")), id=name)
                for name, default in outputs
            ]
        )
        listing.display = bool(outputs)
        if problem:
            self._status(_("No audio outputs found: {problem}.").format(problem=problem))
        elif not outputs:
            self._status(_("No audio outputs found."))
        else:
            self._status(
                ngettext(
                    "{n} output found: pick it with enter.",
                    "{n} outputs found: pick one with enter.",
                    len(outputs),
                ).format(n=len(outputs))
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Picking an output fills in the device name."""
        if event.option_list.id == "setup-outputs" and event.option.id:
            self.query_one("#setup-device", Input).value = event.option.id

    def action_back(self) -> None:
        """Back to the library."""
        self.app.pop_screen()

    def _status(self, message: str) -> None:
        self.query_one("#setup-status", Static).update(plain(message))

    def _given_roles(self) -> dict[str, tuple[str, ...]]:
        """The saved circle's standing roles, then what is chosen on this screen: each
        role's pickers in order, the same person once."""
        given: dict[str, tuple[str, ...]] = dict(self.saved_roles)
        for role in self._role_of.values():
            chosen = [p.value for p in self._pickers(role) if isinstance(p.value, str)]
            if chosen:
                given[role] = tuple(dict.fromkeys(chosen))
        return given

    def _role_pickers(self, role: Role) -> ComposeResult:
        """One line per role asked at setup: its name, then as many pickers as the role has
        holders (`count`), so a role of two is given to two people."""
        practice = self.practice
        name = localize(role.name, practice.language, practice.language)
        with Horizontal(classes="setup-line"):
            yield Label(plain(name), classes="setup-label")
            for k in range(role.count):
                picker_id = f"role-{role.id}" if k == 0 else f"role-{role.id}-{k + 1}"
                self._role_of[picker_id] = role.id
                prompt = (
                    _("(chosen by default)")
                    if k == 0
                    else _("(holder {n}: by default)").format(n=k + 1)
                )
                yield Select[str]([], prompt=prompt, id=picker_id, compact=True)

    def _pickers(self, role: str | None = None) -> list[Select[str]]:
        """The role pickers (of one role, in order), as composed."""
        return [
            select
            for select in self.query(Select).results()
            if select.id in self._role_of and (role is None or self._role_of[select.id] == role)
        ]

    def _save_circle(self) -> None:
        name = self.query_one("#setup-circle-name", Input).value.strip()
        if not name:
            self._status(_("Give the circle a name to save it."))
            return
        if not self.names:
            self._status(_("Type the names first."))
            return
        if self.store is None:
            from circlekeeper.records.circles import CircleStore

            self.store = CircleStore()
        try:
            saved = self.store.save(
                name, self.names, self._given_roles(), self._typed_focus_order()
            )
        except ValueError as error:  # a focus order naming someone not in the circle
            self._status(tr_error(error))
            return
        self.saved_roles = dict(saved.roles)
        options = [(plain(n), n) for n in self.store.names()]
        self.query_one("#setup-saved", Select).set_options(options)
        self._status(_("Saved the circle “{name}”.").format(name=saved.name))
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
        self.ck.guard(N_("starting the session"), self._start)

    def _start(self) -> None:
        from circlekeeper.tui.config import SessionConfig

        typed = split_names(self.query_one("#setup-names", Input).value)
        if typed != self.names:  # typed a moment ago: the change has not been heard yet
            self._set_names(typed, from_input=True)
        if not self.names:
            self._status(_("Type at least one name."))
            return
        plan = self.plan()
        if plan is None:
            return
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
            # The prepared sink was made for the default output and the language the screen
            # opened at.
            if config.silent or device or config.language != self.sound_language:
                self._close_sound(self.sound)
            else:
                prepared = self.sound
            self.sound = None
        self._sound_handed_over = prepared is not None
        self.ck.start_session(config, prepared)
