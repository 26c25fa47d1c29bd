"""Partial screen updates that render only what they send.

When one widget changes (the countdown's digits, once a second), Textual's compositor
repaints the rectangle around every changed region, but first renders every visible widget
whose container overlaps it, each from its top to its bottom: on the live screen, about
130 lines from a dozen widgets to show three changed rows, every second. With `install`, a
partial update renders, row by row, only the widget that is in front on each piece of the
row the terminal will be sent: the countdown's second renders the digits' three rows and
nothing else. What reaches the terminal is unchanged (a test holds the bytes of every
partial update to those Textual's own rendering sends). A full frame is still Textual's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

_textual_render_partial_update = Compositor.render_partial_update
"""Textual's own `render_partial_update` (to put back)."""

_NOTHING = Strip([], 0)
"""The strip for a chop that is sent with no width (the same bytes as any other)."""


def render_spans(
    self: Compositor, spans: Iterable[tuple[int, int, int]]
) -> Sequence[Mapping[int, Strip]]:
    """The chops of a partial update that sends `spans` (row, first column, end column).

    Textual fills every chop of every row in the update's rectangle; `ChopsUpdate` then sends
    only the chops that meet a span. Here only those chops are filled, each, as in Textual,
    by the front-most widget that covers it. A widget is rendered only on the rows where it
    fills one, across its whole visible width, and layered front to back exactly as Textual
    does; the chops no span meets are left empty (`ChopsUpdate` skips them). A chop that a
    span meets only where the span ends is sent as a cursor move with nothing after it
    (`ChopsUpdate` crops it to no width): any strip sends the same bytes, so it gets an empty
    one, and the widget behind it (the countdown's box, every second) is not drawn.
    """
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    # Per row, the chops to be sent: `ChopsUpdate` sends a chop from `x` to `end` unless
    # `x > x2 or end <= x1`, for a span from x1 to x2 on that row.
    wanted: dict[int, set[int]] = {}
    touched: dict[int, set[int]] = {}  # chops that start where a span ends
    for y, x1, x2 in spans:
        if 0 <= y < len(cuts):
            for x, end in pairwise(cuts[y]):
                if x < x2 and end > x1:
                    wanted.setdefault(y, set()).add(x)
                elif x == x2:
                    touched.setdefault(y, set()).add(x)
    for y, edges in touched.items():
        for x in edges - wanted.get(y, set()):
            chops[y][x] = _NOTHING
    intersection = Region.intersection
    # Front to back, as Textual's `_get_renders` yields them: the first strip for a cut wins.
    for widget, (region, clip) in self.visible_widgets.items():
        if not wanted:
            break
        shown = intersection(region, clip)
        if not shown.width or not shown.height:
            continue
        first_cut, last_cut = shown.column_span
        # A widget fills the cuts from its left edge up to (not at) its right edge.
        rows = [
            y
            for y in range(max(shown.y, min(wanted)), min(shown.bottom, max(wanted) + 1))
            if y in wanted and any(first_cut <= cut < last_cut for cut in wanted[y])
        ]
        if not rows:
            continue
        top = rows[0]
        strips = widget.render_lines(
            Region(shown.x - region.x, top - region.y, shown.width, rows[-1] + 1 - top)
        )
        render_x = shown.x
        for y in rows:
            if y - top >= len(strips):  # (Textual's own zips the two, and stops there)
                break
            strip = strips[y - top]
            chops_line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            cut_strips = strip.divide([cut - render_x for cut in final_cuts[1:]])
            get_chops_line = chops_line.get
            for cut, piece in zip(final_cuts, cut_strips, strict=False):
                if get_chops_line(cut) is None:
                    chops_line[cut] = piece
            still = {cut for cut in wanted[y] if chops_line[cut] is None}
            if still:
                wanted[y] = still
            else:
                del wanted[y]
    return chops  # type: ignore[return-value]  # every chop a span meets is filled


def render_partial_update(self: Compositor) -> ChopsUpdate | None:
    """Textual's `Compositor.render_partial_update`, rendering only what it sends."""
    update_regions = self._dirty_regions.copy()
    self._dirty_regions.clear()
    if not update_regions:
        return None
    spans = list(self._regions_to_spans(update_regions))
    chops = render_spans(self, spans)
    chop_ends = [cut_set[1:] for cut_set in self.cuts]
    return ChopsUpdate(chops, spans, chop_ends)


def install() -> None:
    """Render partial updates our way from now on (idempotent)."""
    patched: Any = render_partial_update
    Compositor.render_partial_update = patched  # type: ignore[method-assign]


def uninstall() -> None:
    """Back to Textual's own rendering (for tests that compare the two)."""
    Compositor.render_partial_update = _textual_render_partial_update  # type: ignore[method-assign]
