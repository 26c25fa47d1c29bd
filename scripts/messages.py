"""The message catalogue's tooling (Babel): extract, update, compile. `make messages` runs it.

    python scripts/messages.py            extract the template, update every language, compile
    python scripts/messages.py --compile  only compile the `.po` files into `.mo` files

The template (`circlekeeper.pot`) holds every string marked in the package: `_`, `N_`,
`ngettext`, `pgettext`, `NC_`, and the engine's `msg` and `msg_n`; the docstrings of the
click commands (their help); and click's own words (usage, options, errors), looked up
through gettext's global functions, so `--help` reads in one language. Locations are kept
without line numbers, so moving code does not touch the catalogue.

Only the standard library's `gettext` reads the compiled catalogues at run time; Babel is a
development tool.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "circlekeeper"
LOCALE = PACKAGE / "i18n" / "locale"
TEMPLATE = PACKAGE / "i18n" / "circlekeeper.pot"
DOMAIN = "circlekeeper"
LANGUAGES = ("de", "es", "fr", "pt_BR")
"""The translations (English, the source, is the template itself)."""
PLURALS: dict[str, tuple[int, str]] = {
    "de": (2, "(n != 1)"),
    "es": (2, "(n != 1)"),
    "fr": (2, "(n > 1)"),
    "pt_BR": (2, "(n > 1)"),
}
"""Each language's plural forms, as gettext has always written them: CLDR's extra form for
large round numbers ("un million de personnes") is left out, so a translator fills two."""

KEYWORDS: dict[str, Any] = {
    "_": None,
    "N_": None,
    "msg": None,
    "ngettext": (1, 2),
    "msg_n": (1, 2),
    "pgettext": ((1, "c"), 2),
    "NC_": ((1, "c"), 2),
}
COMMENT_TAGS = ("Translators:",)
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")
"""click's modules whose words a user of the command line may read."""
CLICK_KEYWORDS: dict[str, Any] = {"_": None, "ngettext": (1, 2)}
HEADER = """\
# The words of circlekeeper's interface, in every language it speaks.
# Each language's glossary is in docs/i18n.md: one word for each of the practice's terms."""


def _version() -> str:
    from circlekeeper import __version__

    return __version__


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "locale" not in p.parts)


def _command_docstrings(path: Path) -> Iterator[tuple[int, str]]:
    """The docstrings of the click commands and groups in `path`: their help text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        decorators = [ast.unparse(d) for d in node.decorator_list]
        if not any(".command(" in d or ".group(" in d for d in decorators):
            continue
        doc = ast.get_docstring(node, clean=True)
        if doc:
            yield node.lineno, doc


def extract() -> Catalog:
    """Every message of the interface, with where it is used (file names, no lines)."""
    catalog = Catalog(
        domain=DOMAIN,
        project="circlekeeper",
        version=_version(),
        copyright_holder="circlekeeper contributors",
        msgid_bugs_address="",
        header_comment=HEADER,
        fuzzy=False,
    )
    for path in _sources():
        where = path.relative_to(ROOT).as_posix()
        for lineno, message, comments, context in extract_from_file(
            "python",
            str(path),
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        ):
            catalog.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
        if path.name == "cli.py":
            for lineno, doc in _command_docstrings(path):
                catalog.add(doc, None, [(where, lineno)], auto_comments=["click help"])
    import click

    click_dir = Path(click.__file__).parent
    for name in CLICK_MODULES:
        for lineno, message, comments, context in extract_from_file(
            "python", str(click_dir / f"{name}.py"), keywords=CLICK_KEYWORDS
        ):
            catalog.add(
                message,
                None,
                [(f"click/{name}.py", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_text(catalog: Catalog) -> bytes:
    """A catalogue as a `.po` (or `.pot`) file's bytes, in a form that diffs well."""
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, sort_by_file=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    """A catalogue compiled (fuzzy entries left out: they are not yet translations)."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def po_path(language: str) -> Path:
    """Where a language's catalogue lives."""
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(path: Path, language: str | None = None) -> Catalog:
    """A `.po` or `.pot` file."""
    with path.open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def _stable(new: bytes, path: Path) -> bytes:
    """Keep the old creation date when nothing else changed (no churn in the history)."""
    if not path.exists():
        return new
    old = path.read_bytes()

    def without_dates(data: bytes) -> bytes:
        return b"\n".join(
            line
            for line in data.split(b"\n")
            if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))
        )

    return old if without_dates(old) == without_dates(new) else new


def update() -> list[str]:
    """Extract the template, merge it into every language, compile; what needs a translator."""
    template = extract()
    TEMPLATE.write_bytes(_stable(po_text(template), TEMPLATE))
    template = read(TEMPLATE)
    todo: list[str] = []
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = read(path, language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(
                locale=language,
                domain=DOMAIN,
                project="circlekeeper",
                header_comment=HEADER,
                last_translator="circlekeeper contributors",
                language_team=language,
                fuzzy=False,
            )
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        _gnu_plurals(catalog, language)
        catalog.obsolete.clear()  # a string gone from the code leaves the catalogue
        path.write_bytes(_stable(po_text(catalog), path))
        missing = [m for m in catalog if m.id and (not m.string or m.fuzzy or not all(m.string))]
        if missing:
            todo.append(f"{path.relative_to(ROOT)}: {len(missing)} to translate")
    compile_all()
    return todo


def _gnu_plurals(catalog: Catalog, language: str) -> None:
    """Give the catalogue gettext's plural forms for its language, and every plural message
    that many forms."""
    count, expression = PLURALS[language]
    headers = [(k, v) for k, v in catalog.mime_headers if k.lower() != "plural-forms"]
    headers.append(("Plural-Forms", f"nplurals={count}; plural={expression};"))
    catalog.mime_headers = headers
    for message in catalog:
        if message.id and isinstance(message.string, tuple):
            forms = (*message.string, *([""] * count))[:count]
            message.string = forms


def compile_all() -> None:
    """Write each language's `.mo` beside its `.po`."""
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            path.with_suffix(".mo").write_bytes(mo_bytes(read(path, language)))


def main(argv: list[str] | None = None) -> int:
    """Run from `make messages`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compile", action="store_true", help="only compile the .po files")
    args = parser.parse_args(argv)
    if args.compile:
        compile_all()
        return 0
    for line in update():
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
