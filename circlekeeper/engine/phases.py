"""The phase table: every change of a session's phase, the engine's own moves included.

Like h11's `_state.py`, one table says everything: (phase, trigger) -> the phase after. A
trigger is a command's name, or "done" when the engine runs out of steps. A command whose
(phase, name) the table does not list is refused, with a reason from this module.

Adding a command: a dataclass in `commands.py`, a handler in the session, a row here.
"""

from __future__ import annotations

from circlekeeper.engine.state import Phase
from circlekeeper.i18n import msg

PHASES: tuple[Phase, ...] = ("ready", "running", "paused", "ended")

# The stick may still move during a pause; only the clock is frozen.
_STAYS: dict[Phase, Phase] = {"running": "running", "paused": "paused"}
_ROWS: tuple[tuple[str, dict[Phase, Phase]], ...] = (
    # trigger    phase before -> phase after
    ("start", {"ready": "running"}),
    ("next", _STAYS),
    ("pass", _STAYS),
    ("pick", _STAYS),
    ("extend", _STAYS),
    ("skip", _STAYS),
    ("undo", _STAYS),
    ("bell", _STAYS),
    ("note", _STAYS),
    # An exchange: the speaker confirms or adds, the pair changes, a listener is chosen.
    ("confirm", _STAYS),
    ("more", _STAYS),
    ("next-pair", _STAYS),
    ("listener", _STAYS),
    # A consent round: a response, or the facilitator's way out.
    ("respond", _STAYS),
    ("decide", _STAYS),
    # A speaking queue: a hand raised with a kind of request, or lowered.
    ("raise", _STAYS),
    ("lower", _STAYS),
    # The agenda: steps still to come, the time to end at, the emergent topics.
    ("insert", _STAYS),
    ("remove", _STAYS),
    ("move", _STAYS),
    ("set-duration", _STAYS),
    ("end-at", _STAYS),
    ("add-topic", _STAYS),
    ("remove-topic", _STAYS),
    ("bring-forward", _STAYS),
    ("pause", {"running": "paused"}),
    ("resume", {"paused": "running"}),
    ("end", {"running": "ended", "paused": "ended"}),
    # The engine's own move: running out of steps ends the session.
    ("done", {"running": "ended", "paused": "ended"}),
)
PHASE_TABLE: dict[tuple[Phase, str], Phase] = {
    (before, trigger): after for trigger, moves in _ROWS for before, after in moves.items()
}
"""Every phase change: (phase, trigger) -> the phase after. A trigger is a command's name,
or "done" when the engine runs out of steps."""

ENGINE_TRIGGERS: frozenset[str] = frozenset({"done"})
ACCEPTS: dict[Phase, frozenset[str]] = {
    phase: frozenset(t for (p, t) in PHASE_TABLE if p == phase and t not in ENGINE_TRIGGERS)
    for phase in PHASES
}
"""Which commands each phase accepts; any other is refused and changes nothing."""

NOT_NOW: dict[tuple[Phase, str], str] = {
    ("running", "resume"): msg("the session is not paused"),
    ("paused", "pause"): msg("the session is paused already"),
    ("running", "start"): msg("the session has started already"),
    ("paused", "start"): msg("the session has started already"),
}
"""Why a command the table does not list for this phase is refused, when it is specific."""
NOT_IN_PHASE: dict[Phase, str] = {
    "ready": msg("the session has not started yet"),
    "running": msg("the session cannot do that now"),
    "paused": msg("the session is paused"),
    "ended": msg("the session is over"),
}
"""Why a command is refused in a phase, otherwise."""


def why_refused(phase: Phase, trigger: str) -> str | None:
    """Why `trigger` is refused in `phase`, or None when the table lists it."""
    if (phase, trigger) in PHASE_TABLE:
        return None
    return NOT_NOW.get((phase, trigger), NOT_IN_PHASE[phase])
