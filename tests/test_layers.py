"""Import contracts: each room of the package imports only the rooms below it.

Every import statement counts, wherever it is (inside functions and behind TYPE_CHECKING
too), read from the source: script imports no engine; the engine imports no tui, sound,
records or share; sound and records import no tui; share knows the engine's snapshots and
nothing else of the package; the library imports no tui, sound or share.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "circlekeeper"

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "script": ("engine", "tui", "sound", "records", "share"),
    "engine": ("tui", "sound", "records", "share"),
    "sound": ("tui",),
    "records": ("tui",),
    "share": ("tui", "sound", "records", "script"),
    "library": ("tui", "sound", "share"),
    "i18n": ("script", "engine", "tui", "sound", "records", "share", "library"),
}


def imported(source: str, package: str) -> set[str]:
    """Every module a source file in `package` imports, as absolute dotted names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
    return found


def _breaks(module: str, room: str) -> bool:
    return any(
        module == f"circlekeeper.{other}" or module.startswith(f"circlekeeper.{other}.")
        for other in FORBIDDEN[room]
    )


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_a_room_imports_no_room_above_it(room: str) -> None:
    files = sorted((PACKAGE / room).rglob("*.py"))
    assert files, room
    for path in files:
        package = ".".join(path.relative_to(PACKAGE.parent).parts[:-1])
        modules = imported(path.read_text(encoding="utf-8"), package)
        wrong = sorted(m for m in modules if _breaks(m, room))
        assert not wrong, f"{path.relative_to(PACKAGE.parent)} imports {', '.join(wrong)}"


def test_the_reader_sees_relative_nested_and_type_checking_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..engine import session\n"
        "def f():\n    import circlekeeper.tui.app\n"
        "from . import model\n"
    )
    modules = imported(source, "circlekeeper.script")
    assert {"circlekeeper.engine", "circlekeeper.tui.app", "circlekeeper.script"} <= modules
    assert _breaks("circlekeeper.engine", "script")
    assert not _breaks("circlekeeper.script.texts", "engine")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _load_time_imports(path: Path, known: set[str]) -> set[str]:
    """The package modules a file imports while it loads (its top level, not in functions).

    `from pkg import name` counts `pkg`, and `pkg.name` when that is a module.
    """
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module in known and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found & known


def test_no_module_needs_itself_to_load() -> None:
    """No import cycle at load time: with one, two threads loading the package at once (the
    library's checker and a screen) can each get the other's module half made."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: _load_time_imports(path, set(files)) - {name} for name, path in files.items()}
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in trail:
            cycle = " -> ".join([*trail[trail.index(name) :], name])
            raise AssertionError(f"import cycle: {cycle}")
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, (*trail, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())
