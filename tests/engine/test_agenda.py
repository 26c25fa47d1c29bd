"""Live agenda changes: ids, insert, remove, move, a step's length, ending at a time, the
topics list; each change an event, the agenda and its forecast updated at once, and every
refusal saying why."""

from __future__ import annotations

from typing import Any

import pytest

from circlekeeper.engine.commands import (
    AddTopic,
    BringForward,
    EndAt,
    Insert,
    Move,
    Remove,
    RemoveTopic,
    SetDuration,
)
from circlekeeper.engine.events import (
    AgendaChanged,
    BellDue,
    CommandTaken,
    ScheduleFitted,
    SessionEnded,
    StepEnded,
    StepInserted,
    StepMoved,
    StepRemoved,
    StepRetimed,
    StepStarted,
    TopicAdded,
    TopicRemoved,
)
from circlekeeper.engine.projection import ahead
from circlekeeper.engine.session import Session
from circlekeeper.engine.state import Topic

from .helpers import T0, names, of, refused, round_step, session

PAUSE = {"kind": "silence", "title": "Pause", "duration": "1m"}
CREW: list[dict[str, Any]] = [
    round_step(title="Check-in", turn={"time": "1m", "end": "hard"}),
    {"kind": "discussion", "title": "Open discussion", "duration": "20m"},
    {"kind": "silence", "id": "close", "title": "Closing silence", "duration": "2m"},
    round_step(title="Check-out", turn={"time": "30s", "end": "hard"}),
]
"""Check-in 4m, discussion 20m, silence 2m, check-out 2m: 28 minutes, every step on its own
clock."""


def crew(**extra: Any) -> Session:
    s = session(*CREW, **extra)
    s.start(T0)
    return s


def to_come(s: Session) -> list[str]:
    return [run.id for run in s.runs[s.position + 1 :]]


def run_out(s: Session, at: float) -> list[Any]:
    """Nobody intervenes: time passes to `at` (session time)."""
    return s.advance(T0 + at)


def test_every_run_step_has_a_stable_id_shown_on_its_start() -> None:
    s = session(
        {"kind": "read", "id": "welcome", "text": "Hello"},
        {
            "kind": "repeat",
            "times": 2,
            "steps": [{"kind": "silence", "id": "hush", "duration": "1m"}],
        },
        {"kind": "silence", "duration": "1m"},
    )
    assert [run.id for run in s.runs] == ["welcome", "hush", "hush-2", "s4"]
    started = of(s.start(T0) + s.skip(T0 + 1.0), StepStarted)
    assert [(e.index, e.id) for e in started] == [(0, "welcome"), (1, "hush")]


def test_a_generated_id_never_takes_an_authors_id() -> None:
    s = session(
        {"kind": "silence", "duration": "1m"}, {"kind": "silence", "id": "s1", "duration": "1m"}
    )
    assert [run.id for run in s.runs] == ["s1-2", "s1"]
    s.start(T0)
    s.do(Insert({"kind": "silence", "duration": "1m"}), T0 + 1.0)
    assert [run.id for run in s.runs] == ["s1-2", "s3", "s1"]


def test_a_step_inserted_after_the_current_one_runs_next() -> None:
    s = crew()
    events = s.do(Insert(PAUSE), T0 + 30.0)
    assert isinstance(events[0], CommandTaken)
    assert events[0].command == {"command": "insert", "step": PAUSE, "after": None}
    inserted = of(events, StepInserted)
    assert inserted == [StepInserted(30.0, "s5", "Pause", "silence", 60.0, "s1", "Check-in")]
    changed = of(events, AgendaChanged)
    # 3m30s left in the check-in, then 1m + 20m + 2m + 2m.
    assert changed == [
        AgendaChanged(
            30.0, 30.0 + 210.0 + 60.0 + 1200.0 + 120.0 + 120.0, ("s5", "s2", "close", "s4")
        )
    ]
    assert to_come(s) == ["s5", "s2", "close", "s4"]
    agenda = s.snapshot(T0 + 30.0).agenda
    assert [(a.title, a.status, a.estimate) for a in agenda] == [
        ("Check-in", "current", 240.0),
        ("Pause", "todo", 60.0),
        ("Open discussion", "todo", 1200.0),
        ("Closing silence", "todo", 120.0),
        ("Check-out", "todo", 120.0),
    ]
    started = of(run_out(s, 240.0), StepStarted)
    assert [(e.title, e.id, e.duration) for e in started] == [("Pause", "s5", 60.0)]
    assert of(run_out(s, 300.0), StepStarted)[0].title == "Open discussion"


