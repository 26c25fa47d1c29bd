"""The user's keymap: `keymap.toml` in the config folder, binding id = "keys".

    next = "n,space"
    guardian = "f5"

A broken file never stops the app: its problem is returned for a notification.
"""

from __future__ import annotations

from pathlib import Path

from circlekeeper.i18n import _
from circlekeeper.paths import config_dir

KEYMAP_FILE = "keymap.toml"


def keymap_path() -> Path:
    """Where the user's keymap lives."""
    return config_dir() / KEYMAP_FILE


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], str | None]:
    """The keymap as {binding id: keys}, and a problem to show (or None)."""
    path = path or keymap_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as error:
        return {}, f"{path}: {error.strerror or error}"
    import tomllib  # only for a keymap that exists: the library's first frame waits for this

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return {}, f"{path}: {error}"
    keymap: dict[str, str] = {}
    bad: list[str] = []
    for key, value in data.items():
        if isinstance(value, str) and value.strip():
            keymap[key] = value
        else:
            bad.append(key)
    problem = None
    if bad:
        problem = _("{path}: ignored {ids} (give keys as a string)").format(
            path=path, ids=", ".join(bad)
        )
    return keymap, problem
