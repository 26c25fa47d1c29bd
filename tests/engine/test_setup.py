"""Setting a circle up: seats, starter, host and roles, all decided by `plan_circle`."""

from __future__ import annotations

import pytest

from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.events import LapStarted, SessionStarted
from circlekeeper.records.circles import CircleStore

from .helpers import T0, of, practice, round_step

ROLES = [
    {"id": "host", "name": "Host", "assign": "rotate"},
    {"id": "caller", "name": "Caller", "assign": "first"},
    {"id": "scribe", "name": "Scribe", "assign": "random", "count": 2},
    {"id": "giver", "name": "Case giver", "assign": "ask"},
]
NAMES = ("Ana", "Ben", "Cy", "Dee")


def test_each_rule() -> None:
    p = practice({"kind": "read", "text": "x"}, roles=ROLES)
    plan = plan_circle(p, NAMES, meeting=5, seed=3, given_roles={"giver": ("Cy", "Nobody")})
    assert plan.roles["host"] == ("Ben",)  # meeting 5 in a circle of four
    assert plan.host == "Ben"
    assert plan.roles["caller"] == ("Ana",)
    assert len(plan.roles["scribe"]) == 2 and set(plan.roles["scribe"]) <= set(NAMES)
    assert plan.roles["giver"] == ("Cy",)  # only people in the circle
    assert plan.warnings == ("Nobody cannot hold the role 'giver': not in this circle.",)
    assert plan.defaulted_roles == ()
    assert list(plan.roles) == ["host", "caller", "scribe", "giver"]


def test_random_roles_are_seeded_and_the_seed_is_drawn_once() -> None:
    p = practice({"kind": "read", "text": "x"}, roles=ROLES)
    assert plan_circle(p, NAMES, seed=8).roles == plan_circle(p, NAMES, seed=8).roles
    drawn = plan_circle(p, NAMES)
    assert isinstance(drawn.seed, int)
    assert plan_circle(p, NAMES, seed=drawn.seed).roles == drawn.roles


def test_given_overrides_any_rule() -> None:
    p = practice({"kind": "read", "text": "x"}, roles=ROLES)
    assert plan_circle(p, NAMES, given_roles={"host": ["Dee"]}).roles["host"] == ("Dee",)


def test_rotation_moves_one_seat_per_meeting_and_the_host_with_it() -> None:
    p = practice({"kind": "read", "text": "x"}, roles=ROLES)
    plans = [plan_circle(p, NAMES, meeting=m, seed=1) for m in range(5)]
    assert [plan.roles["host"][0] for plan in plans] == ["Ana", "Ben", "Cy", "Dee", "Ana"]
    assert [plan.host for plan in plans] == ["Ana", "Ben", "Cy", "Dee", "Ana"]
    # The starter is the host unless someone else is chosen; seats never move.
    assert [plan.starter for plan in plans] == ["Ana", "Ben", "Cy", "Dee", "Ana"]
    assert all(plan.names == NAMES for plan in plans)
    chosen = plan_circle(p, NAMES, meeting=2, starter="Ana", seed=1)
    assert (chosen.starter, chosen.host, chosen.names) == ("Ana", "Cy", NAMES)


def test_an_asked_role_nobody_was_given_is_filled_by_the_stated_rule() -> None:
    p = practice(
        {"kind": "read", "text": "x"},
        roles=[
            {"id": "host", "name": "Host", "assign": "rotate"},
            {"id": "guardian", "name": "Guardian", "assign": "ask"},
            {"id": "scribe", "name": "Scribe", "assign": "ask", "count": 2},
        ],
    )
    plan = plan_circle(p, NAMES, meeting=1, seed=1)
    # Seat order from the host (Ben) on, skipping people who already hold a role.
    assert plan.roles == {"host": ("Ben",), "guardian": ("Cy",), "scribe": ("Dee", "Ana")}
    assert plan.defaulted_roles == ("guardian", "scribe")
    # With more roles than free people, holders double up, again from the host on.
    small = plan_circle(p, ("Ana", "Ben"), seed=1)
    assert small.roles == {"host": ("Ana",), "guardian": ("Ben",), "scribe": ("Ana", "Ben")}


def test_a_circle_outside_the_size_range_is_a_warning() -> None:
    p = practice({"kind": "read", "text": "x"}, size={"min": 3, "max": 5})
    assert plan_circle(p, ("Ana",), seed=1).warnings == (
        "'Test' is made for at least 3 people; this circle has 1 person.",
    )
    assert plan_circle(p, NAMES, seed=1).warnings == ()


@pytest.mark.parametrize(
    ("names", "starter", "message"),
    [
        ((), None, "a circle needs at least one person"),
        (("Ana", "ana"), None, "each name in the circle must be different"),
        (("Ana", " "), None, "each person in the circle needs a name"),
        (("Ana", "Ben"), "Cy", "Cy starts, but is not in the circle"),
    ],
)
def test_a_bad_circle_is_refused(names: tuple[str, ...], starter: str | None, message: str) -> None:
    p = practice({"kind": "read", "text": "x"})
    with pytest.raises(ValueError, match=message):
        plan_circle(p, names, starter=starter)


def test_the_starter_starts_a_first_round_without_moving_the_seats() -> None:
    p = practice(round_step())
    s = Session(p, plan_circle(p, NAMES, starter="Cy", seed=1))
    events = s.start(T0)
    assert of(events, SessionStarted)[0].circle == NAMES
    assert of(events, LapStarted)[0].order == ("Cy", "Dee", "Ana", "Ben")


def test_rotate_per_meeting_is_rotated_once_whoever_starts() -> None:
    p = practice(round_step(start="rotate-per-meeting"))
    firsts = []
    for meeting in range(4):
        plan = plan_circle(p, NAMES, meeting=meeting, seed=1)
        firsts.append(of(Session(p, plan).start(T0), LapStarted)[0].order[0])
    assert firsts == ["Ana", "Ben", "Cy", "Dee"]


def test_a_saved_circle_of_four_meeting_four_times_is_hosted_by_each_in_turn() -> None:
    p = practice({"kind": "read", "text": "x"}, roles=ROLES)
    store = CircleStore()
    store.save("Crew", NAMES)
    hosts = []
    for _ in range(4):
        plan = plan_circle(p, NAMES, meeting=store.meeting_count("Crew"), seed=1)
        hosts.append(plan.roles["host"][0])
        store.record_meeting("Crew", p.title, plan.host)
    assert hosts == ["Ana", "Ben", "Cy", "Dee"]
    saved = store.get("Crew")
    assert saved is not None and [m.host for m in saved.meetings] == hosts