def test_insert_after_a_step_to_come_and_a_split_loop() -> None:
    s = session(
        {"kind": "for-each", "steps": [{"kind": "silence", "duration": "1m"}]},
        {"kind": "read", "text": "Bye", "duration": "1m"},
    )
    s.start(T0)
    s.do(Insert(PAUSE, after="s2"), T0 + 1.0)
    # The loop is split around the pause: two rows of the same title.
    assert [(a.title, a.status) for a in s.snapshot(T0 + 1.0).agenda] == [
        ("For each person", "current"),
        ("Pause", "todo"),
        ("For each person", "todo"),
        ("Reading", "todo"),
    ]
    assert [run.id for run in s.runs] == ["s1", "s2", "s6", "s3", "s4", "s5"]
    s.do(Remove("s6"), T0 + 2.0)
    assert [a.title for a in s.snapshot(T0 + 2.0).agenda] == ["For each person", "Reading"]


def test_an_insert_is_checked_as_a_scripts_step_is() -> None:
    s = crew(roles=[{"id": "host", "name": "Host"}])
    assert refused(s.do(Insert({"kind": "silence", "title": "Pause"}), T0 + 1.0)) == (
        "this step would not do: a silence step needs `duration`"
    )
    assert refused(s.do(Insert({"kind": "round", "only": ["scribe"]}), T0 + 1.0)) == (
        "this step would not do: `only`: no role named `scribe` (roles here: host)"
    )
    why = refused(s.do(Insert({"kind": "silense", "duration": "1x"}), T0 + 1.0))
    assert why.startswith("this step would not do: unknown step kind `silense`; did you mean")
    why = refused(
        s.do(Insert({"kind": "sit", "duration": "1x", "bells": {"end": "gongg"}}), T0 + 1.0)
    )
    assert why == (
        "this step would not do: `duration`: '1x' is not a duration; write it like 90s, 2m, "
        "2m30s or 1h15m"
    )
    assert refused(s.do(Insert({**PAUSE, "id": "close"}), T0 + 1.0)) == (
        "there is a step `close` already: give this one another id"
    )
    assert (
        refused(s.do(Insert(PAUSE, after="s9"), T0 + 1.0))
        == "there is no step `s9` on the agenda (there are: s1, s2, close, s4)"
    )
    assert refused(s.do(Insert({**PAUSE, "when": {"meeting": [2]}}), T0 + 1.0)).startswith(
        "this step would not run at this meeting"
    )
    assert to_come(s) == ["s2", "close", "s4"]


def test_an_inserted_step_names_the_practices_roles_and_sounds() -> None:
    s = crew(
        roles=[{"id": "host", "name": "Host", "assign": "first"}],
        sounds={"drum": {"builtin": "gong"}},
    )
    step = {"kind": "round", "only": ["host"], "bells": {"start": "drum"}, "turn": {"time": "1m"}}
    events = s.do(Insert(step), T0 + 1.0)
    assert of(events, StepInserted)[0].seconds == 60.0  # the host alone speaks
    events = s.skip(T0 + 2.0)
    assert [(e.id, e.kind) for e in of(events, StepStarted)] == [("s5", "round")]
    assert [(b.sound, b.reason) for b in of(events, BellDue)] == [("drum", "start")]
    assert s.snapshot(T0 + 2.0).speaker == "Ana"


