"""A QR code drawn in the terminal: the shared view's link, for phones in the room."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

QR_WIDTH = 120
QR_HEIGHT = 40
"""A screen at least this large shows the code beside the agenda; a smaller one has it in
a dialog (v), so the code never takes the countdown's room."""
QR_BESIDE = 37
"""The widest code the agenda's column holds (the column of a wide screen, less its edges)."""
STYLE = "#000000 on #ffffff"
"""Dark modules on light, whatever the theme: that is what scanners read best."""


class QRCode(Static):
    """The QR code of a link (nothing without one); segno loads on the first code drawn."""

    DEFAULT_CSS = """
    QRCode { width: auto; height: auto; }
    """

    def __init__(self, url: str | None = None, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.url: str | None = None
        self.columns = 0
        """How wide the code is drawn."""
        if url is not None:
            self.show(url)

    def show(self, url: str | None) -> None:
        """Draw the code of `url`, or nothing."""
        if url == self.url:
            return
        self.url = url
        if url is None:
            self.columns = 0
            self.update("")
            return
        from circlekeeper.share.qr import qr_lines

        lines = qr_lines(url)
        self.columns = max(len(line) for line in lines)
        self.update(Text("\n".join(lines), style=STYLE, no_wrap=True, end=""))
