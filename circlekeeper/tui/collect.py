"""The cyclic garbage collector while a session runs.

A full collection walks every object the app holds: 100-125 ms with a session on screen,
in one call that holds the interpreter lock, so the sound's callback waits for it. One
came as a sit ended and the summary screen was built: the callback that placed the
closing bowl ran that late, and the bowl was heard 38-94 ms early. What is alive when a
session starts (the app, its screens, the practice, the bells) lives as long as the
session, so it is frozen then, out of every collection's walk; what the session allocates
is collected as usual. The next session first collects what the last one left.
"""

from __future__ import annotations

import gc


def session_starts() -> None:
    """Freeze what the session starts with (after collecting what a session before it
    left behind, if one did)."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    gc.freeze()
