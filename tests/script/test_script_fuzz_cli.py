"""Random and mutated scripts through `check` and `rehearse`, and mutated actions files
through `rehearse --actions`, as the command line runs them: no crash, no traceback, never
stuck, and every complaint one line that names the file (or says `circlekeeper:`).

Stuck, for a command, is not returning: each runs in a thread with a generous watchdog
(`WATCHDOG`, far above the ~2 s the limits keep them to). `make fuzz` (CIRCLEKEEPER_FUZZ=N)
runs N times as many examples.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_script_mutations import ALPHABET, PRACTICES, mutated

from circlekeeper.engine.projection import estimate_seconds
from circlekeeper.engine.rehearse import CUT_SHORT, run_rehearse
from circlekeeper.script.check import run_check

SCALE = max(1, int(os.environ.get("CIRCLEKEEPER_FUZZ", "1") or "1"))
EXAMPLES = 120 * SCALE
WATCHDOG = 120.0
ACTIONS = Path(__file__).resolve().parents[1] / "practices" / "actions"
ACTION_FILES = sorted(ACTIONS.glob("*.yaml"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=SCALE == 1,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _run(command: Callable[[io.StringIO, io.StringIO], int]) -> tuple[int, str, str]:
    """The command's status, stdout and stderr; it must return within the watchdog."""
    out, err = io.StringIO(), io.StringIO()
    result: list[int] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(command(out, err))
        except BaseException as exc:  # reported below: a crash, never swallowed
            failure.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(WATCHDOG)
    assert not thread.is_alive(), "stuck: the command never returned"
    if failure:
        raise failure[0]
    return result[0], out.getvalue(), err.getvalue()


def _complaints_are_one_line_each(err: str, label: str) -> None:
    positioned = re.compile(rf"^{re.escape(label)}:\d+:\d+: \S.*$")
    for line in err.splitlines():
        assert positioned.match(line) or line.startswith("circlekeeper: "), line
        assert "Traceback" not in line and "internal error" not in line, line


def _check(path: Path) -> tuple[int, str, str]:
    return _run(lambda out, err: run_check([path], 6, estimate_seconds, out, err))


def _rehearse(path: Path, actions: Path | None = None) -> tuple[int, str, str]:
    return _run(
        lambda out, err: run_rehearse(
            str(path),
            ["Ana", "Ben", "Cy", "Dee", "Eve", "Fay"],
            seed=1,
            as_json=False,
            actions_path=None if actions is None else str(actions),
            out=out,
            err=err,
        )
    )


def _script_through_both(text: str, folder: Path) -> None:
    path = folder / "fuzzed.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, out, err = _check(path)
    assert code in (0, 2), (code, err)
    _complaints_are_one_line_each(err, str(path))
    assert (code == 0) == (out.count("\n") == 1 and err == ""), (out, err)
    code, out, err = _rehearse(path)
    assert code in (0, 2, CUT_SHORT), (code, err)
    _complaints_are_one_line_each(err, str(path))
    if code == 0:
        assert "session ended" in out.splitlines()[-1]


@FUZZ
@given(mutated())
def test_mutated_scripts_through_check_and_rehearse(text: str) -> None:
    with _folder() as folder:
        _script_through_both(text, folder)


@FUZZ
@given(st.text(ALPHABET, max_size=400))
def test_random_text_through_check_and_rehearse(text: str) -> None:
    with _folder() as folder:
        _script_through_both(text, folder)


@st.composite
def mutated_actions(draw: st.DrawFn) -> tuple[str, str]:
    """An actions file of the built-in library, mangled as the scripts are."""
    path = draw(st.sampled_from(ACTION_FILES))
    lines = path.read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "value"]))
        line = lines[index]
        if how == "delete" and len(lines) > 1:
            del lines[index]
        elif how == "duplicate":
            lines.insert(index, line)
        elif how == "insert":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.text(ALPHABET, min_size=1, max_size=6)) + line[at:]
        elif how == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif how == "value" and ":" in line:
            at = line.index(":")
            lines[index] = line[: at + 1] + " " + draw(st.text(ALPHABET, max_size=8)) + "}"
    return path.stem, "\n".join(lines)


@FUZZ
@given(mutated_actions())
def test_mutated_actions_files_through_rehearse(case: tuple[str, str]) -> None:
    practice, text = case
    with _folder() as folder:
        actions = folder / "actions.yaml"
        actions.write_text(text, encoding="utf-8", errors="surrogatepass")
        code, out, err = _rehearse(PRACTICES / f"{practice}.yaml", actions)
        assert code in (0, 2, CUT_SHORT), (code, err)
        _complaints_are_one_line_each(err, str(actions))
        if code == 0:
            assert "session ended" in out.splitlines()[-1]


class _folder:
    """A fresh folder for one example (hypothesis runs many inside one test)."""

    def __enter__(self) -> Path:
        import tempfile

        self._dir = tempfile.TemporaryDirectory(prefix="ck-fuzz-")
        return Path(self._dir.name)

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()
