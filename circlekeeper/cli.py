"""The `circlekeeper` command line.

Each command is a thin shim: it imports its area's module only when it runs, so that
`circlekeeper check` never pays for Textual and the TUI never pays for numpy at start-up.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, TypeVar

import click

from circlekeeper import __version__, i18n
from circlekeeper.i18n import N_, _

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> NoReturn:
    """One line on stderr and exit status 2: the contract for every bad input."""
    click.echo(f"circlekeeper: {message}", err=True)
    sys.exit(2)


def _asked_language(args: list[str]) -> str | None:
    """The language `--lang` names anywhere on the command line (the last one given)."""
    found: str | None = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    return found


def _translate_help(command: click.Command) -> None:
    """Say a command's help, and its options' and subcommands', in the interface's
    language. The English words are kept beside, so the language can change again."""
    things: list[Any] = [command, *command.params]
    for thing in things:
        english = thing.__dict__.setdefault("_english_help", getattr(thing, "help", None))
        if english:
            # A command's help is its docstring as written: the catalogue has it cleaned.
            thing.help = _(inspect.cleandoc(english))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _translate_help(sub)


class Cli(click.Group):
    """The command group: it sets the language (`--lang`, else the environment's) before
    click says anything, so help, errors and messages all read in it."""

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:
        """Set the interface's language, then run as click does."""
        argv = list(sys.argv[1:] if args is None else args)
        i18n.set_language(_asked_language(argv))
        _translate_help(self)
        return super().main(argv, *rest, **options)


def _circle(value: str) -> list[str]:
    """Split `--circle "Ana, Ben,Cy"` into names; no names or a repeated name is an error."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        _fail(_('--circle names nobody; name the people like --circle "Ana,Ben,Cy"'))
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            _fail(
                _(
                    "--circle names '{name}' twice; each person in the circle needs their own name"
                ).format(name=name)
            )
        seen.add(name.casefold())
    if len(names) > 200:
        _fail(
            _("--circle names {n} people; circlekeeper keeps circles of up to 200").format(
                n=len(names)
            )
        )
    return names


_FOCUS_ORDER = click.option(
    "--focus-order",
    metavar="NAMES",
    default=None,
    help=N_('The order in which people take the focus: "Cy,Ana,Ben".'),
)


def _can_ask() -> bool:
    """Whether someone is at a terminal to answer a question."""
    return sys.stdin.isatty()


def _ask_choice(question: str, choices: dict[str, str]) -> str | None:
    """Ask on the terminal; None when there is no terminal to ask on (or no answer)."""
    if not _can_ask():
        return None
    keys = "/".join(choices)
    click.echo(question, err=True)
    for key, what in choices.items():
        click.echo(f"  {key}: {what}", err=True)
    try:
        answer = click.prompt(f"[{keys}]", default="", show_default=False, err=True)
    except (click.Abort, EOFError):
        return None
    answer = answer.strip().lower()[:1]
    return answer if answer in choices else None


class _Who(NamedTuple):
    """The circle a session is for, from --circle or --circle-name."""

    people: list[str]
    roles: dict[str, tuple[str, ...]]
    """A saved circle's standing roles."""
    held: int
    """Meetings the saved circle has held (0 for --circle)."""
    name: str | None
    """The saved circle's name as saved (None for --circle)."""
    focus_order: list[str] | None
    """The focus order the saved circle remembers (None: none)."""
    focus_history: tuple[str | None, ...] | None
    """Who was in focus at each of its recorded meetings (None: no saved circle)."""


def _who(circle: str | None, circle_name: str | None) -> _Who:
    """The circle from --circle or --circle-name (exactly one of them)."""
    if circle is not None and circle_name is not None:
        _fail(_("give --circle or --circle-name, not both"))
    if circle is not None:
        return _Who(_circle(circle), {}, 0, None, None, None)
    if circle_name is None:
        _fail(_('name the people with --circle "Ana,Ben,Cy" or a saved circle with --circle-name'))
    from circlekeeper.records.circles import CircleStore

    store = CircleStore()
    saved = store.get(circle_name)
    if saved is None:
        known = ", ".join(store.names()) or _("none yet")
        _fail(
            _("no saved circle called '{name}' (saved: {known})").format(
                name=circle_name, known=known
            )
        )
    return _Who(
        list(saved.people),
        dict(saved.roles),
        saved.meeting_count,
        saved.name,
        list(saved.focus_order) or None,
        saved.focus_history,
    )


def _circle_name_option(f: F) -> F:
    return click.option(
        "--circle-name",
        "circle_name",
        metavar="NAME",
        help=N_("A saved circle (see `circlekeeper circles`) instead of --circle."),
    )(f)


def _circle_option(required: bool) -> Callable[[F], F]:
    return click.option(
        "--circle",
        "circle",
        required=required,
        metavar="NAMES",
        help=N_('The people in the room, in seating order: "Ana,Ben,Cy".'),
    )


def _practices_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--practices",
        "extra_dirs",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )


