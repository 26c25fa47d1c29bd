"""A series: one member in focus each meeting, steps that run only at some meetings, and
the focus order chosen at setup."""

from __future__ import annotations

from typing import Any

import pytest

from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.events import LapStarted, SessionStarted, StepStarted
from circlekeeper.engine.setup import carried_focus_order

from .helpers import NAMES, T0, of, practice, round_step

CREW: dict[str, Any] = {
    "series": {"meetings": 6, "focus_when": {"not_meeting": "last"}},
    "roles": [{"id": "host", "name": "Host", "assign": "rotate"}],
}
STEPS = [
    round_step(title="Check-in"),
    {
        "kind": "group",
        "title": "Focus",
        "when": {"not_meeting": "last"},
        "steps": [
            round_step(title="Sharing", only=["focus"]),
            round_step(title="Reflecting", without=["focus"], end_with="host"),
        ],
    },
    round_step(title="Retrospective", when={"meeting": "last"}),
    {"kind": "read", "title": "First meeting only", "text": "Welcome", "when": {"meeting": 1}},
]


def crew(meeting: int, **setup: Any) -> Session:
    p = practice(*STEPS, **CREW)
    return Session(p, plan_circle(p, NAMES, meeting=meeting, seed=1, **setup))


@pytest.mark.parametrize(
    ("meeting", "host", "focus"),
    [(0, "Ana", "Ben"), (1, "Ben", "Cy"), (2, "Cy", "Dee"), (3, "Dee", "Ana"), (4, "Ana", "Ben")],
)
def test_the_focus_moves_to_the_next_member_each_meeting(
    meeting: int, host: str, focus: str
) -> None:
    s = crew(meeting)
    assert (s.plan.host, s.plan.focus, s.plan.meetings) == (host, focus, 6)
    assert s.plan.roles["focus"] == (focus,)
    started = of(s.start(T0), SessionStarted)[0]
    assert (started.meeting, started.meetings, started.focus) == (meeting + 1, 6, focus)
    snap = s.snapshot(T0)
    assert (snap.meeting, snap.meetings, snap.focus) == (meeting + 1, 6, focus)
    assert s.plan.meeting_label == f"meeting {meeting + 1} of 6 · focus: {focus}"


def test_steps_run_at_their_meetings_only() -> None:
    first, fifth, last = crew(0), crew(4), crew(5)
    assert [r.step.title for r in first.runs] == [
        "Check-in",
        "Sharing",
        "Reflecting",
        "First meeting only",
    ]
    assert [r.step.title for r in fifth.runs] == ["Check-in", "Sharing", "Reflecting"]
    assert [r.step.title for r in last.runs] == ["Check-in", "Retrospective"]
    # The agenda lists what this meeting runs, nothing else.
    assert [a.title for a in last.snapshot(T0).agenda] == ["Check-in", "Retrospective"]
    assert [a.title for a in fifth.snapshot(T0).agenda] == ["Check-in", "Focus"]


def test_the_last_meeting_has_no_focus() -> None:
    s = crew(5)
    assert s.plan.focus is None and s.plan.roles["focus"] == ()
    assert s.plan.meeting_label == "meeting 6 of 6"


def test_the_focus_binds_a_role_the_steps_use() -> None:
    s = crew(1)  # Cy in focus, Ben hosts
    events = s.start(T0)
    for t in range(1, 12):
        events += s.next(T0 + t)
    orders = [lap.order for lap in of(events, LapStarted)]
    assert orders[1] == ("Cy",)
    assert orders[2] == ("Dee", "Ana", "Ben")  # everyone but the focus, the host last


def test_a_focus_order_chosen_at_setup() -> None:
    order = crew(0, focus_order=["Dee", "Ana"]).plan
    assert order.focus_order == ("Dee", "Ana", "Ben", "Cy")
    assert [crew(m, focus_order=["Dee", "Ana"]).plan.focus for m in range(5)] == [
        "Dee",
        "Ana",
        "Ben",
        "Cy",
        "Dee",
    ]
    with pytest.raises(ValueError, match="Zed is in the focus order, but not in the circle"):
        crew(0, focus_order=["Zed"])
    with pytest.raises(ValueError, match="names someone twice"):
        crew(0, focus_order=["Ana", "Ana"])


