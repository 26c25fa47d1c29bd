"""Suite-wide fixtures: nothing a test does touches the developer's own files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REALTIME_GROUP = "realtime"


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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Groups for a parallel run (pytest-xdist, `--dist loadgroup`, as `make test` runs all
    but the realtime tests), before xdist reads them: a test whose fixture is made once for
    its module runs on its module's worker, so the fixture is still made once; tests that
    hold sound to its time on a paced device, if a run includes them, take turns on one
    worker, never beside each other. Every other test goes to whichever worker is free."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("realtime") is not None:
            item.add_marker(pytest.mark.xdist_group(REALTIME_GROUP))
        elif _uses_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.path.stem))


def _uses_a_module_fixture(item: pytest.Item) -> bool:
    """Whether a fixture the test asks for (however indirectly) is made once per module."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(
        definition.scope == "module"
        for definitions in info.name2fixturedefs.values()
        for definition in definitions
    )
