"""The practice library: built-in practices and the user's own, grouped by kind, with a preview.

The list is in the first frame, drawn from the library index (no pydantic, no YAML parser):
each script as it was when last checked, if its bytes have not changed since. New or changed
scripts are listed under the title they declare, marked as being checked, while a thread
loads and validates them and the list follows; a script that fails is flagged, with its
`path:line:col` errors in the preview: never hidden, never fatal. Opening a practice always
loads and validates the file itself, so nothing stale is ever set up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.css.styles import RulesMap
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from circlekeeper import i18n
from circlekeeper.i18n import N_, _, ngettext, tr, tr_error
from circlekeeper.library.index import (
    KIND_TITLES,
    Entry,
    Library,
    grouped,
    read_library,
    with_record,
)
from circlekeeper.tui.format import duration_text, one_line, shown, step_kind_word
from circlekeeper.tui.guard import Guarded
from circlekeeper.tui.host import AppHost, host_of
from circlekeeper.tui.local import LocalScreen

if TYPE_CHECKING:
    from circlekeeper.records.journal import JournalContents
    from circlekeeper.script.model import Practice

log = logging.getLogger(__name__)

CHECK_BATCH = 8
"""Checked scripts are handed to the list this many at a time (about a tenth of a second)."""


class Row(Visual):
    """A practice in the list, on one line whatever the width: its title, cut with an
    ellipsis where it must be, and a note (the duration, or `checking…`) at the right edge.

    Drawn straight into segments: a hundred rows are laid out and drawn before the first
    frame, and plain text needs none of the general text machinery.
    """

    MIN_TITLE = 12
    """Narrower than this, the note gives way and the title takes the whole line."""

    def __init__(self, title: str, note: str = "", note_style: str = "dim") -> None:
        self.title = title
        self.note = note
        self.note_style = RichStyle.parse(note_style)
        self.title_cells = cell_len(title)
        self.note_cells = cell_len(note)

    def __str__(self) -> str:
        return f"{self.title}  {self.note}".rstrip()

    def parts(self, width: int) -> tuple[str, str, str]:
        """(title, padding, note) laid out in exactly `width` cells."""
        room = width - self.note_cells - (2 if self.note else 0)
        if room < self.MIN_TITLE:
            title = _fit(self.title, self.title_cells, width)
            return title, " " * (width - cell_len(title)), ""
        title = _fit(self.title, self.title_cells, room)
        return title, " " * (width - cell_len(title) - self.note_cells), self.note

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        """Render the row at `width`."""
        base = style.rich_style
        title, padding, note = self.parts(width)
        segments = [Segment(title + padding, base)]
        if note:
            segments.append(Segment(note, base + self.note_style))
        return [Strip(segments, width)]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        """Title, gap and note without cutting."""
        return self.title_cells + (2 + self.note_cells if self.note else 0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        """Always one line."""
        return 1


def _fit(text: str, cells: int, width: int) -> str:
    """`text` (`cells` wide) cut to `width` cells, with an ellipsis if it had to be cut."""
    if cells <= width:
        return text
    return set_cell_size(text, max(width - 1, 0)) + "…" if width > 0 else ""


@dataclass
class Unfinished:
    """A session that did not finish, as the library offers it."""

    contents: JournalContents
    lines: list[str]
    """Practice and when; step, speaker and how far in."""
    problem: str | None
    """Why resuming needs a second thought (the script changed) or cannot be (it is gone)."""
    can_resume: bool
    changed: bool


def entry_label(entry: Entry) -> Row:
    """The entry's row in the list."""
    if entry.info is not None:
        duration = entry.info.duration
        note = "" if duration is None else duration_text(duration)
        return Row(f"  {one_line(entry.info.title)}", note)
    if entry.errors:
        return Row(f"  ⚠ {one_line(entry.path.name)}")
    return Row(f"  {one_line(entry.title)}", _("checking…"), "dim italic")