def test_a_remembered_focus_order_follows_the_circle() -> None:
    """Who left is dropped, who joined goes to the end in seat order; the rest keep their
    places, spelt as the circle spells them."""
    assert carried_focus_order(["Cy", "Ana", "Ben", "Dee"], NAMES) == ("Cy", "Ana", "Ben", "Dee")
    assert carried_focus_order(["Cy", "Ana", "Ben", "Dee"], ["Ana", "Cy", "Dee"]) == (
        "Cy",
        "Ana",
        "Dee",
    )
    joined = ["Ana", "Eve", "Ben", "Cy", "Dee", "Fay"]
    assert carried_focus_order(["Cy", "Ana", "Ben", "Dee"], joined) == (
        "Cy",
        "Ana",
        "Ben",
        "Dee",
        "Eve",
        "Fay",
    )
    assert carried_focus_order(["cy", "ANA"], NAMES) == ("Cy", "Ana", "Ben", "Dee")
    assert carried_focus_order(["Cy", "cy"], NAMES) == ("Cy", "Ana", "Ben", "Dee")
    # Nothing remembered: no order (the engine's default, after the host, stays in force).
    assert carried_focus_order([], NAMES) == ()
    assert carried_focus_order(["Zed"], NAMES) == NAMES
    # Carried into a plan, it is the order the series' focus follows.
    order = carried_focus_order(["Dee", "Cy", "Ben", "Ana"], NAMES)
    foci = [crew(m, focus_order=order).plan.focus for m in range(4)]
    assert foci == ["Dee", "Cy", "Ben", "Ana"]


def test_the_focus_given_at_setup_wins() -> None:
    assert crew(0, given_roles={"focus": ["Dee"]}).plan.focus == "Dee"


def test_for_each_in_the_chosen_order() -> None:
    p = practice({"kind": "for-each", "order": "chosen", "steps": [{"kind": "read", "text": "x"}]})
    chosen = Session(p, plan_circle(p, NAMES, seed=1, focus_order=["Cy", "Ana"]))
    assert [r.focus for r in chosen.runs] == ["Cy", "Ana", "Ben", "Dee"]
    plain = Session(p, plan_circle(p, NAMES, seed=1))
    assert [r.focus for r in plain.runs] == ["Ana", "Ben", "Cy", "Dee"]


def test_a_meeting_past_the_series_is_run_with_a_warning() -> None:
    s = crew(6)
    assert s.plan.warnings == ("'Test' is a series of 6 meetings; this is meeting 7.",)
    assert s.runs[0].step.title == "Check-in"
    assert of(s.start(T0), StepStarted)[0].title == "Check-in"


def test_focus_none_and_a_plain_circle() -> None:
    p = practice(round_step(), series={"meetings": 3, "focus": "none"})
    plan = plan_circle(p, NAMES, meeting=2, seed=1)
    assert (plan.focus, plan.meetings, plan.meeting_label) == (None, 3, "meeting 3 of 3")
    plain = plan_circle(practice(round_step()), NAMES, meeting=2, seed=1)
    assert (plain.meetings, plain.meeting_label) == (None, "meeting 3")


def foci(
    people: tuple[str, ...], history: list[str | None], meetings: range, **setup: Any
) -> list[str | None]:
    """The focus of each of `meetings` (0-based) of the crew, given the foci recorded so far
    (each later meeting recorded with the focus it was planned with)."""
    p = practice(*STEPS, **CREW)
    recorded = list(history)
    chosen: list[str | None] = []
    for meeting in meetings:
        plan = plan_circle(p, people, meeting=meeting, seed=1, focus_history=recorded, **setup)
        assert plan.focus != plan.host or plan.warnings
        chosen.append(plan.focus)
        recorded.append(plan.focus)
    return chosen


def test_no_history_is_the_position_rule() -> None:
    """Unrecorded meetings are played forward: the same foci as counting by position."""
    p = practice(*STEPS, **CREW)
    for order in ((), ("Dee", "Ana", "Ben", "Cy")):
        planned = [
            plan_circle(p, NAMES, meeting=m, seed=1, focus_order=order).focus for m in range(6)
        ]
        recorded = foci(NAMES, [], range(6), focus_order=order)
        assert planned == recorded
        mine = order or ("Ben", "Cy", "Dee", "Ana")
        assert planned == [*mine, mine[0], None]


