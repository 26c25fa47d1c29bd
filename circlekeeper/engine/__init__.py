"""The session engine: pure and synchronous. Time comes in as arguments, events go out.

No Textual, no sound, no files: the TUI, the rehearsal and the tests all drive it the same
way, with `advance(now)` and `do(command, now)`, and route the events it returns.
"""

from circlekeeper.engine.clock import Clock, MockClock, MonotonicClock
from circlekeeper.engine.commands import Command, command_from_json
from circlekeeper.engine.phases import ACCEPTS, PHASE_TABLE
from circlekeeper.engine.plan import PlanError, RunStep
from circlekeeper.engine.session import Session
from circlekeeper.engine.setup import CirclePlan, plan_circle

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
