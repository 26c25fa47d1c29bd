"""The `circlekeeper` entry point: the library opens without click; all else goes to click."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from circlekeeper import start
from circlekeeper.start import library_args


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the garbage collector, it is back on afterwards."""
    yield
    gc.enable()


def test_library_args_take_only_the_library_options(tmp_path: Path) -> None:
    folder = str(tmp_path)
    assert library_args([]) == ([], False)
    assert library_args(["--high-contrast"]) == ([], True)
    assert library_args(["--practices", folder, f"--practices={folder}"]) == (
        [tmp_path, tmp_path],
        False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["--help"],
        ["--version"],
        ["--practices"],
        ["--practices="],
        ["--practices", "--high-contrast"],
        ["--practices", "no-such-folder"],
        ["--high-contrast", "run", "check-in"],
        ["--", "list"],
    ],
)
def test_anything_else_goes_to_the_full_command_line(args: list[str]) -> None:
    assert library_args(args) is None


def test_a_file_given_as_a_folder_goes_to_the_command_line_to_be_explained(
    tmp_path: Path,
) -> None:
    (tmp_path / "x.yaml").write_text("title: x\n", encoding="utf-8")
    assert library_args(["--practices", str(tmp_path / "x.yaml")]) is None


def test_the_library_opens_without_click_and_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, collector: None
) -> None:
    opened: list[tuple[list[Path], bool, bool]] = []

    def open_library(folders: list[Path], *, high_contrast: bool = False) -> int:
        opened.append((folders, high_contrast, gc.isenabled()))
        return 0

    monkeypatch.setattr("circlekeeper.tui.launch.open_library", open_library)
    monkeypatch.setattr(sys, "argv", ["circlekeeper", "--practices", str(tmp_path)])
    monkeypatch.delitem(sys.modules, "click", raising=False)
    monkeypatch.delitem(sys.modules, "circlekeeper.cli", raising=False)
    with pytest.raises(SystemExit) as done:
        start.main()
    assert done.value.code == 0
    assert opened == [([tmp_path], False, False)]
    assert "click" not in sys.modules


def test_a_command_goes_to_click_with_the_collector_running(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], collector: None
) -> None:
    monkeypatch.setattr(sys, "argv", ["circlekeeper", "--version"])
    with pytest.raises(SystemExit) as done:
        start.main()
    assert done.value.code == 0
    assert "circlekeeper, version" in capsys.readouterr().out
    assert gc.isenabled()


def test_the_app_runs_with_the_collector_paused_and_resumes_it(
    monkeypatch: pytest.MonkeyPatch, collector: None
) -> None:
    from textual.app import App

    from circlekeeper.tui.app import make_app

    seen: list[bool] = []

    def run(self: Any, *args: Any, **kwargs: Any) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(App, "run", run)
    assert make_app(load_user_keymap=False).run() == 0
    assert seen == [False]
    assert gc.isenabled()


async def test_the_collector_resumes_once_the_first_frame_is_out(collector: None) -> None:
    from circlekeeper.tui.app import make_app

    gc.disable()  # as `run` leaves it
    app = make_app(load_user_keymap=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.isenabled()


def test_the_first_frame_is_drawn_without_pydantic_or_the_yaml_parser() -> None:
    import ast
    import subprocess

    code = """
import asyncio, sys
from circlekeeper.tui.app import make_app
from circlekeeper.tui.screens.library import LibraryScreen

seen = []
original = LibraryScreen._after_first_frame

def after_first_frame(self):
    rows = self.query_one("#library-list").option_count
    seen.append((rows, sorted(m for m in ("pydantic", "ruamel.yaml") if m in sys.modules)))
    original(self)

LibraryScreen._after_first_frame = after_first_frame

async def main():
    app = make_app(load_user_keymap=False)
    async with app.run_test(size=(100, 30)) as pilot:
        while not seen:
            await pilot.pause(0.02)
    print(seen[0])

asyncio.run(main())
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    rows, heavy = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert rows > 3 and heavy == []
