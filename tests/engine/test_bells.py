"""Bell schedules: start, end, halfway, warning, interval (with jitter), custom times."""

from __future__ import annotations

from circlekeeper.engine.events import BellDue, Event, Paused, Resumed, StepEnded

from .helpers import T0, of, refused, round_step, session


def bells(events: list[Event]) -> list[tuple[float, str, int, str]]:
    return [(e.t, e.sound, e.strikes, e.reason) for e in of(events, BellDue)]


def test_sit_rings_three_to_start_and_one_to_end_by_default() -> None:
    s = session({"kind": "sit", "duration": "30m"})
    events = s.start(T0) + s.advance(T0 + 1800.0)
    assert bells(events) == [(0.0, "bowl", 3, "start"), (1800.0, "bowl", 1, "end")]


def test_zazen_bells_at_custom_times() -> None:
    at = [
        {"at": "0s", "sound": "bowl", "strikes": 3},
        {"at": "25m", "sound": "bowl", "strikes": 2},
        {"at": "30m", "sound": "clappers"},
        {"at": "55m", "sound": "bowl"},
    ]
    s = session({"kind": "sit", "duration": "55m", "bells": {"at": at}})
    events = s.start(T0) + s.advance(T0 + 4000.0)
    assert bells(events) == [
        (0.0, "bowl", 3, "at"),
        (1500.0, "bowl", 2, "at"),
        (1800.0, "clappers", 1, "at"),
        (3300.0, "bowl", 1, "at"),
    ]
    assert of(events, StepEnded)[0].t == 3300.0


def test_halfway_and_warning() -> None:
    s = session(
        {
            "kind": "discussion",
            "duration": "10m",
            "bells": {"halfway": "chime", "warning": "1m", "warning_cue": "gong x2", "end": "bowl"},
        }
    )
    events = s.start(T0) + s.advance(T0 + 600.0)
    assert bells(events) == [
        (300.0, "chime", 1, "halfway"),
        (540.0, "gong", 2, "warning"),
        (600.0, "bowl", 1, "end"),
    ]


def test_interval_bells_stop_before_the_end() -> None:
    s = session({"kind": "sit", "duration": "10m", "bells": {"interval": {"every": "3m"}}})
    events = s.start(T0) + s.advance(T0 + 600.0)
    assert [b[0] for b in bells(events)] == [180.0, 360.0, 540.0]


def test_interval_jitter_is_seeded_and_bounded() -> None:
    step = {
        "kind": "sit",
        "duration": "20m",
        "bells": {"interval": {"every": "2m", "jitter": "30s"}},
    }
    a = session(step, seed=3)
    one = [b[0] for b in bells(a.start(T0) + a.advance(T0 + 1200.0))]
    b = session(step, seed=3)
    two = [b_[0] for b_ in bells(b.start(T0) + b.advance(T0 + 1200.0))]
    c = session(step, seed=4)
    three = [b_[0] for b_ in bells(c.start(T0) + c.advance(T0 + 1200.0))]
    assert one == two and one != three
    assert len(one) == 9
    for k, t in enumerate(one, start=1):
        assert abs(t - 120.0 * k) <= 30.0
    assert one == sorted(one)


def test_strikes_and_spoken_words_on_a_cue() -> None:
    s = session(
        {
            "kind": "silence",
            "duration": "1m",
            "bells": {"start": {"sound": "gong", "strikes": 4, "say": "Let us begin"}},
        }
    )
    bell = of(s.start(T0), BellDue)[0]
    assert (bell.sound, bell.strikes, bell.say) == ("gong", 4, "Let us begin")


def test_round_bells_at_start_and_end() -> None:
    s = session(round_step(bells={"start": "chime", "end": "bowl x2"}), names=("Ana",))
    events = s.start(T0) + s.next(T0 + 30.0)
    assert bells(events) == [(0.0, "chime", 1, "start"), (30.0, "bowl", 2, "end")]


def test_pause_freezes_every_deadline_and_shifts_it_on_resume() -> None:
    s = session({"kind": "sit", "duration": "10m", "bells": {"halfway": "chime", "end": "bowl"}})
    s.start(T0)
    s.advance(T0 + 100.0)
    paused = s.pause(T0 + 100.0)
    assert of(paused, Paused)[0].t == 100.0
    assert of(paused, BellDue)[0].reason == "pause"
    assert s.advance(T0 + 5000.0) == []  # nothing happens during a pause, however long
    assert s.snapshot(T0 + 5000.0).step_remaining == 500.0
    resumed = s.resume(T0 + (400.0 + 100.0))  # the clock went backwards: clamped to 5000
    assert of(resumed, Resumed)[0].paused_for == 4900.0
    events = s.advance(T0 + 10_000.0)
    assert bells(events) == [(5200.0, "chime", 1, "halfway"), (5500.0, "bowl", 1, "end")]


def test_pause_and_resume_only_when_they_apply() -> None:
    s = session({"kind": "sit", "duration": "10m"})
    s.start(T0)
    assert refused(s.resume(T0 + 1.0)) == "the session is not paused"
    s.pause(T0 + 2.0)
    assert refused(s.pause(T0 + 3.0)) == "the session is paused already"
    assert s.paused
    s.resume(T0 + 4.0)
    assert not s.paused


def test_snapshot_names_the_next_cue() -> None:
    s = session({"kind": "sit", "duration": "10m", "bells": {"halfway": "chime", "end": "bowl"}})
    s.start(T0)
    snap = s.snapshot(T0 + 60.0)
    assert (snap.next_cue, snap.next_cue_in) == ("chime x1 (halfway)", 240.0)
    s.advance(T0 + 300.0)
    snap = s.snapshot(T0 + 300.0)
    assert (snap.next_cue, snap.next_cue_in) == ("bowl x1 (end)", 300.0)
