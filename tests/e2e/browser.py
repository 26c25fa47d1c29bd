"""Debian's chromium, headless, driven by Playwright (its own browser download is unreachable)."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import ViewportSize

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
"""No network beyond loopback here: without the background-networking flags chromium keeps
trying to reach its vendor's hosts."""
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
WAIT_MS = 20_000
"""How long a page may take to show a change: generous, the machine is shared and loaded."""


def chromium() -> str:
    """The system chromium's path, or skip: `make test` installs it with apt."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (make test installs it: apt-get install chromium)")
    return path
