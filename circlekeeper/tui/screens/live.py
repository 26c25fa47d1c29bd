"""The live session: big countdown, the circle and the stick, the agenda, every key."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static

from circlekeeper.engine.commands import (
    Command,
    Confirm,
    Decide,
    End,
    Extend,
    Listener,
    LowerHand,
    More,
    Next,
    NextPair,
    Note,
    Pass,
    Pause,
    Pick,
    RaiseHand,
    Respond,
    Resume,
    RingBell,
    Skip,
    Undo,
)
from circlekeeper.engine.events import (
    AgendaChanged,
    BellDue,
    Event,
    Paused,
    Refused,
    Resumed,
    SessionEnded,
    TimeChanged,
    Undone,
)
from circlekeeper.i18n import N_, _, msg, tr
from circlekeeper.script.texts import localize
from circlekeeper.tui import collect
from circlekeeper.tui.driver import CHECKPOINT_EVERY, CHECKPOINT_SKIP
from circlekeeper.tui.format import (
    capitalized,
    clock_text,
    duration_text,
    kind_word,
    meeting_line,
    plain,
    response_word,
    shown,
    time_changed_text,
    wall_hhmm,
)
from circlekeeper.tui.guard import Guarded, guarded_callback
from circlekeeper.tui.host import AppHost, host_of
from circlekeeper.tui.local import LocalScreen, styles
from circlekeeper.tui.widgets.agenda import AgendaView
from circlekeeper.tui.widgets.circle import CircleView
from circlekeeper.tui.widgets.qrcode import QR_BESIDE, QR_HEIGHT, QR_WIDTH, QRCode
from circlekeeper.tui.widgets.talk import TalkView
from circlekeeper.tui.widgets.timer import BigTimer

if TYPE_CHECKING:
    from circlekeeper.engine.state import Snapshot
    from circlekeeper.tui.driver import Driver
    from circlekeeper.tui.screens.agenda import AgendaFlows

log = logging.getLogger(__name__)

WidgetT = TypeVar("WidgetT", bound=Widget)

TICK_MIN = 0.05
TICK_MAX = 1.0
"""The tick is scheduled for the moment the shown second changes (or a cue is due), within
these bounds; the time shown always comes from the clock, never from counting ticks."""
EXTEND_SECONDS = 30.0
COMPACT_WIDTH = 60
COMPACT_HEIGHT = 16
"""Below either, the live screen drops its side panel and the timer's frame."""
READY_WAIT_S = 10.0
"""Longest the session waits for sound to get ready before it starts anyway (a slow
machine still starts; its first cues may then be late)."""
READY_POLL_S = 0.05

SESSION_BINDINGS: list[Binding] = [
    # "␣" for space keeps all eleven keys in an 80-column footer.
    # "k" (the popcorn picker) is not in the footer: the speaker line says "1-9 or k".
    Binding(
        "space", "next", N_("Next"), id="next", key_display="␣", tooltip=N_("End this turn now")
    ),
    Binding("p", "pass_stick", N_("Pass"), id="pass", tooltip=N_("The speaker passes the stick")),
    Binding("plus", "extend", N_("More"), id="extend", key_display="+", tooltip=N_("30 s more")),
    Binding("minus", "shorten", N_("Less"), id="shorten", key_display="-", tooltip=N_("30 s less")),
    Binding("b", "bell", N_("Bell"), id="bell", tooltip=N_("Ring a bell now")),
    Binding("g", "guardian", N_("Pause"), id="guardian", tooltip=N_("Guardian pause / resume")),
    Binding("s", "skip", N_("Skip"), id="skip", tooltip=N_("Skip this step")),
    Binding("u", "undo", N_("Undo"), id="undo", tooltip=N_("Take back the last next or pass")),
    Binding("m", "mute", N_("Mute"), id="mute", tooltip=N_("Mute / unmute every cue")),
    # w: write a note. Not in the footer (it is full at 80 columns): the help lists it.
    Binding(
        "w",
        "note",
        N_("Note"),
        id="note",
        show=False,
        tooltip=N_("The scribe's note, for the reportback"),
    ),
    Binding(
        "k",
        "picker",
        N_("Pick"),
        id="picker",
        show=False,
        tooltip=N_("Popcorn: pick who speaks next"),
    ),
    Binding(
        "v", "share_code", N_("Share"), id="share", show=False, tooltip=N_("The shared view's link")
    ),
    Binding("question_mark", "help", N_("Keys"), id="help", key_display="?"),
    Binding("q", "app.quit", N_("Quit"), id="quit", tooltip=N_("End the session and quit (asks)")),
    *[Binding(str(n), f"pick({n})", N_("Pick"), show=False, id=f"pick-{n}") for n in range(1, 10)],
    # The keys of exchanges, consent rounds and queues: listed on screen while they apply.
    Binding("c", "confirm", N_("Confirm"), id="confirm", show=False, tooltip=N_("Exchange: heard")),
    Binding(
        "a", "more", N_("Add"), id="more", show=False, tooltip=N_("Exchange: the speaker adds")
    ),
    Binding("n", "next_pair", N_("Next pair"), id="next-pair", show=False),
    Binding("l", "listener", N_("Listener"), id="listener", show=False),
    Binding("r", "respond", N_("Respond"), id="respond", show=False, tooltip=N_("Consent round")),
    Binding(
        "d", "decide", N_("Decide"), id="decide", show=False, tooltip=N_("End a consent round")
    ),
    Binding("h", "raise_hand", N_("Ask to speak"), id="raise", show=False, tooltip=N_("Queue")),
    # The agenda: off the footer too (it is full at 80 columns); the side agenda says "e".
    Binding("e", "agenda", N_("Agenda"), id="agenda", show=False, tooltip=N_("Change the agenda")),
    Binding(
        "t", "add_topic", N_("Topic"), id="topic", show=False, tooltip=N_("Note a topic for later")
    ),
]

