"""The benchmark report: a run of some benchmarks replaces only their own sections."""

from __future__ import annotations

from bench.__main__ import merged, sections_of

PAGE = (
    "# Benchmarks\n\nMeasured 2026-11-30 on a machine.\nRegenerate with `make bench`.\n\n"
    "## Engine\n\nfast\n\n| a | b |\n\n"
    "## Terminal UI\n\nold start-up\n\n### Detail\n\nold detail\n\n"
    "## Sound\n\nbells\n"
)


def test_a_fresh_section_takes_the_place_of_its_namesake_and_says_when() -> None:
    page = merged(PAGE, ["## Terminal UI\n\nnew start-up\n\n### Detail\n\nnew detail"], "alone")
    header, sections = sections_of(page)
    assert header == PAGE.split("\n\n## ", 1)[0]
    assert [s.split("\n", 1)[0] for s in sections] == ["## Engine", "## Terminal UI", "## Sound"]
    assert sections[0] == "## Engine\n\nfast\n\n| a | b |"
    assert sections[1] == "## Terminal UI\n\n*alone*\n\nnew start-up\n\n### Detail\n\nnew detail"
    assert "old" not in page
    assert sections[2] == "## Sound\n\nbells"


def test_a_section_the_page_lacks_goes_at_the_end() -> None:
    _, sections = sections_of(merged(PAGE, ["## Shared view\n\nviewers"], "alone"))
    assert sections[-1] == "## Shared view\n\n*alone*\n\nviewers"
    assert len(sections) == 4


def test_merging_twice_keeps_one_note() -> None:
    once = merged(PAGE, ["## Sound\n\nfirst"], "one")
    twice = merged(once, ["## Sound\n\nsecond"], "two")
    assert twice.count("## Sound") == 1
    assert twice.endswith("## Sound\n\n*two*\n\nsecond\n")
    assert "*one*" not in twice
