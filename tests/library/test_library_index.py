"""The library index: hits, misses, broken scripts, a damaged or outdated index, privacy."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from circlekeeper.library import index as index_module
from circlekeeper.library.index import (
    BUILTIN_INDEX,
    KIND_TITLES,
    PRACTICE_FORMAT,
    Entry,
    Library,
    Stamp,
    builtin_index_data,
    check_entry,
    guess_title_and_kind,
    index_data,
    index_path,
    list_order,
    read_library,
    save_index,
)
from circlekeeper.paths import user_practices_dir

REPO = Path(__file__).resolve().parents[2]
PRACTICES = REPO / "practices"

SCRIPT = """\
format: 1
title: {title}
kind: check-in
size: {{min: 2, max: 8, ideal: 4}}
steps:
  - kind: round
    title: Arriving
    prompt: {{en: How are you arriving?, de: Wie kommst du an?}}
    turn: {{time: 2m}}
  - kind: silence
    duration: {silence}
"""


def write(folder: Path, name: str, title: str = "Arriving", silence: str = "1m") -> Path:
    """A valid check-in script (or a broken one, with a bad `silence`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(SCRIPT.format(title=title, silence=silence), encoding="utf-8")
    return path


def by_name(library: Library) -> dict[str, Entry]:
    return {entry.path.name: entry for entry in library.entries}


def checked_and_saved(extra: list[Path] | None = None) -> Library:
    """Read the library, check what needs it and save the index, as `list` does."""
    library = read_library(extra or [])
    entries = [check_entry(e) if e.needs_check else e for e in library.entries]
    save_index(library, entries)
    return library


@pytest.fixture
def mine() -> Path:
    return user_practices_dir()


def test_a_new_script_is_listed_by_its_declared_title_until_it_is_checked(mine: Path) -> None:
    write(mine, "a.yaml", title="Tuesday crew")
    entry = by_name(read_library())["a.yaml"]
    assert entry.needs_check and entry.info is None
    assert (entry.title, entry.kind) == ("Tuesday crew", "check-in")
    checked = check_entry(entry)
    assert not checked.needs_check and checked.info is not None
    info = checked.info
    assert (info.title, info.kind, info.size_min, info.size_max) == (
        "Tuesday crew",
        "check-in",
        2,
        8,
    )
    assert info.typical_size == 4
    assert info.duration == 4 * 120 + 60  # four turns of two minutes, a minute of silence
    assert info.languages == ("en", "de")
    assert [(step.label, step.kind) for step in info.steps] == [
        ("Arriving", "round"),
        ("Silence", "silence"),
    ]


def test_a_checked_script_is_a_hit_next_time(mine: Path) -> None:
    write(mine, "a.yaml")
    checked_and_saved()
    entry = by_name(read_library())["a.yaml"]
    assert not entry.needs_check
    assert entry.info is not None and entry.info.title == "Arriving"


def test_reading_a_warm_index_loads_neither_pydantic_nor_the_yaml_parser(mine: Path) -> None:
    write(mine, "a.yaml")
    checked_and_saved()
    code = (
        "import sys\n"
        "from circlekeeper.library.index import read_library\n"
        "library = read_library()\n"
        "assert library.entries and not any(e.needs_check for e in library.entries)\n"
        "print(sorted(m for m in ('pydantic', 'ruamel', 'ruamel.yaml') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_a_settled_file_is_a_hit_from_its_stamp_without_reading_it(
    mine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(mine, "a.yaml")
    monkeypatch.setattr(index_module, "RACY_NS", 0)  # as if it were written long ago
    checked_and_saved()

    def no_reading(path: str) -> bytes:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(index_module, "_read", no_reading)
    assert not by_name(read_library())["a.yaml"].needs_check


def test_a_file_changed_within_its_timestamp_is_caught_by_its_bytes(mine: Path) -> None:
    path = write(mine, "a.yaml", title="Second")
    st = path.stat()
    # A record of an earlier version, same size, read in the same timestamp tick: its stamp
    # equals the file's, but so close to the change that it cannot vouch for the bytes.
    first = SCRIPT.format(title="First!", silence="1m").encode()
    assert len(first) == st.st_size
    stamp = Stamp(st.st_mtime_ns, st.st_ctime_ns, st.st_mtime_ns + 1_000_000)
    assert not stamp.vouches(st)
    library = read_library()
    record = check_entry(by_name(library)["a.yaml"]).record
    assert record is not None
    forged = record._replace(crc32=zlib.crc32(first), stamp=stamp)
    index_path().parent.mkdir(parents=True, exist_ok=True)
    index_path().write_text(json.dumps(index_data({str(path.resolve()): forged})), "utf-8")
    entry = by_name(read_library())["a.yaml"]
    assert entry.needs_check and entry.title == "Second"


def test_a_touched_file_with_the_same_bytes_is_still_a_hit(mine: Path) -> None:
    path = write(mine, "a.yaml")
    checked_and_saved()
    os.utime(path, ns=(1_234_500_000_000_000_000, 1_234_500_000_000_000_000))
    entry = by_name(read_library())["a.yaml"]
    assert not entry.needs_check
    assert entry.record is not None and entry.record.stamp is not None
    assert entry.record.stamp.mtime_ns == 1_234_500_000_000_000_000  # renewed for next time


def test_a_changed_file_is_a_miss_even_with_the_same_size_and_time(mine: Path) -> None:
    path = write(mine, "a.yaml", title="Before")
    checked_and_saved()
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("Before", "Beford"), "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    entry = by_name(read_library())["a.yaml"]
    assert entry.needs_check and entry.info is None
    assert entry.title == "Beford"


def test_a_deleted_file_leaves_the_list_and_the_index(mine: Path) -> None:
    write(mine, "a.yaml")
    gone = write(mine, "b.yaml")
    checked_and_saved()
    gone.unlink()
    library = checked_and_saved()
    assert "b.yaml" not in by_name(library)
    assert str(gone.resolve()) not in read_library().previous


def test_a_broken_script_is_flagged_at_once_and_checked_again(mine: Path) -> None:
    path = write(mine, "a.yaml", silence="soon")
    library = read_library()
    checked = check_entry(by_name(library)["a.yaml"])
    assert checked.info is None
    assert checked.error_lines() == [
        f"{path}:11:15: `duration`: 'soon' is not a duration; write it like 90s, 2m, 2m30s or 1h15m"
    ]
    save_index(library, [checked])
    # Next time it is flagged from the index, yet nothing vouches for it: it is checked again.
    again = by_name(read_library())["a.yaml"]
    assert again.errors == checked.errors and again.kind is None
    assert again.needs_check
    write(mine, "a.yaml", silence="2m")  # fixed
    fixed = by_name(read_library())["a.yaml"]
    assert fixed.needs_check and not fixed.errors
    assert check_entry(fixed).info is not None


def test_a_corrupt_index_is_ignored_and_rebuilt(mine: Path) -> None:
    write(mine, "a.yaml")
    index_path().parent.mkdir(parents=True, exist_ok=True)
    index_path().write_text('{"index": 1, "practices": {"trunc', encoding="utf-8")
    library = read_library()
    assert by_name(library)["a.yaml"].needs_check
    checked_and_saved()
    assert json.loads(index_path().read_text(encoding="utf-8"))["practices"]
    assert not by_name(read_library())["a.yaml"].needs_check


def test_a_damaged_record_is_a_miss_for_that_file_alone(mine: Path) -> None:
    write(mine, "a.yaml")
    damaged = write(mine, "b.yaml")
    checked_and_saved()
    data = json.loads(index_path().read_text(encoding="utf-8"))
    data["practices"][str(damaged.resolve())]["info"]["size"] = "many"
    index_path().write_text(json.dumps(data), encoding="utf-8")
    entries = by_name(read_library())
    assert not entries["a.yaml"].needs_check
    assert entries["b.yaml"].needs_check


@pytest.mark.parametrize("bump", ["__version__", "PRACTICE_FORMAT", "INDEX_LAYOUT"])
def test_a_version_bump_invalidates_the_index(
    mine: Path, monkeypatch: pytest.MonkeyPatch, bump: str
) -> None:
    write(mine, "a.yaml")
    checked_and_saved()
    assert not by_name(read_library())["a.yaml"].needs_check
    monkeypatch.setattr(index_module, bump, "9.9.9" if bump == "__version__" else 99)
    assert by_name(read_library())["a.yaml"].needs_check
    # ...and the built-in practices' own index, written by the old version, no longer counts.
    assert all(entry.needs_check for entry in read_library().entries)


def test_a_sound_file_that_goes_missing_is_a_miss(mine: Path) -> None:
    path = write(mine, "a.yaml")
    text = path.read_text(encoding="utf-8").replace(
        "steps:", "sounds:\n  gong2: {file: gong2.wav}\nsteps:", 1
    )
    path.write_text(text, encoding="utf-8")
    (mine / "gong2.wav").write_bytes(b"RIFF")
    checked_and_saved()
    assert not by_name(read_library())["a.yaml"].needs_check
    (mine / "gong2.wav").unlink()
    entry = by_name(read_library())["a.yaml"]
    assert entry.needs_check
    flagged = check_entry(entry)
    assert flagged.info is None and "gong2.wav` not found" in flagged.error_lines()[0]


def test_the_index_is_private_to_the_user(mine: Path) -> None:
    write(mine, "a.yaml")
    checked_and_saved()
    assert stat.S_IMODE(index_path().stat().st_mode) == 0o600
    assert stat.S_IMODE(index_path().parent.stat().st_mode) == 0o700
    leftovers = [p.name for p in index_path().parent.iterdir() if p.name != "index.json"]
    assert leftovers == []


def test_an_unchanged_library_does_not_rewrite_the_index(
    mine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(mine, "a.yaml")
    monkeypatch.setattr(index_module, "RACY_NS", 0)  # settled files: stamps need no renewal
    checked_and_saved()
    library = read_library()
    assert save_index(library, library.entries) is False


def test_records_of_a_folder_not_opened_this_time_are_kept_while_the_file_exists(
    tmp_path: Path,
) -> None:
    extra = write(tmp_path / "extra", "x.yaml")
    checked_and_saved([tmp_path / "extra"])
    checked_and_saved()  # without the extra folder
    assert str(extra.resolve()) in read_library().previous
    assert not by_name(read_library([tmp_path / "extra"]))["x.yaml"].needs_check
    extra.unlink()
    checked_and_saved()
    assert str(extra.resolve()) not in read_library().previous


def test_a_file_that_cannot_be_read_is_checked_and_explained(mine: Path) -> None:
    path = write(mine, "a.yaml")
    path.write_bytes(b"x" * (1024 * 1024 + 1))
    entry = by_name(read_library())["a.yaml"]
    assert entry.needs_check and entry.guess is None  # too big to read at start-up
    assert "may be at most 256 KiB" in check_entry(entry).error_lines()[0]


def test_the_builtin_practices_are_listed_at_once_on_a_first_run() -> None:
    library = read_library()
    assert library.entries
    assert not any(entry.needs_check for entry in library.entries)
    assert all(entry.origin == "built-in" for entry in library.entries)


def test_the_builtin_index_is_in_sync_with_the_practices() -> None:
    shipped = json.loads((PRACTICES / BUILTIN_INDEX).read_text(encoding="utf-8"))
    assert shipped == builtin_index_data(PRACTICES), (
        f"practices/{BUILTIN_INDEX} is out of date: run `make library-index`"
    )


def test_the_list_order_is_by_kind_then_title_with_broken_scripts_last(mine: Path) -> None:
    write(mine, "b.yaml", title="zebra check-in")
    write(mine, "a.yaml", title="Apple check-in")
    write(mine, "c.yaml", silence="soon")
    entries = [check_entry(e) for e in read_library().entries]
    titles = [entry.title for entry in list_order(entries)]
    assert (
        titles.index("Apple check-in") < titles.index("zebra check-in") < titles.index("Silent sit")
    )
    assert titles[-1] == "c.yaml"


@pytest.mark.parametrize(
    ("text", "title", "kind"),
    [
        (b"title: Plain title\nkind: sit\n", "Plain title", "sit"),
        (b'title: "Quoted: with colon"\r\nkind: dyad # a comment\n', "Quoted: with colon", "dyad"),
        (b"title: 'It''s mine'\n", "It's mine", None),
        (b"title: >-\n  Folded\nkind: [sit]\n", None, None),
        (b'title: "Escaped \\" quote"\n', None, None),
        (b"steps:\n  - title: Not the top level\n", None, None),
        (b"title: first\ntitle: second\n", "first", None),
        (b"title: \xff\xfe\n", None, None),
    ],
)
def test_the_declared_title_and_kind_are_read_without_yaml(
    text: bytes, title: str | None, kind: str | None
) -> None:
    guess = guess_title_and_kind(text)
    assert (guess.title, guess.kind) == (title, kind)


def test_every_practice_kind_has_a_heading_and_the_format_version_matches() -> None:
    from circlekeeper.script.model import FORMAT_VERSION, PRACTICE_KINDS

    assert list(KIND_TITLES) == list(PRACTICE_KINDS)
    assert PRACTICE_FORMAT == FORMAT_VERSION