# What the help screen and the command palette say about each action.
COMMANDS: list[tuple[str, str, str]] = [
    ("next", N_("Next"), N_("end this turn (or this step) now")),
    ("pass_stick", N_("Pass"), N_("the speaker passes the stick")),
    ("extend", N_("More time"), N_("30 seconds more for this turn (or step)")),
    ("shorten", N_("Less time"), N_("30 seconds less for this turn (or step)")),
    ("bell", N_("Bell"), N_("ring a bell now")),
    ("guardian", N_("Guardian pause"), N_("every timer freezes; again to resume")),
    ("skip", N_("Skip step"), N_("skip this step")),
    ("undo", N_("Undo"), N_("take back the last next or pass")),
    ("mute", N_("Mute"), N_("mute / unmute every cue")),
    ("note", N_("Note"), N_("the scribe's note, for the reportback")),
    ("picker", N_("Pick next speaker"), N_("popcorn rounds: choose who speaks (or 1-9)")),
    ("share_code", N_("Shared view"), N_("its link and QR code, for phones (--share)")),
    ("confirm", N_("Confirm"), N_("exchange: the speaker was heard; the pair is done")),
    ("more", N_("Add more"), N_("exchange: the speaker adds; the listener reflects again")),
    ("next_pair", N_("Next pair"), N_("exchange: end this pair now")),
    ("listener", N_("Choose the listener"), N_("exchange: who listens to the speaker")),
    (
        "respond",
        N_("Record a response"),
        N_("consent round: consent, concern, stand aside, objection"),
    ),
    ("decide", N_("End the consent round"), N_("as no consent, or amend and return")),
    ("raise_hand", N_("Ask to speak"), N_("queue: someone asks, with a kind of request")),
    ("agenda", N_("Agenda"), N_("change the steps to come; their times, the forecast end")),
    (
        "insert_step",
        N_("Agenda: insert a step"),
        N_("a round, silence, breakout, discussion or sit, next"),
    ),
    ("remove_step", N_("Agenda: remove a step"), N_("take a step still to come off the agenda")),
    ("move_step", N_("Agenda: move a step"), N_("a step still to come runs at another place")),
    (
        "step_length",
        N_("Agenda: change a step's length"),
        N_("how long a step still to come takes"),
    ),
    (
        "end_at",
        N_("Agenda: end at a time"),
        N_("the time left shared out so the session ends then"),
    ),
    ("add_topic", N_("Agenda: note a topic"), N_("to bring forward later")),
    ("bring_forward", N_("Agenda: bring a topic forward"), N_("a topic becomes the next step")),
    ("help", N_("Keys"), N_("this list")),
    ("end_session", N_("End session"), N_("end now and show the summary")),
    ("app.quit", N_("Quit"), N_("end the session and quit (asks first)")),
]


