"""Entry points the command line calls: open the library, or run a practice straight away.

Bad input is reported as one `path:line:col: message` line on stderr with exit status 2,
before Textual takes over the terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from circlekeeper.i18n import _, tr, tr_error
from circlekeeper.tui.config import SessionConfig

if TYPE_CHECKING:
    from circlekeeper.records.journal import Journal
    from circlekeeper.tui.app import CircleKeeperApp


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def open_library(extra_dirs: list[Path], *, high_contrast: bool = False) -> int:
    """`circlekeeper` with no command: the practice library."""
    from circlekeeper.tui.app import make_app

    missing = [d for d in extra_dirs if not d.is_dir()]
    if missing:
        return _fail(_("{path}: no such folder").format(path=missing[0]))
    app = make_app(
        extra_dirs=extra_dirs, journal_factory=default_journal, high_contrast=high_contrast
    )
    return _finish(app)


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
    focus_history: Sequence[str | None] | None = None,
    given_roles: Mapping[str, Sequence[str]] | None = None,
    chosen_roles: Mapping[str, Sequence[str]] | None = None,
    meeting: int = 0,
    circle_name: str | None = None,
) -> SessionConfig:
    """Resolve and load the practice and set the circle up; raises ScriptErrors or ValueError.

    The seed is drawn here when not given, once, so the engine and the journal share it.
    A saved circle brings its standing roles (`given_roles`), the meetings it has held, who
    was in focus at each (`focus_history`) and its name; `chosen_roles` (`--roles`) are
    chosen over them.
    """
    from circlekeeper.engine.setup import plan_circle, unknown_roles
    from circlekeeper.script.loader import load_practice
    from circlekeeper.script.resolve import resolve_practice

    path = resolve_practice(practice_arg)
    practice = load_practice(path)
    # Roles chosen on the command line must be the practice's; a saved circle's standing
    # roles are simply not used where the practice has no such role.
    problem = unknown_roles(practice, chosen_roles or {})
    if problem is not None:
        raise ValueError(problem)
    plan = plan_circle(
        practice,
        circle,
        given_roles={**(given_roles or {}), **(chosen_roles or {})},
        meeting=meeting,
        seed=seed,
        language=lang,
        focus_order=focus_order,
        focus_history=focus_history,
    )
    for warning in plan.warnings:
        print("circlekeeper: " + _("warning: {what}").format(what=tr(warning)), file=sys.stderr)
    return SessionConfig(
        practice=practice,
        path=path,
        plan=plan,
        silent=silent,
        device=device,
        announce=announce,
        circle_name=circle_name,
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
    focus_history: Sequence[str | None] | None = None,
    given_roles: Mapping[str, Sequence[str]] | None = None,
    chosen_roles: Mapping[str, Sequence[str]] | None = None,
    meeting: int = 0,
    circle_name: str | None = None,
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
            focus_history=focus_history,
            given_roles=given_roles,
            chosen_roles=chosen_roles,
            meeting=meeting,
            circle_name=circle_name,
        )
    except ScriptErrors as error:
        lines = [str(e) for e in getattr(error, "errors", [])] or [str(error)]
        return _fail("\n".join(lines))
    except ValueError as error:  # the circle as given cannot be set up (plan_circle says why)
        return _fail(f"circlekeeper: {tr_error(error)}")
    except (FileNotFoundError, LookupError) as error:
        return _fail(str(error).strip("'\"") or type(error).__name__)
    share_socket = None
    if share is not None:
        from circlekeeper.share import ShareError, bind, parse_address

        try:
            share_socket = bind(*parse_address(share))
        except ShareError as error:
            return _fail(f"circlekeeper: {tr_error(error)}")
        config = replace(config, share=share)
    from circlekeeper.tui.app import make_app

    app = make_app(
        config=config,
        journal_factory=default_journal,
        high_contrast=high_contrast,
        share_socket=share_socket,
    )
    return _finish(app)


Ask = Callable[[str, dict[str, str]], "str | None"]
"""Asks the facilitator on the terminal: a question and its choices (key: what it does);
the key chosen, or None when there is no terminal (or no answer)."""


def resume_latest(*, high_contrast: bool = False, ask: Ask) -> int:
    """`circlekeeper run --resume`: the latest session that did not finish, where it
    stopped. A changed script is said and asked about first; none to resume is one line and
    exit 2."""
    from circlekeeper.records.journal import discard_journal, unfinished_journals
    from circlekeeper.records.resume import ResumeError, script_state

    found = unfinished_journals()
    if not found:
        return _fail("circlekeeper: " + _("there is no session to resume: none was cut short"))
    contents = found[0]
    name = contents.header.practice_title if contents.header else contents.id
    try:
        state, path = script_state(contents)
    except ResumeError as error:
        return _fail(
            "circlekeeper: "
            + _("cannot resume {id}: {why}").format(id=contents.id, why=tr_error(error))
        )
    changed_ok = False
    if state == "changed":
        answer = ask(
            _(
                "{path} has changed since “{name}” began; resuming runs the changed script "
                "from the same place."
            ).format(path=path, name=name),
            {"r": _("resume anyway"), "d": _("discard the session (it stays in the history)")},
        )
        if answer == "d":
            problem = discard_journal(contents.path)
            if problem is not None:
                return _fail(f"circlekeeper: {tr(problem)}")
            print(
                _("Discarded {id}: it stays in `circlekeeper history`.").format(id=contents.id),
                file=sys.stderr,
            )
            return 0
        if answer != "r":
            return _fail(
                "circlekeeper: "
                + _(
                    "{file} changed since the session began; run it in a terminal to choose "
                    "(resume anyway, or discard)"
                ).format(file=path.name)
            )
        changed_ok = True
    from circlekeeper.tui.app import make_app

    app = make_app(resume=contents, resume_changed_ok=changed_ok, high_contrast=high_contrast)
    return _finish(app)


def _finish(app: CircleKeeperApp) -> int:
    """Run the app; then let go of its journals and say on the terminal what it could not."""
    from circlekeeper.errorlog import install, native_stderr_to

    log = install()  # what goes wrong during the session is kept in the state folder
    try:
        with native_stderr_to(log):
            result = app.run()
    finally:
        # A bell still ringing (the closing one, under the summary) sounds out, briefly.
        release = getattr(app, "release_sound", None)
        if release is not None:
            # Imported only now: nothing of sound is on the way to the library's first frame,
            # and the small interface module spares a quit the player's imports.
            from circlekeeper.sound.api import QUIT_LINGER_S

            release(QUIT_LINGER_S)
    for lost in app.release_journals():
        print(f"circlekeeper: {tr(lost)}", file=sys.stderr)
    if app.exit_message:
        return _fail(f"circlekeeper: {tr(app.exit_message)}")
    return _exit_code(result)


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
        # Where the shared view listened: a resumed session serves it again (a new link).
        "share": config.share,
        "meeting": plan.meeting,
        "starter": plan.starter,
        "focus_order": list(plan.focus_order),
    }
    return Journal.for_plan(
        config.practice.title,
        # Absolute: a session is resumed from wherever the facilitator happens to be.
        None if config.path is None else config.path.resolve(),
        plan,
        options=options,
        practice_sha256=fingerprint_file(config.path),
        circle_name=config.circle_name,
    )


def _exit_code(result: int | None) -> int:
    return int(result or 0)
