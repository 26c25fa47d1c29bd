"""The command line speaks the language `--lang` names (anywhere on the line), else the
environment's: its help, click's own words and circlekeeper's messages."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from circlekeeper.cli import cli


def test_help_in_german() -> None:
    result = CliRunner().invoke(cli, ["--lang", "de", "--help"])
    assert result.exit_code == 0
    assert "Aufruf: " in result.output and "Optionen:" in result.output  # click's own words
    assert "Hält Zeit und Reihenfolge für einen Kreis." in result.output  # the group's help
    assert "Übungsskripte prüfen" in result.output  # a command's help
    assert "Mit dem kontrastreichen Design starten." in result.output  # an option's help


def test_a_bad_circle_is_one_line_in_french() -> None:
    result = CliRunner().invoke(cli, ["run", "check-in", "--circle", "Ana,ana", "--lang=fr"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "circlekeeper: --circle nomme 'ana' deux fois ; chaque personne du cercle a besoin "
        "de son propre nom"
    )


def test_the_environment_decides_without_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LC_MESSAGES", "")
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    result = CliRunner().invoke(cli, ["circles", "list"])
    assert result.output.startswith("Nenhum círculo salvo ainda")
    # And back to English: the language is set again on every run.
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert CliRunner().invoke(cli, ["circles", "list"]).output.startswith("No saved circles")
