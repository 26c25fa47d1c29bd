"""Screen updates on the event loop's next turn, not on a frame timer.

Textual paints a screen from an interval timer (60 a second), paused while nothing changes and
resumed at the next change. A paused timer still sleeps out the interval it is in and wakes
once more, only to find itself paused: after every update, a second wake-up of the main
thread a frame later. A running sit updates once a second (the countdown), so its main
thread woke twice a second to paint once.

`PromptUpdates` gives a screen a stand-in for that timer, with the timer's `resume` and
`pause`: an update runs on the loop's next turn (no sooner than a frame after the last
one, as with Textual's timer), and nothing wakes after it. The update itself is Textual's
(`Screen._on_timer_update`), and a failure in it ends the app as Textual's timer would.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from textual.screen import UPDATE_PERIOD, Screen


class PromptUpdate:
    """Runs a screen's update once after each `resume`, at most once a frame."""

    def __init__(self, screen: Screen[Any], period: float = UPDATE_PERIOD) -> None:
        self._screen = screen
        self._period = period
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None
        self._last = -math.inf

    @property
    def pending(self) -> bool:
        """True while an update waits to run."""
        return self._handle is not None

    def resume(self) -> None:
        """Run the update soon (a frame after the last one at the earliest); once however
        often this is called before it runs."""
        if self._handle is not None:
            return
        loop = asyncio.get_running_loop()
        due = self._last + self._period
        if due <= loop.time():
            self._handle = loop.call_soon(self._run)
        else:
            self._handle = loop.call_at(due, self._run)

    def pause(self) -> None:
        """Drop a waiting update (the screen has just been painted another way)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _run(self) -> None:
        self._handle = None
        screen = self._screen
        if screen._closing or screen._closed:
            return
        app = screen.app
        if app._exit:
            return
        self._last = asyncio.get_running_loop().time()
        try:
            screen._on_timer_update()
        except Exception as error:  # as Textual's timer does: the app reports it and ends
            app._handle_exception(error)


class PromptUpdates:
    """A screen mixin: updates run by a `PromptUpdate`, not by Textual's frame timer."""

    __prompt_update: PromptUpdate | None = None

    @property
    def _update_timer(self) -> Any:  # Textual's name and type (a Timer): its screen calls this
        if self.__prompt_update is None:
            assert isinstance(self, Screen)
            self.__prompt_update = PromptUpdate(self)
        return self.__prompt_update
