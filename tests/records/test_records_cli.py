"""Saved circles, history and export from the command line: what a facilitator types, what
comes back, and one clear line (exit 2, no traceback) for every mistake."""

from __future__ import annotations

import json
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from records_meetings import FIRST, NAMES, meet
from records_meetings import utc as utc  # the fixture

from circlekeeper.cli import cli
from circlekeeper.engine.commands import End, Next, Start
from circlekeeper.records.circles import CircleStore

pytestmark = pytest.mark.usefixtures("utc")


def ck(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("circlekeeper: "), result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0]


def test_circles_add_list_show_rename_remove() -> None:
    added = ck(
        "circles", "add", "Tuesday crew", "--people", "Ana, Ben,Cy,Dee", "--role", "scribe=cy"
    )
    assert added.exit_code == 0 and "Saved 'Tuesday crew': Ana, Ben, Cy, Dee." in added.output
    circle = CircleStore().get("Tuesday crew")
    assert circle is not None and circle.roles == {"scribe": ("Cy",)}
    listed = ck("circles", "list")
    assert listed.output == "Tuesday crew  4 people, 0 meetings\n"
    shown = ck("circles", "show", "tuesday crew")
    assert "people, in seat order: Ana, Ben, Cy, Dee" in shown.output
    assert "next: meeting 1 · hosted by Ana" in shown.output
    data = json.loads(ck("circles", "show", "Tuesday crew", "--json").output)
    assert data["next_meeting"] == 1 and data["next_host"] == "Ana"
    assert ck("circles", "rename", "Tuesday crew", "Crew").exit_code == 0
    assert CircleStore().names() == ["Crew"]
    removed = ck("circles", "remove", "crew")
    assert removed.exit_code == 0 and "stay in `circlekeeper history`" in removed.output
    assert CircleStore().names() == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["circles", "add", "Crew", "--people", " , "], ["--people names nobody"]),
        (["circles", "add", "Crew", "--people", "Ana", "--role", "scribe"], ["ROLE=NAME"]),
        (["circles", "add", "Crew", "--people", "Ana", "--role", "scribe=Zed"], ["Zed"]),
        (["circles", "add", "Crew", "--people", "Ana,ana"], ["twice"]),
        (["circles", "show", "Nobody"], ["no saved circle called 'Nobody'"]),
        (["circles", "remove", "Nobody"], ["no saved circle"]),
        (["circles", "rename", "Nobody", "X"], ["no saved circle"]),
        (["run", "check-in", "--circle-name", "Nobody"], ["no saved circle called 'Nobody'"]),
        (["run", "check-in", "--circle", "Ana", "--circle-name", "Crew"], ["not both"]),
        (["run", "check-in"], ["--circle"]),
        (["run"], ["name a practice"]),
        (["run", "check-in", "--resume"], ["--resume takes no practice"]),
        (["run", "--resume"], ["there is no session to resume"]),
        (["export", "last", "--names"], ["no session has been kept yet"]),
        (["export", "--names"], ["name a session"]),
        (["history", "--json", "extra"], []),
    ],
)
def test_every_mistake_is_one_line_and_exit_2(args: list[str], words: list[str]) -> None:
    result = ck(*args)
    if args[-1] == "extra":  # click's own usage error: exit 2, no traceback
        assert result.exit_code == 2 and "Traceback" not in result.output
        return
    one_line_error(result, *words)


def test_a_second_circle_of_the_same_name_is_refused_unless_replaced() -> None:
    ck("circles", "add", "Crew", "--people", "Ana,Ben")
    CircleStore().record_meeting("Crew", "Check-in", host="Ana")
    one_line_error(ck("circles", "add", "crew", "--people", "Cy"), "already a circle", "1 meeting")
    replaced = ck("circles", "add", "crew", "--people", "Cy,Dee", "--replace")
    assert replaced.exit_code == 0
    circle = CircleStore().get("Crew")
    assert circle is not None and circle.people == ("Cy", "Dee") and circle.meeting_count == 1


