"""One moment, one minute: the live screen's "step ends", its agenda's forecast, the agenda
screen and the shared page all show the same clock minute for a step's end, whatever its
seconds (the rule: the first whole minute at or after it)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import LiveApp
from test_agenda_screen import live, open_agenda, settle
from textual.widgets import Static

from circlekeeper.share.projection import project
from circlekeeper.tui.widgets.agenda import AgendaView

MINUTE = 1_780_000_020.0
"""A wall clock on a whole minute: 20:27:00 (UTC in the tests)."""
SILENCE = {
    "title": "A silence",
    "kind": "sit",
    "steps": [{"kind": "silence", "title": "Silence", "duration": "5m"}],
}
"""One step of five minutes: it ends, and the session with it, at the start + 5 min."""


def caption(app: Any) -> str:
    return str(live(app).query_one("#timer-caption").render())


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "20:32"), (0.4, "20:32"), (1.5, "20:33"), (29, "20:33"), (30, "20:33"), (59, "20:33")],
)
async def test_the_timer_and_the_forecast_show_the_same_minute(
    live_app: LiveApp, seconds: float, shown: str
) -> None:
    # The step ends at 20:32:ss: over by 20:33 unless it ends on the minute (or within the
    # second after it, as far apart as the clocks that place it may be read).
    app, _, _ = live_app(SILENCE, wall=lambda: MINUTE + seconds)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert f"step ends {shown}" in caption(app)
        agenda = str(live(app).query_one(AgendaView).render())
        assert f"ends ~{shown}" in agenda
        snap = live(app).driver.snapshot()
        state = project(snap, at=0.0)
        assert state["ends_wall"] == MINUTE + 5 * 60 + (0 if shown == "20:32" else 60)
        await open_agenda(pilot)
        head = str(app.screen.query_one("#agenda-head", Static).render())
        assert f"forecast end {shown}" in head
