"""No handler, timer or worker of ours takes the app down: the safety net under every screen.

Textual ends the app on any exception a message handler, an action or a timer lets out (and
the failing widget's message loop stops at once, so the failure cannot just be ignored
there). `Guarded`, a base of the app and of every screen, wraps each handler its class
defines (`on_*`, `action_*`, `watch_*`, `key_*`, `@on` handlers) and each callback it hands
to a timer or a later call (a dialog's answer comes back through one), so that an exception
is reported instead: logged with its traceback to the error log (`circlekeeper.errorlog`),
and shown (a toast, and the live screen's banner). Workers are started with
`exit_on_error=False`; the app reports their failures the same way.

A screen or widget that fails while it is built is a different matter: Textual composes a
node (`compose`) in its own message loop and ends the app on anything that leaves it, and a
screen that composed half its widgets cannot be drawn or used. So `compose` is guarded too
(a public method, the only seam: no private part of Textual is touched), and so is
`on_mount`; when either fails, the failure is reported as above and the screen it belongs to
is taken off the stack as if dismissed with no answer, its handlers no longer run. A screen
stays (with the report) when there is nothing of ours under it to go back to, or when it
says `KEEP_ON_FAILURE`: the live session's screen, which the session cannot do without.

The session's own code guards what it can with a precise label (`AppHost.guard`); this is
the net under whatever it missed.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from textual.actions import SkipAction
from textual.timer import Timer

log = logging.getLogger(__name__)

HANDLER_PREFIXES = ("on_", "action_", "watch_", "key_", "_on_")
"""Names Textual calls by convention: event and message handlers, actions, watchers, keys."""
BUILDING = ("compose", "on_mount")
"""What builds a node: a failure there leaves its screen unusable, so the screen goes."""
BROKEN = "_circlekeeper_broken"
"""Set on a screen that failed while it was built: its handlers no longer run."""


def report(node: Any, label: str, error: Exception) -> None:
    """Hand `error` to the app's report (log and screen); log it at least, never raise."""
    try:
        app = node.app
        reporter = getattr(app, "report_error", None)
    except Exception:  # no app (a node outside one): the log is all there is
        reporter = None
    try:
        if reporter is not None:
            reporter(label, error)
            return
    except Exception:
        log.exception("reporting an error failed")
    log.error("Error in %s: %s", label, error, exc_info=error)


def _broken(node: Any) -> bool:
    """True when `node` is a screen that failed while it was built."""
    return bool(getattr(node, BROKEN, False))


def abandon(node: Any) -> None:
    """`node` failed while it was built: unless its screen keeps itself (`KEEP_ON_FAILURE`),
    mark that screen broken and take it off the stack once the app is between messages."""
    from textual.screen import Screen

    try:
        screen = node if isinstance(node, Screen) else node.screen
        if getattr(screen, "KEEP_ON_FAILURE", False) or _broken(screen):
            return
        setattr(screen, BROKEN, True)
        app = screen.app
        # Later, not now: the screen is still being mounted in its own message loop.
        app.call_later(_take_off, screen)
    except Exception:  # no screen to take off (not attached): the report is all there is
        log.exception("could not take off a screen that failed to build")


def _take_off(screen: Any) -> None:
    """Dismiss a broken screen with no answer (screens over it go first): whoever pushed it
    hears None, as from Escape, and the screen under it is back."""
    app = screen.app
    stack = app.screen_stack
    if screen not in stack or stack.index(screen) == 0:
        return
    if not isinstance(stack[stack.index(screen) - 1], Guarded):
        return  # Textual's blank default screen: better the broken screen than nothing
    if app.screen is not screen:
        screen.pop_until_active()
    screen.dismiss(None)


