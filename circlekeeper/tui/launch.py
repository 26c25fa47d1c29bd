"""Entry points the command line calls: open the library, or run a practice straight away.

Bad input is reported as one `path:line:col: message` line on stderr with exit status 2,
before Textual takes over the terminal.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from circlekeeper.tui.config import SessionConfig

if TYPE_CHECKING:
    from circlekeeper.records.journal import Journal


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def open_library(extra_dirs: list[Path], *, high_contrast: bool = False) -> int:
    """`circlekeeper` with no command: the practice library."""
    from circlekeeper.tui.app import make_app

    missing = [d for d in extra_dirs if not d.is_dir()]
    if missing:
        return _fail(f"{missing[0]}: no such folder")
    app = make_app(
        extra_dirs=extra_dirs, journal_factory=default_journal, high_contrast=high_contrast
    )
    return _exit_code(app.run())


def load_config(
    practice_arg: str,
    circle: list[str],
    *,
    silent: bool,
    lang: str | None,
    device: str | None,
    seed: int | None,
    announce: bool = False,
    focus_order: list[str] | None = None,
) -> SessionConfig:
    """Resolve and load the practice and set the circle up; raises ScriptErrors or ValueError.

    The seed is drawn here when not given, once, so the engine and the journal share it.
    """
    from circlekeeper.engine.setup import plan_circle
    from circlekeeper.script.loader import load_practice
    from circlekeeper.script.resolve import resolve_practice

    path = resolve_practice(practice_arg)
    practice = load_practice(path)
    plan = plan_circle(practice, circle, seed=seed, language=lang, focus_order=focus_order)
    for warning in plan.warnings:
        print(f"circlekeeper: warning: {warning}", file=sys.stderr)
    return SessionConfig(
        practice=practice,
        path=path,
        plan=plan,
        silent=silent,
        device=device,
        announce=announce,
    )


def run_session(
    practice_arg: str,
    circle: list[str],
    *,
    silent: bool,
    lang: str | None,
    device: str | None,
    seed: int | None,
    announce: bool = False,
    high_contrast: bool = False,
    share: str | None = None,
    focus_order: list[str] | None = None,
) -> int:
    """`circlekeeper run`: validate everything, then open the live session.

    With `share`, the shared view's port is taken here, before the terminal is: a port in
    use is one line and exit status 2.
    """
    from circlekeeper.script.errors import ScriptErrors

    try:
        config = load_config(
            practice_arg,
            circle,
            silent=silent,
            lang=lang,
            device=device,
            seed=seed,
            announce=announce,
            focus_order=focus_order,
        )
    except ScriptErrors as error:
        lines = [str(e) for e in getattr(error, "errors", [])] or [str(error)]
        return _fail("\n".join(lines))
    except (FileNotFoundError, LookupError, ValueError) as error:
        return _fail(str(error).strip("'\"") or type(error).__name__)
    share_socket = None
    if share is not None:
        from circlekeeper.share import ShareError, bind, parse_address

        try:
            share_socket = bind(*parse_address(share))
        except ShareError as error:
            return _fail(f"circlekeeper: {error}")
        config = replace(config, share=share)
    from circlekeeper.tui.app import make_app

    app = make_app(
        config=config,
        journal_factory=default_journal,
        high_contrast=high_contrast,
        share_socket=share_socket,
    )
    return _exit_code(app.run())


def default_journal(config: SessionConfig) -> Journal:
    """The crash-safe journal for a real session: with all it takes to set it up again
    (the whole plan, the script's path and a hash of its bytes, how it sounds)."""
    from circlekeeper.records.journal import Journal
    from circlekeeper.records.resume import fingerprint_file

    plan = config.plan
    options = {
        "language": plan.language,
        "silent": config.silent,
        "device": config.device,
        "announce": config.announce,
        "meeting": plan.meeting,
        "starter": plan.starter,
        "focus_order": list(plan.focus_order),
    }
    return Journal.for_plan(
        config.practice.title,
        config.path,
        plan,
        options=options,
        practice_sha256=fingerprint_file(config.path),
        circle_name=config.circle_name,
    )


def _exit_code(result: int | None) -> int:
    return int(result or 0)
