"""What a live session is set up with: chosen on the setup screen or given on the command line."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from circlekeeper.script.model import Practice


@dataclass(frozen=True)
class SessionConfig:
    """A practice, the people in the room, and how the session should sound."""

    practice: Practice
    path: Path | None
    circle: tuple[str, ...]
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    silent: bool = False
    language: str | None = None
    device: str | None = None
    seed: int = field(default_factory=lambda: random.randrange(2**31))
    """Seed of random orders and groups; drawn here when not given, so that the engine and
    the journal share it and a resumed session can reproduce them."""
    meeting: int = 0
    announce: bool = False
    """Speak every change of step and of speaker (for people who cannot see the screen)."""