class LiveScreen(Guarded, LocalScreen[None]):
    """Runs one session; the app's clock drives it through `Driver.tick`."""

    CSS_PATH = styles("live")

    BINDINGS: ClassVar[list[BindingType]] = list(SESSION_BINDINGS)
    KEEP_ON_FAILURE: ClassVar[bool] = True
    """A failure while the screen is built is reported, never takes it off: the session
    runs through it (see `guard`)."""

    def __init__(self, driver: Driver) -> None:
        super().__init__(id="live")
        self.driver = driver
        self._shown: dict[str, Any] = {}
        self._found: dict[str, Widget] = {}
        self._popcorn = False
        self._kind: str | None = None
        """The running step's kind: which of the talk keys apply."""
        self._slept = 0.0
        self._timer: Timer | None = None
        self._last_snap: Snapshot | None = None
        self._beat: asyncio.TimerHandle | None = None
        self._tick_handle: asyncio.TimerHandle | None = None
        self._tick_at: float | None = None
        """Monotonic time the next tick is due (it writes a checkpoint too)."""
        self._ready_by: float | None = None
        """While getting ready: the monotonic time at which the session starts anyway."""
        practice, language = driver.config.practice, driver.config.language
        self.role_names = {
            role.id: localize(role.name, language, practice.language) for role in practice.roles
        }
        """Each role as the practice calls it in the session's language."""

    @property
    def ck(self) -> AppHost:
        """The app, as far as a screen may ask of it."""
        return host_of(self)

    def compose(self) -> ComposeResult:
        yield Static("", id="pause-banner")
        yield Static("", id="sound-banner")
        yield Static("", id="error-banner")
        yield Static("", id="share-line")
        with Horizontal(id="live-main"):
            with VerticalScroll(id="live-left"):
                yield Static("", id="step-title")
                # The countdown and the stick come first: they must stay on an 80x24
                # screen even under a long reading.
                yield BigTimer(id="timer")
                yield Static("", id="speaker-line")
                yield TalkView(id="talk")
                yield CircleView(id="circle")
                yield Static("", id="step-prompt")
                yield Static("", id="step-note")
                yield Static("", id="stems")
                yield Static("", id="groups")
            with Vertical(id="live-side"):
                yield Static("", id="practice-title")
                yield AgendaView(id="agenda")
                yield Static("", id="next-cue")
                yield Static("", id="airtime-live")
                yield QRCode(id="share-qr")
        # ctrl+p is listed in the help (?); the footer's room goes to the session keys.
        yield Footer(compact=True, show_command_palette=False)

    def on_resize(self) -> None:
        # Fill a large screen: a wider agenda and roomier prompt beyond 110 columns.
        self.set_class(self.size.width >= 110, "-wide")
        self.set_class(self.size.height >= 32, "-tall")
        # A small window (a phone's terminal, a split pane): the countdown first, nothing
        # beside it, so it can still be read at 40x12.
        self.set_class(
            self.size.width < COMPACT_WIDTH or self.size.height < COMPACT_HEIGHT, "-compact"
        )
        self._place_qr()

    def on_mount(self) -> None:
        if self.ck.errors:
            self.show_error(self.ck.errors[-1])
        self.ck.guard(N_("showing the shared view's link"), self.show_share)
        if self.driver.session.started or self.driver.sound_ready():
            self._go()
        else:
            self._get_ready()

    def _get_ready(self) -> None:
        """Hold the session's clock until sound is ready: the opening cue then sounds on
        time instead of late. Bounded, so a slow machine still starts."""
        self._ready_by = time.monotonic() + READY_WAIT_S
        self.query_one("#step-title", Static).update(_("Getting ready…"))
        banner = self.query_one("#sound-banner", Static)
        banner.update(_("Getting ready: sound and the opening words. Space starts now."))
        banner.display = True
        self._timer = self.set_interval(READY_POLL_S, self._poll_ready, name="getting-ready")

    @property
    def getting_ready(self) -> bool:
        """True until the session has started."""
        return self._ready_by is not None

    def _poll_ready(self) -> None:
        ready_by = self._ready_by
        if ready_by is None:
            return
        ready = self.ck.guard(N_("checking sound"), self.driver.sound_ready)
        if ready is not False or time.monotonic() >= ready_by:
            if not ready:
                log.warning("sound not ready after %.0f s; starting anyway", READY_WAIT_S)
            self._go()

    def _go(self) -> None:
        """Start the session (leaving the getting-ready state, if in it), its tick and the
        journal's checkpoints."""
        self._ready_by = None
        if self._timer is not None:
            self._timer.stop()
        collect.session_starts()
        self.ck.guard(N_("starting the session"), self._start)
        self._schedule(TICK_MIN)
        if self.driver.journal is not None:
            self._checkpoint_beat()

    def _checkpoint_beat(self) -> None:
        """Apart from the tick, which may wait a second: the journal hears how far the
        session got every `CHECKPOINT_EVERY`, so a crash costs about a second at most. A plain
        event-loop callback, not a Textual timer: it touches no widget, and costs a tenth."""
        if self._beat is not None:  # one chain of beats, however this one was called
            self._beat.cancel()
            self._beat = None
        self.ck.guard(N_("the journal's checkpoint"), self.driver.checkpoint)
        self._plan_beat()

    def _plan_beat(self) -> None:
        """The next checkpoint between ticks: `CHECKPOINT_EVERY` after the latest record,
        unless the tick comes first (it writes one, then plans the next). So a tick a second
        takes one beat between ticks, not two beside them."""
        if self._beat is not None or not self.is_attached or self.driver.closed:
            return
        if self.driver.journal is None:
            return
        delay = self.ck.guard(N_("timing the checkpoint"), self.driver.checkpoint_due_in)
        delay = CHECKPOINT_EVERY if delay is None else delay
        tick_at = self._tick_at
        if tick_at is not None and tick_at - time.monotonic() <= delay + CHECKPOINT_SKIP:
            return
        self._beat = asyncio.get_running_loop().call_later(delay, self._checkpoint_beat)

    def on_unmount(self) -> None:
        if self._beat is not None:
            self._beat.cancel()
        if self._tick_handle is not None:
            self._tick_handle.cancel()

    def _start(self) -> None:
        if not self.driver.session.started:
            self.handle(self.driver.start())
        self.redraw()

    # -- the tick ---------------------------------------------------------------------------

    def _schedule(self, delay: float) -> None:
        # A plain event-loop callback, like the checkpoint beat: a Textual timer a tick
        # would make a timer object and a task every second, for one call.
        if self._tick_handle is not None:
            self._tick_handle.cancel()
        # Guarded as the screen's timers are: a fault is reported, under the tick's name.
        tick = guarded_callback(self, self._timed_tick, f"{type(self).__name__}: session-tick")
        self._tick_handle = asyncio.get_running_loop().call_later(delay, tick)
        self._tick_at = time.monotonic() + delay
        self._plan_beat()

    def _timed_tick(self) -> None:
        self._tick_handle = None
        if not self.is_attached:
            return
        delay = TICK_MAX
        try:
            self.tick()
            delay = self.ck.guard(N_("scheduling the tick"), self.next_delay) or TICK_MAX
        finally:
            self._schedule(delay)

    def next_delay(self) -> float:
        """Seconds until the screen will next change: the countdown's next whole second,
        or the next cue, whichever is sooner."""
        snap = self._last_snap
        if snap is None or snap.phase != "running":
            return TICK_MAX
        candidates = [TICK_MAX]
        for remaining in (snap.turn_remaining, snap.step_remaining):
            if remaining is not None and remaining > 0:
                candidates.append(remaining - math.ceil(remaining) + 1.0)
        if snap.turn_overtime > 0:
            candidates.append(1.0 - snap.turn_overtime % 1.0)
        if snap.next_cue_in is not None:
            candidates.append(snap.next_cue_in)
        # A hair past the boundary, so the new second is already there when we look.
        return min(max(min(candidates) + 0.01, TICK_MIN), TICK_MAX)

    def tick(self) -> None:
        """Advance the engine to now and redraw; never raises."""
        if self.getting_ready:
            return
        self.ck.guard(N_("the session tick"), self._tick)

    def _tick(self) -> None:
        result = self.driver.tick()
        if result.caught_up:
            self.notify(
                _("The computer slept for {time}; the timers caught up.").format(
                    time=duration_text(result.caught_up)
                ),
                timeout=6,
            )
        if result.suspended_for is not None:
            self._slept = result.suspended_for
            self.handle(self.driver.do(Pause()))
            self.app.push_screen(_suspend_dialog(result.suspended_for), self._after_suspend)
        self.handle(result.events)
        self.redraw()

    def _after_suspend(self, choice: str | None) -> None:
        self.ck.guard(N_("the suspend choice"), self._apply_suspend, choice)

    def _apply_suspend(self, choice: str | None) -> None:
        if choice == "end":
            self.handle(self.driver.do(End()))
        elif choice == "skip":
            self.handle(self.driver.skip_ahead(self._slept))
        elif self.driver.session.paused:
            self.handle(self.driver.do(Resume()))
        self.redraw()

    def handle(self, events: list[Event]) -> None:
        """Show what happened: flash for bells, a note for undo, the summary at the end."""
        for event in events:
            self.ck.guard(msg(N_("showing {name}"), name=event.name), self.show_event, event)

    def show_event(self, event: Event) -> None:
        """React on screen to one event."""
        if isinstance(event, BellDue):
            self._one("#timer", BigTimer).flash()
            self.ck.share_bell()
        elif isinstance(event, Refused):
            # The engine says why, in words for the facilitator, in the interface's language
            # (a reason may quote a typed title, square brackets and all).
            self.notify(tr(event.reason), severity="warning", timeout=4, markup=False)
        elif isinstance(event, AgendaChanged):
            ends = wall_hhmm(self.driver.wall() + (event.ends - event.t))
            self.notify(
                _("Agenda changed: the session now ends about {time}.").format(time=ends),
                timeout=3,
            )
        elif isinstance(event, Undone):
            self.notify(_("Undone: {what}").format(what=tr(event.what)), timeout=3)
        elif isinstance(event, TimeChanged):
            self.notify(time_changed_text(event.seconds, event.target), timeout=2)
        elif isinstance(event, (Paused, Resumed)):
            self.redraw()
        elif isinstance(event, SessionEnded):
            self.ck.session_finished(self.driver)

    # -- drawing ----------------------------------------------------------------------------

    def _one(self, selector: str, expect: type[WidgetT]) -> WidgetT:
        """`query_one`, remembered: the screen's widgets are made once, in `compose`, and
        stay; the countdown would look two of them up again every second."""
        found = self._found.get(selector)
        if found is None:
            found = self._found[selector] = self.query_one(selector, expect)
        return cast(WidgetT, found)

    def _set(self, key: str, value: Any) -> bool:
        """Remember what is shown; True when it changed (so unchanged widgets stay idle)."""
        if self._shown.get(key) == value:
            return False
        self._shown[key] = value
        return True

    def redraw(self) -> None:
        """Draw everything from one snapshot (nothing to draw while getting ready)."""
        if self.getting_ready:
            return
        snap = self.driver.snapshot()
        self._last_snap = snap
        self.ck.guard(N_("updating the shared view"), self.ck.share_update, snap)
        paused = snap.phase == "paused"
        held = paused and self.driver.held_for_resume
        if self._set("paused", (paused, held)):
            self.set_class(paused, "paused")
            banner = self._one("#pause-banner", Static)
            text = ""
            if held:
                text = "⏸  " + _("Resumed where it stopped. Press g when the circle is ready.")
            elif paused:
                text = "⏸  " + _("GUARDIAN PAUSE: every timer is frozen. Press g to resume.")
            banner.update(text)
            banner.display = paused
        self._draw_sound()
        if self._set("title", (snap.step_title, snap.focus)):
            title = tr(snap.step_title or "") or (_("Finished") if snap.phase == "ended" else "")
            if snap.focus:
                title += "  ·  " + _("focus: {name}").format(name=snap.focus)
            self._one("#step-title", Static).update(plain(title))
        if self._set("prompt", snap.step_text):
            self._one("#step-prompt", Static).update(plain(snap.step_text or ""))
        if self._set("note", snap.step_note):
            # Guidance for the facilitator from the script: shown, never spoken.
            note = self._one("#step-note", Static)
            said = _("Note for you: {note}").format(note=snap.step_note) if snap.step_note else ""
            note.update(plain(said))
            note.display = bool(snap.step_note)
        self._draw_timer(snap, paused)
        self._draw_speaker(snap)
        if self._set(
            "circle",
            (
                snap.circle,
                snap.speaker,
                snap.spoken,
                snap.passed,
                snap.queue[:1],
                snap.focus,
                snap.popcorn,
                snap.participants,
                tuple(snap.responses.items()),
                snap.listener,
            ),
        ):
            self._one("#circle", CircleView).show(snap, self.role_names)
        talk = (
            snap.step_kind,
            snap.part,
            snap.pair_speaker,
            snap.listener,
            snap.loop,
            snap.ask,
            snap.heard,
            tuple(snap.responses.items()),
            snap.amending,
            snap.lap,
            snap.queue,
            snap.queue_kinds,
            snap.request_kinds,
        )
        if self._set("talk", talk):
            self._one("#talk", TalkView).show(snap)
        if self._set("stems", snap.stems):
            stems = self._one("#stems", Static)
            stems.update(plain("\n".join(stem_line(stem) for stem in snap.stems)))
            stems.display = bool(snap.stems)
        shown_groups = (snap.groups, snap.group_hosts, snap.group_focus, snap.group_speakers)
        if self._set("groups", shown_groups):
            groups = self._one("#groups", Static)
            groups.update(groups_text(snap))
            groups.display = bool(snap.groups)
        ends = None if snap.ends_wall is None else wall_hhmm(snap.ends_wall)
        if self._set("agenda", (snap.agenda, ends, len(snap.topics))):
            self._one("#agenda", AgendaView).show(snap.agenda, ends, len(snap.topics))
        if self._set("practice", snap.practice):
            heading = plain(snap.practice, style="bold")
            line = meeting_line(self.driver.config.plan, self.driver.config.circle_name)
            if line:
                heading.append(f"\n{shown(line)}", style="not bold")
            self._one("#practice-title", Static).update(heading)
        cue = ""
        if snap.next_cue and snap.next_cue_in is not None:
            # The time on a line of its own: a narrow side column wraps "in 55 s" between
            # the number and its unit otherwise.
            cue = _("Next sound: {sound}\nin {time}").format(
                sound=tr(snap.next_cue), time=cue_in_text(snap.next_cue_in)
            )
        if self._set("cue", cue):
            self._update_fixed("#next-cue", plain(cue))
        airtime = tuple((n, int(snap.airtime.get(n, 0.0))) for n in snap.circle)
        if self._set("airtime", airtime):
            self._update_fixed("#airtime-live", airtime_text(airtime))
        if self._set("popcorn", (snap.popcorn, snap.step_kind, snap.request_kinds)):
            self._popcorn = snap.popcorn
            self._kind = "queue" if snap.request_kinds else snap.step_kind
            self.refresh_bindings()

    def _update_fixed(self, selector: str, content: Text) -> None:
        """Update a Static whose size rarely changes: skip the full-screen layout when the
        text is as long as before (a per-second countdown would otherwise re-lay out every
        widget every second)."""
        size = len(str(content))
        same = self._shown.get(f"size{selector}") == size
        self._shown[f"size{selector}"] = size
        self._one(selector, Static).update(content, layout=not same)

    def _draw_timer(self, snap: Snapshot, paused: bool) -> None:
        up = False
        # Which timer is the main one, and when it ends, is the engine's rule (the shared
        # view's too): a turn's end is the turn's, never the round's.
        if snap.timer == "turn":
            remaining = snap.timer_remaining
            what = _("{name}'s time").format(name=snap.speaker)
        elif snap.timer == "step":
            remaining, what = snap.timer_remaining, _("time left in this step")
        elif snap.phase == "ended":
            remaining, what = None, _("done")
        elif snap.step_index is None:
            remaining, what = None, _("the last bells are ringing")
        else:
            # Nothing counts down: count the step's time up.
            remaining = snap.step_elapsed
            if snap.speaker is not None:
                what = _("{name} speaks (untimed)").format(name=snap.speaker)
            elif snap.popcorn:
                what = _("popcorn: pick who speaks (1-9 or k)")
            else:
                what = _("untimed: space moves on")
            what = _("elapsed · {what}").format(what=what)
            up = True
            if snap.timebox is not None:
                past = snap.step_elapsed - snap.timebox
                what += " · " + _("soft limit {time}").format(time=clock_text(snap.timebox))
                if past > 0:
                    what += ", " + _("{time} over").format(time=clock_text(past))
        ends_wall = snap.timer_ends_wall
        ends = wall_hhmm(ends_wall)
        over = clock_text(snap.turn_overtime) if snap.turn_overtime else ""
        estimated = snap.timer_ends_estimated
        shown = (clock_text(remaining), what, ends, over, paused, estimated, snap.timer)
        if self._set("timer", shown):
            self._one("#timer", BigTimer).show(
                remaining,
                what=what,
                ends_wall=ends_wall,
                ends_what=snap.timer or "step",
                overtime=snap.turn_overtime,
                paused=paused,
                estimated=estimated,
                up=up,
            )

    def _draw_speaker(self, snap: Snapshot) -> None:
        parts: list[str] = []
        if snap.speaker:
            to = f" → {tr(snap.addressee)}" if snap.addressee else ""
            parts.append(_("Speaking: {name}").format(name=snap.speaker) + to)
        if snap.queue and snap.lap is not None:
            parts.append(_("next: {name}").format(name=snap.queue[0]))
        elif snap.speaker and snap.lap is not None:
            parts.append(_("last in this lap"))
        if snap.lap is not None and snap.laps and snap.step_kind != "consent":
            parts.append(_("lap {lap}/{laps}").format(lap=snap.lap, laps=snap.laps))
        if snap.timer == "turn" and snap.step_ends_wall is not None and snap.phase == "running":
            # The round's end, here and labelled so: the timer's own end is the turn's.
            end = wall_hhmm(snap.step_ends_wall)
            if snap.step_ends_estimated:
                parts.append(_("round ends about {time}").format(time=end))
            else:
                parts.append(_("round ends {time}").format(time=end))
        if snap.popcorn:
            parts.append(_("popcorn: 1-9 or k picks"))
        line = "  ·  ".join(parts)
        if self._set("speaker", line):
            self._one("#speaker-line", Static).update(plain(line))

    def _draw_sound(self) -> None:
        status = self.driver.sound_status()
        text = ""
        if self.driver.config.silent:
            text = _("Silent: no app sound. Bells show as a flash of the timer.")
        elif status.muted:
            text = _("Muted (m): bells show as a flash of the timer.")
        elif self.driver.sound_loading:
            text = _("Sound is starting… bells show as a flash of the timer meanwhile.")
        elif not status.ok:
            detail = tr(status.detail).rstrip(". ")
            text = _("Sound unavailable: {detail}.").format(detail=detail)
            if "visual" not in status.detail.lower():
                text += " " + _("Visual cues only.")
        elif (
            status.speech
            and status.to_prepare
            and (status.prepared + status.failed < status.to_prepare)
        ):
            text = _("Preparing speech {done}/{total}…").format(
                done=status.prepared, total=status.to_prepare
            )
            if status.warning:
                text += f"  {tr(status.warning)}"
        elif status.warning:
            text = tr(status.warning)
        if self.driver.journal_error:
            text += "  " + _("Journal stopped: {problem}").format(
                problem=tr(self.driver.journal_error)
            )
        if self._set("sound", text):
            banner = self._one("#sound-banner", Static)
            banner.update(plain(text))
            banner.display = bool(text)
            warn = not status.ok or bool(status.warning)
            banner.set_class(warn and not self.driver.config.silent, "degraded")

    def show_share(self) -> None:
        """The shared view's link (v shows its QR code), or why it stopped."""
        line = self.query_one("#share-line", Static)
        server, failure = self.ck.share, self.ck.share_failure
        qr = self.query_one(QRCode)
        if failure:
            stopped = _("Shared view stopped: {problem}. The session goes on.")
            line.update(plain("⚠ " + stopped.format(problem=tr(failure))))
        elif server is not None:
            link = _("Shared view: {url}").format(url=server.url)
            line.update(plain(link + "  ·  " + _("v: QR code")))
        line.display = bool(failure or server)
        line.set_class(bool(failure), "degraded")
        qr.show(server.url if server is not None and not failure else None)
        self._place_qr()

    def _place_qr(self) -> None:
        """The QR code beside the agenda where there is room, never in the countdown's."""
        qr = self.query_one(QRCode)
        big = self.size.width >= QR_WIDTH and self.size.height >= QR_HEIGHT
        self.set_class(big and 0 < qr.columns <= QR_BESIDE, "-qr")

    def show_error(self, message: str) -> None:
        """A handler failed: say so on screen, keep going."""
        try:
            banner = self.query_one("#error-banner", Static)
        except NoMatches:  # not composed yet: on_mount shows the latest error
            return
        said = _("{problem} (the session goes on)").format(problem=tr(message))
        banner.update(plain("⚠ " + said))
        banner.display = True

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Popcorn picks only make sense in a popcorn round, an exchange's keys in an
        exchange, a consent round's in a consent round, a queue's with a queue."""
        if action in ("pick", "picker"):
            return self._popcorn
        if action in NOT_IN.get(self._kind or "", ()):
            return False
        needs = TALK_KEYS.get(action)
        return needs is None or needs == self._kind

    def _do(self, label: str, command: Command) -> None:
        self.ck.guard(label, lambda: self.handle(self.driver.do(command)))
        self.ck.guard(N_("redrawing"), self.redraw)

    def action_next(self) -> None:
        """End this turn (or step) now; while getting ready, start at once."""
        if self.getting_ready:
            self._go()
            return
        self._do(N_("next"), Next())

    def action_pass_stick(self) -> None:
        """The speaker passes."""
        self._do(N_("pass"), Pass())

    def action_extend(self) -> None:
        """30 seconds more."""
        self._do(N_("extend"), Extend(EXTEND_SECONDS))

    def action_shorten(self) -> None:
        """30 seconds less."""
        self._do(N_("shorten"), Extend(-EXTEND_SECONDS))

    def action_guardian(self) -> None:
        """Guardian pause, or resume."""
        self._do(N_("guardian pause"), Resume() if self.driver.session.paused else Pause())

    def action_skip(self) -> None:
        """Skip the step."""
        self._do(N_("skip"), Skip())

    def action_undo(self) -> None:
        """Undo the last next or pass."""
        self._do(N_("undo"), Undo())

    def action_end_session(self) -> None:
        """End now and show the summary."""
        self._do(N_("end"), End())

    def action_bell(self) -> None:
        """Ring a bell now, on session time like every cue (the flash shows it even when
        silent)."""
        self._do(N_("bell"), RingBell())

    def action_mute(self) -> None:
        """Mute or unmute every cue."""

        def toggle() -> None:
            self.driver.set_muted(not self.driver.muted)
            self.notify(_("Muted") if self.driver.muted else _("Sound on"), timeout=2)
            self.redraw()

        self.ck.guard(N_("mute"), toggle)

    def action_note(self) -> None:
        """w: the scribe's note. A field opens; enter keeps it on session time."""
        from circlekeeper.tui.screens.dialogs import NoteDialog

        def taken(text: str | None) -> None:
            if text:
                self._do(N_("note"), Note(text))

        snap = self._last_snap
        where = ""
        if snap is not None and snap.step_title:
            if snap.speaker:
                where = _("During “{step}”, {name} speaking").format(
                    step=tr(snap.step_title), name=snap.speaker
                )
            else:
                where = _("During “{step}”").format(step=tr(snap.step_title))
        self.app.push_screen(NoteDialog(where or _("The session goes on meanwhile.")), taken)

    def action_pick(self, number: int) -> None:
        """Popcorn: the person with this number speaks next."""
        circle = self.driver.config.circle
        if 1 <= number <= len(circle):
            self._pick(circle[number - 1])

    def _pick(self, name: str) -> None:
        self._do(N_("pick"), Pick(name))

    def action_picker(self) -> None:
        """Popcorn: choose from a list (who already spoke in this lap is greyed out)."""
        from circlekeeper.tui.screens.dialogs import PickDialog

        def chosen(name: str | None) -> None:
            if name:
                self._pick(name)

        snap = self._last_snap
        done: set[str | None] = set()
        if snap is not None:
            done = {*snap.spoken, snap.speaker}
        self.app.push_screen(PickDialog(self.driver.config.circle, done), chosen)

    def action_share_code(self) -> None:
        """The shared view's link and QR code, big enough for a phone across the room."""
        from circlekeeper.tui.screens.dialogs import ShareDialog

        server = self.ck.share
        if server is None:
            why = tr(self.ck.share_failure or "") or _(
                "start with --share, or switch it on in the setup"
            )
            self.notify(_("No shared view: {why}.").format(why=why), severity="warning", timeout=5)
            return
        self.app.push_screen(ShareDialog(server.url))

    def action_confirm(self) -> None:
        """Exchange: the speaker was heard."""
        self._do(N_("confirm"), Confirm())

    def action_more(self) -> None:
        """Exchange: the speaker adds more."""
        self._do(N_("more"), More())

    def action_next_pair(self) -> None:
        """Exchange: the next pair, now."""
        self._do(N_("next pair"), NextPair())

    def action_listener(self) -> None:
        """Exchange: the speaker chooses who listens."""
        from circlekeeper.tui.screens.dialogs import PickDialog

        snap = self._last_snap
        circle = self.driver.config.circle
        unavailable: list[str | None] = []
        if snap is not None:
            outside = [n for n in circle if snap.participants and n not in snap.participants]
            unavailable = [snap.pair_speaker, *outside]

        def chosen(name: str | None) -> None:
            if name:
                self._do(N_("listener"), Listener(name))

        dialog = PickDialog(circle, unavailable, title=_("Who listens?"))
        self.app.push_screen(dialog, chosen)

    def action_respond(self) -> None:
        """Consent round: record the speaker's response."""
        from circlekeeper.tui.screens.dialogs import ChoiceDialog

        snap = self._last_snap
        if snap is None or snap.speaker is None:
            self.notify(_("Nobody holds the stick to respond"), severity="warning", timeout=3)
            return
        who = snap.speaker

        def chosen(response: str | None) -> None:
            if response:
                self._do(N_("respond"), Respond(who, response))

        options = [(r, response_word(r)) for r in snap.response_kinds]
        self.app.push_screen(ChoiceDialog(_("{name} responds:").format(name=who), options), chosen)

    def action_decide(self) -> None:
        """Consent round: the facilitator's way out."""
        from circlekeeper.tui.screens.dialogs import ChoiceDialog

        def chosen(outcome: str | None) -> None:
            if outcome:
                self._do(N_("decide"), Decide(outcome))

        options = [("no-consent", _("No consent")), ("amend-and-return", _("Amend and return"))]
        self.app.push_screen(ChoiceDialog(_("End the consent round as:"), options), chosen)

    def action_raise_hand(self) -> None:
        """Queue: someone asks to speak, with a kind of request (or no longer asks)."""
        from circlekeeper.tui.screens.dialogs import ChoiceDialog, PickDialog

        snap = self._last_snap
        if snap is None:
            return
        kinds = snap.request_kinds
        waiting = set(snap.queue)

        def with_kind(who: str, kind: str | None) -> None:
            if kind == "lower":
                self._do(N_("lower hand"), LowerHand(who))
            elif kind:
                self._do(N_("raise hand"), RaiseHand(who, kind))

        def chosen(who: str | None) -> None:
            if not who:
                return
            options = [(k, capitalized(kind_word(k))) for k in kinds]
            if who in waiting:
                options.append(("lower", _("No longer asks to speak")))
            if len(options) == 1:
                with_kind(who, options[0][0])
                return
            dialog = ChoiceDialog(_("{name} asks to speak with:").format(name=who), options)
            self.app.push_screen(dialog, lambda kind: with_kind(who, kind))

        people = snap.participants or snap.circle
        unavailable = [n for n in snap.circle if n not in people] + [snap.speaker]
        dialog = PickDialog(snap.circle, unavailable, title=_("Who asks to speak?"))
        self.app.push_screen(dialog, chosen)

    # -- the agenda ---------------------------------------------------------------------------

    def _flows(self) -> AgendaFlows:
        from circlekeeper.tui.screens.agenda import AgendaFlows

        return AgendaFlows(self, self.driver, self._do)

    def action_agenda(self) -> None:
        """The agenda screen: the steps to come, to change."""
        from circlekeeper.tui.screens.agenda import AgendaScreen

        if not self.driver.session.ended:
            self.app.push_screen(AgendaScreen(self.driver, self._do))

    def action_insert_step(self) -> None:
        """A step from a template, next."""
        self._flows().insert()

    def action_remove_step(self) -> None:
        """Take a step to come off the agenda."""
        flows = self._flows()
        flows.choose_step(_("Remove which step?"), flows.remove)

    def action_move_step(self) -> None:
        """Move a step to come to another place."""
        flows = self._flows()
        flows.choose_step(_("Move which step?"), flows.move_after)

    def action_step_length(self) -> None:
        """A new length for a step to come."""
        flows = self._flows()
        flows.choose_step(_("Change the length of which step?"), flows.length)

    def action_end_at(self) -> None:
        """End the session at a clock time."""
        self._flows().end_at()

    def action_add_topic(self) -> None:
        """Note an emergent topic."""
        self._flows().add_topic()

    def action_bring_forward(self) -> None:
        """A topic becomes the next step."""
        self._flows().bring_forward()

    def action_help(self) -> None:
        """Show every key."""
        from circlekeeper.tui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen(self.ck.key_rows(SESSION_BINDINGS, COMMANDS)))