def test_run_with_a_saved_circle_brings_its_people_roles_and_next_meeting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = CircleStore()
    store.save("Crew", NAMES, {"scribe": ["Cy"]})
    for host in ("Ana", "Ben", "Cy"):
        store.record_meeting("Crew", "Check-in", host=host)
    asked: list[dict[str, Any]] = []

    def fake_run(practice: str, names: list[str], **kwargs: Any) -> int:
        asked.append({"practice": practice, "names": names, **kwargs})
        return 0

    monkeypatch.setattr("circlekeeper.tui.launch.run_session", fake_run)
    assert ck("run", "check-in", "--circle-name", "crew", "--silent").exit_code == 0
    (call,) = asked
    assert call["names"] == list(NAMES) and call["given_roles"] == {"scribe": ("Cy",)}
    assert call["meeting"] == 3 and call["circle_name"] == "Crew"


def test_rehearse_a_meeting_of_a_saved_circle() -> None:
    CircleStore().save("Crew", NAMES)
    text = ck("rehearse", "check-in", "--circle-name", "Crew", "--meeting", "4").output
    assert text.splitlines()[0] == "Crew · meeting 4 · hosted by Dee"
    assert "(roles: host: Dee)" in text.splitlines()[1]
    events = [
        json.loads(line)
        for line in ck(
            "rehearse", "check-in", "--circle-name", "Crew", "--meeting", "2", "--json"
        ).output.splitlines()
    ]
    started = next(e for e in events if e["event"] == "session_started")
    assert started["roles"] == {"host": ["Ben"]}
    assert "counting from 1" in ck("rehearse", "--help").output


@pytest.fixture
def crew_history() -> list[str]:
    """Three meetings of the crew kept: hosted by Ana, Ben, Cy; the third ended early."""
    CircleStore().save("Tuesday crew", NAMES, {"scribe": ["Cy"]})
    short = [(0.0, Start()), (30.0, Next()), (150.0, Next()), (200.0, End())]
    ids = []
    for meeting, script in enumerate([FIRST, FIRST, short]):
        summary = meet(None, meeting, script)
        assert summary.session_id is not None
        ids.append(summary.session_id)
        CircleStore().record_meeting(
            "Tuesday crew",
            summary.practice_title,
            summary.host,
            None,
            summary.started.date(),
            summary.session_id,
        )
    return ids


def test_history_says_who_hosted_each_meeting(crew_history: list[str]) -> None:
    rows = json.loads(ck("history", "--json").output)
    assert [r["id"] for r in rows] == crew_history
    assert [r["host"] for r in rows] == ["Ana", "Ben", "Cy"]
    assert [r["meeting"] for r in rows] == [1, 2, 3]
    assert [(r["finished"], r["status"]) for r in rows] == [
        (True, "finished"),
        (True, "finished"),
        (True, "ended early"),
    ]
    first = rows[0]
    assert first["practice"] == "Crew meeting" and first["circle_name"] == "Tuesday crew"
    assert first["people"] == list(NAMES)
    assert first["roles"] == {"host": ["Ana"], "scribe": ["Cy"]}
    assert first["airtime"]["Ana"] == pytest.approx(115.0)
    for field in ("started", "ended"):
        when = datetime.fromisoformat(first[field])
        assert when.utcoffset() is not None  # ISO 8601 with its offset
    assert first["started"] == "2026-11-18T19:00:00+00:00"
    text = ck("history").output.splitlines()
    assert text[0].startswith(crew_history[0]) and "Tuesday crew #1 (host Ana)" in text[0]


