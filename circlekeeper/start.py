"""The `circlekeeper` command's entry point: the library opens without the argument parser.

`circlekeeper` with no command is what a facilitator types most, and what they wait for:
the practice library. With nothing on the command line but the library's own options
(`--practices DIR`, `--high-contrast`) it opens straight away, without loading click
(about 6 ms); everything else, and anything unusual (help, a folder that is not there),
goes to the full command line in `circlekeeper.cli`.

Start-up also runs with the garbage collector paused: it allocates mostly objects that live
as long as the program, and a full collection in the middle of it cost 20 ms on our test
machine. The app resumes collection once its first frame is drawn.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path


def library_args(args: list[str]) -> tuple[list[Path], bool] | None:
    """(folders, high contrast) when `args` only open the library; None for anything else."""
    folders: list[Path] = []
    high_contrast = False
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--high-contrast":
            high_contrast = True
            continue
        if arg == "--practices" and rest:
            value = rest.pop(0)
        elif arg.startswith("--practices="):
            value = arg.removeprefix("--practices=")
        else:
            return None
        if not value or value.startswith("-") or not Path(value).is_dir():
            return None  # the command line explains it
        folders.append(Path(value))
    return folders, high_contrast


def main() -> None:
    """Console entry point."""
    from circlekeeper.paths import keep_private

    keep_private()  # before anything is written: whatever this process makes is private
    gc.disable()
    try:
        library = library_args(sys.argv[1:])
    except OSError:
        library = None
    if library is None:
        gc.enable()
        from circlekeeper.cli import main as command_line

        command_line()
        return
    from circlekeeper.tui.launch import open_library

    folders, high_contrast = library
    sys.exit(open_library(folders, high_contrast=high_contrast))
