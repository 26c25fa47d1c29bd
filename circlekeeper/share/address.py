"""Where the shared view listens: parsing `--share HOST:PORT`, binding, and the URL to show.

Plain sockets only (no aiohttp): the command line binds before the terminal is taken over,
so an address in use is one clear line and exit status 2, not a broken screen.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
from urllib.parse import quote

from circlekeeper.i18n import msg

DEFAULT_HOST = "127.0.0.1"
LAN_HOST = "0.0.0.0"
"""Every address of this computer: phones on the same network can reach it."""
BACKLOG = 128


class ShareError(Exception):
    """Sharing cannot start; the message is one line a facilitator can act on."""


def parse_address(text: str | None) -> tuple[str, int]:
    """`HOST:PORT`, `HOST`, `:PORT` or `PORT` (IPv6 in brackets) → (host, port).

    Empty means this computer only on a free port. Raises ShareError when it cannot be read.
    """
    text = (text or "").strip()
    if not text:
        return DEFAULT_HOST, 0
    host, port_text = text, ""
    if text.startswith("["):
        inside, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ShareError(_bad(text))
        host, port_text = inside, rest[1:]
    elif text.isdigit():
        host, port_text = DEFAULT_HOST, text
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    elif ":" in text:  # a bare IPv6 address, no port
        host = text
    host = host.strip() or DEFAULT_HOST
    port = 0
    if port_text:
        if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
            raise ShareError(_bad(text))
        port = int(port_text)
    if any(c.isspace() or c in "/?#@" for c in host):
        raise ShareError(_bad(text))
    return host, port


def _bad(text: str) -> str:
    return msg(
        "--share wants HOST:PORT, like 127.0.0.1:8765 or 0.0.0.0:8765 "
        "(or nothing: this computer, a free port), not '{text}'",
        text=text,
    )


def shown(host: str, port: int) -> str:
    """`host:port` as people write it (IPv6 in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def bind(host: str, port: int) -> socket.socket:
    """A listening, non-blocking socket on (host, port); ShareError says why not."""
    where = shown(host, port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as error:
        raise ShareError(
            msg("cannot share on {where}: unknown host ({why})", where=where, why=_reason(error))
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # Lets a restarted session take its port back at once (a closed one lingers in
        # TIME_WAIT); a port another program listens on still fails below.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except OSError as error:
        sock.close()
        raise ShareError(
            msg("cannot share on {where}: {why}", where=where, why=_reason(error))
        ) from None
    return sock


def _reason(error: BaseException) -> str:
    code = getattr(error, "errno", None)
    if code == errno.EADDRINUSE:
        return msg("address in use")
    if code == errno.EADDRNOTAVAIL:
        return msg("this computer has no such address")
    if code == errno.EACCES:
        return msg("permission denied (ports below 1024 need an administrator)")
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return text[:1].lower() + text[1:]


def url_host(sock: socket.socket) -> str:
    """The host a browser should use for this socket: the bound address, or, when it listens
    on every address, this computer's address on its network."""
    host = str(sock.getsockname()[0])
    with contextlib.suppress(ValueError):
        address = ipaddress.ip_address(host)
        if address.is_unspecified:
            return network_address(address.version) or (
                "127.0.0.1" if address.version == 4 else "::1"
            )
    return host


def network_address(version: int = 4) -> str | None:
    """This computer's address on its network, or None when it has none.

    Connecting a UDP socket only picks a route and a source address; nothing is sent.
    """
    family = socket.AF_INET if version == 4 else socket.AF_INET6
    # Documentation-only addresses (TEST-NET-1, 2001:db8::): never a real peer.
    probe = "192.0.2.1" if version == 4 else "2001:db8::1"
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as udp:
        udp.connect((probe, 9))
        found = str(udp.getsockname()[0])
        if not ipaddress.ip_address(found).is_loopback:
            return found
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, family):
            found = str(info[4][0])
            if not ipaddress.ip_address(found).is_loopback:
                return found
    return None


def share_url(host: str, port: int, key: str) -> str:
    """The link to the page, with its key."""
    return f"http://{shown(host, port)}/?key={quote(key, safe='')}"
