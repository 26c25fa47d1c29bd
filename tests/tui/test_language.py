"""`--lang` switches the screen and the voice: a session run as `run --lang de` shows German
words, asks the sound sink for German speech, and that speech renders with espeak's German
voice; the setup screen's language choice does the same for a session set up there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import MockClock, session_factory, settled, until
from textual.widgets import Select

from circlekeeper import i18n
from circlekeeper.sound.api import RecordingSink
from circlekeeper.sound.speech import SpeechRenderer
from circlekeeper.tui.app import make_app
from circlekeeper.tui.launch import load_config

REPO = Path(__file__).resolve().parents[2]
CHECK_IN = REPO / "practices" / "check-in.yaml"
"""The built-in check-in: its words exist in all five languages."""
GERMAN_WELCOME = "Willkommen zusammen."


def spoken(sink: RecordingSink) -> list[tuple[str, str]]:
    """What the sink was asked to say, with the language of each text."""
    return [(str(a[0]), str(a[1])) for kind, a in sink.calls if kind == "speak"]


def footer_and_screen(app: Any) -> str:
    from test_every_string import screen_text

    return screen_text(app)


async def test_lang_de_gives_a_german_screen_and_a_german_voice(tmp_path: Path) -> None:
    config = load_config(
        str(CHECK_IN), ["Ana", "Ben", "Cy"], silent=False, lang="de", device=None, seed=1
    )
    sink = RecordingSink()
    app = make_app(
        config=config,
        clock=MockClock(),
        wall=lambda: 1_780_000_000.0,
        sink=sink,
        session_factory=session_factory,
        load_user_keymap=False,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await until(pilot, lambda: bool(spoken(sink)), "the welcome to be spoken")
        shown = footer_and_screen(app)
        assert i18n.interface() == "de"
        for word in ("Weiter", "Passen", "Glocke", "Willkommen"):
            assert word in shown, shown
        assert "Next" not in shown and "Pass " not in shown
    said = spoken(sink)
    text, language = said[0]
    assert text.startswith(GERMAN_WELCOME) and language == "de", said
    # The words are rendered with the practice's German voice, through espeak.
    renderer = SpeechRenderer(config.practice.voices, "de", cache=tmp_path / "speech")
    try:
        wav = renderer.render(GERMAN_WELCOME, language)
        assert wav.exists() and wav.stat().st_size > 10_000
        assert renderer.voice_id(language, renderer.setting(language).voice) == "gmw/de"
        assert renderer.voice_id("pt-BR", None) == "roa/pt-br"
    finally:
        renderer.close()


@pytest.mark.parametrize("language", ["fr", "pt-BR"])
async def test_the_setup_screens_language_switches_screen_and_voice(language: str) -> None:
    sink = RecordingSink()
    app = make_app(
        clock=MockClock(),
        wall=lambda: 1_780_000_000.0,
        sink=sink,
        session_factory=session_factory,
        load_user_keymap=False,
        extra_dirs=[CHECK_IN.parent],
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        app.push_screen(_setup(app))
        await until(pilot, lambda: app.screen.id == "setup", "the setup screen")
        await pilot.press(*"Ana, Ben, Cy")
        app.screen.query_one("#setup-language", Select).value = language
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.live_screen is not None, "the live session")
        await until(pilot, lambda: bool(spoken(sink)), "the welcome to be spoken")
        shown = footer_and_screen(app)
    assert i18n.interface() == language
    word = {"fr": "Suivant", "pt-BR": "Próximo"}[language]
    assert word in shown, shown
    assert spoken(sink)[0][1] == language


def _setup(app: Any) -> Any:
    from circlekeeper.script.loader import load_practice
    from circlekeeper.tui.screens.setup import SetupScreen

    return SetupScreen(load_practice(CHECK_IN), CHECK_IN)


async def test_the_library_preview_shows_the_practice_in_the_interface_language(
    tmp_path: Path,
) -> None:
    """`--lang de`: the built-in check-in's steps and host read in German in the preview."""
    from test_screens import library_app, loaded

    (tmp_path / "check-in.yaml").write_bytes(CHECK_IN.read_bytes())
    i18n.set_language("de")
    app, _ = library_app([tmp_path])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        for _step in range(len(screen.entries) + 3):
            shown = str(screen.query_one("#preview").render())
            if "check-in.yaml" in shown and "Check-in round" in shown:
                break
            await pilot.press("down")
            await pilot.pause()
        assert "Willkommen" in shown and "Ankommensrunde" in shown, shown
        assert "Rollen: Gastgeber:in" in shown, shown
        assert "Welcome" not in shown and "Host" not in shown