def test_someone_leaving_after_their_focus_does_not_skip_the_next() -> None:
    """Ben and Cy had their meetings; Cy leaves: Dee and Ana still come before anyone's
    second, and the host is never their own focus."""
    left = ("Ana", "Ben", "Dee")
    assert foci(left, ["Ben", "Cy"], range(2, 5)) == ["Ana", "Dee", "Dee"]
    # The position rule passed Dee over: (Ben, Dee, Ana)[2] is Ana at meeting 3, then Ben.
    # A chosen order, carried without Cy, is kept: Dee, then Ana.
    order = carried_focus_order(("Ben", "Cy", "Dee", "Ana"), left)
    assert foci(left, ["Ben", "Cy"], range(2, 5), focus_order=order) == ["Dee", "Ana", "Ben"]


def test_someone_leaving_before_their_focus() -> None:
    """Ana leaves before her meeting: the others carry on in order, and she is not waited for."""
    order = carried_focus_order(("Ben", "Cy", "Dee", "Ana"), ("Ben", "Cy", "Dee"))
    assert foci(("Ben", "Cy", "Dee"), ["Ben", "Cy"], range(2, 5), focus_order=order) == [
        "Dee",
        "Ben",
        "Cy",
    ]


def test_a_newcomer_gets_a_meeting_before_anyone_has_a_second() -> None:
    joined = ("Ana", "Ben", "Cy", "Dee", "Eve")
    assert foci(joined, ["Ben", "Cy"], range(2, 5)) == ["Dee", "Eve", "Ana"]
    order = carried_focus_order(("Ben", "Cy", "Dee", "Ana"), joined)
    assert order == ("Ben", "Cy", "Dee", "Ana", "Eve")
    assert foci(joined, ["Ben", "Cy"], range(2, 5), focus_order=order) == ["Dee", "Ana", "Eve"]


def test_two_leaving() -> None:
    """Of six, Ben (already in focus) and Eve (not yet) leave after meeting 2."""
    six = ("Ana", "Ben", "Cy", "Dee", "Eve", "Fay")
    p = practice(
        *STEPS, **{**CREW, "series": {"meetings": 8, "focus_when": {"not_meeting": "last"}}}
    )
    assert [plan_circle(p, six, meeting=m, seed=1).focus for m in range(2)] == ["Ben", "Cy"]
    four = ("Ana", "Cy", "Dee", "Fay")
    recorded: list[str | None] = ["Ben", "Cy"]
    for meeting in range(2, 7):
        plan = plan_circle(p, four, meeting=meeting, seed=1, focus_history=recorded)
        assert plan.focus != plan.host
        recorded.append(plan.focus)
    # Each of the four has had a meeting before anyone has a second; nobody was passed over.
    assert recorded == ["Ben", "Cy", "Fay", "Ana", "Dee", "Dee", "Fay"]
    assert set(recorded[1:5]) == set(four)


def test_a_meeting_without_a_focus_and_foci_given_by_hand_count() -> None:
    """A recorded meeting with no focus moves nothing; a focus given at setup counts as that
    person's meeting; names match ignoring case; someone who left counts for nothing."""
    assert foci(NAMES, ["Ben", None], range(2, 4)) == ["Dee", "Ana"]
    # Cy had no meeting of his own: after Ben (meeting 1) and a meeting without focus, the
    # next meeting (hosted by Cy) goes to Dee, the seat after the host; Cy comes round later.
    assert foci(NAMES, ["Ben", None, "Dee", "Ana"], range(4, 5)) == ["Cy"]
    assert foci(NAMES, ["ben", "Zed"], range(2, 3)) == ["Dee"]


def test_the_host_as_their_own_focus_is_warned_of() -> None:
    plan = crew(1, focus_order=["Ben", "Ana"])  # Ben hosts meeting 2, and Ana had meeting 1
    assert (plan.plan.host, plan.plan.focus) == ("Ben", "Ana")
    plan = crew(0, focus_order=["Ana"])
    assert (plan.plan.host, plan.plan.focus) == ("Ana", "Ana")
    assert plan.plan.warnings == (
        "Ana hosts this meeting and is also its focus; "
        "another focus order, or another host, keeps the two apart.",
    )
    assert crew(0, given_roles={"focus": ["Ana"]}).plan.warnings == plan.plan.warnings
    assert all(not crew(m).plan.warnings for m in range(6))
