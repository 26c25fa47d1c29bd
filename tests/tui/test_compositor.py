"""A partial update renders only what it sends, and sends the terminal exactly what
Textual's own rendering would: the same bytes for every region of the live screen, in a
round, in a sit, with a dialog over it; and the countdown's second renders only its digits."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from conftest import CHECK_IN, LiveApp, all_drawn
from test_agenda_screen import live, settle
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.widget import Widget

from circlekeeper.tui import compositor
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.widgets.timer import BigDigits

SIT = {
    "title": "A sit",
    "kind": "sit",
    "steps": [
        {
            "kind": "sit",
            "title": "Sitting",
            "duration": "30m",
            "bells": {"start": "bowl", "interval": {"every": "1m", "sound": "chime"}},
        }
    ],
}


@asynccontextmanager
async def silent_sit(live_app: LiveApp) -> AsyncIterator[tuple[Any, Any, LiveScreen]]:
    """A silent sit at 100x30, started and drawn: its pilot, clock and live screen."""
    app, clock, _ = live_app(SIT, silent=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await all_drawn(pilot)
        yield pilot, clock, live(app)


def sent(app: Any, comp: Compositor, regions: list[Region], ours: bool) -> str:
    """What a partial update of `regions` writes to the terminal, rendered our way or
    Textual's (as `Compositor.render_partial_update` builds it)."""
    comp._dirty_regions.update(regions)
    if ours:
        update = compositor.render_partial_update(comp)
    else:
        update = compositor._textual_render_partial_update(comp)
    assert isinstance(update, ChopsUpdate)
    return update.render_segments(app.console)


def regions_to_try(comp: Compositor, seed: int) -> list[list[Region]]:
    """Every widget's visible region alone, pairs far apart, and random rectangles."""
    screen = comp.size.region
    shown = [region.intersection(clip) for region, clip in comp.visible_widgets.values()]
    shown = [region for region in shown if region.area]
    rng = random.Random(seed)
    tries = [[region] for region in shown]
    tries += [rng.sample(shown, 2) for _ in range(20 if len(shown) > 1 else 0)]
    for _ in range(40):
        x, y = rng.randrange(screen.width), rng.randrange(screen.height)
        width = rng.randint(1, screen.width - x)
        height = rng.randint(1, screen.height - y)
        tries.append([Region(x, y, width, height)])
    return tries


def assert_same_bytes(app: Any, seed: int) -> int:
    """Every region to try sends the same bytes both ways, on every screen shown."""
    compared = 0
    for screen in app.screen_stack:
        comp = screen._compositor
        for regions in regions_to_try(comp, seed):
            assert sent(app, comp, regions, ours=True) == sent(app, comp, regions, ours=False), (
                type(screen).__name__,
                regions,
            )
            compared += 1
    return compared


def test_installed_with_the_app() -> None:
    # Importing the app installs it: the real app, and every test's, draw this way.
    import circlekeeper.tui.app  # noqa: F401

    assert Compositor.render_partial_update is compositor.render_partial_update


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("data", [CHECK_IN, SIT], ids=["round", "sit"])
async def test_every_partial_update_sends_what_textual_would(
    live_app: LiveApp, size: tuple[int, int], data: dict[str, Any]
) -> None:
    app, clock, _ = live_app(data)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        clock.advance(3.4)
        await settle(pilot)
        await all_drawn(pilot)
        assert assert_same_bytes(app, seed=size[0]) > 60
        # A dialog over the live screen: the screen under it is shown dimmed.
        await pilot.press("question_mark")
        await pilot.pause()
        await all_drawn(pilot)
        assert len(app.screen_stack) > 1
        assert assert_same_bytes(app, seed=size[1]) > 60


async def test_a_new_second_renders_only_the_countdowns_digits(
    live_app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: Counter[str] = Counter()

    def count_renders() -> None:
        """Count the rows each widget renders (the digits have a `render_lines` of their own)."""
        for cls in (Widget, BigDigits):
            own = cls.render_lines

            def counting(widget: Widget, crop: Region, own: Any = own) -> Any:
                rendered[type(widget).__name__] += crop.height
                return own(widget, crop)

            monkeypatch.setattr(cls, "render_lines", counting)

    async with silent_sit(live_app) as (_, _, screen):
        comp = screen._compositor
        digits = screen.query_one(BigDigits)
        region, clip = comp.visible_widgets[digits]
        rows = region.intersection(clip).height
        # The frame a new second makes: the digits' region is all that changed.
        count_renders()
        comp._dirty_regions.add(region.intersection(clip))
        update = comp.render_partial_update()
        monkeypatch.undo()
        assert update is not None
        # The digits are in front on those rows, and only they are rendered: not their box
        # (for the piece of border just after them Textual sends a cursor move and nothing
        # else), not the screen or the containers behind, not the side column.
        assert rows == 3
        assert rendered == Counter({"BigDigits": rows}), rendered
        ours = sum(rendered.values())
        # Textual's own way renders the whole of every widget for the same frame.
        compositor.uninstall()
        try:
            rendered.clear()
            count_renders()
            comp._dirty_regions.add(region.intersection(clip))
            assert comp.render_partial_update() is not None
        finally:
            monkeypatch.undo()
            compositor.install()
        assert sum(rendered.values()) > 20 * ours, rendered
