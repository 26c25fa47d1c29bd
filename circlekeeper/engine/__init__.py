"""The session engine: pure and synchronous. Time comes in as arguments, events go out.

No Textual, no sound, no files: the TUI, the rehearsal and the tests all drive it the same
way, with `advance(now)` and commands, and route the events it returns.
"""

from circlekeeper.engine.circle import Circle, SessionOptions, assign_roles
from circlekeeper.engine.clock import Clock, MockClock, MonotonicClock
from circlekeeper.engine.plan import PlanError, RunStep
from circlekeeper.engine.session import ACCEPTS, MOVES, Session

__all__ = [
    "ACCEPTS",
    "MOVES",
    "Circle",
    "Clock",
    "MockClock",
    "MonotonicClock",
    "PlanError",
    "RunStep",
    "Session",
    "SessionOptions",
    "assign_roles",
]
