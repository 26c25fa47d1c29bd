"""docs/practices.md: made from the library's own records, and kept in sync with them."""

from __future__ import annotations

from pathlib import Path

from circlekeeper.library.catalogue import anchor, builtin_entries, practices_page
from circlekeeper.script.duration import approximate

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "practices.md"


def test_the_page_is_in_sync_with_the_practices() -> None:
    assert PAGE.read_text(encoding="utf-8") == practices_page(), (
        "docs/practices.md is out of date: run `make library-index`"
    )


def test_every_practice_has_its_row_and_section_with_its_sources() -> None:
    page = practices_page()
    entries = builtin_entries()
    assert len(entries) == len(list((REPO / "practices").glob("*.yaml")))
    for entry in entries:
        info = entry.info
        assert info is not None, entry.error_lines()
        assert f"| [{info.title}](#{anchor(info.title)}) | {info.kind} |" in page
        section = page.split(f"\n### {info.title}\n", 1)[1].split("\n### ", 1)[0]
        assert f"`{entry.path.stem}` · {info.kind} · " in section
        assert info.duration is not None
        assert f"{approximate(info.duration)} for {info.typical_size}" in section
        assert ", ".join(info.languages) in section
        assert info.summary is not None and " ".join(info.summary.split()) in section
        for source in info.sources:
            assert source.title in section and f"<{source.url}>" in section


def test_anchors_follow_the_heading() -> None:
    assert anchor("Feedback: I like, I wish, I wonder") == "feedback-i-like-i-wish-i-wonder"
    assert anchor("A crew's first six meetings") == "a-crews-first-six-meetings"
    assert anchor("1-2-4-All") == "1-2-4-all"
