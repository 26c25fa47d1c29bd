"""Saved circles: save and load, validation, hosting rotation, and a corrupt file kept safe."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from circlekeeper.paths import data_dir
from circlekeeper.records.circles import CircleStore, CircleStoreError

CREW = ["Ana", "Ben", "Cy", "Dee"]


def test_save_then_load_in_a_new_store() -> None:
    store = CircleStore()
    store.save("Tuesday crew", CREW, {"host": ["Ana"], "guardian": ["Cy"]})
    store.save("Sangha", ["Eli", "Fay"])

    again = CircleStore()
    assert again.problem is None
    assert again.names() == ["Sangha", "Tuesday crew"]
    crew = again.get("tuesday CREW")
    assert crew is not None
    assert crew.name == "Tuesday crew"
    assert crew.people == ("Ana", "Ben", "Cy", "Dee")
    assert crew.roles == {"host": ("Ana",), "guardian": ("Cy",)}
    assert again.get("nobody") is None
    assert (data_dir() / "circles.json").is_file()


def test_saving_again_replaces_people_but_keeps_meetings() -> None:
    store = CircleStore()
    store.save("Crew", CREW)
    store.record_meeting("Crew", "Check-in", host="Ana", date=dt.date(2026, 11, 1))
    store.save("crew", [*CREW, "Eve"])
    circle = CircleStore().get("Crew")
    assert circle is not None
    assert circle.name == "crew"
    assert circle.people[-1] == "Eve"
    assert circle.meeting_count == 1
    assert len(CircleStore().list()) == 1


def test_delete() -> None:
    store = CircleStore()
    store.save("Crew", CREW)
    assert store.delete("CREW") is True
    assert store.delete("Crew") is False
    assert CircleStore().list() == []


@pytest.mark.parametrize(
    ("name", "people", "message"),
    [
        ("", CREW, "empty"),
        ("   ", CREW, "empty"),
        ("x" * 61, CREW, "longer than 60"),
        ("Crew", ["Ana", ""], "empty"),
        ("Crew", ["Ana", "ana"], "twice"),
        ("Crew", ["Ana", "B" * 61], "longer than 60"),
        ("Crew", [], "at least one person"),
    ],
)
def test_names_are_validated(name: str, people: list[str], message: str) -> None:
    store = CircleStore()
    with pytest.raises(ValueError, match=message):
        store.save(name, people)
    assert store.list() == []


def test_a_name_of_exactly_sixty_characters_is_fine() -> None:
    assert CircleStore().save("c" * 60, ["p" * 60]).name == "c" * 60


def test_role_holders_must_be_in_the_circle() -> None:
    with pytest.raises(ValueError, match="Zed"):
        CircleStore().save("Crew", CREW, {"host": ["Zed"]})


def test_meetings_are_counted_and_remember_their_host() -> None:
    # Who hosts next is `plan_circle`'s rule (meeting k: the k-th seat); records count.
    store = CircleStore()
    store.save("Crew", CREW)
    assert store.meeting_count("Crew") == 0
    for day, host in enumerate(["Ana", "Ben", "Cy"], start=1):
        store.record_meeting("Crew", "Check-in", host=host, focus=None, date=dt.date(2026, 11, day))
    assert CircleStore().meeting_count("Crew") == 3
    saved = store.get("Crew")
    assert saved is not None and [m.host for m in saved.meetings] == ["Ana", "Ben", "Cy"]
    assert store.meeting_count("No such circle") == 0


def test_a_session_is_recorded_once() -> None:
    store = CircleStore()
    store.save("Crew", CREW)
    store.record_meeting("Crew", "Check-in", host="Ana", session="20261123-140203-check-in")
    store.record_meeting("Crew", "Check-in", host="Ana", session="20261123-140203-check-in")
    assert store.meeting_count("Crew") == 1


def test_rename_keeps_people_roles_and_meetings() -> None:
    store = CircleStore()
    store.save("Crew", CREW, {"scribe": ["Cy"]})
    store.save("Sangha", ["Eli"])
    store.record_meeting("Crew", "Check-in", host="Ana")
    renamed = store.rename("crew", "Tuesday crew")
    assert renamed.people == tuple(CREW) and renamed.roles == {"scribe": ("Cy",)}
    again = CircleStore()
    assert again.names() == ["Sangha", "Tuesday crew"]
    assert again.meeting_count("Tuesday crew") == 1
    assert store.rename("Tuesday crew", "TUESDAY crew").name == "TUESDAY crew"  # same circle
    with pytest.raises(ValueError, match="already a circle called 'Sangha'"):
        store.rename("TUESDAY crew", "sangha")
    with pytest.raises(KeyError):
        store.rename("Nobody", "Somebody")
    with pytest.raises(ValueError, match="empty"):
        store.rename("Sangha", "  ")


def test_meetings_are_stored_with_their_date_practice_and_focus() -> None:
    store = CircleStore()
    store.save("Crew", CREW)
    store.record_meeting("Crew", "Case clinic", host="Ana", focus="Dee", date=dt.date(2026, 11, 23))
    data = json.loads((data_dir() / "circles.json").read_text())
    assert data["circles"]["Crew"]["meetings"] == [
        {
            "date": "2026-11-23",
            "practice": "Case clinic",
            "host": "Ana",
            "focus": "Dee",
            "session": None,
        }
    ]
    with pytest.raises(KeyError):
        store.record_meeting("Nobody", "Check-in")


def test_a_corrupt_file_is_backed_up_and_the_store_starts_empty() -> None:
    path = data_dir() / "circles.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    garbage = b'{"version": 1, "circles": {"Crew": {"people": ["Ana", '  # torn by hand
    path.write_bytes(garbage)

    store = CircleStore()
    assert store.list() == []
    assert store.problem is not None and "circles.json.bak" in store.problem
    assert store.backup == path.with_name("circles.json.bak")
    assert store.backup.read_bytes() == garbage

    store.save("Crew", CREW)
    assert CircleStore().names() == ["Crew"]
    assert store.backup.read_bytes() == garbage  # the user's bytes are still there

    path.write_bytes(b"\x00\x00\x00")  # corrupt again: a second backup, the first kept
    second = CircleStore()
    assert second.backup == path.with_name("circles.json.2.bak")
    assert store.backup.read_bytes() == garbage
    assert second.list() == []


def test_one_bad_circle_is_reported_and_the_others_kept() -> None:
    path = data_dir() / "circles.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    original = json.dumps(
        {
            "version": 1,
            "circles": {
                "Good": {"people": ["Ana", "Ben"], "roles": {}, "meetings": []},
                "Bad": {"people": ["Ana", "Ana"]},
            },
        }
    )
    path.write_text(original)
    store = CircleStore()
    assert store.names() == ["Good"]
    assert store.problem is not None and "'Bad'" in store.problem
    assert store.backup is not None and store.backup.read_text() == original
    # The salvage was written back, so the next start is quiet.
    assert CircleStore().problem is None


def test_an_unreadable_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "circles.json"
    path.mkdir()  # reading a directory fails with an OSError that is not "missing"
    store = CircleStore(path)
    assert store.problem is not None
    with pytest.raises(CircleStoreError):
        store.save("Crew", CREW)
    assert path.is_dir()


def test_two_windows_do_not_lose_each_others_circles() -> None:
    first, second = CircleStore(), CircleStore()
    first.save("Crew", CREW)
    second.save("Sangha", ["Eli", "Fay"])
    assert CircleStore().names() == ["Crew", "Sangha"]


def test_the_file_is_replaced_not_rewritten_in_place() -> None:
    store = CircleStore()
    store.save("Crew", CREW)
    path = data_dir() / "circles.json"
    before = os.stat(path).st_ino
    store.save("Sangha", ["Eli"])
    assert os.stat(path).st_ino != before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def remembered(name: str) -> tuple[str, ...]:
    """The focus order a circle remembers, as a new store reads it from the file."""
    circle = CircleStore().get(name)
    assert circle is not None
    return circle.focus_order


def test_a_circle_remembers_its_focus_order() -> None:
    store = CircleStore()
    assert store.save("Crew", CREW).focus_order == ()
    saved = store.save("Crew", CREW, focus_order=["cy", "Ana"])
    assert saved.focus_order == ("Cy", "Ana", "Ben", "Dee")  # completed, spelt as the circle
    assert remembered("crew") == ("Cy", "Ana", "Ben", "Dee")
    with pytest.raises(ValueError, match="Zed is in the focus order, but not in the circle"):
        store.save("Crew", CREW, focus_order=["Zed"])
    with pytest.raises(ValueError, match="names Cy twice"):
        store.save("Crew", CREW, focus_order=["Cy", "cy"])
    # New people: who left is dropped, who joined goes to the end; the rest keep their places.
    changed = store.save("Crew", ["Ana", "Cy", "Dee", "Eve"])
    assert changed.focus_order == ("Cy", "Ana", "Dee", "Eve")
    assert store.rename("Crew", "Tuesday crew").focus_order == ("Cy", "Ana", "Dee", "Eve")
    again = CircleStore().get("Tuesday crew")
    assert again is not None and again.focus_order == ("Cy", "Ana", "Dee", "Eve")


def test_a_meeting_brings_its_focus_order_for_the_next() -> None:
    store = CircleStore()
    store.save("Crew", CREW)
    # A meeting with no order chosen leaves the circle without one.
    store.record_meeting("Crew", "Crew series", host="Ana", focus="Ben", session="s1")
    assert remembered("Crew") == ()
    # Chosen at a meeting (a guest, not of the circle, is not remembered).
    order = ("Dee", "Guest", "Ben", "Ana", "Cy")
    store.record_meeting("Crew", "Crew series", "Ben", "Dee", session="s2", focus_order=order)
    assert remembered("Crew") == ("Dee", "Ben", "Ana", "Cy")
    # A later meeting without one keeps it.
    store.record_meeting("Crew", "Crew series", "Cy", "Ben", session="s3")
    assert remembered("Crew") == ("Dee", "Ben", "Ana", "Cy")


def test_a_circles_file_without_focus_orders_still_loads() -> None:
    """Written before circles kept a focus order; a hand-edited order is put in step."""
    path = data_dir() / "circles.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = {"people": list(CREW), "roles": {}, "meetings": []}
    edited = {**old, "focus_order": ["Zed", "Dee", "Ana"]}
    path.write_text(json.dumps({"version": 1, "circles": {"Old": old, "Edited": edited}}))
    assert CircleStore().problem is None
    assert remembered("Old") == ()
    assert remembered("Edited") == ("Dee", "Ana", "Ben", "Cy")
    bad = {**old, "focus_order": "Ana"}
    path.write_text(json.dumps({"version": 1, "circles": {"Bad": bad}}))
    assert "the focus order must be a list of names" in (CircleStore().problem or "")


def test_the_focus_of_each_meeting_is_kept_for_the_next_plan() -> None:
    store = CircleStore()
    store.save("Crew", CREW)
    store.record_meeting("Crew", "Crew series", host="Ana", focus="Ben", session="a")
    store.record_meeting("Crew", "Check-in", host="Ben", session="b")
    store.record_meeting("Crew", "Crew series", host="Cy", focus="Dee", session="c")
    # Someone leaving keeps the meetings as they were: who was in focus stays on record.
    store.save("Crew", [p for p in CREW if p != "Dee"])
    again = CircleStore().get("Crew")
    assert again is not None and again.focus_history == ("Ben", None, "Dee")
