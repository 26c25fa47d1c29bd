"""The screens' words in the interface's language where Textual draws them itself: the
footer's key descriptions and tooltips, the key panel, the command palette.

Bindings are declared once, at import, with English descriptions marked for the catalogue
(`N_`); a screen hands them out translated each time it is asked (`active_bindings`), so a
footer drawn after a change of language speaks the new one.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePath
from typing import TypeVar

from textual.binding import ActiveBinding
from textual.screen import ModalScreen, Screen

from circlekeeper.i18n import N_, _

ResultT = TypeVar("ResultT")

STYLES = Path(__file__).parent / "styles"
"""Each screen's own stylesheet: Textual reads one when its screen is first shown, so the
library's first frame parses only the app's sheet (what every screen shares)."""


def styles(*names: str) -> list[str | PurePath]:
    """The stylesheets `names` (`styles/NAME.tcss`), for a screen's `CSS_PATH`."""
    return [STYLES / f"{name}.tcss" for name in names]


# Textual's own words, where it shows them on our screens.
N_("palette")


def translated(active: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """Every binding with its description and tooltip in the interface's language."""
    out: dict[str, ActiveBinding] = {}
    for key, (node, binding, enabled, tooltip) in active.items():
        words = dataclasses.replace(
            binding,
            description=_(binding.description) if binding.description else "",
            tooltip=_(binding.tooltip) if binding.tooltip else "",
        )
        out[key] = ActiveBinding(node, words, enabled, _(tooltip) if tooltip else "")
    return out


class LocalScreen(Screen[ResultT]):
    """A screen whose footer speaks the interface's language."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The screen's bindings, described in the interface's language."""
        return translated(super().active_bindings)


class LocalModal(ModalScreen[ResultT]):
    """A modal dialog whose bindings speak the interface's language."""

    CSS_PATH = styles("dialogs")

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The dialog's bindings, described in the interface's language."""
        return translated(super().active_bindings)