def test_edits_touch_only_steps_to_come() -> None:
    s = crew()
    s.skip(T0 + 10.0)
    assert refused(s.do(Remove("s1"), T0 + 11.0)) == "`s1` has run already"
    assert refused(s.do(Remove("s2"), T0 + 11.0)) == "`s2` is running now: skip it instead"
    assert refused(s.do(Move("s2", "close"), T0 + 11.0)) == (
        "`s2` is running now: only the steps to come move"
    )
    assert refused(s.do(SetDuration("s2", 60.0), T0 + 11.0)) == (
        "`s2` is running now: give it more or less time instead"
    )
    assert refused(s.do(Insert(PAUSE, after="s1"), T0 + 11.0)) == (
        "`s1` has run already: a step can go after the one running, or one to come"
    )
    assert (
        refused(s.do(Remove("s5"), T0 + 11.0))
        == "there is no step `s5` on the agenda (there are: s2, close, s4)"
    )
    s.do(Remove("s4"), T0 + 12.0)
    assert refused(s.do(Remove("s4"), T0 + 13.0)) == "`s4` was taken off the agenda"


def test_edits_wait_for_the_start_and_end_with_the_session() -> None:
    s = session(*CREW)
    assert refused(s.do(Insert(PAUSE), T0)) == "the session has not started yet"
    s.start(T0)
    s.pause(T0 + 5.0)
    assert of(s.do(Remove("close"), T0 + 6.0), StepRemoved)  # a pause is a good moment
    s.end(T0 + 7.0)
    assert refused(s.do(AddTopic("Later"), T0 + 8.0)) == "the session is over"


def test_remove_and_move_steps_to_come() -> None:
    s = crew()
    events = s.do(Remove("close"), T0 + 10.0)
    assert of(events, StepRemoved) == [StepRemoved(10.0, "close", "Closing silence", "silence")]
    assert of(events, AgendaChanged)[0].ends == 10.0 + 230.0 + 1200.0 + 120.0
    events = s.do(Move("s4", "s1"), T0 + 20.0)
    assert of(events, StepMoved) == [StepMoved(20.0, "s4", "Check-out", "s1", "Check-in")]
    assert to_come(s) == ["s4", "s2"]
    assert refused(s.do(Move("s4", "s1"), T0 + 21.0)) == "`s4` follows `s1` already"
    assert refused(s.do(Move("s4", "s4"), T0 + 21.0)) == "a step cannot follow itself"
    s.do(Move("s4", "s2"), T0 + 22.0)
    assert to_come(s) == ["s2", "s4"]
    assert [a.title for a in s.snapshot(T0 + 22.0).agenda] == [
        "Check-in",
        "Open discussion",
        "Check-out",
    ]


def test_moving_one_run_out_of_a_loop_makes_it_a_row_of_its_own() -> None:
    s = session(
        {"kind": "silence", "duration": "1m"},
        {"kind": "for-each", "steps": [{"kind": "silence", "title": "Turn", "duration": "1m"}]},
    )
    s.start(T0)
    s.do(Move("s5", "s1"), T0 + 1.0)
    assert [(a.title, a.estimate) for a in s.snapshot(T0 + 1.0).agenda] == [
        ("Silence", 60.0),
        ("Turn", 60.0),
        ("For each person", 180.0),
    ]
    assert [run.focus for run in s.runs[1:]] == ["Dee", "Ana", "Ben", "Cy"]


def test_a_steps_length_changes_and_a_rounds_turns_share_it() -> None:
    s = crew()
    events = s.do(SetDuration("close", 300.0), T0 + 10.0)
    assert of(events, StepRetimed) == [
        StepRetimed(10.0, "close", "Closing silence", 300.0, 120.0, "set")
    ]
    # A round's turns share the time out: four people, 3m, so 45 s a turn.
    s.do(SetDuration("s4", 180.0), T0 + 11.0)
    assert refused(s.do(SetDuration("s4", 180.0), T0 + 12.0)) == "`s4` takes 3m already"
    assert refused(s.do(SetDuration("s4", 0.2), T0 + 12.0)) == "a step takes from 1s to 24h"
    s.skip(T0 + 20.0)
    s.skip(T0 + 21.0)
    started = of(s.skip(T0 + 22.0), StepStarted)
    assert started[0].title == "Check-out"
    assert s.snapshot(T0 + 22.0).turn_remaining == 45.0


