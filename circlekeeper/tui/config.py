"""What a live session is set up with: chosen on the setup screen or given on the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from circlekeeper.engine.setup import CirclePlan
    from circlekeeper.script.model import Practice


@dataclass(frozen=True)
class SessionConfig:
    """A practice, the circle as `plan_circle` set it up, and how the session should sound."""

    practice: Practice
    path: Path | None
    plan: CirclePlan
    """Seats, starter, host, roles, meeting, seed and language: decided by the engine."""
    silent: bool = False
    device: str | None = None
    announce: bool = False
    """Speak every change of step and of speaker (for people who cannot see the screen)."""
    share: str | None = None
    """Serve the room's shared view on this `HOST:PORT` ("": this computer, a free port);
    None: no shared view."""
    circle_name: str | None = None
    """The saved circle this session is a meeting of: recorded when the session ends."""

    @property
    def circle(self) -> tuple[str, ...]:
        """The people in seat order."""
        return self.plan.names

    @property
    def roles(self) -> dict[str, tuple[str, ...]]:
        """Every role and its holders."""
        return self.plan.roles

    @property
    def seed(self) -> int:
        """Seed of random orders and groups, shared by the engine and the journal."""
        return self.plan.seed

    @property
    def meeting(self) -> int:
        """How many meetings this circle has held before."""
        return self.plan.meeting

    @property
    def language(self) -> str:
        """The language prompts are shown and spoken in."""
        return self.plan.language
