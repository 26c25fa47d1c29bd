"""The circlekeeper Textual app: a thin driver around the engine, sound and records."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.driver import Driver as TextualDriver
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from circlekeeper import i18n
from circlekeeper.i18n import N_, Msg, _, msg, tr
from circlekeeper.tui import compositor
from circlekeeper.tui.commands import AppCommands, SessionCommands
from circlekeeper.tui.guard import Guarded
from circlekeeper.tui.themes import CIRCLE_THEME, HIGH_CONTRAST_THEME, THEMES

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    # The engine (and pydantic behind it) and sound load only when a session starts, so
    # the library's first frame does not wait for them.
    from circlekeeper.engine.session import Session
    from circlekeeper.engine.state import Snapshot
    from circlekeeper.records.journal import JournalContents
    from circlekeeper.share.server import ShareServer
    from circlekeeper.sound.api import SoundSink
    from circlekeeper.tui.config import SessionConfig
    from circlekeeper.tui.driver import ClockLike, Driver, JournalLike
    from circlekeeper.tui.screens.live import LiveScreen
    from circlekeeper.tui.sleep import SleepWatch

log = logging.getLogger(__name__)

# A partial update renders only the rows it shows (most of a running sit's CPU otherwise).
compositor.install()

P = ParamSpec("P")
T = TypeVar("T")

JOURNAL_RETRY = 2.0
"""Seconds between tries to write a journal's last records while the disk is full."""
APP_KEY_HELP = {
    "quit": (N_("Quit"), N_("end the session and quit (asks first)")),
    "toggle_contrast": (
        N_("High contrast"),
        N_("switch between the default and the high-contrast theme"),
    ),
}
"""What the help says of the app's own keys."""
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that end a session as a confirmed quit does: a system shutting down, `kill`, a
terminal window closed (SIGHUP)."""

SessionFactory = Callable[["SessionConfig"], "Session"]
JournalFactory = Callable[["SessionConfig"], "JournalLike"]


def default_session(config: SessionConfig) -> Session:
    """Build the real engine session for a config: the practice and the planned circle."""
    from circlekeeper.engine.session import Session

    return Session(config.practice, config.plan)


def default_clock() -> ClockLike:
    """The production clock: monotonic."""
    from circlekeeper.engine import MonotonicClock

    clock: ClockLike = MonotonicClock()
    return clock


class _Palette(Guarded, CommandPalette):
    """Textual's command palette, but a page key before its list is laid out (ctrl+p then
    page down, typed fast) does nothing instead of ending the app on a KeyError."""

    def _action_command_list(self, action: str) -> None:
        try:
            super()._action_command_list(action)
        except (KeyError, IndexError):
            log.debug("command palette: %s before the list was laid out", action)


class CircleKeeperApp(Guarded, App[int]):
    """Library → setup → live session → summary; or straight into a session."""

    CSS_PATH = "circlekeeper.tcss"
    TITLE = "circlekeeper"
    COMMANDS: ClassVar = App.COMMANDS | {SessionCommands, AppCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True, id="app.quit"),
        Binding("f2", "toggle_contrast", N_("Contrast"), show=False, id="contrast"),
    ]

    def __init__(
        self,
        *,
        config: SessionConfig | None = None,
        extra_dirs: Iterable[Path] = (),
        clock: ClockLike | None = None,
        wall: Callable[[], float] = time.time,
        since_boot: Callable[[], float] | None = None,
        sink: SoundSink | None = None,
        session_factory: SessionFactory = default_session,
        journal_factory: JournalFactory | None = None,
        load_user_keymap: bool = True,
        high_contrast: bool = False,
        share_socket: socket.socket | None = None,
        resume: JournalContents | None = None,
        resume_changed_ok: bool = False,
    ) -> None:
        super().__init__()
        self.start_config = config
        self.start_resume = resume
        """A cut-short session to resume straight away (`run --resume`)."""
        self.resume_changed_ok = resume_changed_ok
        self.exit_message: str | None = None
        """Why the app gave up before it could begin (said on the terminal after it exits)."""
        self.waiting_journals: list[JournalLike] = []
        """Journals whose last records wait for disk space."""
        self.extra_dirs = list(extra_dirs)
        self._clock = clock
        self.real_clock = clock is None
        """The session runs on `time.monotonic` (not a test's clock)."""
        self.wall = wall
        self.since_boot = since_boot
        """A clock that runs on while the computer sleeps, beside a test's own `clock` (the
        real clock has `CLOCK_BOOTTIME`); without one, a test's session never sleeps."""
        self.given_sink = sink
        self.session_factory = session_factory
        self.journal_factory = journal_factory
        self.load_user_keymap = load_user_keymap
        self.user_keymap: dict[str, str] = {}
        self.driver: Driver | None = None
        self.errors: list[str] = []
        self.share_socket = share_socket
        """The shared view's port, taken by the command line before the terminal was."""
        self.share: ShareServer | None = None
        self.share_failure: str | None = None
        """Why the shared view stopped or never started (the live screen says so)."""
        self.ended_by: signal.Signals | None = None
        """The signal (SIGTERM, SIGHUP) that ended the app, if one did."""
        self._caught: list[signal.Signals] = []
        for theme in THEMES:
            self.register_theme(theme)
        # Set before the first stylesheet parse, without the watcher: assigning `theme`
        # here would parse the whole stylesheet a second time before the first frame. So the
        # theme's classes and variables are set through public API, and the first parse
        # uses them. Every theme of ours is dark, like Textual's default, so the ANSI colour
        # filter App.__init__ made for a dark theme is already the right one.
        theme = HIGH_CONTRAST_THEME if high_contrast else CIRCLE_THEME
        self.set_reactive(CircleKeeperApp.theme, theme.name)
        self.set_class(True, f"-theme-{theme.name}")
        self.set_class(theme.dark, "-dark-mode")
        self.set_class(not theme.dark, "-light-mode")
        self.stylesheet.set_variables(self.get_css_variables())

    @property
    def clock(self) -> ClockLike:
        """The session clock (monotonic unless a test gave one)."""
        if self._clock is None:
            self._clock = default_clock()
        return self._clock

    # -- start-up ---------------------------------------------------------------------------

    def run(self, *args: Any, **kwargs: Any) -> int | None:
        """Run the app, with the garbage collector paused until the first frame is drawn.

        Start-up allocates mostly objects that live as long as the app; a full collection
        in the middle of it cost 20 ms on our test machine, for nothing.
        """
        gc.disable()
        try:
            return super().run(*args, **kwargs)
        finally:
            gc.enable()

    def get_driver_class(self) -> type[TextualDriver]:
        """Textual's driver for this platform; on Linux, one whose input thread sleeps
        until a key comes (see `tui/terminal.py`)."""
        driver = super().get_driver_class()
        linux = sys.modules.get("textual.drivers.linux_driver")
        if linux is not None and driver is linux.LinuxDriver:
            from circlekeeper.tui.terminal import QuietLinuxDriver

            return QuietLinuxDriver
        return driver

    def on_mount(self) -> None:
        self.call_after_refresh(gc.enable)  # the first frame is out (see `run`)
        self._catch_ending_signals()
        # Back from a suspend (SIGTSTP, then fg): Textual repaints only on a change of size,
        # and the terminal's screen was cleared meanwhile, so the session could stay blank
        # until something on it changed. Repaint all of it.
        self.app_resume_signal.subscribe(self, lambda _: self.refresh(layout=True))
        if self.load_user_keymap:
            self.guard(N_("loading the keymap"), self._load_keymap)
        if self.start_config is not None:
            self.start_session(self.start_config)
        elif self.start_resume is not None:
            problem = self.resume_session(self.start_resume, changed_ok=self.resume_changed_ok)
            if problem is not None:
                self.exit_message = problem
                self.exit(2)

    def get_default_screen(self) -> Screen[Any]:
        """The library is the base screen (no blank screen drawn first)."""
        if self.start_config is not None or self.start_resume is not None:
            return super().get_default_screen()
        from circlekeeper.tui.screens.library import LibraryScreen

        return LibraryScreen(self.extra_dirs)

    def _load_keymap(self) -> None:
        from circlekeeper.tui.keymap import load_keymap

        keymap, problem = load_keymap()
        self.user_keymap = keymap
        if keymap:
            self.set_keymap(keymap)
        if problem:
            self.notify(problem, title=_("Keymap"), severity="warning", timeout=8)

    def start_session(self, config: SessionConfig, prepared: SoundSink | None = None) -> None:
        """Set up the driver and open the live screen; sound loads behind it.

        `prepared` is a sink the setup screen already loaded (and asked to pre-render the
        prompts), so speech is ready when the circle starts. The interface speaks the
        session's language from here on.
        """
        i18n.set_language(config.language)
        driver = self._make_driver(config, self.session_factory(config), prepared)
        # What `plan_circle` found worth saying (a circle outside the practice's size, a
        # role given to someone not there), and who holds a role nobody chose: said in the
        # session itself, however it was started (the setup screen, or `run`).
        for warning in config.plan.warnings:
            self.notify(tr(warning), title=_("Before you start"), severity="warning", timeout=12)
        from circlekeeper.tui.format import defaulted_roles_line

        defaulted = defaulted_roles_line(config.practice, config.plan)
        if defaulted:
            self.notify(defaulted, title=_("Roles"), timeout=12)
        if self.journal_factory is not None:
            try:
                driver.journal = self.journal_factory(config)
                driver.session_id = driver.journal.id
            except Exception as error:
                self.report_error(N_("opening the journal"), error)
        self._open_live(driver, prepared)

    def resume_session(self, contents: JournalContents, *, changed_ok: bool = False) -> str | None:
        """Set a cut-short session up again from its journal and open it, held in a
        guardian pause: the same step, speaker and time left, the airtime so far.

        Returns why it cannot be resumed (a sentence for the facilitator), or None.
        """
        from circlekeeper.records.journal import Journal
        from circlekeeper.records.resume import ResumeError, rebuild
        from circlekeeper.tui.config import SessionConfig

        try:
            # Rebuilt on this app's clock, and held at the same moment: not a
            # millisecond of the speaker's time passes in between.
            back = rebuild(contents, self.clock.now(), changed_ok=changed_ok)
        except ResumeError as error:
            return tr(error.args[0]) if error.args else str(error)
        journal = Journal.reopen(contents.path, at=back.at)
        if not journal.held:
            return tr(journal.error or "") or _("the journal could not be opened to carry on")
        options = back.options
        device, share = options.get("device"), options.get("share")
        config = SessionConfig(
            practice=back.practice,
            path=back.practice_path,
            plan=back.plan,
            silent=options.get("silent") is True,
            device=device if isinstance(device, str) else None,
            announce=options.get("announce") is True,
            share=share if isinstance(share, str) else None,
            circle_name=back.circle_name,
        )
        i18n.set_language(config.language)
        driver = self._make_driver(config, back.session, None)
        driver.journal = journal
        driver.session_id = journal.id
        driver.recorded_t = back.at
        header = contents.header
        driver.started_wall = header.started_wall if header is not None else None
        driver.hold_for_resume(back.replayed.events)
        for warning in back.warnings:
            self.notify(tr(warning), title=_("Resumed"), severity="warning", timeout=10)
        self._open_live(driver, None)
        return None

    def _make_driver(
        self, config: SessionConfig, session: Session, prepared: SoundSink | None
    ) -> Driver:
        from circlekeeper.tui.driver import Driver

        if self.driver is not None:  # a session before this one: its sound is done with
            self.driver.release_sound()
        sink = self.given_sink or prepared
        if sink is None and config.silent:
            from circlekeeper.sound.api import NullSink

            sink = NullSink(msg("silent"))
        driver = Driver(
            config, session, self.clock, wall=self.wall, sink=sink, sleep=self._sleep_watch()
        )
        self.driver = driver
        return driver

    def _sleep_watch(self) -> SleepWatch | None:
        """What notices the computer sleeping: on the real clock, the system's; on a test's
        clock, its `since_boot` (none given: the test's session never sleeps)."""
        from circlekeeper.tui.sleep import SleepWatch, system_sleep_watch

        if self.since_boot is not None:
            return SleepWatch(self.clock.now, self.since_boot)
        if self.real_clock:
            return system_sleep_watch(self.wall)
        return None

    def _open_live(self, driver: Driver, prepared: SoundSink | None) -> None:
        from circlekeeper.tui.screens.live import LiveScreen

        if driver.config.share is not None:
            self.guard(N_("starting the shared view"), self._start_share, driver)
        self.push_screen(LiveScreen(driver))
        if self.given_sink is not None:
            self.guard(N_("preparing speech"), self._prepare, driver, self.given_sink)
        elif prepared is None and not driver.config.silent:
            self.run_worker(
                lambda: self._load_sound(driver),
                thread=True,
                exit_on_error=False,
                group="sound",
                name="load-sound",
            )

    def _prepare(self, driver: Driver, sink: SoundSink) -> None:
        driver.sound.prepare()

    def _load_sound(self, driver: Driver) -> None:
        """In a thread: load the audio stack (numpy, PortAudio) after the first frame."""
        from circlekeeper.tui.soundload import practice_sink

        config = driver.config
        sink = practice_sink(
            config.practice, config.path, device=config.device, language=driver.language
        )
        self.call_from_thread(driver.replace_sink, sink)
        self._prepare(driver, sink)

    # -- the shared view ----------------------------------------------------------------

    def _start_share(self, driver: Driver) -> None:
        """Serve the shared view in this event loop; a failure is a banner, never fatal."""
        from circlekeeper.share import ShareError, bind, parse_address

        self._stop_share()
        self.share_failure = None
        sock, self.share_socket = self.share_socket, None
        try:
            if sock is None:
                sock = bind(*parse_address(driver.config.share))
        except ShareError as error:
            self.share_failed(error.args[0] if error.args else str(error))
            return
        # aiohttp and segno load only now, when sharing is asked for.
        from circlekeeper.script.texts import translations
        from circlekeeper.share.server import ShareServer

        language = driver.language
        server = ShareServer(
            sock,
            language=language,
            translations=translations(driver.config.practice, language),
            on_failure=self.share_failed,
        )
        self.share = server
        self.run_worker(server.start(), exit_on_error=False, group="share", name="shared view")

    def _stop_share(self) -> None:
        server, self.share = self.share, None
        if server is not None:
            self.run_worker(server.close(), exit_on_error=False, group="share", name="share-close")

    def share_update(self, snap: Snapshot) -> None:
        """Hand the shared view the session's latest picture (it sends only changes)."""
        if self.share is not None:
            self.share.publish(snap)

    def share_bell(self) -> None:
        """A bell rang: every page flashes."""
        if self.share is not None:
            self.share.bell()

    def share_failed(self, message: str) -> None:
        """The shared view failed: the live screen says so; the session goes on."""
        log.warning("shared view: %s", message)
        self.share_failure = message
        live = self.live_screen
        if live is not None:
            self.guard(N_("showing the shared view's trouble"), live.show_share)

    async def on_unmount(self) -> None:
        """Close the shared view: its viewers see the session end, the port is freed."""
        loop = asyncio.get_running_loop()
        for sig in self._caught:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        self._caught = []
        server, self.share = self.share, None
        if server is not None:
            await server.close()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker failed: say so, keep going."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_error(
                msg(N_("the {name} task"), name=event.worker.name), event.worker.error
            )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification, always as written: messages quote practices, names and
        errors, whose `[` must never be read as markup (no message of ours uses markup);
        control characters are escaped. Thread-safe, like Textual's."""
        from circlekeeper.tui.format import shown

        super().notify(
            shown(message), title=shown(title), severity=severity, timeout=timeout, markup=False
        )

    # -- errors -----------------------------------------------------------------------------

    def guard(
        self, label: str, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T | None:
        """Run a handler; an exception is logged and shown, never fatal."""
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            self.report_error(label, error)
            return None

    def report_error(self, label: str, error: BaseException) -> None:
        """Log an error (in English) and show it on screen (in the interface's language;
        the error's own words are the program's, as they are)."""
        detail = f"{type(error).__name__}: {error}"
        log.error("Error in %s: %s", label, detail, exc_info=error)
        self.log.error(f"Error in {label}: {detail}")
        doing = tr(label) if isinstance(label, Msg) else _(label)
        message = _("Error in {what}: {error}").format(what=doing, error=detail)
        repeated = bool(self.errors) and self.errors[-1] == message
        self.errors.append(message)
        if repeated:  # a failure on every tick: one toast and the banner are enough
            return
        try:
            from circlekeeper.errorlog import current

            kept = current()
            details = _("Details: {path}").format(path=kept) if kept is not None else ""
            toast = f"{message}\n{details}" if details else message
            self.notify(
                toast, title=_("Something went wrong"), severity="error", timeout=10, markup=False
            )
            live = self.live_screen
            if live is not None:
                live.show_error(message)
        except Exception:  # showing the error must never be the second failure
            log.exception("could not show an error")

    @property
    def live_screen(self) -> LiveScreen | None:
        """The live session screen, if one is open."""
        from circlekeeper.tui.screens.live import LiveScreen

        for screen in self.screen_stack:
            if isinstance(screen, LiveScreen):
                return screen
        return None

    # -- the session's end ------------------------------------------------------------------

    @property
    def session_running(self) -> bool:
        """True while a session is started and not ended."""
        driver = self.driver
        return bool(driver and driver.session.started and not driver.session.ended)

    def session_finished(self, driver: Driver) -> None:
        """The session ended: record the circle's meeting, close the journal, show the
        summary."""
        from circlekeeper.tui.screens.summary import SummaryScreen

        self.guard(N_("recording the meeting"), self.record_meeting, driver)
        self.guard(N_("closing the journal"), self.close_journal, driver)
        driver.close()
        # The viewers see the end too (the live screen, which usually tells them, is closing).
        self.guard(N_("showing viewers the end"), lambda: self.share_update(driver.snapshot()))
        if self.live_screen is not None and self.screen is self.live_screen:
            self.switch_screen(SummaryScreen(driver))
        else:
            # A dialog is open over the live screen: show the summary once it closes.
            self.call_later(lambda: self.push_screen(SummaryScreen(driver)))

    def record_meeting(self, driver: Driver) -> None:
        """A saved circle met: remember it (with its host, its focus, its session), once,
        and the focus order it had, for the meetings to come.

        Recorded when the session ends, as planned or early; never when it starts, so a
        session cut short and discarded is no meeting.
        """
        name = driver.config.circle_name
        if name is None or driver.ended is None:
            return
        import datetime as dt

        from circlekeeper.records.circles import CircleStore

        plan = driver.config.plan
        started = driver.started_wall if driver.started_wall is not None else self.wall()
        try:
            CircleStore().record_meeting(
                name,
                driver.config.practice.title,
                plan.host,
                plan.focus,
                dt.date.fromtimestamp(started),
                driver.session_id,
                plan.focus_order,
            )
        except KeyError:
            self.notify(
                _("The circle “{name}” is no longer saved: this meeting was not recorded.").format(
                    name=name
                ),
                severity="warning",
                timeout=8,
            )

    def close_journal(self, driver: Driver) -> None:
        """Write the summary line and close the journal (or keep trying, if the disk is
        full)."""
        journal = driver.journal
        driver.journal = None
        if journal is None:
            return
        summary = None
        try:
            from circlekeeper.tui.screens.summary import summarize_driver

            summary = summarize_driver(driver)
        finally:
            journal.close(summary)
            if not journal.retry():
                self.waiting_journals.append(journal)
                if len(self.waiting_journals) == 1:
                    self.set_interval(JOURNAL_RETRY, self._retry_journals, name="journal-retry")

    def _retry_journals(self) -> None:
        """The disk was full: try again to write what waits."""
        self.waiting_journals = [j for j in self.waiting_journals if not j.retry()]

    def release_journals(self) -> list[str]:
        """On the way out: let go of every journal, whatever could not be written. Returns
        what was lost, a sentence each."""
        lost = []
        driver = self.driver
        journals = list(self.waiting_journals)
        if driver is not None and driver.journal is not None:
            journals.append(driver.journal)
        for journal in journals:
            said = journal.abandon()
            if said:
                lost.append(said)
        self.waiting_journals = []
        return lost

    def action_command_palette(self) -> None:
        """The command palette, unless one is open already under a dialog: Textual looks at
        the top screen only, and a second palette (ctrl+p, ctrl+q, ctrl+p) ended the app on
        a duplicate id."""
        if not self.use_command_palette or any(
            screen.id == "--command-palette" for screen in self.screen_stack
        ):
            return
        # It asks in the interface's language.
        self.push_screen(_Palette(placeholder=_("Search for commands…"), id="--command-palette"))

    async def action_quit(self) -> None:
        """Quit; during a live session ask first."""
        from circlekeeper.tui.screens.dialogs import ConfirmDialog

        if not self.session_running:
            self.exit(0)
            return
        if any(isinstance(s, ConfirmDialog) for s in self.screen_stack):
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.guard(N_("ending the session"), self._end_and_exit)

        self.push_screen(
            ConfirmDialog(
                _("End the session and quit circlekeeper?"), _("End and quit"), _("Keep going")
            ),
            answered,
        )

    def _end_and_exit(self, status: int = 0) -> None:
        from circlekeeper.engine.commands import End

        driver = self.driver
        if driver is not None and self.session_running:
            driver.do(End())
            self.guard(N_("recording the meeting"), self.record_meeting, driver)
            self.guard(N_("showing viewers the end"), lambda: self.share_update(driver.snapshot()))
            self.guard(N_("closing the journal"), self.close_journal, driver)
            driver.close()
        self.exit(status)

    def _catch_ending_signals(self) -> None:
        """SIGTERM and SIGHUP end the session as a confirmed quit does (journal closed,
        the meeting recorded, the terminal restored on the way out) instead of killing the
        process where it stands. Only where the event loop can take signals (its thread is
        the main one); otherwise the default stays."""
        loop = asyncio.get_running_loop()
        for sig in ENDING_SIGNALS:
            try:
                loop.add_signal_handler(sig, self._ending_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError) as error:
                log.info("cannot catch %s here: %s", sig.name, error)
                continue
            self._caught.append(sig)

    def _ending_signal(self, sig: signal.Signals) -> None:
        """A signal asked the app to end: end the session, close the journal, leave."""
        log.warning("%s: ending the session and leaving", sig.name)
        self.ended_by = sig
        # SIGHUP: the terminal is gone. Whatever is drawn now goes nowhere; the records
        # come first, before anything tries to write to it.
        self.guard(N_("ending the session"), self._end_and_exit, 128 + sig.value)

    def release_sound(self, linger: float = 0.0) -> None:
        """Let the sound device go once the app is done; a bell still ringing (the closing
        bell under the summary) may sound up to `linger` seconds, then fades out. Waits."""
        driver = self.driver
        if driver is None:
            return
        sink = driver.sink
        driver.release_sound(linger)
        wait_closed = getattr(sink, "wait_closed", None)
        if wait_closed is not None:
            try:
                wait_closed(linger + 2.0)
            except Exception as error:
                log.warning("waiting for sound to close failed: %s", error)

    def action_suspend_process(self) -> None:
        """Never suspend during a live session: the terminal must stay with the circle."""
        if self.session_running:
            self.notify(_("Suspending is off during a live session."), severity="warning")
            return
        super().action_suspend_process()

    def action_toggle_contrast(self) -> None:
        """Switch between the default and the high-contrast theme."""
        high = self.theme == HIGH_CONTRAST_THEME.name
        self.theme = CIRCLE_THEME.name if high else HIGH_CONTRAST_THEME.name

    # -- keys -------------------------------------------------------------------------------

    def key_rows(
        self, bindings: Iterable[Binding], commands: Iterable[tuple[str, str, str]]
    ) -> list[tuple[str, str]]:
        """(keys, what) for the help screen, with the user's keymap applied: the screen's
        keys, then the app's own (F2, ctrl+q), which work on every screen."""
        helps = {action: f"{_(title)}: {_(help)}" for action, title, help in commands}
        helps.update({action: f"{_(t)}: {_(h)}" for action, (t, h) in APP_KEY_HELP.items()})
        rows: list[tuple[str, str]] = []
        own = [b for b in self.BINDINGS if isinstance(b, Binding)]
        for binding in [*bindings, *own]:
            if (binding.id or "").startswith("pick-"):  # shown as one "1-9" row below
                continue
            keys = self.user_keymap.get(binding.id or "", binding.key)
            shown = ", ".join(self.get_key_display(Binding(key, "", "")) for key in keys.split(","))
            rows.append((shown, helps.get(binding.action, _(binding.description))))
        rows.append(("1-9", _("popcorn: the person with that number speaks next")))
        rows.append((self.get_key_display(Binding("ctrl+p", "", "")), _("all commands")))
        return rows

    # -- Textual's own commands, in the interface's language --------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette's app-wide commands (Textual's own, translated)."""
        yield SystemCommand(_("Theme"), _("Change the current theme"), self.action_change_theme)
        yield SystemCommand(
            _("Quit"), _("Quit circlekeeper (asks first during a session)"), self.action_quit
        )
        if screen.query("HelpPanel"):
            yield SystemCommand(
                _("Key panel"), _("Hide the panel of keys"), self.action_hide_help_panel
            )
        else:
            yield SystemCommand(
                _("Key panel"),
                _("Show the keys of this screen beside it"),
                self.action_show_help_panel,
            )
        if screen.maximized is not None:
            yield SystemCommand(_("Minimize"), _("Back to the normal size"), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(
                _("Maximize"), _("Let the focused part fill the screen"), screen.action_maximize
            )
        yield SystemCommand(
            _("Screenshot"),
            _("Save a picture of the screen (SVG)"),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )


def make_app(
    *,
    config: SessionConfig | None = None,
    extra_dirs: Iterable[Path] = (),
    clock: ClockLike | None = None,
    wall: Callable[[], float] = time.time,
    since_boot: Callable[[], float] | None = None,
    sink: SoundSink | None = None,
    session_factory: SessionFactory = default_session,
    journal_factory: JournalFactory | None = None,
    load_user_keymap: bool = True,
    high_contrast: bool = False,
    share_socket: socket.socket | None = None,
    resume: JournalContents | None = None,
    resume_changed_ok: bool = False,
) -> CircleKeeperApp:
    """Build the app without parsing arguments (tests, benchmarks)."""
    return CircleKeeperApp(
        config=config,
        extra_dirs=extra_dirs,
        clock=clock,
        wall=wall,
        since_boot=since_boot,
        sink=sink,
        session_factory=session_factory,
        journal_factory=journal_factory,
        load_user_keymap=load_user_keymap,
        high_contrast=high_contrast,
        share_socket=share_socket,
        resume=resume,
        resume_changed_ok=resume_changed_ok,
    )
