"""No handler, timer or worker of ours takes the app down: the safety net under every screen.

Textual ends the app on any exception a message handler, an action or a timer lets out (and
the failing widget's message loop stops at once, so the failure cannot just be ignored
there). `Guarded`, a base of the app and of every screen, wraps each handler its class
defines (`on_*`, `action_*`, `watch_*`, `key_*`, `@on` handlers) and each callback it hands
to a timer or a later call (a dialog's answer comes back through one), so that an exception
is reported instead: logged with its traceback to the error log (`circlekeeper.errorlog`),
and shown (a toast, and the live screen's banner). Workers are started with
`exit_on_error=False`; the app reports their failures the same way.

The session's own code guards what it can with a precise label (`AppHost.guard`); this is
the net under whatever it missed.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from textual.actions import SkipAction
from textual.timer import Timer

log = logging.getLogger(__name__)

HANDLER_PREFIXES = ("on_", "action_", "watch_", "key_", "_on_")
"""Names Textual calls by convention: event and message handlers, actions, watchers, keys."""


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


def guarded(fn: Callable[..., Any], label: str) -> Callable[..., Any]:
    """`fn` (a function taking `self` first), with any exception reported instead of raised.

    Textual's own control flow (`SkipAction`) passes through. The signature is kept (the
    wrapper's `__wrapped__`): Textual counts a handler's parameters to call it.
    """
    if getattr(fn, "_circlekeeper_guarded", False):
        return fn
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(self, *args, **kwargs)
            except SkipAction:
                raise
            except Exception as error:
                report(self, label, error)
                return None

        wrapper: Callable[..., Any] = run_async
    else:

        @functools.wraps(fn)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(self, *args, **kwargs)
            except SkipAction:
                raise
            except Exception as error:
                report(self, label, error)
                return None

        wrapper = run
    wrapper._circlekeeper_guarded = True  # type: ignore[attr-defined]
    return wrapper


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
                setattr(cls, name, guarded(value, f"{cls.__name__}.{name}"))
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