def test_export_asks_for_consent_on_a_terminal_and_refuses_without_one(
    crew_history: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    one_line_error(ck("export", crew_history[0]), "--names or --anonymous")
    monkeypatch.setattr("circlekeeper.cli._can_ask", lambda: True)
    said_no = ck("export", crew_history[0], input="n\n")
    assert said_no.exit_code == 0
    assert "Did they?" in said_no.output and "Person 1" in said_no.output
    assert "| Ana |" not in said_no.output
    said_yes = ck("export", crew_history[0][:17], input="y\n")  # an unambiguous beginning
    assert said_yes.exit_code == 0 and "| Ana | 1:55 |" in said_yes.output


def test_export_writes_a_private_file_in_each_format(
    crew_history: list[str], tmp_path: Path
) -> None:
    for fmt, first_line in (("md", "# Crew meeting"), ("json", "{"), ("csv", "record,person")):
        out = tmp_path / "out" / f"reportback.{fmt}"
        result = ck("export", "last", "--format", fmt, "--anonymous", "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.read_text().startswith(first_line)
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        assert "Ana" not in out.read_text()


def test_export_a_circles_meetings(crew_history: list[str]) -> None:
    text = ck("export", "--circle", "tuesday crew", "--names").output
    assert text.startswith("# Tuesday crew\n")
    assert "| 3 | Wed 2 Dec 2026 | Crew meeting | Cy | 3 minutes, ended early |" in text
    one_line_error(ck("export", "--circle", "Tuesday crew", "--format", "csv", "--names"), "md")
    data = json.loads(
        ck("export", "--circle", "Tuesday crew", "--format", "json", "--names").output
    )
    assert [m["host"] for m in data["meetings"]] == ["Ana", "Ben", "Cy"]
    assert all(m["summary"] is not None for m in data["meetings"])


def test_an_ambiguous_or_unknown_id_is_said(crew_history: list[str]) -> None:
    one_line_error(ck("export", "2026", "--names"), "could be", "give more of the id")
    one_line_error(ck("export", "1999", "--names"), "no session '1999'")


def focus_of(*args: str) -> str:
    """The first line `rehearse` prints: the meeting, its focus and its host."""
    result = ck("rehearse", "crew-series", *args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[0]


def test_a_saved_crew_keeps_its_focus_order_from_meeting_to_meeting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    added = ck("circles", "add", "Crew", "--people", "Ana,Ben,Cy,Dee", "--focus-order", "dee,cy")
    assert added.exit_code == 0, added.output
    assert "focus order: Dee, Cy, Ana, Ben" in added.output
    shown = ck("circles", "show", "Crew")
    assert "  focus order: Dee, Cy, Ana, Ben" in shown.output
    assert json.loads(ck("circles", "show", "Crew", "--json").output)["focus_order"] == [
        "Dee",
        "Cy",
        "Ana",
        "Ben",
    ]
    expected = [
        "Crew · meeting 1 of 6 · focus: Dee · hosted by Ana",
        "Crew · meeting 2 of 6 · focus: Cy · hosted by Ben",
        "Crew · meeting 3 of 6 · focus: Ana · hosted by Cy",
        "Crew · meeting 4 of 6 · focus: Ben · hosted by Dee",
        "Crew · meeting 5 of 6 · focus: Dee · hosted by Ana",
        "Crew · meeting 6 of 6 · hosted by Ben",  # the retrospective: nobody in focus
    ]
    assert [focus_of("--circle-name", "crew", "--meeting", str(n)) for n in range(1, 7)] == (
        expected
    )
    # Each meeting held moves the next one on, in the same order.
    store = CircleStore()
    for held, focus in enumerate(["Dee", "Cy", "Ana"]):
        assert focus_of("--circle-name", "Crew") == expected[held]
        store.record_meeting("Crew", "A crew's first six meetings", focus=focus, session=f"s{held}")
    # An order given for a rehearsal is used for it, and not remembered.
    assert focus_of("--circle-name", "Crew", "--meeting", "1", "--focus-order", "Ben") == (
        "Crew · meeting 1 of 6 · focus: Ben · hosted by Ana"
    )
    kept = CircleStore().get("Crew")
    assert kept is not None and kept.focus_order == ("Dee", "Cy", "Ana", "Ben")
    # `run` brings the remembered order unless another is given.
    asked: list[dict[str, Any]] = []

    def fake_run(practice: str, names: list[str], **kwargs: Any) -> int:
        asked.append(kwargs)
        return 0

    monkeypatch.setattr("circlekeeper.tui.launch.run_session", fake_run)
    assert ck("run", "crew-series", "--circle-name", "Crew", "--silent").exit_code == 0
    assert ck("run", "crew-series", "--circle-name", "Crew", "--focus-order", "Ben").exit_code == 0
    assert [call["focus_order"] for call in asked] == [["Dee", "Cy", "Ana", "Ben"], ["Ben"]]


def test_a_crew_that_changes_keeps_the_others_places_in_its_focus_order() -> None:
    ck("circles", "add", "Crew", "--people", "Ana,Ben,Cy,Dee", "--focus-order", "Dee,Cy,Ben,Ana")
    # Ben leaves, Eve joins: Dee, Cy, Ana keep their order, Eve comes last.
    replaced = ck("circles", "add", "Crew", "--people", "Ana,Cy,Dee,Eve", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "focus order: Dee, Cy, Ana, Eve" in replaced.output
    assert ck("circles", "rename", "Crew", "Tuesday crew").exit_code == 0
    assert "focus order: Dee, Cy, Ana, Eve" in ck("circles", "show", "Tuesday crew").output
    foci = [
        focus_of("--circle-name", "Tuesday crew", "--meeting", str(n)).split(" · ")[2]
        for n in range(1, 5)
    ]
    assert foci == ["focus: Dee", "focus: Cy", "focus: Ana", "focus: Eve"]
    one_line_error(
        ck("circles", "add", "Other", "--people", "Ana,Ben", "--focus-order", "Zed"),
        "Zed is in the focus order, but not in the circle",
    )
    one_line_error(
        ck("circles", "add", "Other", "--people", "Ana,Ben", "--focus-order", " , "),
        "--focus-order names nobody",
    )
    assert CircleStore().get("Other") is None


def hold_meeting(circle: str) -> tuple[str, list[str]]:
    """Rehearse the saved circle's next meeting of the crew series, then record it as held
    with the host and focus the rehearsal planned: its first line and its warnings."""
    result = CliRunner().invoke(cli, ["rehearse", "crew-series", "--circle-name", circle])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    parts = dict(part.split(": ", 1) for part in first.split(" · ") if ": " in part)
    host = first.rsplit("hosted by ", 1)[1]
    CircleStore().record_meeting(
        circle, "A crew's first six meetings", host=host, focus=parts.get("focus")
    )
    return first, [line for line in result.stderr.splitlines() if "warning" in line]


@pytest.mark.parametrize("order", [None, "Ben,Cy,Dee,Ana"])
def test_a_member_leaving_mid_series_does_not_make_the_focus_skip_anyone(
    order: str | None,
) -> None:
    """Six meetings of a crew; Cy, in focus at meeting 2, leaves after it. Everyone still
    there has a meeting in focus before anyone has a second, in the order kept."""
    given = ["--focus-order", order] if order else []
    assert ck("circles", "add", "Crew", "--people", "Ana,Ben,Cy,Dee", *given).exit_code == 0
    held = [hold_meeting("Crew") for _ in range(2)]
    assert ck("circles", "add", "Crew", "--people", "Ana,Ben,Dee", "--replace").exit_code == 0
    held += [hold_meeting("Crew") for _ in range(4)]
    lines = [line for line, _ in held]
    if order is None:
        # After the host, as before Cy left; the host never their own focus.
        assert lines == [
            "Crew · meeting 1 of 6 · focus: Ben · hosted by Ana",
            "Crew · meeting 2 of 6 · focus: Cy · hosted by Ben",
            "Crew · meeting 3 of 6 · focus: Ana · hosted by Dee",
            "Crew · meeting 4 of 6 · focus: Dee · hosted by Ana",
            "Crew · meeting 5 of 6 · focus: Dee · hosted by Ben",
            "Crew · meeting 6 of 6 · hosted by Dee",
        ]
        assert all(not warnings for _, warnings in held)
    else:
        # The kept order, Dee next: counting by position would have passed Dee over.
        assert lines == [
            "Crew · meeting 1 of 6 · focus: Ben · hosted by Ana",
            "Crew · meeting 2 of 6 · focus: Cy · hosted by Ben",
            "Crew · meeting 3 of 6 · focus: Dee · hosted by Dee",
            "Crew · meeting 4 of 6 · focus: Ana · hosted by Ana",
            "Crew · meeting 5 of 6 · focus: Ben · hosted by Ben",
            "Crew · meeting 6 of 6 · hosted by Dee",
        ]
        # A kept order that puts the host in focus is said before the meeting.
        assert [len(warnings) for _, warnings in held] == [0, 0, 1, 1, 1, 0]
        assert "Dee hosts this meeting and is also its focus" in held[2][1][0]
    saved = CircleStore().get("Crew")
    assert saved is not None
    assert saved.focus_history == tuple(
        line.split("focus: ")[1].split(" ·")[0] if "focus: " in line else None for line in lines
    )
