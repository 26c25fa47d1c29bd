"""One estimate: the library's, `check`'s and the live agenda's are the same number; and
what a rehearsal speaks was rendered ahead (it is all in `spoken_texts`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli
from circlekeeper.engine import Session, plan_circle
from circlekeeper.engine.events import BellDue, PromptDue, StepStarted
from circlekeeper.engine.plan import MIN_READ_SECONDS, UNTIMED_TURN
from circlekeeper.engine.projection import estimate_seconds, step_estimates
from circlekeeper.engine.rehearse import simulate
from circlekeeper.script import load_practice, load_text, spoken_texts
from circlekeeper.script.duration import format_duration
from circlekeeper.script.model import Practice

from .helpers import T0

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [*sorted((ROOT / "practices").glob("*.yaml")), ROOT / "tests/script/good/every-kind.yaml"]
NAMES = ("Ana", "Ben", "Cy", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lu")


def _practice(steps: str, head: str = "") -> Practice:
    return load_text(f"title: T\nkind: other\n{head}steps:\n{steps}", "t.yaml")


def test_round_is_laps_times_speakers_times_turn() -> None:
    practice = _practice("  - kind: round\n    laps: 3\n    turn: {time: 90s}\n")
    assert estimate_seconds(practice, 4) == 3 * 4 * 90
    assert estimate_seconds(practice, 6) == 3 * 6 * 90


def test_untimed_turns_and_silent_roles() -> None:
    practice = _practice(
        "  - kind: round\n    prompts: [a, b]\n",
        head="roles:\n  - {id: bell, name: Bell, speaks: false}\n",
    )
    assert estimate_seconds(practice, 5) == 2 * (5 - 1) * UNTIMED_TURN


def test_round_budget_is_shared_per_lap() -> None:
    practice = _practice(
        "  - kind: round\n    laps: 2\n    turn:\n      budget: {per_person: 1m, plus: 2m}\n"
    )
    assert estimate_seconds(practice, 4) == pytest.approx(2 * (4 * 60 + 120))


def test_only_roles_limit_speakers() -> None:
    practice = _practice(
        "  - kind: round\n    only: [coach]\n    turn: {time: 1m}\n",
        head="roles:\n  - {id: coach, name: Coach, count: 2, assign: first}\n",
    )
    assert estimate_seconds(practice, 6) == 2 * 60


def test_read_without_duration_uses_reading_pace() -> None:
    words = " ".join(["word"] * 300)
    practice = _practice(f"  - kind: read\n    text: {words}\n  - kind: read\n    text: Hi.\n")
    estimates = step_estimates(practice, 6)
    assert estimates[0][2] == 300 / 150 * 60
    assert estimates[1][2] == MIN_READ_SECONDS


def test_for_each_repeat_and_group() -> None:
    practice = _practice(
        "  - kind: for-each\n    steps:\n      - kind: silence\n        duration: 1m\n"
        "      - kind: discussion\n        duration: {per_person: 30s}\n"
        "  - kind: silence\n    id: pause\n    duration: 2m\n"
        "  - kind: repeat\n    times: 3\n    of: [pause]\n"
        "  - kind: group\n    steps:\n      - kind: sit\n        duration: 20m\n"
        "      - kind: repeat\n        times: 2\n        steps:\n"
        "          - kind: sit\n            duration: 5m\n"
    )
    size = 4
    assert [seconds for _, _, seconds in step_estimates(practice, size)] == [
        size * (60 + size * 30),
        120,
        3 * 120,
        20 * 60 + 2 * 5 * 60,
    ]
    assert [title for title, _, _ in step_estimates(practice, size)][:2] == [
        "For each person",
        "Silence",
    ]


def _sizes(practice: Practice) -> list[int]:
    size = practice.size
    return sorted({min(n, len(NAMES)) for n in (size.min, size.ideal or size.min, size.max)})


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_the_library_estimate_is_the_live_agenda(path: Path) -> None:
    practice = load_practice(path)
    for size in _sizes(practice):
        session = Session(practice, plan_circle(practice, NAMES[:size], seed=5))
        agenda = session.snapshot(T0).agenda
        library = step_estimates(practice, size)
        assert [(a.title, a.kind, a.estimate) for a in agenda] == library
        assert sum(a.estimate or 0.0 for a in agenda) == estimate_seconds(practice, size)


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_check_summarises_with_the_same_estimate(path: Path) -> None:
    practice = load_practice(path)
    size = practice.size.min
    result = CliRunner().invoke(cli, ["check", str(path), "--size", str(size)])
    assert result.exit_code == 0, result.output
    minutes = max(60, round(estimate_seconds(practice, size) / 60) * 60)
    assert f"~{format_duration(minutes)} for {size} " in result.stdout


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_spoken_texts_cover_everything_a_rehearsal_speaks(path: Path) -> None:
    practice = load_practice(path)
    languages = sorted({practice.language, *practice.voices})
    for language in languages:
        prepared = spoken_texts(practice, language)
        for size in _sizes(practice):
            plan = plan_circle(practice, NAMES[:size], seed=3, language=language)
            events = simulate(Session(practice, plan))
            said = {(e.text, e.language) for e in events if isinstance(e, PromptDue)}
            bells = {e.say for e in events if isinstance(e, BellDue) and e.say}
            assert said <= set(prepared)
            assert bells <= {text for text, _ in prepared}


def test_a_script_check_accepts_at_the_unroll_limit_starts_a_session() -> None:
    # 9,000 runs: within `check`'s 10,000, past the 5,000 the session used to allow.
    practice = _practice(
        "  - kind: repeat\n    times: 50\n    steps:\n"
        "      - kind: repeat\n        times: 45\n        steps:\n"
        "          - kind: silence\n            duration: 1m\n"
        "          - kind: silence\n            duration: 1m\n"
        "          - kind: silence\n            duration: 1m\n"
        "          - kind: silence\n            duration: 1m\n",
        head="size: {min: 1, max: 4}\n",
    )
    session = Session(practice, plan_circle(practice, NAMES[:4], seed=1))
    assert len(session.runs) == 9_000
    started = [e for e in session.start(T0) if isinstance(e, StepStarted)]
    assert [(e.index, e.kind) for e in started] == [(0, "silence")]
