"""`docs/practices.md`: the built-in library as one page, made from the same records as the
library screen and `circlekeeper list` (title, kind, sizes, typical length, languages,
summary, sources), so the three never disagree. `make library-index` rewrites it; a test
says when it is out of date.
"""

from __future__ import annotations

import re
from pathlib import Path

from circlekeeper.library.index import Entry, PracticeInfo, check_entry, grouped, read_library
from circlekeeper.script.duration import approximate

PAGE = "practices.md"
"""The page's name in `docs/`."""


def builtin_entries() -> list[Entry]:
    """The built-in practices, each checked now (never an index's word for it)."""
    return [check_entry(e) for e in read_library().entries if e.origin == "built-in"]


def anchor(title: str) -> str:
    """The link target a Markdown renderer gives a heading: lower case, punctuation dropped,
    spaces as hyphens."""
    kept = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return kept.replace(" ", "-")


def people(info: PracticeInfo) -> str:
    """`2-12`, or `2` for a practice of exactly two."""
    if info.size_min == info.size_max:
        return str(info.size_min)
    return f"{info.size_min}-{info.size_max}"


def length(info: PracticeInfo) -> str:
    """`~10m for 5`, or nothing when the length could not be estimated."""
    return "" if info.duration is None else f"{approximate(info.duration)} for {info.typical_size}"


def facts(name: str, info: PracticeInfo) -> str:
    """`check-in` · check-in · 2-12 people · ~10m for 5 · en, de."""
    unit = "person" if info.size_max == 1 else "people"
    cells = [f"`{name}`", info.kind, f"{people(info)} {unit}", length(info)]
    return " · ".join(cell for cell in [*cells, ", ".join(info.languages)] if cell)


def source_line(title: str, author: str | None, url: str | None, licence: str | None) -> str:
    """One source as a list item: title, author, address, licence."""
    text = f"- {title}"
    if author:
        text += f" — {author}."
    if url:
        text += f" <{url}>"
    if licence:
        text += f" ({licence})"
    return text


def practices_page(entries: list[Entry] | None = None) -> str:
    """The whole page, from the checked entries of the built-in library."""
    found = builtin_entries() if entries is None else entries
    groups = grouped(found)
    count = sum(len(group) for _, group in groups)
    out = [
        "# The built-in practices",
        "",
        "<!-- Made from the practices' own metadata by `make library-index`; edit the "
        "practices, not this page. -->",
        "",
        f"circlekeeper ships {count} practices. Each one names the sources it follows; the "
        "text of every script is written in our own words and shared under the Creative "
        "Commons Attribution-ShareAlike 4.0 licence (CC-BY-SA-4.0), as the sources it adapts "
        "from the microsolidarity handbook, Enspiral's handbook and Liberating Structures "
        "ask. Run one with `circlekeeper run NAME --circle ...`, or try it first with "
        "`circlekeeper rehearse NAME --circle ...`; the length is estimated for the typical "
        "size shown.",
        "",
        "| Practice | Kind | People | Typical length | Languages |",
        "|---|---|---|---|---|",
    ]
    for _, group in groups:
        for entry in group:
            info = entry.info
            if info is None:
                continue
            link = f"[{info.title}](#{anchor(info.title)})"
            out.append(
                f"| {link} | {info.kind} | {people(info)} | {length(info)} "
                f"| {', '.join(info.languages)} |"
            )
    for heading, group in groups:
        out += ["", f"## {heading}"]
        for entry in group:
            info = entry.info
            if info is None:
                continue
            out += ["", f"### {info.title}", "", facts(entry.path.stem, info)]
            if info.summary:
                out += ["", " ".join(info.summary.split())]
            if info.sources:
                out += ["", "Sources:", ""]
                out += [source_line(*source) for source in info.sources]
    return "\n".join(out) + "\n"


def write_practices_page(docs: Path) -> Path:
    """Rewrite `docs/practices.md` in the folder `docs`; returns its path."""
    target = docs / PAGE
    target.write_text(practices_page(), encoding="utf-8")
    return target