TALK_KEYS: dict[str, str] = {
    "confirm": "exchange",
    "more": "exchange",
    "next_pair": "exchange",
    "listener": "exchange",
    "respond": "consent",
    "decide": "consent",
    "raise_hand": "queue",
}
"""The keys that apply to one kind of step only (a queue: a discussion taking stack)."""
NOT_IN: dict[str, tuple[str, ...]] = {
    "exchange": ("pass_stick", "undo"),
    "consent": ("pass_stick",),
}
"""Keys of rounds that an exchange or a consent round has no use for (off the footer)."""


def groups_text(snap: Snapshot) -> Text:
    """The breakout groups, each with its host, the member in focus and who speaks now."""
    text = Text()
    for i, group in enumerate(snap.groups):
        if i:
            text.append("\n")
        text.append(_("Group {number}: ").format(number=i + 1), style="bold")
        text.append(shown(", ".join(group)))
        marks = []
        for label, names in (
            (N_("host {name}"), snap.group_hosts),
            (N_("focus {name}"), snap.group_focus),
            (N_("speaking {name}"), snap.group_speakers),
        ):
            if i < len(names):
                marks.append(_(label).format(name=names[i]))
        if marks:
            text.append(f"  ({shown(', '.join(marks))})", style="dim")
    return text


