"""Semantic checks that must accept good scripts, and the sound-file rules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from circlekeeper.script import ScriptErrors, load_text
from circlekeeper.script.validate import iter_steps

HEAD = "title: T\nkind: other\n"


def test_loop_binding_is_in_scope_only_inside_the_loop() -> None:
    inside = HEAD + (
        "steps:\n  - kind: for-each\n    as: client\n    steps:\n"
        "      - kind: round\n        lead: client\n        end_with: client\n"
        "        only: [client]\n"
        "      - kind: group\n        steps:\n          - kind: read\n"
        "            lead: client\n            text: Nested deeper, still in scope.\n"
    )
    practice = load_text(inside, "t.yaml")
    assert [at.bindings for at in iter_steps(practice)][1:] == [frozenset({"client"})] * 3


def test_repeat_of_an_earlier_step_anywhere_before() -> None:
    text = HEAD + (
        "steps:\n  - kind: group\n    steps:\n      - kind: round\n        id: consent\n"
        "  - kind: repeat\n    of: [consent]\n"
    )
    assert load_text(text, "t.yaml").steps[1].kind == "repeat"


def test_sound_file_beside_the_script(tmp_path: Path) -> None:
    (tmp_path / "ding.wav").write_bytes(b"RIFF")
    text = HEAD + (
        "sounds:\n  ding: {file: ding.wav}\n"
        "steps:\n  - kind: silence\n    duration: 1m\n    bells: {end: ding x2}\n"
    )
    practice = load_text(text, "t.yaml", tmp_path)
    assert practice.sounds["ding"].file == "ding.wav"


def _linked_from_elsewhere(tmp_path: Path, link: Any) -> Path:
    """A script folder whose ding.wav is `link`ed (os.symlink, os.link) to a file elsewhere."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "real.wav").write_bytes(b"RIFF")
    here = tmp_path / "scripts"
    here.mkdir()
    try:
        link(outside / "real.wav", here / "ding.wav")
    except OSError:
        pytest.skip(f"{link.__name__} is not available here")
    return here


def test_sound_file_that_is_a_link_out_of_the_folder(tmp_path: Path) -> None:
    here = _linked_from_elsewhere(tmp_path, os.symlink)
    text = HEAD + "sounds:\n  ding: {file: ding.wav}\nsteps:\n  - kind: read\n    text: hi\n"
    with pytest.raises(ScriptErrors) as info:
        load_text(text, "t.yaml", here)
    error = info.value.errors[0]
    assert (error.line, error.col) == (4, 16)
    assert "outside the script's folder" in error.message


def test_sound_files_are_not_checked_without_a_folder() -> None:
    text = HEAD + "sounds:\n  ding: {file: ding.wav}\nsteps:\n  - kind: read\n    text: hi\n"
    assert load_text(text, "t.yaml", None).sounds["ding"].file == "ding.wav"


def test_bells_inside_a_scaled_duration_with_a_maximum() -> None:
    text = HEAD + (
        "steps:\n  - kind: discussion\n    duration: {per_person: 2m, max: 20m}\n"
        "    bells:\n      at:\n        - {at: 20m}\n        - {at: 21m}\n"
    )
    with pytest.raises(ScriptErrors) as info:
        load_text(text, "t.yaml")
    assert [(e.line, e.col) for e in info.value.errors] == [(9, 16)]


def test_translations_with_the_practice_language_pass() -> None:
    text = (
        "title: T\nkind: other\nlanguage: de\n"
        "steps:\n  - kind: read\n    text: {de: Hallo, en: Hello, pt-BR: Olá}\n"
        "  - kind: read\n    text: Nur Deutsch.\n"
    )
    assert load_text(text, "t.yaml").language == "de"


def test_untimed_read_may_ring_at_start_and_end() -> None:
    text = HEAD + "steps:\n  - kind: read\n    text: hi\n    bells: {start: chime, end: bowl}\n"
    assert load_text(text, "t.yaml").steps[0].kind == "read"


def _sound_script() -> str:
    return HEAD + "sounds:\n  ding: {file: ding.wav}\nsteps:\n  - kind: read\n    text: hi\n"


def test_a_hard_link_to_a_file_elsewhere_is_the_file_itself_and_is_taken(tmp_path: Path) -> None:
    # Decided: a hard link is the file, in the folder (see `sound_file_problem`).
    here = _linked_from_elsewhere(tmp_path, os.link)
    assert load_text(_sound_script(), "t.yaml", here).sounds["ding"].file == "ding.wav"


def test_a_link_to_another_file_of_the_folder_is_taken(tmp_path: Path) -> None:
    (tmp_path / "bowl-recording.wav").write_bytes(b"RIFF")
    try:
        os.symlink("bowl-recording.wav", tmp_path / "ding.wav")
    except OSError:
        pytest.skip("symlinks are not available here")
    assert load_text(_sound_script(), "t.yaml", tmp_path).sounds["ding"].file == "ding.wav"


@pytest.mark.parametrize("kind", ["fifo", "folder", "loop"])
def test_a_sound_file_that_is_no_regular_file_is_refused_without_reading_it(
    tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "ding.wav"
    if kind == "fifo":
        os.mkfifo(target)  # reading it would block forever
    elif kind == "folder":
        target.mkdir()
    else:
        os.symlink("ding.wav", target)
    with pytest.raises(ScriptErrors) as info:
        load_text(_sound_script(), "t.yaml", tmp_path)
    error = info.value.errors[0]
    assert (error.line, error.col) == (4, 16)
    expected = "not found beside the script" if kind == "loop" else "is not a regular file"
    assert error.message == f"sound file `ding.wav` {expected}"