def preview_text(entry: Entry) -> Text:
    """The preview pane: summary, steps with times, languages, sources; or the errors."""
    text = Text()
    info = entry.info
    name = one_line(entry.path.name)
    if info is None and entry.errors:
        text.append(f"{name}\n", style="bold")
        text.append(_("This script could not be loaded:") + "\n\n", style="bold")
        # The folder is known from the list; the file name keeps the line readable. The
        # errors are the script checker's, as `circlekeeper check` prints them.
        for line in entry.error_lines(entry.path.name):
            text.append(shown(line) + "\n")
        text.append(
            "\n" + _("Fix it and press r to check again. `circlekeeper check` says the same.")
        )
        return text
    if info is None:
        text.append(f"{one_line(entry.title)}\n", style="bold")
        text.append(
            "\n" + _("Checking this script: its steps and timings follow in a moment.") + "\n"
        )
        text.append(f"\n{name}", style="dim")
        return text
    text.append(f"{one_line(info.title)}\n", style="bold")
    kind = _(KIND_TITLES.get(info.kind, info.kind))
    text.append(f"{kind} · {origin_word(entry.origin)}\n")
    if info.summary:
        text.append(f"\n{shown(info.summary)}\n")
    text.append("\n" + _("For {min}-{max} people").format(min=info.size_min, max=info.size_max))
    if info.duration is not None:
        text.append(
            "; "
            + _("about {time} with {people}").format(
                time=duration_text(info.duration), people=info.typical_size
            )
        )
    languages = ", ".join(i18n.language_name(lang) for lang in info.languages)
    noun = ngettext("Language: {languages}", "Languages: {languages}", len(info.languages))
    text.append("\n" + noun.format(languages=shown(languages)) + "\n")
    text.append("\n" + _("Steps") + "\n", style="bold")
    # In the language the session would speak, where the practice is written in it.
    steps, roles = info.texts_in(i18n.language(), i18n.interface())
    for step in steps:
        label = _(step.label) if step.ours else step.label
        text.append(f"  {one_line(label)}", style="")
        text.append(
            f"  {one_line(step_kind_word(step.kind))}, {duration_text(step.seconds)}\n",
            style="dim",
        )
    if roles:
        text.append("\n" + _("Roles: {roles}").format(roles=shown(", ".join(roles))) + "\n")
    if info.sources:
        text.append("\n" + _("Sources") + "\n", style="bold")
        for source in info.sources:
            line = source.title
            if source.author:
                line += f", {source.author}"
            if source.url:
                line += f" <{source.url}>"
            if source.licence:
                line += f" ({source.licence})"
            text.append(f"  {one_line(line)}\n")
    if info.note:
        text.append(f"\n{shown(info.note)}", style="italic")
    text.append(f"\n{name}", style="dim")
    return text


ORIGINS = {"built-in": N_("built-in"), "yours": N_("yours")}
"""Where a practice comes from, as the preview says it (a folder given: its name)."""


def origin_word(origin: str) -> str:
    """Where a practice comes from, in the interface's language."""
    word = ORIGINS.get(origin)
    return _(word) if word is not None else shown(origin)