def cue_in_text(seconds: float) -> str:
    """Coarse while the cue is far off (a quieter screen, fewer redraws): whole minutes,
    then ten-second steps, then seconds in the last ten."""
    if seconds > 60:
        return _("{n} min").format(n=math.ceil(seconds / 60))
    if seconds > 10:
        return _("{n} s").format(n=10 * math.ceil(seconds / 10))
    return _("{n} s").format(n=math.ceil(seconds))


def stem_line(stem: str) -> str:
    """A sentence stem, trailing off: `“Right now I feel…”`."""
    stem = stem.strip()
    if not stem.endswith(("...", "…")):
        stem += " …"
    return f"“{stem}”"


def airtime_text(airtime: tuple[tuple[str, int], ...], width: int = 12) -> Text:
    """Airtime so far, one short bar per person (shown on tall screens)."""
    text = Text(_("Airtime so far") + "\n", style="bold")
    most = max([seconds for _, seconds in airtime] + [1])
    name_width = max((len(name) for name, _ in airtime), default=4)
    for name, seconds in airtime:
        filled = round(width * seconds / most)
        text.append(f"{shown(name)[:12]:<{min(name_width, 12)}} ")
        text.append("█" * filled + "░" * (width - filled))
        text.append(f" {clock_text(seconds)}\n")
    text.rstrip()
    return text


def _suspend_dialog(slept: float) -> Screen[str]:
    from circlekeeper.tui.screens.dialogs import SuspendDialog

    return SuspendDialog(slept)
