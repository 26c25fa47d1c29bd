"""The practice library: built-in practices and the user's own, grouped by kind, with a preview.

Scripts are loaded in a thread after the first frame (pydantic and YAML are not cheap), and
a script that fails to load is listed with its error: never hidden, never fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from circlekeeper.tui.format import duration_text
from circlekeeper.tui.host import AppHost, host_of

if TYPE_CHECKING:
    from circlekeeper.script.model import Practice

KIND_TITLES = {
    "check-in": "Check-in",
    "check-out": "Check-out",
    "sit": "Sitting",
    "feedback": "Feedback",
    "conflict": "Conflict repair",
    "decision": "Decisions",
    "convergence": "Convergence",
    "dyad": "Dyads",
    "other": "Other",
}


@dataclass
class Entry:
    """One script in the library: loaded, or with the errors that stopped it."""

    path: Path
    origin: str
    practice: Practice | None = None
    errors: list[str] = field(default_factory=list)
    estimate: float | None = None
    steps: list[tuple[str, str, float]] = field(default_factory=list)
    size: int = 6

    @property
    def title(self) -> str:
        """The practice's title, or the file name when it did not load."""
        return self.practice.title if self.practice else self.path.name


def practice_dirs(extra_dirs: list[Path]) -> list[tuple[str, Path]]:
    """(origin, folder) for every place practices come from, built-in first."""
    from circlekeeper.paths import builtin_practices_dir, user_practices_dir

    dirs = [("built-in", builtin_practices_dir()), ("yours", user_practices_dir())]
    dirs += [(d.name or str(d), d) for d in extra_dirs]
    return dirs


def load_entries(extra_dirs: list[Path]) -> list[Entry]:
    """Load every practice; a failure becomes an entry with its error."""
    from circlekeeper.engine.projection import estimate_seconds, step_estimates
    from circlekeeper.script.errors import ScriptErrors
    from circlekeeper.script.loader import load_practice
    from circlekeeper.script.resolve import iter_practice_files

    entries: list[Entry] = []
    seen: set[Path] = set()
    for origin, folder in practice_dirs(extra_dirs):
        if not folder.is_dir():
            continue
        try:
            files = iter_practice_files([folder])
        except Exception as error:  # an unreadable folder is one error line, not a crash
            entries.append(Entry(folder, origin, errors=[f"{folder}: {error}"]))
            continue
        for path in files:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            entry = Entry(path, origin)
            try:
                practice = load_practice(path)
            except ScriptErrors as error:
                entry.errors = [str(e) for e in error.errors] or [str(error)]
            except Exception as error:
                entry.errors = [f"{path}: {type(error).__name__}: {error}"]
            else:
                entry.practice = practice
                entry.size = practice.size.ideal or max(
                    practice.size.min, min(6, practice.size.max)
                )
                try:
                    entry.estimate = estimate_seconds(practice, entry.size)
                    entry.steps = list(step_estimates(practice, entry.size))
                except Exception as error:
                    entry.errors = [f"{path}: cannot estimate the duration: {error}"]
            entries.append(entry)
    return entries


def preview_text(entry: Entry) -> Text:
    """The preview pane: summary, steps with times, sources; or the errors."""
    text = Text()
    if entry.practice is None:
        text.append(f"{entry.path.name}\n", style="bold")
        text.append("This script could not be loaded:\n\n", style="bold")
        for error in entry.errors:
            # The folder is known from the list; the file name keeps the line readable.
            text.append(error.replace(str(entry.path), entry.path.name) + "\n")
        text.append("\nFix it and press r to reload. `circlekeeper check` says the same.")
        return text
    practice = entry.practice
    text.append(f"{practice.title}\n", style="bold")
    text.append(f"{KIND_TITLES.get(practice.kind, practice.kind)} · {entry.origin}\n")
    if practice.summary:
        text.append(f"\n{practice.summary}\n")
    size = practice.size
    text.append(f"\nFor {size.min}-{size.max} people")
    if entry.estimate is not None:
        text.append(f"; about {duration_text(entry.estimate)} with {entry.size}")
    text.append("\n\nSteps\n", style="bold")
    for title, kind, seconds in entry.steps:
        text.append(f"  {title}", style="")
        text.append(f"  {kind}, {duration_text(seconds)}\n", style="dim")
    if practice.roles:
        names = ", ".join(r.id for r in practice.roles)
        text.append(f"\nRoles: {names}\n")
    if practice.sources:
        text.append("\nSources\n", style="bold")
        for source in practice.sources:
            line = source.title
            if source.author:
                line += f", {source.author}"
            if source.url:
                line += f" <{source.url}>"
            if source.licence:
                line += f" ({source.licence})"
            text.append(f"  {line}\n")
    if entry.errors:
        text.append("\n" + "\n".join(entry.errors), style="italic")
    text.append(f"\n{entry.path.name}", style="dim")
    return text


