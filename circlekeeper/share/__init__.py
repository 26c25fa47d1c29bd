"""The room's shared view: a read-only web page that follows the live session.

An aiohttp server in the app's own event loop serves one self-contained page, the latest
snapshot (`/state`) and a stream of snapshots (`/events`), all behind a random key. It
knows snapshots, never commands: nothing a viewer does reaches the session.

Importing this package loads neither aiohttp nor segno (`server` and `qr` do), so the
library's first frame does not pay for them.
"""

import logging

from circlekeeper.share.address import (
    DEFAULT_HOST,
    LAN_HOST,
    ShareError,
    bind,
    parse_address,
    share_url,
    shown,
)

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_HOST",
    "LAN_HOST",
    "ShareError",
    "bind",
    "parse_address",
    "share_url",
    "shown",
]
