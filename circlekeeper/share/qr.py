"""The shared view's link as a QR code drawn with text, for phones in the room to scan."""

from __future__ import annotations

import segno

BORDER = 2
"""Light modules around the code. Scanners want some quiet zone; four would not fit an
80x24 terminal, and two read fine off a screen."""


def qr_lines(url: str, border: int = BORDER) -> list[str]:
    """The code as lines of half blocks: each character is two modules, one above the other,
    so modules come out square in a terminal. A drawn part of a character is a dark module:
    show them dark on light."""
    code = segno.make_qr(url, error="l", boost_error=True)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=border)]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    glyphs = {(0, 0): " ", (1, 0): "▀", (0, 1): "▄", (1, 1): "█"}
    return [
        "".join(glyphs[bool(top), bool(bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]