def guarded(fn: Callable[..., Any], label: str, *, building: bool = False) -> Callable[..., Any]:
    """`fn` (a function taking `self` first), with any exception reported instead of raised.

    Textual's own control flow (`SkipAction`) passes through. The signature is kept (the
    wrapper's `__wrapped__`): Textual counts a handler's parameters to call it. `building`:
    `fn` builds the node (`on_mount`), and a failure takes its screen off (`abandon`). A
    screen taken off runs no handler any more.
    """
    if getattr(fn, "_circlekeeper_guarded", False):
        return fn

    def failed(self: Any, error: Exception) -> None:
        report(self, label, error)
        if building:
            abandon(self)

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            if _broken(self):
                return None
            try:
                return await fn(self, *args, **kwargs)
            except SkipAction:
                raise
            except Exception as error:
                failed(self, error)
                return None

        wrapper: Callable[..., Any] = run_async
    else:

        @functools.wraps(fn)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            if _broken(self):
                return None
            try:
                return fn(self, *args, **kwargs)
            except SkipAction:
                raise
            except Exception as error:
                failed(self, error)
                return None

        wrapper = run
    wrapper._circlekeeper_guarded = True  # type: ignore[attr-defined]
    return wrapper


def guarded_compose(fn: Callable[[Any], Iterable[Any]], label: str) -> Callable[[Any], Any]:
    """A node's `compose`, with a failure reported and its screen taken off (`abandon`)
    instead of ending the app."""
    if getattr(fn, "_circlekeeper_guarded", False):
        return fn

    @functools.wraps(fn)
    def run(self: Any) -> Iterator[Any]:
        # Handed on one by one, as composed: a widget yielded inside `with Container():`
        # belongs to it only while the block is open. What was composed before a failure
        # is mounted; the screen is taken off right after, so nobody uses it.
        try:
            yield from fn(self)
        except Exception as error:
            report(self, label, error)
            abandon(self)

    run._circlekeeper_guarded = True  # type: ignore[attr-defined]
    return run


def guarded_callback(node: Any, callback: Callable[..., Any], label: str) -> Callable[..., Any]:
    """A timer's callback that reports its exception instead of ending the app."""
    if inspect.iscoroutinefunction(callback):

        @functools.wraps(callback)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await callback(*args, **kwargs)
            except Exception as error:
                report(node, label, error)
                return None

        return run_async

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except Exception as error:
            report(node, label, error)
            return None

    return run


class Guarded:
    """Mixed into the app and every screen: their handlers and timers never end the app."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if name.startswith(HANDLER_PREFIXES) and inspect.isfunction(value):
                building = name in BUILDING
                setattr(cls, name, guarded(value, f"{cls.__name__}.{name}", building=building))
        compose = vars(cls).get("compose")
        if inspect.isfunction(compose):
            cls.compose = guarded_compose(compose, f"{cls.__name__}.compose")  # type: ignore[attr-defined]
        # `@on(...)` handlers are found through this table, not by name.
        decorated = vars(cls).get("_decorated_handlers")
        if decorated:
            for handlers in decorated.values():
                for i, (method, selectors) in enumerate(handlers):
                    label = f"{cls.__name__}.{method.__name__}"
                    handlers[i] = (guarded(method, label), selectors)

    def set_interval(
        self, interval: float, callback: Callable[..., Any] | None = None, **kwargs: Any
    ) -> Timer:
        """Textual's `set_interval`, its callback guarded."""
        timer: Timer = super().set_interval(  # type: ignore[misc]
            interval, self._guard_callback(callback, kwargs.get("name")), **kwargs
        )
        return timer

    def set_timer(
        self, delay: float, callback: Callable[..., Any] | None = None, **kwargs: Any
    ) -> Timer:
        """Textual's `set_timer`, its callback guarded."""
        timer: Timer = super().set_timer(  # type: ignore[misc]
            delay, self._guard_callback(callback, kwargs.get("name")), **kwargs
        )
        return timer

    def call_later(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Textual's `call_later`, the call guarded."""
        return bool(
            super().call_later(  # type: ignore[misc]
                self._guard_callback(callback, None), *args, **kwargs
            )
        )

    def call_next(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Textual's `call_next` (how a dialog's answer reaches its callback), guarded."""
        super().call_next(  # type: ignore[misc]
            self._guard_callback(callback, None), *args, **kwargs
        )

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Textual's `call_after_refresh`, the call guarded."""
        return bool(
            super().call_after_refresh(  # type: ignore[misc]
                self._guard_callback(callback, None), *args, **kwargs
            )
        )

    def _guard_callback(
        self, callback: Callable[..., Any] | None, name: str | None
    ) -> Callable[..., Any] | None:
        if callback is None:
            return None
        what = name or getattr(callback, "__name__", "a callback")
        return guarded_callback(self, callback, f"{type(self).__name__}: {what}")
