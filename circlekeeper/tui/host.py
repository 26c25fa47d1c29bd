"""What screens may ask of the app, as a protocol: screens never import the app module.

The app (`tui/app.py`) satisfies `AppHost`; a screen reaches it with `host_of(self)`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ParamSpec, Protocol, TypeVar, cast, runtime_checkable

from textual.binding import Binding
from textual.dom import DOMNode

if TYPE_CHECKING:
    from circlekeeper.engine.state import Snapshot
    from circlekeeper.records.journal import JournalContents
    from circlekeeper.share.server import ShareServer
    from circlekeeper.sound.api import SoundSink
    from circlekeeper.tui.config import SessionConfig
    from circlekeeper.tui.driver import Driver

P = ParamSpec("P")
T = TypeVar("T")


@runtime_checkable
class AppHost(Protocol):
    """The app's side of every screen."""

    errors: list[str]
    """Every error reported so far, newest last."""
    given_sink: SoundSink | None
    """A sound sink given from outside (tests), used instead of loading one."""
    share: ShareServer | None
    """The room's shared view, while it serves."""
    share_failure: str | None
    """Why the shared view stopped or never started."""

    def guard(
        self, label: str, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T | None:
        """Run `fn`; an exception is logged and shown, never fatal."""
        ...

    def report_error(self, label: str, error: BaseException) -> None:
        """Log an error and show it on screen."""
        ...

    def start_session(self, config: SessionConfig, prepared: SoundSink | None = None) -> None:
        """Open the live session for `config` (with a sink already prepared, if any)."""
        ...

    def resume_session(self, contents: JournalContents, *, changed_ok: bool = False) -> str | None:
        """Open a cut-short session again, held in a guardian pause; why not, if it cannot."""
        ...

    def session_finished(self, driver: Driver) -> None:
        """The session ended: close the journal and show the summary."""
        ...

    def share_update(self, snap: Snapshot) -> None:
        """Hand the shared view the session's latest picture."""
        ...

    def share_bell(self) -> None:
        """A bell rang: every page flashes."""
        ...

    def key_rows(
        self, bindings: Iterable[Binding], commands: Iterable[tuple[str, str, str]]
    ) -> list[tuple[str, str]]:
        """(keys, what) for the help screen, with the user's keymap applied."""
        ...


_HOSTS: weakref.WeakSet[object] = weakref.WeakSet()
"""Apps already found to be hosts: a runtime protocol check looks up every member each
time (0.1 ms), and the live screen asks for its host several times a second."""


def host_of(node: DOMNode) -> AppHost:
    """The app a screen or widget runs in, as its host."""
    app = node.app
    if app in _HOSTS:
        return cast(AppHost, app)
    if not isinstance(app, AppHost):
        raise TypeError(f"{type(app).__name__} is not a circlekeeper app")
    _HOSTS.add(app)
    return app