class LibraryScreen(Screen[None]):
    """Pick a practice; enter sets up the circle."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Set up", id="library.choose", show=True, priority=False),
        Binding("r", "reload", "Reload", id="library.reload"),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    def __init__(self, extra_dirs: list[Path]) -> None:
        super().__init__(id="library")
        self.extra_dirs = extra_dirs
        self.entries: list[Entry] = []

    @property
    def ck(self) -> AppHost:
        """The app, as far as a screen may ask of it."""
        return host_of(self)

    def compose(self) -> ComposeResult:
        with Horizontal(id="library-main"):
            yield OptionList(Option("Loading practices…", disabled=True), id="library-list")
            with VerticalScroll(id="library-preview"):
                yield Static("", id="preview")
        yield Static("", id="library-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        # Load after the first frame is out: the loading thread imports pydantic and YAML,
        # and would hold the interpreter while the screen is still being drawn.
        self.call_after_refresh(self.action_reload)

    def action_reload(self) -> None:
        """Load (again) every practice, in a thread."""
        self._load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="library")
    def _load(self) -> None:
        entries = load_entries(self.extra_dirs)
        self.app.call_from_thread(self.show_entries, entries)

    def show_entries(self, entries: list[Entry]) -> None:
        """Fill the list, grouped by kind; broken scripts last, with their errors."""
        self.entries = entries
        options: list[Option | None] = []
        loaded = [e for e in entries if e.practice is not None]
        broken = [e for e in entries if e.practice is None]
        for kind, title in KIND_TITLES.items():
            group = sorted(
                (e for e in loaded if e.practice and e.practice.kind == kind),
                key=lambda e: e.title.casefold(),
            )
            if not group:
                continue
            options.append(Option(Text(title, style="bold"), disabled=True))
            for entry in group:
                label = f"  {entry.title}"
                if entry.estimate is not None:
                    label += f"  ({duration_text(entry.estimate)})"
                options.append(Option(label, id=str(entries.index(entry))))
        if broken:
            options.append(Option(Text("Could not load", style="bold"), disabled=True))
            for entry in broken:
                options.append(Option(f"  ⚠ {entry.path.name}", id=str(entries.index(entry))))
        listing = self.query_one(OptionList)
        listing.clear_options()
        if not options:
            listing.add_option(Option("No practices found.", disabled=True))
        else:
            listing.add_options(options)
            first = next(
                (i for i, o in enumerate(options) if o is not None and not o.disabled), None
            )
            if first is not None:
                listing.highlighted = first
        status = f"{len(loaded)} practices"
        if broken:
            status += f", {len(broken)} could not be loaded"
        status += " · enter: set up the circle · r: reload"
        self.query_one("#library-status", Static).update(status)

    def _entry(self, option: Option | None) -> Entry | None:
        if option is None or option.id is None:
            return None
        return self.entries[int(option.id)]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Preview the highlighted practice."""
        entry = self._entry(event.option)
        if entry is not None:
            self.query_one("#preview", Static).update(preview_text(entry))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a practice: set up the circle."""
        self._open(self._entry(event.option))

    def action_choose(self) -> None:
        """Set up the highlighted practice."""
        listing = self.query_one(OptionList)
        if listing.highlighted is not None:
            self._open(self._entry(listing.get_option_at_index(listing.highlighted)))

    def _open(self, entry: Entry | None) -> None:
        if entry is None:
            return
        if entry.practice is None:
            self.notify("This script has errors: see the preview.", severity="warning")
            return
        from circlekeeper.tui.screens.setup import SetupScreen

        self.app.push_screen(SetupScreen(entry.practice, entry.path))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Loading failed as a whole: say so (each script's own errors are in the list)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.ck.report_error("loading the library", event.worker.error)
            self.query_one("#library-status", Static).update(
                f"Could not load the library: {event.worker.error}"
            )
