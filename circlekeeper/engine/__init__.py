"""The session engine: pure and synchronous. Time comes in as arguments, events go out.

No Textual, no sound, no files: the TUI, the rehearsal and the tests all drive it the same
way, with `advance(now)` and `do(command, now)`, and route the events it returns.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from circlekeeper.engine.clock import Clock, MockClock, MonotonicClock
    from circlekeeper.engine.commands import Command, command_from_json
    from circlekeeper.engine.phases import ACCEPTS, PHASE_TABLE
    from circlekeeper.engine.plan import PlanError, RunStep
    from circlekeeper.engine.session import Session
    from circlekeeper.engine.setup import CirclePlan, plan_circle

# The package imports nothing eagerly: its modules import one another through it
# (`from circlekeeper.engine import consent`), and an eager `__init__` made that a cycle, which
# two threads importing the engine at once (the library's checker and the screen) turned into
# a half-initialised module.
_HOME = {
    "Clock": "clock",
    "MockClock": "clock",
    "MonotonicClock": "clock",
    "Command": "commands",
    "command_from_json": "commands",
    "ACCEPTS": "phases",
    "PHASE_TABLE": "phases",
    "PlanError": "plan",
    "RunStep": "plan",
    "Session": "session",
    "CirclePlan": "setup",
    "plan_circle": "setup",
}


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ACCEPTS",
    "PHASE_TABLE",
    "CirclePlan",
    "Clock",
    "Command",
    "MockClock",
    "MonotonicClock",
    "PlanError",
    "RunStep",
    "Session",
    "command_from_json",
    "plan_circle",
]
