"""The `circlekeeper` command line.

Each command is a thin shim: it imports its area's module only when it runs, so that
`circlekeeper check` never pays for Textual and the TUI never pays for numpy at start-up.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from circlekeeper import __version__

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> NoReturn:
    """One line on stderr and exit status 2: the contract for every bad input."""
    click.echo(f"circlekeeper: {message}", err=True)
    sys.exit(2)


def _circle(value: str) -> list[str]:
    """Split `--circle "Ana, Ben,Cy"` into names; no names or a repeated name is an error."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        _fail('--circle names nobody; name the people like --circle "Ana,Ben,Cy"')
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            _fail(f"--circle names {name!r} twice; each person in the circle needs their own name")
        seen.add(name.casefold())
    if len(names) > 200:
        _fail(f"--circle names {len(names)} people; circlekeeper keeps circles of up to 200")
    return names


_FOCUS_ORDER = click.option(
    "--focus-order",
    metavar="NAMES",
    default=None,
    help='The order in which people take the focus: "Cy,Ana,Ben".',
)


def _circle_option(required: bool) -> Callable[[F], F]:
    return click.option(
        "--circle",
        "circle",
        required=required,
        metavar="NAMES",
        help='The people in the room, in seating order: "Ana,Ben,Cy".',
    )


def _practices_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--practices",
        "extra_dirs",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )


@click.group(invoke_without_command=True, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="circlekeeper")
@_practices_option("Another folder of practice scripts to show in the library.")
@click.option("--high-contrast", is_flag=True, help="Start with the high-contrast theme.")
@click.pass_context
def cli(ctx: click.Context, extra_dirs: tuple[Path, ...], high_contrast: bool) -> None:
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
    help="Circle size used for the estimated duration.",
)
def check(paths: tuple[Path, ...], size: int) -> None:
    """Validate practice scripts (files or folders)."""
    from circlekeeper.engine.projection import estimate_seconds
    from circlekeeper.script.check import run_check

    sys.exit(run_check(list(paths), size=size, estimate=estimate_seconds))


@cli.command(name="list", context_settings=CONTEXT)
@_practices_option("Another folder of practice scripts to list.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of objects instead of lines.")
@click.pass_context
def list_(ctx: click.Context, extra_dirs: tuple[Path, ...], as_json: bool) -> None:
    """List the practices: built-in, your own, and any --practices folder."""
    from circlekeeper.library.listing import run_list

    folders = [*ctx.parent.params.get("extra_dirs", ()), *extra_dirs] if ctx.parent else []
    missing = [d for d in folders if not d.is_dir()]
    if missing:
        _fail(f"{missing[0]}: no such folder")
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
            _fail(f"--roles: {item.strip()!r} should read role=Name, like {example}")
        roles.setdefault(role.strip(), []).extend(names)
    return roles


def _names(option: str, value: str | None) -> list[str] | None:
    """A comma-separated list of names, or None when the option was not given."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        _fail(f'{option} names nobody; name the people like {option} "Cy,Ana,Ben"')
    return names


@cli.command(context_settings=CONTEXT)
@click.argument("practice")
@_circle_option(required=True)
@click.option("--seed", type=int, default=None, help="Seed for random orders and groups.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event, per line.")
@click.option(
    "--actions",
    "actions",
    metavar="FILE",
    default=None,
    help="What the facilitator does, when: a YAML list like `- {at: 1m30s, do: pass}`.",
)
@click.option(
    "--only-actions",
    is_flag=True,
    help="Do only what --actions says: no simulated moves in between.",
)
@click.option(
    "--meeting",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Which meeting of the circle this is, counting from 1 (hosting and a series' focus).",
)
@click.option(
    "--roles",
    "roles",
    metavar="ROLES",
    default=None,
    help='Who holds which role: "host=Ana,coach=Ben+Cy".',
)
@_FOCUS_ORDER
def rehearse(
    practice: str,
    circle: str,
    seed: int | None,
    as_json: bool,
    actions: str | None,
    only_actions: bool,
    meeting: int,
    roles: str | None,
    focus_order: str | None,
) -> None:
    """Run a practice in simulated time and print its timeline."""
    from circlekeeper.engine.rehearse import run_rehearse

    sys.exit(
        run_rehearse(
            practice,
            _circle(circle),
            seed=seed,
            as_json=as_json,
            actions_path=actions,
            only_actions=only_actions,
            meeting=meeting,
            roles=_roles(roles),
            focus_order=_names("--focus-order", focus_order),
        )
    )


@cli.command(context_settings=CONTEXT)
@click.argument("practice")
@_circle_option(required=True)
@click.option("--silent", is_flag=True, help="No app sound (for a group with its own bell).")
@click.option("--lang", default=None, help="Language of the prompts, like en or de.")
@click.option("--device", default=None, help="Audio output, by name.")
@click.option("--seed", type=int, default=None, help="Seed for random orders and groups.")
@click.option("--announce", is_flag=True, help="Speak every change of step and speaker.")
@click.option("--high-contrast", is_flag=True, help="Start with the high-contrast theme.")
@click.option(
    "--share",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[HOST:PORT]",
    help="Serve a read-only view of the session for a browser: this computer only, on a "
    "free port, unless HOST:PORT says otherwise (0.0.0.0:8765 lets phones on the network in).",
)
@_FOCUS_ORDER
def run(
    practice: str,
    circle: str,
    silent: bool,
    lang: str | None,
    device: str | None,
    seed: int | None,
    announce: bool,
    high_contrast: bool,
    share: str | None,
    focus_order: str | None,
) -> None:
    """Start a practice straight in the live session."""
    from circlekeeper.tui.launch import run_session

    sys.exit(
        run_session(
            practice,
            _circle(circle),
            silent=silent,
            lang=lang,
            device=device,
            seed=seed,
            announce=announce,
            high_contrast=high_contrast,
            share=share,
            focus_order=_names("--focus-order", focus_order),
        )
    )


@cli.command(context_settings=CONTEXT)
@click.argument("text")
@click.option("--lang", default=None, help="Language, like en or de.")
@click.option("--voice", default=None, help="A speech voice id (see `circlekeeper devices`).")
@click.option("--rate", type=click.IntRange(60, 400), default=None, help="Words per minute.")
@click.option("--device", default=None, help="Audio output, by name.")
def say(
    text: str, lang: str | None, voice: str | None, rate: int | None, device: str | None
) -> None:
    """Speak TEXT through the audio output."""
    from circlekeeper.sound.commands import say_command

    sys.exit(say_command(text, lang=lang, voice=voice, rate=rate, device=device))


@cli.command(context_settings=CONTEXT)
@click.argument("name", default="bowl")
@click.option("--strikes", type=click.IntRange(1, 12), default=1, show_default=True)
@click.option("--device", default=None, help="Audio output, by name.")
def bell(name: str, strikes: int, device: str | None) -> None:
    """Ring a bell: bowl, chime, clappers, gong or warning."""
    from circlekeeper.sound.commands import bell_command

    sys.exit(bell_command(name, strikes=strikes, device=device))


@cli.command(context_settings=CONTEXT)
def devices() -> None:
    """List audio outputs, speech voices, and a sound self-check."""
    from circlekeeper.sound.commands import devices_command

    sys.exit(devices_command())


def main() -> None:
    """Console entry point."""
    cli(prog_name="circlekeeper")
