"""Partial screen updates that render only the rows they change.

When one widget changes (the countdown's digits, once a second), Textual's compositor
repaints the screen's rows under it, but first renders every visible widget whose
container overlaps those rows, each from its top to its bottom: on the live screen, about
130 lines from a dozen widgets to show three changed rows, every second. `install` makes a
partial update render only the rows of the update, and only the widgets on them (about 18
lines); what reaches the terminal is unchanged (a test holds the bytes of every partial
update to those Textual's own rendering sends). A full frame is still Textual's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

_textual_render_chops = Compositor._render_chops
"""Textual's own `_render_chops`, for full frames (and to put back)."""


def render_chops_in_crop(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    """Textual's `Compositor._render_chops`, with each widget rendered only where its
    visible part meets `crop`, rows and all (a widget elsewhere is not rendered at all).

    Within those rows each widget is rendered across its whole visible width, so every
    line is cut and layered front to back exactly as Textual does; only lines and widgets
    the update cannot show are left out.
    """
    if crop.contains_region(self.size.region):
        return _textual_render_chops(self, crop, is_rendered_line)
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    top, bottom = crop.y, crop.bottom
    intersection = Region.intersection
    overlaps = crop.overlaps
    # Front to back, as Textual's `_get_renders` yields them: the first strip for a cut wins.
    for widget, (region, clip) in self.visible_widgets.items():
        shown = intersection(region, clip)
        if not shown.width or not overlaps(shown):
            continue
        first_row, last_row = max(shown.y, top), min(shown.bottom, bottom)
        strips = widget.render_lines(
            Region(shown.x - region.x, first_row - region.y, shown.width, last_row - first_row)
        )
        render_x = shown.x
        first_cut, last_cut = shown.column_span
        for y, strip in zip(range(first_row, last_row), strips, strict=False):
            if not is_rendered_line(y):
                continue
            chops_line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            cut_strips = strip.divide([cut - render_x for cut in final_cuts[1:]])
            get_chops_line = chops_line.get
            for cut, piece in zip(final_cuts, cut_strips, strict=False):
                if get_chops_line(cut) is None:
                    chops_line[cut] = piece
    return chops  # type: ignore[return-value]  # every cut is filled, as in Textual's


def install() -> None:
    """Render partial updates row by row from now on (idempotent)."""
    patched: Any = render_chops_in_crop
    Compositor._render_chops = patched  # type: ignore[method-assign]


def uninstall() -> None:
    """Back to Textual's own rendering (for tests that compare the two)."""
    Compositor._render_chops = _textual_render_chops  # type: ignore[method-assign]
