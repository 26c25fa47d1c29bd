"""Everything circlekeeper writes is its owner's alone: folders 0700, files 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from circlekeeper.engine.events import TurnStarted
from circlekeeper.paths import cache_dir, data_dir, private_dir
from circlekeeper.records.circles import CircleStore
from circlekeeper.records.journal import Journal
from circlekeeper.records.summary import save_summary, summarize


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def everything_under(root: Path) -> list[Path]:
    return [root, *sorted(root.rglob("*"))]


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave everything readable by all, as many desktops have."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("open_umask")
def test_journals_circles_and_summaries_are_private_even_under_an_open_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = tmp_path / "home" / "share" / "circlekeeper"  # none of it exists yet
    monkeypatch.setenv("CIRCLEKEEPER_DATA_DIR", str(fresh))
    journal = Journal.create("Check-in", None, ["Ana", "Ben"])
    journal.append(TurnStarted(1.0, speaker="Ana", lap=1, allowed=60.0))
    journal.close()
    CircleStore().save("Crew", ["Ana", "Ben"])
    save_summary(summarize(journal.events, "Check-in", ["Ana", "Ben"]))
    written = everything_under(tmp_path / "home")
    assert {p.name for p in written} >= {"journals", "summaries", "circles.json"}
    for path in written:
        expected = 0o700 if path.is_dir() else 0o600
        assert mode(path) == expected, f"{path.relative_to(tmp_path)} is {oct(mode(path))}"


@pytest.mark.usefixtures("open_umask")
def test_a_folder_an_older_version_left_open_is_closed(tmp_path: Path) -> None:
    old = tmp_path / "journals"
    old.mkdir(mode=0o755)
    assert mode(old) == 0o755
    private_dir(old)
    assert mode(old) == 0o700
    kept = tmp_path / "theirs"
    kept.mkdir(mode=0o755)
    private_dir(kept, tighten=False)  # a folder the user chose for an export: left alone
    assert mode(kept) == 0o755


def test_the_command_line_keeps_new_files_private_and_closes_old_folders(
    tmp_path: Path,
) -> None:
    # A fresh interpreter through the real entry point: the umask it sets reaches the
    # speech worker's WAVs too (it is inherited), and old folders are closed.
    data = data_dir()
    data.chmod(0o755)
    cache_dir().chmod(0o755)
    script = (
        "import os, sys\n"
        "from circlekeeper import start\n"
        "sys.argv = ['circlekeeper', '--version']\n"
        "try:\n    start.main()\nexcept SystemExit:\n    pass\n"
        "open(os.path.join(os.environ['PROBE'], 'made'), 'w').close()\n"
    )
    env = dict(os.environ, PROBE=str(tmp_path))
    subprocess.run([sys.executable, "-c", script], check=True, env=env, capture_output=True)
    assert mode(tmp_path / "made") == 0o600
    assert mode(data) == 0o700
    assert mode(cache_dir()) == 0o700
