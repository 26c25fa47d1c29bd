"""The live session: big countdown, the circle and the stick, the agenda, every key."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
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
from circlekeeper.tui.driver import CHECKPOINT_EVERY, CHECKPOINT_SKIP
from circlekeeper.tui.format import (
    about_hhmm,
    clock_text,
    duration_text,
    meeting_line,
    plain,
    shown,
    wall_hhmm,
)
from circlekeeper.tui.guard import Guarded, guarded_callback
from circlekeeper.tui.host import AppHost, host_of
from circlekeeper.tui.widgets.agenda import AgendaView
from circlekeeper.tui.widgets.circle import CircleView
from circlekeeper.tui.widgets.qrcode import QR_BESIDE, QR_HEIGHT, QR_WIDTH, QRCode
from circlekeeper.tui.widgets.talk import KIND_WORDS, TalkView
from circlekeeper.tui.widgets.timer import BigTimer

if TYPE_CHECKING:
    from circlekeeper.engine.state import Snapshot
    from circlekeeper.tui.driver import Driver
    from circlekeeper.tui.screens.agenda import AgendaFlows

log = logging.getLogger(__name__)

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
    Binding("space", "next", "Next", id="next", key_display="␣", tooltip="End this turn now"),
    Binding("p", "pass_stick", "Pass", id="pass", tooltip="The speaker passes the stick"),
    Binding("plus", "extend", "More", id="extend", key_display="+", tooltip="30 s more"),
    Binding("minus", "shorten", "Less", id="shorten", key_display="-", tooltip="30 s less"),
    Binding("b", "bell", "Bell", id="bell", tooltip="Ring a bell now"),
    Binding("g", "guardian", "Pause", id="guardian", tooltip="Guardian pause / resume"),
    Binding("s", "skip", "Skip", id="skip", tooltip="Skip this step"),
    Binding("u", "undo", "Undo", id="undo", tooltip="Take back the last next or pass"),
    Binding("m", "mute", "Mute", id="mute", tooltip="Mute / unmute every cue"),
    # w: write a note. Not in the footer (it is full at 80 columns): the help lists it.
    Binding(
        "w", "note", "Note", id="note", show=False, tooltip="The scribe's note, for the reportback"
    ),
    Binding(
        "k", "picker", "Pick", id="picker", show=False, tooltip="Popcorn: pick who speaks next"
    ),
    Binding("v", "share_code", "Share", id="share", show=False, tooltip="The shared view's link"),
    Binding("question_mark", "help", "Keys", id="help", key_display="?"),
    Binding("q", "app.quit", "Quit", id="quit", tooltip="End the session and quit (asks)"),
    *[Binding(str(n), f"pick({n})", f"Pick {n}", show=False, id=f"pick-{n}") for n in range(1, 10)],
    # The keys of exchanges, consent rounds and queues: listed on screen while they apply.
    Binding("c", "confirm", "Confirm", id="confirm", show=False, tooltip="Exchange: heard"),
    Binding("a", "more", "Add", id="more", show=False, tooltip="Exchange: the speaker adds"),
    Binding("n", "next_pair", "Next pair", id="next-pair", show=False),
    Binding("l", "listener", "Listener", id="listener", show=False),
    Binding("r", "respond", "Respond", id="respond", show=False, tooltip="Consent round"),
    Binding("d", "decide", "Decide", id="decide", show=False, tooltip="End a consent round"),
    Binding("h", "raise_hand", "Ask to speak", id="raise", show=False, tooltip="Queue"),
    # The agenda: off the footer too (it is full at 80 columns); the side agenda says "e".
    Binding("e", "agenda", "Agenda", id="agenda", show=False, tooltip="Change the agenda"),
    Binding("t", "add_topic", "Topic", id="topic", show=False, tooltip="Note a topic for later"),
]

# What the help screen and the command palette say about each action.
COMMANDS: list[tuple[str, str, str]] = [
    ("next", "Next", "end this turn (or this step) now"),
    ("pass_stick", "Pass", "the speaker passes the stick"),
    ("extend", "More time", "30 seconds more for this turn (or step)"),
    ("shorten", "Less time", "30 seconds less for this turn (or step)"),
    ("bell", "Bell", "ring a bell now"),
    ("guardian", "Guardian pause", "every timer freezes; again to resume"),
    ("skip", "Skip step", "skip this step"),
    ("undo", "Undo", "take back the last next or pass"),
    ("mute", "Mute", "mute / unmute every cue"),
    ("note", "Note", "the scribe's note, for the reportback"),
    ("picker", "Pick next speaker", "popcorn rounds: choose who speaks (or 1-9)"),
    ("share_code", "Shared view", "its link and QR code, for phones (--share)"),
    ("confirm", "Confirm", "exchange: the speaker was heard; the pair is done"),
    ("more", "Add more", "exchange: the speaker adds; the listener reflects again"),
    ("next_pair", "Next pair", "exchange: end this pair now"),
    ("listener", "Choose the listener", "exchange: who listens to the speaker"),
    ("respond", "Record a response", "consent round: consent, concern, stand aside, objection"),
    ("decide", "End the consent round", "as no consent, or amend and return"),
    ("raise_hand", "Ask to speak", "queue: someone asks, with a kind of request"),
    ("agenda", "Agenda", "change the steps to come; their times, the forecast end"),
    ("insert_step", "Agenda: insert a step", "a round, silence, breakout, discussion or sit, next"),
    ("remove_step", "Agenda: remove a step", "take a step still to come off the agenda"),
    ("move_step", "Agenda: move a step", "a step still to come runs at another place"),
    ("step_length", "Agenda: change a step's length", "how long a step still to come takes"),
    ("end_at", "Agenda: end at a time", "the time left shared out so the session ends then"),
    ("add_topic", "Agenda: note a topic", "to bring forward later"),
    ("bring_forward", "Agenda: bring a topic forward", "a topic becomes the next step"),
    ("help", "Keys", "this list"),
    ("end_session", "End session", "end now and show the summary"),
    ("app.quit", "Quit", "end the session and quit (asks first)"),
]


class LiveScreen(Guarded, Screen[None]):
    """Runs one session; the app's clock drives it through `Driver.tick`."""

    BINDINGS: ClassVar[list[BindingType]] = list(SESSION_BINDINGS)

    def __init__(self, driver: Driver) -> None:
        super().__init__(id="live")
        self.driver = driver
        self._shown: dict[str, Any] = {}
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
        self.ck.guard("showing the shared view's link", self.show_share)
        if self.driver.session.started or self.driver.sound_ready():
            self._go()
        else:
            self._get_ready()

    def _get_ready(self) -> None:
        """Hold the session's clock until sound is ready: the opening cue then sounds on
        time instead of late. Bounded, so a slow machine still starts."""
        self._ready_by = time.monotonic() + READY_WAIT_S
        self.query_one("#step-title", Static).update("Getting ready…")
        banner = self.query_one("#sound-banner", Static)
        banner.update("Getting ready: sound and the opening words. Space starts now.")
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
        ready = self.ck.guard("checking sound", self.driver.sound_ready)
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
        self.ck.guard("starting the session", self._start)
        self._schedule(TICK_MIN)
        if self.driver.journal is not None:
            self._checkpoint_beat()

    def _checkpoint_beat(self) -> None:
        """Apart from the tick, which may wait a second: the journal hears how far the
        session got every `CHECKPOINT_EVERY`, so a crash costs less than a second. A plain
        event-loop callback, not a Textual timer: it touches no widget, and costs a tenth."""
        if self._beat is not None:  # one chain of beats, however this one was called
            self._beat.cancel()
            self._beat = None
        self.ck.guard("the journal's checkpoint", self.driver.checkpoint)
        self._plan_beat()

    def _plan_beat(self) -> None:
        """The next checkpoint between ticks: `CHECKPOINT_EVERY` after the latest record,
        unless the tick comes first (it writes one, then plans the next). So a tick a second
        takes one beat between ticks, not two beside them."""
        if self._beat is not None or not self.is_attached or self.driver.closed:
            return
        if self.driver.journal is None:
            return
        delay = self.ck.guard("timing the checkpoint", self.driver.checkpoint_due_in)
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
            delay = self.ck.guard("scheduling the tick", self.next_delay) or TICK_MAX
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
        self.ck.guard("the session tick", self._tick)

    def _tick(self) -> None:
        result = self.driver.tick()
        if result.caught_up:
            self.notify(
                f"The computer slept for {duration_text(result.caught_up)}; the timers caught up.",
                timeout=6,
            )
        if result.suspended_for is not None:
            self._slept = result.suspended_for
            self.handle(self.driver.do(Pause()))
            self.app.push_screen(_suspend_dialog(result.suspended_for), self._after_suspend)
        self.handle(result.events)
        self.redraw()

    def _after_suspend(self, choice: str | None) -> None:
        self.ck.guard("the suspend choice", self._apply_suspend, choice)

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
            self.ck.guard(f"showing {event.name}", self.show_event, event)

    def show_event(self, event: Event) -> None:
        """React on screen to one event."""
        if isinstance(event, BellDue):
            self.query_one(BigTimer).flash()
            self.ck.share_bell()
        elif isinstance(event, Refused):
            # The engine says why, in words for the facilitator: show them as they are (a
            # reason may quote a typed title, square brackets and all).
            self.notify(event.reason, severity="warning", timeout=4, markup=False)
        elif isinstance(event, AgendaChanged):
            ends = about_hhmm(self.driver.wall() + (event.ends - event.t))
            self.notify(f"Agenda changed: the session now ends about {ends}.", timeout=3)
        elif isinstance(event, Undone):
            self.notify(f"Undone: {event.what}", timeout=3)
        elif isinstance(event, TimeChanged):
            sign = "+" if event.seconds >= 0 else "−"
            self.notify(f"{sign}{abs(event.seconds):.0f} s for this {event.target}", timeout=2)
        elif isinstance(event, (Paused, Resumed)):
            self.redraw()
        elif isinstance(event, SessionEnded):
            self.ck.session_finished(self.driver)

    # -- drawing ----------------------------------------------------------------------------

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
        self.ck.guard("updating the shared view", self.ck.share_update, snap)
        paused = snap.phase == "paused"
        held = paused and self.driver.held_for_resume
        if self._set("paused", (paused, held)):
            self.set_class(paused, "paused")
            banner = self.query_one("#pause-banner", Static)
            text = ""
            if held:
                text = "⏸  Resumed where it stopped. Press g when the circle is ready."
            elif paused:
                text = "⏸  GUARDIAN PAUSE: every timer is frozen. Press g to resume."
            banner.update(text)
            banner.display = paused
        self._draw_sound()
        if self._set("title", (snap.step_title, snap.focus)):
            title = snap.step_title or ("Finished" if snap.phase == "ended" else "")
            if snap.focus:
                title += f"  ·  focus: {snap.focus}"
            self.query_one("#step-title", Static).update(plain(title))
        if self._set("prompt", snap.step_text):
            self.query_one("#step-prompt", Static).update(plain(snap.step_text or ""))
        if self._set("note", snap.step_note):
            # Guidance for the facilitator from the script: shown, never spoken.
            note = self.query_one("#step-note", Static)
            note.update(plain(f"Note for you: {snap.step_note}" if snap.step_note else ""))
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
            self.query_one(CircleView).show(snap)
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
            self.query_one(TalkView).show(snap)
        if self._set("stems", snap.stems):
            stems = self.query_one("#stems", Static)
            stems.update(plain("\n".join(stem_line(stem) for stem in snap.stems)))
            stems.display = bool(snap.stems)
        shown_groups = (snap.groups, snap.group_hosts, snap.group_focus, snap.group_speakers)
        if self._set("groups", shown_groups):
            groups = self.query_one("#groups", Static)
            groups.update(groups_text(snap))
            groups.display = bool(snap.groups)
        ends = None if snap.ends_wall is None else about_hhmm(snap.ends_wall)
        if self._set("agenda", (snap.agenda, ends, len(snap.topics))):
            self.query_one(AgendaView).show(snap.agenda, ends, len(snap.topics))
        if self._set("practice", snap.practice):
            heading = plain(snap.practice, style="bold")
            line = meeting_line(self.driver.config.plan, self.driver.config.circle_name)
            if line:
                heading.append(f"\n{shown(line)}", style="not bold")
            self.query_one("#practice-title", Static).update(heading)
        cue = ""
        if snap.next_cue and snap.next_cue_in is not None:
            cue = f"Next sound: {snap.next_cue} in {cue_in_text(snap.next_cue_in)}"
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
        self.query_one(selector, Static).update(content, layout=not same)

    def _draw_timer(self, snap: Snapshot, paused: bool) -> None:
        up = False
        # Which timer is the main one, and when it ends, is the engine's rule (the shared
        # view's too): a turn's end is the turn's, never the round's.
        if snap.timer == "turn":
            remaining, what = snap.timer_remaining, f"{snap.speaker}'s time"
        elif snap.timer == "step":
            remaining, what = snap.timer_remaining, "time left in this step"
        elif snap.phase == "ended":
            remaining, what = None, "done"
        elif snap.step_index is None:
            remaining, what = None, "the last bells are ringing"
        else:
            # Nothing counts down: count the step's time up.
            remaining = snap.step_elapsed
            if snap.speaker is not None:
                what = f"{snap.speaker} speaks (untimed)"
            elif snap.popcorn:
                what = "popcorn: pick who speaks (1-9 or k)"
            else:
                what = "untimed: space moves on"
            what = f"elapsed · {what}"
            up = True
            if snap.timebox is not None:
                past = snap.step_elapsed - snap.timebox
                what += f" · soft limit {clock_text(snap.timebox)}"
                what += f", {clock_text(past)} over" if past > 0 else ""
        ends_wall = snap.timer_ends_wall
        ends = None if ends_wall is None else int(ends_wall // 60)
        over = clock_text(snap.turn_overtime) if snap.turn_overtime else ""
        estimated = snap.timer_ends_estimated
        shown = (clock_text(remaining), what, ends, over, paused, estimated, snap.timer)
        if self._set("timer", shown):
            self.query_one(BigTimer).show(
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
            to = f" → {snap.addressee}" if snap.addressee else ""
            parts.append(f"Speaking: {snap.speaker}{to}")
        if snap.queue and snap.lap is not None:
            parts.append(f"next: {snap.queue[0]}")
        elif snap.speaker and snap.lap is not None:
            parts.append("last in this lap")
        if snap.lap is not None and snap.laps and snap.step_kind != "consent":
            parts.append(f"lap {snap.lap}/{snap.laps}")
        if snap.timer == "turn" and snap.step_ends_wall is not None and snap.phase == "running":
            # The round's end, here and labelled so: the timer's own end is the turn's.
            about = "about " if snap.step_ends_estimated else ""
            parts.append(f"round ends {about}{wall_hhmm(snap.step_ends_wall)}")
        if snap.popcorn:
            parts.append("popcorn: 1-9 or k picks")
        line = "  ·  ".join(parts)
        if self._set("speaker", line):
            self.query_one("#speaker-line", Static).update(plain(line))

    def _draw_sound(self) -> None:
        status = self.driver.sound_status()
        text = ""
        if self.driver.config.silent:
            text = "Silent: no app sound. Bells show as a flash of the timer."
        elif status.muted:
            text = "Muted (m): bells show as a flash of the timer."
        elif self.driver.sound_loading:
            text = "Sound is starting… bells show as a flash of the timer meanwhile."
        elif not status.ok:
            detail = status.detail.rstrip(". ")
            text = f"Sound unavailable: {detail}."
            if "visual" not in detail.lower():
                text += " Visual cues only."
        elif (
            status.speech
            and status.to_prepare
            and (status.prepared + status.failed < status.to_prepare)
        ):
            text = f"Preparing speech {status.prepared}/{status.to_prepare}…"
            if status.warning:
                text += f"  {status.warning}"
        elif status.warning:
            text = status.warning
        if self.driver.journal_error:
            text += f"  Journal stopped: {self.driver.journal_error}"
        if self._set("sound", text):
            banner = self.query_one("#sound-banner", Static)
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
            line.update(plain(f"⚠ Shared view stopped: {failure}. The session goes on."))
        elif server is not None:
            line.update(plain(f"Shared view: {server.url}  ·  v: QR code"))
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
        banner.update(plain(f"⚠ {message} (the session goes on)"))
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
        self.ck.guard("redrawing", self.redraw)

    def action_next(self) -> None:
        """End this turn (or step) now; while getting ready, start at once."""
        if self.getting_ready:
            self._go()
            return
        self._do("next", Next())

    def action_pass_stick(self) -> None:
        """The speaker passes."""
        self._do("pass", Pass())

    def action_extend(self) -> None:
        """30 seconds more."""
        self._do("extend", Extend(EXTEND_SECONDS))

    def action_shorten(self) -> None:
        """30 seconds less."""
        self._do("shorten", Extend(-EXTEND_SECONDS))

    def action_guardian(self) -> None:
        """Guardian pause, or resume."""
        self._do("guardian pause", Resume() if self.driver.session.paused else Pause())

    def action_skip(self) -> None:
        """Skip the step."""
        self._do("skip", Skip())

    def action_undo(self) -> None:
        """Undo the last next or pass."""
        self._do("undo", Undo())

    def action_end_session(self) -> None:
        """End now and show the summary."""
        self._do("end", End())

    def action_bell(self) -> None:
        """Ring a bell now, on session time like every cue (the flash shows it even when
        silent)."""
        self._do("bell", RingBell())

    def action_mute(self) -> None:
        """Mute or unmute every cue."""

        def toggle() -> None:
            self.driver.set_muted(not self.driver.muted)
            self.notify("Muted" if self.driver.muted else "Sound on", timeout=2)
            self.redraw()

        self.ck.guard("mute", toggle)

    def action_note(self) -> None:
        """w: the scribe's note. A field opens; enter keeps it on session time."""
        from circlekeeper.tui.screens.dialogs import NoteDialog

        def taken(text: str | None) -> None:
            if text:
                self._do("note", Note(text))

        snap = self._last_snap
        where = ""
        if snap is not None and snap.step_title:
            where = f"During “{snap.step_title}”"
            if snap.speaker:
                where += f", {snap.speaker} speaking"
        self.app.push_screen(NoteDialog(where or "The session goes on meanwhile."), taken)

    def action_pick(self, number: int) -> None:
        """Popcorn: the person with this number speaks next."""
        circle = self.driver.config.circle
        if 1 <= number <= len(circle):
            self._pick(circle[number - 1])

    def _pick(self, name: str) -> None:
        self._do("pick", Pick(name))

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
            why = self.ck.share_failure or "start with --share, or switch it on in the setup"
            self.notify(f"No shared view: {why}.", severity="warning", timeout=5)
            return
        self.app.push_screen(ShareDialog(server.url))

    def action_confirm(self) -> None:
        """Exchange: the speaker was heard."""
        self._do("confirm", Confirm())

    def action_more(self) -> None:
        """Exchange: the speaker adds more."""
        self._do("more", More())

    def action_next_pair(self) -> None:
        """Exchange: the next pair, now."""
        self._do("next pair", NextPair())

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
                self._do("listener", Listener(name))

        dialog = PickDialog(circle, unavailable, title="Who listens?")
        self.app.push_screen(dialog, chosen)

    def action_respond(self) -> None:
        """Consent round: record the speaker's response."""
        from circlekeeper.tui.screens.dialogs import ChoiceDialog

        snap = self._last_snap
        if snap is None or snap.speaker is None:
            self.notify("Nobody holds the stick to respond", severity="warning", timeout=3)
            return
        who = snap.speaker

        def chosen(response: str | None) -> None:
            if response:
                self._do("respond", Respond(who, response))

        options = [(r, r.replace("-", " ")) for r in snap.response_kinds]
        self.app.push_screen(ChoiceDialog(f"{who} responds:", options), chosen)

    def action_decide(self) -> None:
        """Consent round: the facilitator's way out."""
        from circlekeeper.tui.screens.dialogs import ChoiceDialog

        def chosen(outcome: str | None) -> None:
            if outcome:
                self._do("decide", Decide(outcome))

        options = [("no-consent", "No consent"), ("amend-and-return", "Amend and return")]
        self.app.push_screen(ChoiceDialog("End the consent round as:", options), chosen)

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
                self._do("lower hand", LowerHand(who))
            elif kind:
                self._do("raise hand", RaiseHand(who, kind))

        def chosen(who: str | None) -> None:
            if not who:
                return
            options = [(k, KIND_WORDS.get(k, k).capitalize()) for k in kinds]
            if who in waiting:
                options.append(("lower", "No longer asks to speak"))
            if len(options) == 1:
                with_kind(who, options[0][0])
                return
            dialog = ChoiceDialog(f"{who} asks to speak with:", options)
            self.app.push_screen(dialog, lambda kind: with_kind(who, kind))

        people = snap.participants or snap.circle
        unavailable = [n for n in snap.circle if n not in people] + [snap.speaker]
        dialog = PickDialog(snap.circle, unavailable, title="Who asks to speak?")
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
        flows.choose_step("Remove which step?", flows.remove)

    def action_move_step(self) -> None:
        """Move a step to come to another place."""
        flows = self._flows()
        flows.choose_step("Move which step?", flows.move_after)

    def action_step_length(self) -> None:
        """A new length for a step to come."""
        flows = self._flows()
        flows.choose_step("Change the length of which step?", flows.length)

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
        text.append(f"Group {i + 1}: ", style="bold")
        text.append(shown(", ".join(group)))
        marks = []
        for label, names in (
            ("host", snap.group_hosts),
            ("focus", snap.group_focus),
            ("speaking", snap.group_speakers),
        ):
            if i < len(names):
                marks.append(f"{label} {names[i]}")
        if marks:
            text.append(f"  ({shown(', '.join(marks))})", style="dim")
    return text


def cue_in_text(seconds: float) -> str:
    """Coarse while the cue is far off (a quieter screen, fewer redraws): whole minutes,
    then five-second steps, then seconds in the last ten."""
    if seconds > 60:
        return f"{math.ceil(seconds / 60)} min"
    if seconds > 10:
        return f"{5 * math.ceil(seconds / 5)} s"
    return f"{math.ceil(seconds)} s"


def stem_line(stem: str) -> str:
    """A sentence stem, trailing off: `“Right now I feel…”`."""
    stem = stem.strip()
    if not stem.endswith(("...", "…")):
        stem += " …"
    return f"“{stem}”"


def airtime_text(airtime: tuple[tuple[str, int], ...], width: int = 12) -> Text:
    """Airtime so far, one short bar per person (shown on tall screens)."""
    text = Text("Airtime so far\n", style="bold")
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
