"""Assigning roles before a session."""

from __future__ import annotations

from circlekeeper.engine import assign_roles

from .helpers import practice

ROLES = [
    {"id": "host", "name": "Host", "assign": "rotate"},
    {"id": "caller", "name": "Caller", "assign": "first"},
    {"id": "scribe", "name": "Scribe", "assign": "random", "count": 2},
    {"id": "giver", "name": "Case giver", "assign": "ask"},
]
NAMES = ("Ana", "Ben", "Cy", "Dee")


def test_each_rule() -> None:
    p = practice({"kind": "read", "text": "x"}, roles=ROLES)
    roles = assign_roles(p, NAMES, meeting=5, seed=3, given={"giver": ("Cy", "Nobody")})
    assert roles["host"] == ("Ben",)  # meeting 5 in a circle of four
    assert roles["caller"] == ("Ana",)
    assert len(roles["scribe"]) == 2 and set(roles["scribe"]) <= set(NAMES)
    assert roles["giver"] == ("Cy",)  # only people in the circle


def test_random_is_seeded_and_ask_without_an_answer_is_empty() -> None:
    p = practice({"kind": "read", "text": "x"}, roles=ROLES)
    assert assign_roles(p, NAMES, seed=8) == assign_roles(p, NAMES, seed=8)
    assert assign_roles(p, NAMES)["giver"] == ()


def test_given_overrides_any_rule() -> None:
    p = practice({"kind": "read", "text": "x"}, roles=ROLES)
    assert assign_roles(p, NAMES, given={"host": ["Dee"]})["host"] == ("Dee",)


def test_rotation_moves_one_seat_per_meeting() -> None:
    p = practice({"kind": "read", "text": "x"}, roles=ROLES)
    hosts = [assign_roles(p, NAMES, meeting=m)["host"][0] for m in range(5)]
    assert hosts == ["Ana", "Ben", "Cy", "Dee", "Ana"]
