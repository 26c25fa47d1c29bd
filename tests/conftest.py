"""Suite-wide fixtures: nothing a test does touches the developer's own files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path_factory.mktemp("home")
    for name in ("CONFIG", "DATA", "CACHE", "STATE"):
        path = root / name.lower()
        path.mkdir()
        monkeypatch.setenv(f"CIRCLEKEEPER_{name}_DIR", str(path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(root / "xdg-state"))


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test speaks English unless it asks for another language: the developer's own
    locale never leaks in (`LANGUAGE` comes first in gettext's order, and only names the
    messages' language, not the terminal's encoding)."""
    from circlekeeper import i18n

    monkeypatch.setenv("LANGUAGE", "en")
    i18n.use_catalogue(None)
    yield
    i18n.use_catalogue(None)


REPO = Path(__file__).resolve().parent.parent
PRACTICES = REPO / "practices"
