"""`circlekeeper say`, `bell` and `devices` through click, against a fake PortAudio."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli
from circlekeeper.sound import commands, player

sys.path.insert(0, str(Path(__file__).parent))
from fake_sounddevice import FakeSD


def use(monkeypatch: pytest.MonkeyPatch, sd: Any) -> None:
    """Make every command see `sd` as the sounddevice module."""

    def importer() -> Any:
        if isinstance(sd, Exception):
            raise sd
        return sd

    monkeypatch.setattr(player, "import_sounddevice", importer)
    monkeypatch.setattr(commands, "import_sounddevice", importer)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize("args", [["bell"], ["bell", "gong", "--strikes", "3"], ["say", "hi"]])
def test_no_device_exits_1_with_one_line(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    use(monkeypatch, FakeSD(devices=[]))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "no audio output" in one_line(result.stderr)


def test_portaudio_missing_exits_1_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, OSError("PortAudio library not found"))
    result = CliRunner().invoke(cli, ["bell", "chime"])
    assert result.exit_code == 1
    assert "PortAudio" in one_line(result.stderr)


def test_unknown_bell_exits_2_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, FakeSD())
    result = CliRunner().invoke(cli, ["bell", "cowbell"])
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert "cowbell" in line and "bowl" in line


def test_bell_plays_and_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    sd = FakeSD()
    use(monkeypatch, sd)
    result = CliRunner().invoke(cli, ["bell", "clappers", "--strikes", "2"])
    assert result.exit_code == 0, result.stderr
    assert max(abs(float(b.max())) for b in sd.captured) > 0.1


def test_say_speaks_with_real_espeak_and_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    sd = FakeSD()
    use(monkeypatch, sd)
    result = CliRunner().invoke(cli, ["say", "Good morning, circle.", "--voice", "nobody"])
    assert result.exit_code == 0, result.stderr
    # The unknown voice is a warning, and the words are still spoken.
    assert "nobody" in one_line(result.stderr)
    assert max(abs(float(b.max())) for b in sd.captured) > 0.1


def test_devices_with_no_device(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, FakeSD(devices=[]))
    result = CliRunner().invoke(cli, ["devices"])
    assert result.exit_code == 1
    assert "none" in result.stdout
    assert "Self-check: PROBLEM" in result.stdout
    assert "output" in one_line(result.stderr)


def test_devices_lists_outputs_voices_and_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, FakeSD())
    result = CliRunner().invoke(cli, ["devices"])
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert "* Built-in Audio" in out and "  USB Speaker" in out
    speech = next(line for line in out.splitlines() if line.startswith("Speech:"))
    assert "voices" in speech and "languages" in speech
    assert " de," in out  # the language list, not a voice per line
    verdict = out.strip().splitlines()[-1]
    assert verdict.startswith("Self-check: ok") and "speech ok" in verdict
    assert len(out.splitlines()) < 20


def test_unknown_device_name_warns_and_uses_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    sd = FakeSD()
    use(monkeypatch, sd)
    result = CliRunner().invoke(cli, ["bell", "warning", "--device", "HDMI"])
    assert result.exit_code == 0, result.stderr
    line = one_line(result.stderr)
    assert "HDMI" in line and "default" in line
    assert sd.streams[-1].kw["device"] == 0
