"""Command palette providers: every session key is also a command (ctrl+p)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from circlekeeper.i18n import _


class SessionCommands(Provider):
    """The live session's commands, found by name."""

    def _commands(self) -> list[tuple[str, str, str]]:
        from circlekeeper.tui.screens.live import COMMANDS, LiveScreen

        screen = self.screen
        if not isinstance(screen, LiveScreen):
            return []
        return [
            (action, _(title), _(help))
            for action, title, help in COMMANDS
            if screen.check_action(action, ()) is not False
        ]

    async def _run(self, action: str) -> None:
        await self.screen.run_action(action)

    async def discover(self) -> Hits:
        """All session commands, before anything is typed."""
        for action, title, help in self._commands():
            yield DiscoveryHit(title, partial(self._run, action), help=help)

    async def search(self, query: str) -> Hits:
        """Session commands matching the query."""
        matcher = self.matcher(query)
        for action, title, help in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action), help=help)


class AppCommands(Provider):
    """App-wide commands: the high-contrast theme."""

    async def discover(self) -> Hits:
        """Listed before anything is typed."""
        yield DiscoveryHit(
            _("Toggle high contrast"),
            partial(self.app.run_action, "toggle_contrast"),
            help=_("switch between the default and the high-contrast theme"),
        )

    async def search(self, query: str) -> Hits:
        """Matching app commands."""
        matcher = self.matcher(query)
        title = _("Toggle high contrast")
        score = matcher.match(title)
        if score > 0:
            yield Hit(
                score,
                matcher.highlight(title),
                partial(self.app.run_action, "toggle_contrast"),
                help=_("switch between the default and the high-contrast theme"),
            )
