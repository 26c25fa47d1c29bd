"""`circlekeeper rehearse`: run a practice in simulated time and print its timeline.

No waiting and no sound. Time jumps from one deadline to the next: each speaker uses their
whole turn, untimed turns and readings take what the estimate says (two minutes a turn, a
reading at reading pace), popcorn rounds go in circle order, and a round that runs until
everyone passes gets one lap of passes after its laps. The circle is set up by
`plan_circle`, as for a live session; roles asked at setup get their default holders.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TextIO

from circlekeeper.engine.clock import ceil_ms
from circlekeeper.engine.events import (
    BellDue,
    CommandTaken,
    Event,
    GroupsFormed,
    LapStarted,
    Passed,
    Paused,
    PromptDue,
    Refused,
    Resumed,
    SessionEnded,
    SessionStarted,
    StackChanged,
    StepEnded,
    StepStarted,
    SwapDue,
    TimeChanged,
    TurnEnded,
    TurnStarted,
    TurnTimeUp,
    TurnWarning,
    Undone,
)
from circlekeeper.engine.plan import UNTIMED_TURN, estimate
from circlekeeper.engine.session import Session
from circlekeeper.engine.setup import plan_circle
from circlekeeper.script.model import Practice, RoundStep

MAX_ACTIONS = 200_000
"""A rehearsal that needs more moves than this is cut short (it would never end)."""
START = 1_000.0
"""The simulated machine clock at the start: session times count from 0 all the same."""


def clock(seconds: float) -> str:
    """`mm:ss` from the start (minutes may pass 59)."""
    total = round(seconds)
    return f"{total // 60:02d}:{total % 60:02d}"


def _span(seconds: float | None) -> str:
    if seconds is None:
        return "untimed"
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def _quote(text: str | None, limit: int = 70) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return f' "{flat if len(flat) <= limit else flat[: limit - 1] + "…"}"'


def simulate(session: Session) -> list[Event]:
    """Drive `session` from start to end in simulated time, cue to cue.

    Every time here is session time; the session is given `START + t`.
    """
    events = session.start(START)
    size = len(session.plan.names)
    now = 0.0
    turn_started = step_started = 0.0
    for event in events:
        if isinstance(event, StepStarted):
            step_started = event.t
    for _ in range(MAX_ACTIONS):
        if session.ended:
            break
        snap = session.snapshot(START + now)
        action: Callable[[float], list[Event]] | None = None
        when: float | None = None
        run = session.runs[snap.step_index] if snap.step_index is not None else None
        step = run.step if run is not None else None
        if isinstance(step, RoundStep):
            laps_done = snap.lap is not None and snap.lap > step.lap_count
            if snap.speaker is None:
                action, when = session.next, now
            elif step.until == "all-pass" and laps_done and step.passing != "not-allowed":
                action, when = session.pass_stick, now
            elif snap.turn_remaining is None:
                action, when = session.next, ceil_ms(turn_started + UNTIMED_TURN)
            elif step.turn.end == "soft" or snap.turn_remaining == 0:
                # The speaker uses the whole turn, then hands the stick on.
                action, when = session.next, ceil_ms(now + snap.turn_remaining)
        elif run is not None and snap.step_remaining is None:
            # An untimed reading takes as long as the estimate says it does.
            took = estimate(run, 0, size, session.plan.language, session.practice.language)
            action, when = session.next, ceil_ms(step_started + took)
        due = session.next_due()
        targets = [x for x in (when, due) if x is not None]
        if not targets:
            # Nothing scheduled and nothing to do: end rather than loop.
            fresh = session.end(START + now)
        else:
            now = max(now, min(targets))
            fresh = session.advance(START + now)
            if not fresh and action is not None and when is not None and when <= now:
                fresh = action(START + now)
        for event in fresh:
            if isinstance(event, TurnStarted):
                turn_started = event.t
            elif isinstance(event, StepStarted):
                step_started = event.t
        events.extend(fresh)
    if not session.ended:
        events.extend(session.end(START + now))
    return events


def describe(event: Event, titles: dict[int, str]) -> str | None:
    """One readable line for an event, without its time; None for a line not worth showing.

    Commands are left out: in a rehearsal nobody acts, the simulation moves on by itself
    (the JSON timeline has them all).
    """
    if isinstance(event, CommandTaken):
        return None
    if isinstance(event, Refused):
        return f"refused {event.command.get('command')}: {event.reason}"
    if isinstance(event, SessionStarted):
        roles = ", ".join(f"{r}: {'+'.join(h)}" for r, h in event.roles.items() if h)
        extra = f" (roles: {roles})" if roles else ""
        return f"session started: {event.practice} with {', '.join(event.circle)}{extra}"
    if isinstance(event, StepStarted):
        titles[event.index] = event.title
        focus = f", focus {event.focus}" if event.focus else ""
        return (
            f"step {event.index + 1}: {event.title} [{event.kind}, {_span(event.duration)}"
            f"{focus}]{_quote(event.text)}"
        )
    if isinstance(event, StepEnded):
        return f"step {event.index + 1} ended: {titles.get(event.index, '')} ({event.reason})"
    if isinstance(event, LapStarted):
        return f"lap {event.lap}: {' > '.join(event.order)}{_quote(event.prompt)}"
    if isinstance(event, TurnStarted):
        return f"{event.speaker} has the stick ({_span(event.allowed)})"
    if isinstance(event, TurnWarning):
        return f"{event.speaker}: {_span(event.remaining)} left"
    if isinstance(event, TurnTimeUp):
        how = "the stick moves on" if event.hard else "may finish"
        return f"{event.speaker}: time is up, {how}"
    if isinstance(event, TurnEnded):
        over = f", {_span(event.overtime)} over" if event.overtime else ""
        return f"{event.speaker} done, spoke {_span(event.spoke)}{over}"
    if isinstance(event, Passed):
        return f"{event.speaker} passes" + (" (back at the end)" if event.again else "")
    if isinstance(event, BellDue):
        say = _quote(event.say)
        return f"bell: {event.sound} x{event.strikes} ({event.reason}){say}"
    if isinstance(event, PromptDue):
        return f"say [{event.language}]:{_quote(event.text)}"
    if isinstance(event, GroupsFormed):
        return "groups: " + " | ".join("+".join(g) for g in event.groups)
    if isinstance(event, SwapDue):
        return f"swap {event.swap}: the next person in each group speaks"
    if isinstance(event, StackChanged):
        return "waiting to speak: " + (", ".join(event.queue) or "nobody")
    if isinstance(event, Paused):
        return "paused"
    if isinstance(event, Resumed):
        return f"resumed after {_span(event.paused_for)}"
    if isinstance(event, TimeChanged):
        return f"{event.target} time {event.seconds:+.0f}s"
    if isinstance(event, Undone):
        return f"undone: {event.what}"
    if isinstance(event, SessionEnded):
        air = ", ".join(f"{n} {_span(s)}" for n, s in event.airtime.items())
        return f"session ended ({event.reason}); airtime: {air}"
    return event.name


def _fail(message: str, err: TextIO) -> int:
    print(f"circlekeeper: {message}", file=err)
    return 2


def _load(practice_arg: str) -> Practice:
    """A path or a practice name, loaded; raises ScriptErrors."""
    from circlekeeper.script.loader import load_practice
    from circlekeeper.script.resolve import resolve_practice

    return load_practice(resolve_practice(practice_arg))


def run_rehearse(
    practice_arg: str,
    circle: list[str],
    *,
    seed: int | None,
    as_json: bool,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print the simulated timeline of a practice; 0 when it ran, 2 on bad input."""
    out = out or sys.stdout
    err = err or sys.stderr
    names = [n.strip() for n in circle if n.strip()]
    if not names:
        return _fail("name at least one person with --circle", err)
    from circlekeeper.script.errors import ScriptErrors

    try:
        practice = _load(practice_arg)
    except ScriptErrors as exc:
        # Each error is already `path:line:col: message`; print them as `check` does.
        for error in exc.errors:
            print(error, file=err)
        return 2
    except Exception as exc:  # one line to the user, never a traceback
        return _fail(str(exc) or type(exc).__name__, err)
    try:
        plan = plan_circle(practice, names, seed=seed)
        for warning in plan.warnings:
            print(f"circlekeeper: warning: {warning}", file=err)
        events = simulate(Session(practice, plan))
    except ValueError as exc:
        return _fail(str(exc), err)
    titles: dict[int, str] = {}
    passer: str | None = None
    for event in events:
        if as_json:
            out.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
            continue
        # A pass closes the turn too; its "done, spoke 0:00" line adds nothing for a reader.
        if isinstance(event, TurnEnded) and event.speaker == passer:
            passer = None
            continue
        passer = event.speaker if isinstance(event, Passed) else None
        line = describe(event, titles)
        if line is not None:
            out.write(f"[{clock(event.t)}] {line}\n")
    out.flush()
    return 0
