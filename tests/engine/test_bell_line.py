"""Cues due at the same moment never ring on top of each other: identical ones ring once,
different ones one after the other, each after the strikes and words before it."""

from __future__ import annotations

from circlekeeper.engine.chime import BellLine
from circlekeeper.engine.commands import Pause, Resume, RingBell
from circlekeeper.engine.events import BellDue, Event, SessionEnded, StepEnded, StepStarted

from .helpers import T0, of, session


def bells(events: list[Event]) -> list[tuple[float, str, int, str]]:
    return [(e.t, e.sound, e.strikes, e.reason) for e in of(events, BellDue)]


def test_identical_cues_due_together_ring_once() -> None:
    sit = {"start": "bowl x3", "at": [{"at": "10m"}], "end": "bowl"}
    s = session({"kind": "sit", "duration": "10m", "bells": sit})
    events = s.start(T0) + s.advance(T0 + 700.0)
    assert bells(events) == [(0.0, "bowl", 3, "start"), (600.0, "bowl", 1, "at")]


def test_different_cues_ring_one_after_the_other() -> None:
    # A step's end and the next step's start fall due together: the chime, then the bowls.
    s = session(
        {"kind": "silence", "duration": "1m", "bells": {"end": "chime x2"}},
        {"kind": "sit", "duration": "5m", "bells": {"start": "bowl x3", "end": "gong"}},
        {
            "kind": "silence",
            "duration": "1m",
            "bells": {"start": {"sound": "clappers", "say": "Walk"}},
        },
    )
    events = s.start(T0) + s.advance(T0 + 1000.0)
    assert bells(events) == [
        (60.0, "chime", 2, "end"),
        (64.0, "bowl", 3, "start"),  # two chime strikes, two seconds apart
        (360.0, "gong", 1, "end"),
        (366.0, "clappers", 1, "start"),
    ]
    # The steps themselves keep their times; only the sounds wait their turn.
    assert [e.t for e in of(events, StepStarted)] == [0.0, 60.0, 360.0]


def test_a_waiting_cue_holds_during_a_pause() -> None:
    s = session(
        {"kind": "silence", "duration": "1m", "bells": {"end": "gong"}},
        {"kind": "silence", "duration": "5m", "bells": {"start": "chime"}},
    )
    s.start(T0)
    s.advance(T0 + 60.0)
    paused = s.do(Pause(), T0 + 62.0)
    assert bells(paused) == [(62.0, "chime", 1, "pause")]  # the guardian's cue does not wait
    assert s.advance(T0 + 100.0) == []
    s.do(Resume(), T0 + 100.0)
    # The start chime had 4 of its 6 seconds still to wait when the pause began.
    assert bells(s.advance(T0 + 110.0)) == [(104.0, "chime", 1, "start")]


def test_a_bell_rung_by_hand_does_not_wait() -> None:
    s = session(
        {"kind": "silence", "duration": "1m", "bells": {"end": "gong x2"}},
        {"kind": "silence", "duration": "5m", "bells": {"start": "chime"}},
    )
    s.start(T0)
    assert bells(s.advance(T0 + 60.0)) == [(60.0, "gong", 2, "end")]
    assert bells(s.do(RingBell("clappers"), T0 + 61.0)) == [(61.0, "clappers", 1, "manual")]
    assert bells(s.advance(T0 + 80.0)) == [(72.0, "chime", 1, "start")]


def test_the_session_ends_when_the_last_cue_has_rung() -> None:
    sit = {"at": [{"at": "1m", "sound": "gong"}], "end": "bowl"}
    s = session({"kind": "sit", "duration": "1m", "bells": sit})
    events = s.start(T0) + s.advance(T0 + 60.0)
    assert bells(events)[-1] == (60.0, "gong", 1, "at")
    assert of(events, StepEnded)[0].t == 60.0 and not of(events, SessionEnded)
    assert s.snapshot(T0 + 61.0).next_cue is None and s.next_due() == 66.0
    events = s.advance(T0 + 66.0)
    assert bells(events) == [(66.0, "bowl", 1, "end")]
    assert [e.t for e in of(events, SessionEnded)] == [66.0]
    manual = s.do(RingBell(), T0 + 70.0)
    assert manual[0].name == "refused"


def test_a_cue_is_as_long_as_its_strikes_and_words() -> None:
    line = BellLine({})
    assert line.length("bowl", 3, None) == 13.5
    assert line.length("chime", 1, "one two three four five") == 2.0 + 5 * 0.4 + 1.0
    assert line.length("own", 2, None) == 6.0  # a WAV file's length is not known: 3 s