def test_ending_at_a_time_shares_the_time_left_in_proportion() -> None:
    s = crew()
    s.skip(T0 + 60.0)  # the discussion (20m) runs from 1:00
    events = s.do(EndAt(1_260.0), T0 + 300.0)  # ends at 21:00, 16 minutes from now
    assert of(events, ScheduleFitted) == [ScheduleFitted(300.0, 1_260.0)]
    retimed = of(events, StepRetimed)
    # Fixed: the check-out round (2m). Shared: 14m between 16m left and the 2m silence.
    assert [(e.id, e.left) for e in retimed] == [("s2", True), ("close", False)]
    assert retimed[0].was == 960.0
    assert retimed[1].seconds == round(120.0 * 840.0 / 1_080.0)
    assert of(events, AgendaChanged)[0].ends == 1_260.0
    ends = [e for e in run_out(s, 2_000.0) if isinstance(e, StepEnded)]
    assert ends[-1].t == 1_260.0
    assert isinstance(s.advance(T0 + 2_000.0), list) and s.ended


def test_ending_at_a_time_stretches_too_and_keeps_rounds_whole() -> None:
    s = crew()
    events = s.do(EndAt(3_600.0), T0 + 30.0)
    retimed = {e.id: e for e in of(events, StepRetimed)}
    assert set(retimed) == {"s2", "close"}  # the rounds keep every turn whole
    assert retimed["s2"].seconds > 1_200.0
    assert [e.t for e in run_out(s, 4_000.0) if isinstance(e, StepEnded)][-1] == 3_600.0


def test_ending_at_a_time_says_what_happens_when_it_is_too_short() -> None:
    s = crew()
    before = s.snapshot(T0 + 30.0)
    # Check-in 3m30s and check-out 2m are fixed; the discussion and the silence need 2m30s.
    assert refused(s.do(EndAt(400.0), T0 + 30.0)) == (
        "the steps left need at least 8m and there are 6m10s until then: remove a step, or "
        "end later"
    )
    assert refused(s.do(EndAt(20.0), T0 + 30.0)) == "that time has passed"
    assert s.snapshot(T0 + 30.0) == before
    just = s.do(EndAt(30.0 + 480.0), T0 + 30.0)
    assert [e.seconds for e in of(just, StepRetimed)] == [120.0, 30.0]


def test_ending_at_a_time_with_nothing_that_can_stretch_is_refused() -> None:
    s = session(round_step(turn={"time": "1m"}), {"kind": "read", "text": "Bye"})
    s.start(T0)
    assert refused(s.do(EndAt(900.0), T0 + 10.0)).startswith(
        "none of the steps left can stretch or shrink"
    )


def test_an_untimed_discussion_in_progress_gets_a_time_box_to_end_on_time() -> None:
    s = session({"kind": "discussion"}, {"kind": "silence", "duration": "5m"})
    s.start(T0)
    # 15 minutes in: past its 10-minute estimate, it still gets a minute or more.
    s.do(EndAt(900.0 + 600.0), T0 + 900.0)
    snap = s.snapshot(T0 + 900.0)
    assert snap.step_remaining is not None and snap.step_remaining >= 60.0
    assert [e.t for e in run_out(s, 5_000.0) if isinstance(e, StepEnded)][-1] == 1_500.0


