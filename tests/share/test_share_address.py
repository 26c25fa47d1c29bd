"""`--share HOST:PORT`: reading it, binding it, the link, and the QR code of the link."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
import segno

from circlekeeper.share.address import ShareError, bind, parse_address, share_url, url_host
from circlekeeper.share.qr import qr_lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("127.0.0.1", 0)),
        ("8765", ("127.0.0.1", 8765)),
        (":8765", ("127.0.0.1", 8765)),
        ("0.0.0.0", ("0.0.0.0", 0)),
        ("0.0.0.0:8765", ("0.0.0.0", 8765)),
        ("localhost:9000", ("localhost", 9000)),
        ("[::1]:8765", ("::1", 8765)),
        ("[::]", ("::", 0)),
        ("::1", ("::1", 0)),
    ],
)
def test_reading_an_address(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    "text", ["host:port", "1.2.3.4:70000", "[::1", "[::1]x", "a b:80", "http://x:80", "x:-1"]
)
def test_an_address_that_cannot_be_read(text: str) -> None:
    with pytest.raises(ShareError, match=r"^--share wants HOST:PORT"):
        parse_address(text)


def test_a_port_in_use_is_one_clear_line() -> None:
    taken = bind("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        with pytest.raises(ShareError) as caught:
            bind("127.0.0.1", port)
        assert str(caught.value) == f"cannot share on 127.0.0.1:{port}: address in use"
    finally:
        taken.close()


def test_an_address_this_computer_does_not_have() -> None:
    with pytest.raises(ShareError, match=r"^cannot share on 192\.0\.2\.1:0: "):
        bind("192.0.2.1", 0)  # TEST-NET-1: documentation only, never ours


def test_an_unknown_host() -> None:
    with pytest.raises(ShareError, match=r"^cannot share on no-such-host\.invalid:0: unknown"):
        bind("no-such-host.invalid", 0)


def test_the_default_listens_on_this_computer_only_on_a_free_port() -> None:
    sock = bind(*parse_address(""))
    try:
        host, port = sock.getsockname()[:2]
        assert host == "127.0.0.1" and port > 0
        assert url_host(sock) == "127.0.0.1"
    finally:
        sock.close()


def test_every_address_gives_a_link_with_a_real_address() -> None:
    sock = bind("0.0.0.0", 0)
    try:
        host = url_host(sock)
        assert host != "0.0.0.0"
        socket.inet_aton(host)  # an IPv4 address a phone can type
    finally:
        sock.close()


def test_the_link() -> None:
    assert share_url("127.0.0.1", 8765, "a-b_c") == "http://127.0.0.1:8765/?key=a-b_c"
    assert share_url("::1", 8765, "k") == "http://[::1]:8765/?key=k"


def test_the_qr_code_holds_exactly_the_modules_of_the_link() -> None:
    url = "http://192.168.100.200:54321/?key=Abcdefghijklmnopqrstuv"
    code = segno.make_qr(url, error="l", boost_error=True)
    expected = [[bool(m) for m in row] for row in code.matrix_iter(border=2)]
    # Each character holds two modules, one above the other; a drawn half is dark.
    top = {" ": False, "▀": True, "▄": False, "█": True}
    bottom = {" ": False, "▀": False, "▄": True, "█": True}
    drawn = []
    for line in qr_lines(url):
        drawn.append([top[c] for c in line])
        drawn.append([bottom[c] for c in line])
    assert drawn[: len(expected)] == expected
    assert all(not any(row) for row in drawn[len(expected) :])  # an odd last row: light
    # A quiet zone of light modules all round.
    assert not any(drawn[0]) and not any(drawn[1])
    assert all(not any(row[:2]) and not any(row[-2:]) for row in drawn)


def test_it_fits_an_80x24_dialog() -> None:
    # The longest link the usual networks give: a LAN address and a five-digit port.
    lines = qr_lines("http://192.168.100.200:54321/?key=" + "x" * 22)
    assert len(lines) <= 19 and all(len(line) <= 37 for line in lines)


def test_the_server_knows_no_screen_and_no_sound() -> None:
    code = (
        "import sys, circlekeeper.share.server, circlekeeper.share.qr;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'sounddevice', 'pyttsx3', 'numpy') or "
        "m.startswith(('circlekeeper.tui', 'circlekeeper.sound', 'circlekeeper.records'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_package_loads_neither_aiohttp_nor_segno() -> None:
    code = (
        "import sys, circlekeeper.share, circlekeeper.share.projection;"
        "print(sorted(m for m in ('aiohttp', 'segno') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
