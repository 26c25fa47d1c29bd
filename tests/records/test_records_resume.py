"""Resume is replay: a session cut short comes back from its journal at the same step, with
the same speaker, the same time left and the airtime so far."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.commands import Command, Next, Note, Pass, Pause, Resume, Start
from circlekeeper.records.journal import Journal, JournalContents, read_journal
from circlekeeper.records.resume import (
    ResumeError,
    ScriptChanged,
    fingerprint_file,
    offer,
    rebuild,
)
from circlekeeper.script.loader import load_practice

PRACTICES = Path(__file__).resolve().parents[2] / "practices"
NAMES = ("Ana", "Ben", "Cy", "Dee")
T0 = 7_000.0
AGAIN = 1_234.5
"""The resumed app's machine clock: nothing like the first one's."""

SCRIPT: list[tuple[float, Command]] = [
    (0.0, Start()),
    (40.0, Next()),  # the welcome is read: the round begins with the host
    (95.0, Note("Ana will send the notes")),
    (130.0, Next()),
    (150.0, Pause()),
    (170.0, Resume()),
    (210.0, Pass()),
]


def practice_copy(tmp_path: Path) -> Path:
    path = tmp_path / "check-in.yaml"
    shutil.copy(PRACTICES / "check-in.yaml", path)
    return path


def run_until(path: Path, cut: float, *, v1: bool = False) -> tuple[Session, JournalContents]:
    """Run the check-in with its journal to session time `cut`, then die without a word."""
    practice = load_practice(path)
    plan = plan_circle(practice, NAMES, meeting=1, seed=8)
    session = Session(practice, plan)
    if v1:  # a journal of the first version: no plan, no hash
        journal = Journal.create(
            practice.title,
            path,
            plan.names,
            plan.roles,
            plan.seed,
            {"meeting": 1, "starter": plan.starter, "language": "en"},
        )
    else:
        journal = Journal.for_plan(
            practice.title, path, plan, practice_sha256=fingerprint_file(path), circle_name="Crew"
        )
    t = 0.0
    script = list(SCRIPT)
    while script and script[0][0] <= cut:
        at, command = script.pop(0)
        while t < at:  # ticks every half second, a checkpoint with each
            t = min(at, t + 0.5)
            for event in session.advance(T0 + t):
                journal.append(event)
            journal.checkpoint(t)
        for event in session.do(command, T0 + at):
            journal.append(event)
    while t < cut:
        t = min(cut, t + 0.5)
        for event in session.advance(T0 + t):
            journal.append(event)
        journal.checkpoint(t)
    journal._release()  # the process dies: the file is left as it is, lock dropped
    return session, read_journal(journal.path)


@pytest.mark.parametrize("cut", [0.0, 12.5, 40.0, 97.0, 151.5, 200.0, 233.0])
def test_the_rebuilt_session_is_the_one_that_stopped(tmp_path: Path, cut: float) -> None:
    path = practice_copy(tmp_path)
    first, contents = run_until(path, cut)
    assert contents.resumable and contents.last_t == cut
    back = rebuild(contents, AGAIN)
    assert back.script == "same" and back.warnings == []
    assert back.circle_name == "Crew" and back.plan == first.plan
    assert back.at == cut
    assert back.session.snapshot(AGAIN) == first.snapshot(T0 + cut)
    # ...and both go on alike.
    assert back.session.advance(AGAIN + 61.0) == first.advance(T0 + cut + 61.0)
    assert back.session.snapshot(AGAIN + 61.0) == first.snapshot(T0 + cut + 61.0)


def test_the_offer_and_the_rebuilt_session_agree_on_step_and_speaker(tmp_path: Path) -> None:
    path = practice_copy(tmp_path)
    _, contents = run_until(path, 200.0)
    said = offer(contents)
    snap = rebuild(contents, AGAIN).session.snapshot(AGAIN)
    assert (said.step_title, said.speaker) == (snap.step_title, snap.speaker) == ("Check-in", "Cy")
    assert said.circle_name == "Crew" and said.session_time == 200.0


def test_a_session_paused_when_it_stopped_comes_back_paused(tmp_path: Path) -> None:
    path = practice_copy(tmp_path)
    first, contents = run_until(path, 160.0)
    back = rebuild(contents, AGAIN)
    assert back.session.paused and offer(contents).paused
    assert back.session.snapshot(AGAIN) == first.snapshot(T0 + 160.0)


def test_a_changed_script_is_said_and_resumed_only_when_asked(tmp_path: Path) -> None:
    path = practice_copy(tmp_path)
    _, contents = run_until(path, 100.0)
    path.write_text(path.read_text().replace("time: 2m", "time: 3m"))
    with pytest.raises(ScriptChanged, match=r"check-in\.yaml has changed since"):
        rebuild(contents, AGAIN)
    back = rebuild(contents, AGAIN, changed_ok=True)
    assert back.script == "changed"
    assert back.session.snapshot(AGAIN).turn_allowed == 180.0


def test_a_script_that_is_gone_or_broken_is_said_in_a_sentence(tmp_path: Path) -> None:
    path = practice_copy(tmp_path)
    _, contents = run_until(path, 100.0)
    path.write_text("title: [unclosed\n")
    with pytest.raises(ScriptChanged):
        rebuild(contents, AGAIN)
    with pytest.raises(ResumeError, match=r"no longer loads: .*check-in.yaml:\d+:\d+: "):
        rebuild(contents, AGAIN, changed_ok=True)
    path.unlink()
    with pytest.raises(ResumeError, match=r"the practice file .* is gone"):
        rebuild(contents, AGAIN)


def test_a_first_version_journal_is_set_up_again_by_the_same_rule(tmp_path: Path) -> None:
    path = practice_copy(tmp_path)
    first, contents = run_until(path, 120.0, v1=True)
    assert contents.header is not None and contents.header.plan is None
    back = rebuild(contents, AGAIN)
    assert back.script == "unknown"
    assert back.plan == first.plan
    assert back.session.snapshot(AGAIN) == first.snapshot(T0 + 120.0)
