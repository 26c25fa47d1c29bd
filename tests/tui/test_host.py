"""The TUI's own seams: screens reach the app through a protocol, never its module, and the
app starts with its theme through public Textual API only."""

from __future__ import annotations

import ast
from pathlib import Path

from textual.app import App

from circlekeeper.tui.app import make_app
from circlekeeper.tui.host import AppHost
from circlekeeper.tui.themes import HIGH_CONTRAST_THEME, THEMES

TUI = Path(__file__).resolve().parents[2] / "circlekeeper" / "tui"


def test_the_app_is_the_host_of_every_screen() -> None:
    app: AppHost = make_app(load_user_keymap=False)  # mypy checks the protocol too
    assert isinstance(app, AppHost)


def test_no_screen_or_widget_imports_the_app_module() -> None:
    for path in sorted([*(TUI / "screens").glob("*.py"), *(TUI / "widgets").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            assert "circlekeeper.tui.app" not in names, path.name


def test_the_app_uses_no_private_textual_api() -> None:
    tree = ast.parse((TUI / "app.py").read_text(encoding="utf-8"))
    private = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and hasattr(App, node.attr)
    }
    assert private == set()


def test_every_theme_is_dark_as_textuals_default_is() -> None:
    # Why the app may set its theme before the first parse without the theme watcher: the
    # ANSI colour filter App.__init__ makes for a dark theme is right for all of ours.
    assert all(theme.dark for theme in THEMES)
    assert App().current_theme.dark
    app = make_app(load_user_keymap=False, high_contrast=True)
    assert app.theme == HIGH_CONTRAST_THEME.name  # what it looks like: test_snapshots