class LibraryScreen(Guarded, LocalScreen[None]):
    """Pick a practice; enter sets up the circle."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", N_("Set up"), id="library.choose", show=True, priority=False),
        Binding("r", "reload", N_("Check again"), id="library.reload"),
        Binding("q", "app.quit", N_("Quit"), id="library.quit"),
    ]

    class Checked(Message):
        """A batch of scripts checked in the background."""

        def __init__(self, entries: tuple[Entry, ...], done: int, total: int) -> None:
            super().__init__()
            self.entries = entries
            self.done = done
            self.total = total

    class Loaded(Message):
        """A script loaded for setting up: its practice, or None with the errors in `entry`."""

        def __init__(self, entry: Entry, practice: Practice | None) -> None:
            super().__init__()
            self.entry = entry
            self.practice = practice

    def __init__(self, extra_dirs: list[Path]) -> None:
        super().__init__(id="library")
        self.extra_dirs = extra_dirs
        self.entries: dict[str, Entry] = {}
        """Every script listed, by resolved path."""
        self.progress: tuple[int, int] | None = None
        """(checked, to check) while the background check runs."""
        self._first: Library = Library((), (), {})
        self._picked: str | None = None
        """The practice the facilitator moved to; until then the first one is highlighted."""

    @property
    def checking(self) -> bool:
        """True while new or changed scripts are being checked in the background."""
        return self.progress is not None

    @property
    def ck(self) -> AppHost:
        """The app, as far as a screen may ask of it."""
        return host_of(self)

    def compose(self) -> ComposeResult:
        # Read here, not after the first frame: the list is what the facilitator came for.
        library = self._read()
        unchecked = sum(1 for entry in library.entries if entry.needs_check)
        self.progress = (0, unchecked) if unchecked else None
        with Horizontal(id="library-main"):
            yield OptionList(id="library-list")
            with VerticalScroll(id="library-preview"):
                yield Static("", id="preview")
        yield Static(self._status(), id="library-status")
        yield Footer(compact=True)
        self._first = library

    def on_mount(self) -> None:
        # The list is the first frame; the preview (wrapped text, about 5 ms to lay out)
        # follows in the next one.
        self._refill(preview=False)
        self.query_one(OptionList).focus()
        self.call_after_refresh(self._after_first_frame)

    # -- sessions that did not finish ------------------------------------------------------

    @work(thread=True, exit_on_error=False, exclusive=True, group="unfinished")
    def _look_for_unfinished(self) -> None:
        """In a thread: journals of sessions cut short, newest first, with what to say."""
        from circlekeeper.records.journal import unfinished_journals
        from circlekeeper.records.resume import ResumeError, offer, script_state

        offers: list[Unfinished] = []
        for contents in unfinished_journals():
            try:
                lines = offer(contents).lines()
            except ResumeError:
                continue  # no header: nothing to set up again (history still lists it)
            problem, can_resume, changed = None, True, False
            try:
                state, path = script_state(contents)
            except ResumeError as error:
                said = tr_error(error)
                problem, can_resume = f"{said[:1].upper()}{said[1:]}.", False
            else:
                if state == "changed":
                    changed = True
                    problem = _(
                        "{file} has changed since it began: resuming runs the changed script "
                        "from the same place."
                    ).format(file=path.name)
            offers.append(Unfinished(contents, lines, problem, can_resume, changed))
        self.app.call_from_thread(self.offer_unfinished, offers)

    def offer_unfinished(self, offers: list[Unfinished]) -> None:
        """Offer the first session that did not finish: resume it, discard it, or later."""
        if not offers or not self.is_attached:
            return
        from circlekeeper.tui.screens.dialogs import ResumeOfferDialog

        first, rest = offers[0], offers[1:]

        def chosen(choice: str | None) -> None:
            if choice == "resume":
                problem = self.ck.resume_session(first.contents, changed_ok=first.changed)
                if problem is not None:
                    self.notify(problem, title=_("Cannot resume"), severity="error", timeout=12)
            elif choice == "discard":
                self.ck.guard(N_("discarding the session"), self._discard, first)
                self.offer_unfinished(rest)

        dialog = ResumeOfferDialog(
            first.lines, first.problem, can_resume=first.can_resume, more=len(rest)
        )
        self.app.push_screen(dialog, chosen)

    def _discard(self, unfinished: Unfinished) -> None:
        from circlekeeper.records.journal import discard_journal

        problem = discard_journal(unfinished.contents.path)
        if problem is not None:
            self.notify(tr(problem), title=_("Not discarded"), severity="error", timeout=10)
        else:
            self.notify(
                _("Discarded. It stays in `circlekeeper history` and is not offered again."),
                timeout=6,
            )

    def _after_first_frame(self) -> None:
        self._preview(self._entry(self.query_one(OptionList).highlighted_option))
        # Check only now: the thread imports pydantic and the YAML parser, and would hold the
        # interpreter while the first frame is drawn. With nothing to check it still loads
        # them, so that opening a practice does not wait for them.
        self._start_check(self._first, False)
        self._look_for_unfinished()

    # -- reading and checking ---------------------------------------------------------------

    def _read(self) -> Library:
        """Read the library from the index; a failure is shown, never fatal."""
        try:
            library = read_library(self.extra_dirs)
        except Exception as error:
            self.ck.report_error(N_("reading the library"), error)
            library = Library((), (), {})
        self.entries = {entry.key: entry for entry in library.entries}
        return library

    def _start_check(self, library: Library, everything: bool) -> None:
        todo = [e for e in library.entries if everything or e.needs_check]
        order = {entry.key: n for n, entry in enumerate(self._ordered())}
        todo.sort(key=lambda e: order.get(e.key, len(order)))  # top of the list first
        self.progress = (0, len(todo)) if todo else None
        self._show_status()
        self._check(library, todo)

    @work(thread=True, exit_on_error=False, exclusive=True, group="library")
    def _check(self, library: Library, todo: list[Entry]) -> None:
        """In a thread: check `todo`, hand the results over in batches, save the index."""
        from circlekeeper.library.index import check_entry, save_index

        worker = get_current_worker()
        final = {entry.key: entry for entry in library.entries}
        batch: list[Entry] = []
        for done, entry in enumerate(todo, start=1):
            if worker.is_cancelled:
                return
            checked = check_entry(entry)
            final[checked.key] = checked
            batch.append(checked)
            if len(batch) >= CHECK_BATCH or done == len(todo):
                self.post_message(self.Checked(tuple(batch), done, len(todo)))
                batch = []
        if not todo:
            from circlekeeper.library import describe  # noqa: F401  (warm up for enter)
        if not worker.is_cancelled:
            try:
                save_index(library, final.values())
            except OSError as error:  # costs the next start its speed, nothing else
                log.warning("could not save the library index: %s", error)

    def on_library_screen_checked(self, message: Checked) -> None:
        """Scripts checked in the background: the list follows."""
        for entry in message.entries:
            if entry.key in self.entries:
                self.entries[entry.key] = entry
        done = message.done >= message.total
        self.progress = None if done else (message.done, message.total)
        self._refill()

    def action_reload(self) -> None:
        """Read the folders again and check every script now, whatever the index says."""
        library = self._read()
        self._refill()
        self._start_check(library, True)

    # -- the list ---------------------------------------------------------------------------

    def _ordered(self) -> list[Entry]:
        return [entry for _, group in grouped(self.entries.values()) for entry in group]

    def _options(self) -> list[Option]:
        options: list[Option] = []
        for heading, group in grouped(self.entries.values()):
            options.append(Option(Text(_(heading), style="bold"), disabled=True))
            options.extend(Option(entry_label(entry), id=entry.key) for entry in group)
        if not options:
            options.append(Option(_("No practices found."), disabled=True))
        return options

    def _refill(self, preview: bool = True) -> None:
        """Rebuild the list; the practice the facilitator moved to stays highlighted."""
        self.query_one(OptionList).set_options(self._options())
        self._highlight(self._picked, preview)
        self._show_status()

    def _highlight(self, key: str | None, preview: bool = True) -> None:
        """Highlight the practice `key` (else the first one) and show it in the preview."""
        listing = self.query_one(OptionList)
        index = None
        if key is not None:
            try:
                index = listing.get_option_index(key)
            except LookupError:
                index = None
        if index is None:
            index = next(
                (i for i, option in enumerate(listing.options) if not option.disabled), None
            )
        # Not announced: only a move the facilitator makes is a pick to keep across refills.
        with listing.prevent(OptionList.OptionHighlighted):
            listing.highlighted = index
        if preview:
            self._preview(self._entry(listing.highlighted_option))

    def _status(self) -> str:
        listed = sum(1 for entry in self.entries.values() if not entry.errors)
        broken = len(self.entries) - listed
        if not self.entries:
            from circlekeeper.paths import user_practices_dir

            return _("No practices yet: put your scripts in {folder}").format(
                folder=user_practices_dir()
            )
        status = ngettext("{n} practice", "{n} practices", listed).format(n=listed)
        if broken:
            status += ", " + ngettext(
                "{n} could not be loaded", "{n} could not be loaded", broken
            ).format(n=broken)
        if self.progress is not None:
            done, total = self.progress
            checking = _("checking new or changed scripts… {done}/{total}")
            return status + " · " + checking.format(done=done, total=total)
        return status + " · " + _("enter: set up the circle")

    def _show_status(self) -> None:
        self.query_one("#library-status", Static).update(self._status())

    def _entry(self, option: Option | None) -> Entry | None:
        if option is None or option.id is None:
            return None
        return self.entries.get(option.id)

    def _preview(self, entry: Entry | None) -> None:
        if entry is not None:
            self.query_one("#preview", Static).update(preview_text(entry))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """The facilitator moved to a practice: preview it, and keep it through refills."""
        self._picked = event.option.id
        self._preview(self._entry(event.option))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a practice: set up the circle."""
        self._open(self._entry(event.option))

    # -- opening ----------------------------------------------------------------------------

    def action_choose(self) -> None:
        """Set up the highlighted practice."""
        self._open(self._entry(self.query_one(OptionList).highlighted_option))

    def _open(self, entry: Entry | None) -> None:
        if entry is not None:
            self._load(entry)

    @work(thread=True, exit_on_error=False, exclusive=True, group="open")
    def _load(self, entry: Entry) -> None:
        """In a thread: load and validate the file itself, whatever the list says."""
        from circlekeeper.library.describe import load_and_check

        practice, record = load_and_check(entry.path)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(with_record(entry, record), practice))

    def on_library_screen_loaded(self, message: Loaded) -> None:
        """The script is loaded: set up the circle, or flag it with its errors."""
        entry = message.entry
        if entry.key in self.entries and self.entries[entry.key] != entry:
            self.entries[entry.key] = entry
            self._refill()
        if message.practice is None:
            self.notify(_("This script has errors: see the preview."), severity="warning")
            return
        if not self.is_current:
            return
        from circlekeeper.tui.screens.setup import SetupScreen

        self.app.push_screen(SetupScreen(message.practice, entry.path))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Checking or loading failed as a whole: say so (each script's own errors are listed)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.progress = None
            self.ck.report_error(N_("checking the library"), event.worker.error)
            self.query_one("#library-status", Static).update(
                _("Could not check the library: {problem}").format(
                    problem=tr_error(event.worker.error)
                )
            )