def test_topics_are_listed_brought_forward_and_removed() -> None:
    s = crew()
    assert of(s.do(AddTopic("  Budget for   the retreat "), T0 + 5.0), TopicAdded) == [
        TopicAdded(5.0, "t1", "Budget for the retreat")
    ]
    s.do(AddTopic("Who books the room [later]"), T0 + 6.0)
    assert refused(s.do(AddTopic("budget for the retreat"), T0 + 7.0)) == (
        "“budget for the retreat” is on the list already (t1)"
    )
    assert refused(s.do(AddTopic("   "), T0 + 7.0)) == "a topic needs a few words"
    assert s.snapshot(T0 + 7.0).topics == (
        Topic("t1", "Budget for the retreat"),
        Topic("t2", "Who books the room [later]"),
    )
    events = s.do(BringForward("t1"), T0 + 8.0)
    inserted = of(events, StepInserted)[0]
    assert (inserted.title, inserted.kind, inserted.topic) == (
        "Budget for the retreat",
        "discussion",
        "t1",
    )
    assert of(events, TopicRemoved) == [
        TopicRemoved(8.0, "t1", "Budget for the retreat", "brought-forward")
    ]
    assert names(events)[-1] == "agenda_changed"
    assert refused(s.do(BringForward("t1"), T0 + 9.0)) == "topic `t1` was brought forward already"
    s.do(BringForward("t2", {"kind": "breakout", "group_size": 2, "duration": "4m"}), T0 + 9.0)
    assert [run.step.kind for run in s.runs[1:3]] == ["breakout", "discussion"]
    assert s.runs[1].step.title == "Who books the room [later]"
    s.do(AddTopic("Snacks"), T0 + 10.0)
    assert of(s.do(RemoveTopic("t3"), T0 + 11.0), TopicRemoved)[0].why == "removed"
    assert s.snapshot(T0 + 11.0).topics == ()
    assert refused(s.do(RemoveTopic("t3"), T0 + 12.0)) == "topic `t3` was removed already"
    assert refused(s.do(RemoveTopic("t9"), T0 + 12.0)) == "there is no topic `t9` on the list"


def test_a_breakout_in_progress_calls_people_back_unless_a_breakout_follows() -> None:
    s = session(
        {"kind": "breakout", "group_size": 2, "duration": "4m"},
        {"kind": "silence", "duration": "1m"},
    )
    s.start(T0)
    s.do(Insert({"kind": "breakout", "group_size": 2, "duration": "3m"}), T0 + 10.0)
    bells = of(s.advance(T0 + 240.0), BellDue)
    assert [b.reason for b in bells] == []  # they move straight on: no return cue
    s.do(Remove("s2"), T0 + 250.0)
    assert [b.reason for b in of(s.advance(T0 + 420.0), BellDue)] == ["return"]


def test_the_forecast_shows_when_each_step_starts() -> None:
    s = crew()
    s.do(Insert(PAUSE, after="close"), T0 + 30.0)
    planned = ahead(s, T0 + 30.0)
    assert [(p.id, p.current, p.starts, p.ends, p.flexible) for p in planned] == [
        ("s1", True, 0.0, 240.0, False),
        ("s2", False, 240.0, 1_440.0, True),
        ("close", False, 1_440.0, 1_560.0, True),
        ("s5", False, 1_560.0, 1_620.0, True),
        ("s4", False, 1_620.0, 1_740.0, False),
    ]
    snap = s.snapshot(T0 + 30.0, wall=1_000_000.0)
    assert snap.ends == 1_740.0 and snap.ends_wall == 1_000_000.0 + 1_710.0
    # Paused, the forecast slides with the clock.
    s.pause(T0 + 40.0)
    assert s.snapshot(T0 + 100.0).ends == 1_740.0 + 60.0
    s.end(T0 + 101.0)
    assert s.snapshot(T0 + 101.0).ends is None and ahead(s, T0 + 101.0) == ()


@pytest.mark.parametrize("when", [5.0, 250.0])
def test_a_session_ends_once_whatever_is_edited(when: float) -> None:
    s = crew()
    s.advance(T0 + when)
    for step_id in to_come(s):
        s.do(Remove(step_id), T0 + when)
    assert to_come(s) == []
    events = run_out(s, 2_000.0)
    assert len(of(events, SessionEnded)) == 1
    assert len(of(events, StepEnded)) == 1
