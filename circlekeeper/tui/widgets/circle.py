"""The circle: everyone in seating order, the stick holder highlighted, who spoke and passed,
each response of a consent round, and (dimmed) who does not take part in this step."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widgets import Static

from circlekeeper.engine.state import Snapshot
from circlekeeper.tui.format import shown
from circlekeeper.tui.widgets.talk import RESPONSE_MARKS

SPOKE = "✓"
PASSED = "↷"
STICK = "●"


class CircleView(Static):
    """One line (wrapping) per circle: `1 Ana ✓  ● BEN  3 Cy →  4 Dee ↷`."""

    DEFAULT_CSS = """
    CircleView { height: auto; padding: 0 1; }
    """

    def show(self, snap: Snapshot, role_names: Mapping[str, str] | None = None) -> None:
        """Draw the circle from a snapshot (roles by `role_names`, else by their ids)."""
        self.update(circle_text(snap, role_names))


def circle_text(snap: Snapshot, role_names: Mapping[str, str] | None = None) -> Text:
    """The circle as styled text; every state has a symbol as well as a colour. Each role
    is called as the practice calls it in the session's language (`role_names`)."""
    names = role_names or {}
    text = Text()
    upcoming = snap.queue[0] if snap.queue else None
    for number, name in enumerate(snap.circle, start=1):
        if text:
            text.append("   ")
        roles = [names.get(role, role) for role, holders in snap.roles.items() if name in holders]
        label = shown(name)
        if roles:
            label += f" ({shown(', '.join(roles))})"
        if snap.popcorn and number <= 9 and name != snap.speaker:
            text.append(f"{number} ", style="bold")
        if name == snap.speaker:
            text.append(f"{STICK} {label} ", style="bold reverse")
        elif name == snap.focus:
            text.append(f"◆ {label}", style="bold underline")
        elif name in snap.responses:
            text.append(f"{label} {RESPONSE_MARKS.get(snap.responses[name], '?')}")
        elif snap.participants and name not in snap.participants:
            text.append(f"{label} ·", style="dim")
        elif name in snap.passed:
            text.append(f"{label} {PASSED}", style="dim italic")
        elif name in snap.spoken:
            text.append(f"{label} {SPOKE}", style="")
        elif name == upcoming:
            text.append(f"{label} →", style="bold underline")
        else:
            text.append(label)
    return text
