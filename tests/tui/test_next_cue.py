"""The side column's "next sound" line: the sound, then when it comes, the number never
parted from its unit however narrow the column (it once read "in 55" / "s")."""

from __future__ import annotations

import re

import pytest
from conftest import LiveApp
from test_agenda_screen import live, settle

from circlekeeper.tui.screens.live import cue_in_text

SIT = {
    "title": "A sit with a long title for its bells",
    "kind": "sit",
    "steps": [
        {
            "kind": "sit",
            "title": "Sitting",
            "duration": "30m",
            "bells": {
                "start": "bowl",
                "interval": {"every": "1m", "sound": "chime"},
                "end": "bowl",
            },
        }
    ],
}


def cue_lines(app: object) -> list[str]:
    """The next-cue widget's lines as drawn on the screen, trailing blanks cut."""
    widget = live(app).query_one("#next-cue")
    strips = widget.render_lines(widget.size.region)
    return [strip.text.rstrip() for strip in strips if strip.text.strip()]


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_the_time_to_the_next_sound_stays_whole(
    live_app: LiveApp, size: tuple[int, int]
) -> None:
    app, clock, _ = live_app(SIT, silent=True)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        seen: set[str] = set()
        for _ in range(70):
            clock.advance(1.0)
            await settle(pilot)
            lines = cue_lines(app)
            assert lines, size
            assert lines[0].startswith("Next sound: chime"), lines
            when = lines[-1]
            assert re.fullmatch(r"in \d+ (s|min)", when), lines
            seen.add(when)
        # The count is coarse far off and fine close by, and it came round to the next bell.
        assert {"in 60 s", "in 20 s", "in 9 s", "in 1 s"} <= seen, sorted(seen)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (3600, "60 min"),
        (61, "2 min"),
        (60, "60 s"),
        (51, "60 s"),
        (50, "50 s"),
        (11, "20 s"),
        (10, "10 s"),
        (9.2, "10 s"),
        (9, "9 s"),
        (0.3, "1 s"),
    ],
)
def test_coarse_far_off_and_by_the_second_in_the_last_ten(seconds: float, shown: str) -> None:
    assert cue_in_text(seconds) == shown