@click.group(cls=Cli, invoke_without_command=True, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="circlekeeper")
@_practices_option(N_("Another folder of practice scripts to show in the library."))
@click.option("--high-contrast", is_flag=True, help=N_("Start with the high-contrast theme."))
@click.option(
    "--lang",
    default=None,
    metavar="LANG",
    help=N_(
        "Language of the screen and of the prompts, like de or pt-BR (else the "
        "environment's: LANGUAGE, LC_ALL, LANG)."
    ),
)
@click.pass_context
def cli(
    ctx: click.Context, extra_dirs: tuple[Path, ...], high_contrast: bool, lang: str | None
) -> None:
    """Keep time and turns for a live circle.

    Run without a command to open the practice library.
    """
    if ctx.invoked_subcommand is None:
        from circlekeeper.tui.launch import open_library

        ctx.exit(open_library(list(extra_dirs), high_contrast=high_contrast))


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--size",
    default=6,
    show_default=True,
    type=click.IntRange(1, 200),
    help=N_("Circle size used for the estimated duration."),
)
def check(paths: tuple[Path, ...], size: int) -> None:
    """Validate practice scripts (files or folders)."""
    from circlekeeper.engine.projection import estimate_seconds
    from circlekeeper.script.check import run_check

    sys.exit(run_check(list(paths), size=size, estimate=estimate_seconds))


@cli.command(name="list", context_settings=CONTEXT)
@_practices_option(N_("Another folder of practice scripts to list."))
@click.option(
    "--json", "as_json", is_flag=True, help=N_("A JSON list of objects instead of lines.")
)
@click.pass_context
def list_(ctx: click.Context, extra_dirs: tuple[Path, ...], as_json: bool) -> None:
    """List the practices: built-in, your own, and any --practices folder."""
    from circlekeeper.library.listing import run_list

    folders = [*ctx.parent.params.get("extra_dirs", ()), *extra_dirs] if ctx.parent else []
    missing = [d for d in folders if not d.is_dir()]
    if missing:
        _fail(_("{path}: no such folder").format(path=missing[0]))
    sys.exit(run_list(folders, as_json_output=as_json))


@cli.command(context_settings=CONTEXT)
def schema() -> None:
    """Print the JSON Schema of the practice-script format."""
    from circlekeeper.script.schema import schema_json

    click.echo(schema_json())


def _roles(value: str | None) -> dict[str, list[str]]:
    """`--roles "host=Ana,coach=Ben+Cy"` as role id -> people; a malformed item is an error."""
    roles: dict[str, list[str]] = {}
    for item in (value or "").split(","):
        if not item.strip():
            continue
        role, sep, people = item.partition("=")
        names = [name.strip() for name in people.split("+") if name.strip()]
        if not sep or not role.strip() or not names:
            example = '--roles "host=Ana,coach=Ben+Cy"'
            _fail(
                _("--roles: '{item}' should read role=Name, like {example}").format(
                    item=item.strip(), example=example
                )
            )
        roles.setdefault(role.strip(), []).extend(names)
    return roles


