"""From engine events to sink calls: due times, moving on, stalls, announcements, held cues."""

from __future__ import annotations

from circlekeeper.engine.events import BellDue, PromptDue, StepEnded, StepStarted, TurnStarted
from circlekeeper.engine.setup import plan_circle
from circlekeeper.script.model import Practice
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.config import SessionConfig
from circlekeeper.tui.soundroute import STALL_S, SoundRouter

MONO = 7_000.0  # the monotonic clock's reading "now"

PRACTICE = Practice.model_validate(
    {
        "title": "Check-in",
        "kind": "check-in",
        "steps": [
            {"kind": "read", "title": "Welcome", "text": "Welcome, everyone."},
            {"kind": "round", "title": "Check-in", "prompt": "How are you arriving?"},
        ],
    }
)


def session_config(**options: bool) -> SessionConfig:
    """A config as `run` makes one, for Ana and Ben."""
    plan = plan_circle(PRACTICE, ("Ana", "Ben"), seed=1)
    return SessionConfig(practice=PRACTICE, path=None, plan=plan, **options)


def router(**options: bool) -> tuple[SoundRouter, RecordingSink]:
    sink = RecordingSink()
    r = SoundRouter(session_config(**options), sink, monotonic=lambda: MONO)
    return r, sink


def step(index: int, t: float, title: str = "Check-in") -> StepStarted:
    return StepStarted(t, index, index, "round", title, None, None)


def test_each_cue_gets_its_due_time_on_the_monotonic_clock() -> None:
    r, sink = router()
    # Routed 0.04 s after the bell fell due (a late tick): the sink is told when it was due.
    r.route([BellDue(10.0, "bowl", 3, "start", say="Let us begin")], now=10.04)
    assert sink.calls == [("bell", ("bowl", 3, 1.0)), ("speak", ("Let us begin", "en"))]
    assert [round(MONO - at, 6) for at in sink.due if at is not None] == [0.04, 0.04]


def test_a_step_that_ends_stops_its_words_before_the_next_steps_cues() -> None:
    r, sink = router()
    events = [
        StepEnded(30.0, 0, "next"),
        step(1, 30.0),
        BellDue(30.0, "chime", 1, "start"),
        PromptDue(30.0, "How are you arriving?", "en"),
    ]
    r.route(events, now=30.01)
    assert sink.kinds() == ["hush", "bell", "speak"]


def test_after_a_stall_only_the_latest_overdue_cue_is_played() -> None:
    r, sink = router()
    # The process was stopped for 30 s: eight interval chimes and a prompt came due meanwhile.
    events = [BellDue(float(t), "chime", 1, "interval") for t in range(5, 45, 5)]
    events.append(PromptDue(44.0, "Come back to the breath.", "en"))
    r.route(events, now=50.0)
    assert sink.calls == [("speak", ("Come back to the breath.", "en"))]
    assert r.dropped == 8
    # A cue due just now, in the same batch, is not part of the stall: it plays too.
    assert STALL_S < 40.0
    sink.calls.clear()
    r.route(
        [BellDue(60.0, "chime", 1, "interval"), BellDue(99.5, "bowl", 1, "end")],
        now=100.0,
    )
    assert sink.calls == [("bell", ("chime", 1, 1.0)), ("bell", ("bowl", 1, 1.0))]
    assert r.dropped == 8, "the older one is the latest overdue cue, so it is played"


def test_announcements_queue_behind_the_prompt_in_the_order_they_happen() -> None:
    r, sink = router(announce=True)
    events = [
        step(1, 5.0),
        PromptDue(5.0, "How are you arriving?", "en"),
        TurnStarted(5.0, "Ana", 1, 120.0),
    ]
    r.route(events, now=5.0)
    assert [args[0] for _, args in sink.calls] == ["Next: Check-in", "How are you arriving?", "Ana"]


def test_announcements_speak_the_interface_language_with_its_voice() -> None:
    from circlekeeper import i18n

    i18n.set_language("de")
    r, sink = router(announce=True)
    r.route([step(1, 5.0, "Ankommensrunde"), TurnStarted(5.0, "Ana", 1, 120.0)], now=5.0)
    assert [args for _, args in sink.calls] == [
        ("Als Nächstes: Ankommensrunde", "de"),
        ("Ana", "de"),
    ]


def test_silent_and_catching_up_route_nothing() -> None:
    r, sink = router(silent=True)
    r.route([BellDue(1.0, "bowl", 1, "start")], now=1.0)
    r2, sink2 = router()
    r2.route([BellDue(1.0, "bowl", 1, "start")], now=1.0, quiet=True)
    assert sink.calls == [] and sink2.calls == []


def test_the_opening_words_are_prepared_first() -> None:
    r, sink = router(announce=True)
    r.prepare()
    (first, opening), (second, rest) = sink.calls
    assert first == second == "prepare"
    assert opening == (("Welcome, everyone.", "en"),)
    assert ("How are you arriving?", "en") in rest
    assert ("Next: Check-in", "en") in rest and ("Ana", "en") in rest


def test_held_cues_of_an_ended_step_are_not_replayed() -> None:
    sink = RecordingSink()
    r = SoundRouter(session_config(), None, monotonic=lambda: MONO)
    r.route([PromptDue(0.0, "Welcome, everyone.", "en"), BellDue(0.0, "bowl", 1, "start")], 0.0)
    r.route([StepEnded(2.0, 0, "next"), PromptDue(2.0, "How are you arriving?", "en")], 2)
    r.replace_sink(sink, 2.5)
    assert sink.calls == [("bell", ("bowl", 1, 1.0)), ("speak", ("How are you arriving?", "en"))]
    assert [round(MONO - at, 6) for at in sink.due if at is not None] == [2.5, 0.5]


def test_the_end_of_a_session_leaves_the_sink_open_until_released() -> None:
    r, sink = router()
    r.end()
    assert not sink.closed
    r.release(3.0)
    assert sink.closed and sink.linger == 3.0
