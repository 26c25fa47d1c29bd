"""A session starts with what is alive frozen out of the collector's walk; the next
session first collects what the one before it left."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from conftest import LiveApp
from test_agenda_screen import settle

from circlekeeper.tui import collect


class Node:
    """Half of a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> weakref.ref[Node]:
    """A cycle nobody holds any more; a weak reference to watch it go."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_what_a_session_starts_with_is_left_out_of_collections(thawed: None) -> None:
    left_by_the_last = cycle()
    collect.session_starts()
    assert gc.get_freeze_count() > 0
    gc.collect()
    assert left_by_the_last() is not None, "frozen: out of the collector's walk"
    during = cycle()
    gc.collect()
    assert during() is None, "what the session leaves behind is collected as usual"
    collect.session_starts()  # the next session
    assert left_by_the_last() is None, "collected before the next freeze"
    assert gc.get_freeze_count() > 0


async def test_the_live_screen_freezes_as_its_session_starts(
    live_app: LiveApp, thawed: None
) -> None:
    app, _, _ = live_app(silent=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.live_screen is not None and app.live_screen.driver.session.started
        assert gc.get_freeze_count() > 0