def _names(option: str, value: str | None) -> list[str] | None:
    """A comma-separated list of names, or None when the option was not given."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        _fail(
            _('{option} names nobody; name the people like {option} "Cy,Ana,Ben"').format(
                option=option
            )
        )
    return names


@cli.command(context_settings=CONTEXT)
@click.argument("practice")
@_circle_option(required=False)
@_circle_name_option
@click.option(
    "--meeting",
    type=click.IntRange(1, 1000),
    default=None,
    metavar="N",
    help=N_(
        "Rehearse meeting N of the circle, counting from 1 (the first meeting is 1): its "
        "host and a series' focus. With --circle-name the default is its next meeting; else 1."
    ),
)
@click.option("--seed", type=int, default=None, help=N_("Seed for random orders and groups."))
@click.option("--json", "as_json", is_flag=True, help=N_("One JSON object per event, per line."))
@click.option(
    "--actions",
    "actions",
    metavar="FILE",
    default=None,
    help=N_("What the facilitator does, when: a YAML list like `- {at: 1m30s, do: pass}`."),
)
@click.option(
    "--only-actions",
    is_flag=True,
    help=N_("Do only what --actions says: no simulated moves in between."),
)
@click.option(
    "--start",
    metavar="HH:MM",
    default=None,
    help=N_(
        "The clock when the rehearsal starts (an `end-at` time counts from it); "
        "by default 00:00, so a time of day reads as time into the session."
    ),
)
@click.option(
    "--roles",
    "roles",
    metavar="ROLES",
    default=None,
    help=N_('Who holds which role: "host=Ana,coach=Ben+Cy" (over a saved circle\'s own).'),
)
@_FOCUS_ORDER
def rehearse(
    practice: str,
    circle: str | None,
    circle_name: str | None,
    meeting: int | None,
    seed: int | None,
    as_json: bool,
    actions: str | None,
    only_actions: bool,
    start: str | None,
    roles: str | None,
    focus_order: str | None,
) -> None:
    """Run a practice in simulated time and print its timeline.

    Name the people with --circle, or rehearse a saved circle's meeting with --circle-name
    (its people, roles, and the host that meeting has). A rehearsal that would take more
    than 10,000 moves stops there, says so, and exits with status 3.
    """
    from circlekeeper.engine.rehearse import run_rehearse

    who = _who(circle, circle_name)
    sys.exit(
        run_rehearse(
            practice,
            who.people,
            seed=seed,
            as_json=as_json,
            actions_path=actions,
            only_actions=only_actions,
            meeting=meeting if meeting is not None else who.held + 1,
            roles={**who.roles, **_roles(roles)},
            start=start,
            focus_order=_names("--focus-order", focus_order) or who.focus_order,
            focus_history=who.focus_history,
            circle_name=who.name,
        )
    )


@cli.command(context_settings=CONTEXT)
@click.argument("practice", required=False)
@_circle_option(required=False)
@_circle_name_option
@click.option(
    "--resume",
    is_flag=True,
    help=N_("Resume the latest session that did not finish, where it stopped (no PRACTICE)."),
)
@click.option("--silent", is_flag=True, help=N_("No app sound (for a group with its own bell)."))
@click.option(
    "--lang",
    default=None,
    metavar="LANG",
    help=N_("Language of the screen, the prompts and the voice, like de or pt-BR."),
)
@click.option("--device", default=None, help=N_("Audio output, by name."))
@click.option("--seed", type=int, default=None, help=N_("Seed for random orders and groups."))
@click.option("--announce", is_flag=True, help=N_("Speak every change of step and speaker."))
@click.option(
    "--roles",
    "roles",
    metavar="ROLES",
    default=None,
    help=N_(
        'Who holds which role: "host=Ana,coach=Ben+Cy" (over a saved circle\'s own). Roles '
        "nobody is given are filled by the practice's rule, and the session says who holds them."
    ),
)
@click.option("--high-contrast", is_flag=True, help=N_("Start with the high-contrast theme."))
@click.option(
    "--share",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[HOST:PORT]",
    help=N_(
        "Serve a read-only view of the session for a browser: this computer only, on a "
        "free port, unless HOST:PORT says otherwise (0.0.0.0:8765 lets phones on the network in)."
    ),
)
@_FOCUS_ORDER
def run(
    practice: str | None,
    circle: str | None,
    circle_name: str | None,
    resume: bool,
    silent: bool,
    lang: str | None,
    device: str | None,
    seed: int | None,
    announce: bool,
    roles: str | None,
    high_contrast: bool,
    share: str | None,
    focus_order: str | None,
) -> None:
    """Start a practice straight in the live session.

    Name the people with --circle, or meet as a saved circle with --circle-name: its next
    meeting, hosted in turn, recorded when the session ends. --resume picks up the latest
    session that did not finish (kill, power cut, closed terminal) where it stopped.
    """
    if resume:
        if practice is not None or circle is not None or circle_name is not None or roles:
            _fail(_("--resume takes no practice or circle: the session's journal has them"))
        from circlekeeper.tui.launch import resume_latest

        sys.exit(resume_latest(high_contrast=high_contrast, ask=_ask_choice))
    if practice is None:
        _fail(_("name a practice to run (or --resume the latest session that did not finish)"))
    from circlekeeper.tui.launch import run_session

    if lang is None:  # `circlekeeper --lang de run ...`
        given = click.get_current_context().find_root().params.get("lang")
        lang = given if isinstance(given, str) else None
    who = _who(circle, circle_name)
    sys.exit(
        run_session(
            practice,
            who.people,
            silent=silent,
            lang=lang,
            device=device,
            seed=seed,
            announce=announce,
            high_contrast=high_contrast,
            share=share,
            focus_order=_names("--focus-order", focus_order) or who.focus_order,
            focus_history=who.focus_history,
            given_roles=who.roles,
            chosen_roles=_roles(roles),
            meeting=who.held,
            circle_name=who.name,
        )
    )


@cli.command(context_settings=CONTEXT)
@click.argument("text")
@click.option("--lang", default=None, help=N_("Language, like en or de."))
@click.option("--voice", default=None, help=N_("A speech voice id (see `circlekeeper devices`)."))
@click.option("--rate", type=click.IntRange(60, 400), default=None, help=N_("Words per minute."))
@click.option("--device", default=None, help=N_("Audio output, by name."))
def say(
    text: str, lang: str | None, voice: str | None, rate: int | None, device: str | None
) -> None:
    """Speak TEXT through the audio output."""
    from circlekeeper.sound.commands import say_command

    sys.exit(say_command(text, lang=lang, voice=voice, rate=rate, device=device))


@cli.command(context_settings=CONTEXT)
@click.argument("name", default="bowl")
@click.option("--strikes", type=click.IntRange(1, 12), default=1, show_default=True)
@click.option("--device", default=None, help=N_("Audio output, by name."))
def bell(name: str, strikes: int, device: str | None) -> None:
    """Ring a bell: bowl, chime, clappers, gong or warning."""
    from circlekeeper.sound.commands import bell_command

    sys.exit(bell_command(name, strikes=strikes, device=device))


@cli.command(context_settings=CONTEXT)
def devices() -> None:
    """List audio outputs, speech voices, and a sound self-check."""
    from circlekeeper.sound.commands import devices_command

    sys.exit(devices_command())


@cli.group(context_settings=CONTEXT)
def circles() -> None:
    """Saved circles: their people in seat order, standing roles, and meetings.

    Meeting k of a circle is hosted by the k-th person in seat order, wrapping round; a
    meeting is recorded when its session ends (as planned or early).
    """


@circles.command("add", context_settings=CONTEXT)
@click.argument("name")
@click.option("--people", required=True, metavar="NAMES", help=N_('In seat order: "Ana,Ben,Cy".'))
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="ROLE=NAMES",
    help=N_(
        "A role held at every meeting, like scribe=Cy (repeat for more). It overrides the "
        "practice's own rule for that role."
    ),
)
@click.option(
    "--focus-order",
    metavar="NAMES",
    default=None,
    help=N_(
        'The order in which people take the focus, meeting after meeting: "Cy,Ana,Ben" '
        "(the others follow in seat order)."
    ),
)
@click.option("--replace", is_flag=True, help=N_("Replace the people and roles of a saved circle."))
def circles_add(
    name: str, people: str, roles: tuple[str, ...], focus_order: str | None, replace: bool
) -> None:
    """Save a circle."""
    from circlekeeper.records import commands

    sys.exit(commands.circles_add(name, people, roles, focus_order=focus_order, replace=replace))


@circles.command("list", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help=N_("As JSON."))
def circles_list(as_json: bool) -> None:
    """List the saved circles."""
    from circlekeeper.records import commands

    sys.exit(commands.circles_list(as_json=as_json))


@circles.command("show", context_settings=CONTEXT)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help=N_("As JSON."))
def circles_show(name: str, as_json: bool) -> None:
    """A circle's people, roles and meetings, and who hosts the next one."""
    from circlekeeper.records import commands

    sys.exit(commands.circles_show(name, as_json=as_json))


@circles.command("remove", context_settings=CONTEXT)
@click.argument("name")
def circles_remove(name: str) -> None:
    """Forget a saved circle (its sessions stay in the history)."""
    from circlekeeper.records import commands

    sys.exit(commands.circles_remove(name))


@circles.command("rename", context_settings=CONTEXT)
@click.argument("old")
@click.argument("new")
def circles_rename(old: str, new: str) -> None:
    """Rename a saved circle, keeping its people, roles and meetings."""
    from circlekeeper.records import commands

    sys.exit(commands.circles_rename(old, new))


@cli.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help=N_("A JSON list, one object per session."))
def history(as_json: bool) -> None:
    """Every session kept, oldest first: its id, practice, time, how it ended, the circle."""
    from circlekeeper.records.commands import history_command

    sys.exit(history_command(as_json=as_json))


@cli.command(context_settings=CONTEXT)
@click.argument("session", required=False, metavar="ID")
@click.option("--circle", "circle", metavar="NAME", help=N_("A saved circle's meetings, together."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json", "csv"]),
    default="md",
    show_default=True,
    help=N_("Markdown to publish, JSON or CSV for tools."),
)
@click.option(
    "--names/--anonymous",
    "names",
    default=None,
    help=N_(
        "Names only with the group's consent; anonymous numbers people in seat order. "
        "Asked when neither is given."
    ),
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=N_("Write to FILE.")
)
@click.option(
    "--lang",
    default=None,
    metavar="LANG",
    help=N_(
        "Language of the Markdown and of the messages, like de or pt-BR (JSON and CSV keep "
        "their English keys)."
    ),
)
def export(
    session: str | None,
    circle: str | None,
    fmt: str,
    names: bool | None,
    output: Path | None,
    lang: str | None,
) -> None:
    """A reportback of session ID (from `history`; `last` is the latest), or of a saved
    circle's meetings with --circle."""
    del lang  # the command group speaks the language `--lang` names, wherever it is given
    from circlekeeper.records.commands import export_command

    sys.exit(
        export_command(
            session,
            circle=circle,
            fmt="md" if fmt == "md" else "json" if fmt == "json" else "csv",
            names=names,
            output=output,
            ask=_ask_choice,
        )
    )


def main() -> None:
    """Console entry point."""
    cli(prog_name="circlekeeper")
