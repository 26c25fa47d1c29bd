"""Safety of the real program, watched from outside: every socket it opens (strace sees the C
libraries' too, PulseAudio's and espeak's), and every file it leaves behind.

One module fixture runs, in tmux: a session with sound on (into a private PulseAudio null
sink when there is one) and no `--share`, then a session shared on an address asked for, then
an export of the last session. The tests read what strace logged and walk the folders.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_tui_tmux import Tmux, speaking

from circlekeeper.sound.nullsink import NullSinkUnavailable, start_null_sink

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
TRACED = "socket,socketpair,connect,bind,listen,sendto,sendmsg,execve"
LOCAL_FAMILIES = {"AF_UNIX", "AF_LOCAL", "AF_NETLINK"}
"""Sockets that never leave the computer: Unix sockets (the event loop's wake-up pair,
PulseAudio) and netlink (the kernel's own answers about interfaces)."""


@dataclass(frozen=True)
class Runs:
    """What the fixture ran: the two strace logs, the port asked for, the folders."""

    plain_log: str
    shared_log: str
    canary: Path
    port: int
    home: Path
    export: Path
    sound: bool


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _session(
    tmux: Tmux, prefix: str, log: Path, script: Path, extra: str, shown: str | None
) -> str:
    """One check-in under strace: welcome, two turns, quit; the log's text."""
    tmux.type_line(
        f"{prefix} strace -f -qq -o {log} -e trace={TRACED} {sys.executable} -m circlekeeper "
        f'run {script} --circle "Ana,Ben" {extra}; echo "EXIT=$?"'
    )
    tmux.wait_for(lambda t: "Welcome" in t and "Next" in t, "the welcome step")
    if shown is not None:
        tmux.wait_for(lambda t: shown in t, f"the shared view's address {shown}")
    tmux.send("Space")
    tmux.wait_for(speaking("Ana"), "Ana holding the stick")
    tmux.send("Space")
    tmux.wait_for(speaking("Ben"), "Ben holding the stick")
    tmux.send("q")
    tmux.wait_for(lambda t: "End the session and quit" in t, "the quit question")
    tmux.send("y")
    tmux.wait_for(lambda t: "EXIT=0" in t, "a clean exit")
    tmux.type_line("clear")
    return log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    for tool in ("tmux", "strace"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    root = tmp_path_factory.mktemp("safety")
    home = root / "home"
    home.mkdir()
    folders = {
        "CIRCLEKEEPER_CONFIG_DIR": home / "config",
        "CIRCLEKEEPER_DATA_DIR": home / "data",
        "CIRCLEKEEPER_CACHE_DIR": home / "cache",
        "CIRCLEKEEPER_STATE_DIR": home / "state",
        "XDG_CONFIG_HOME": home / "xdg-config",
        "XDG_DATA_HOME": home / "xdg-data",
        "XDG_CACHE_HOME": home / "xdg-cache",
        "XDG_STATE_HOME": home / "xdg-state",
    }
    env = dict(os.environ, TERM="xterm-256color", PS1="$ ", TZ="UTC")
    env.pop("TMUX", None)
    env.update({key: str(path) for key, path in folders.items()})
    daemon = None
    (root / "pulse").mkdir()
    with contextlib.suppress(NullSinkUnavailable):  # then the session runs silent
        daemon = start_null_sink(root / "pulse")
    # Passed on the command line: tmux hands a session only the folders it knows of.
    extra = {
        key: str(path)
        for key, path in folders.items()
        if key.startswith("XDG_") or key == "CIRCLEKEEPER_STATE_DIR"
    }
    extra["HOME"] = str(home)
    if daemon is not None:
        extra["XDG_RUNTIME_DIR"] = daemon.env["XDG_RUNTIME_DIR"]
    prefix = "env " + " ".join(f"{key}={value}" for key, value in extra.items())
    for command in (["circles", "add", "Crew", "--people", "Ana,Ben"], ["list"]):
        # A saved circle (config and data) and the library's index (cache) too.
        subprocess.run(
            [sys.executable, "-m", "circlekeeper", *command],
            env={**env, **extra},
            cwd=REPO,
            capture_output=True,
            check=True,
            timeout=120,
        )
    # The welcome, shown and spoken, says what a shell would run; nothing may run it.
    canary = root / "canary"
    script = root / "scripts" / "check-in.yaml"
    script.parent.mkdir()
    hostile = f"$(touch {canary}) `touch {canary}`; touch {canary} | touch {canary}"
    text = (REPO / "practices" / "check-in.yaml").read_text(encoding="utf-8")
    script.write_text(
        text.replace("Let's take a breath together.", f"Let's breathe. {hostile}", 1),
        encoding="utf-8",
    )
    tmux = Tmux(env)
    try:
        sound = "" if daemon is not None else "--silent"
        plain = _session(tmux, prefix, root / "plain.strace", script, sound, None)
        port = _free_port()
        shared = _session(
            tmux,
            prefix,
            root / "shared.strace",
            REPO / "practices" / "check-in.yaml",
            f"--silent --share 127.0.0.1:{port}",
            f"127.0.0.1:{port}",
        )
    finally:
        tmux.kill()
        if daemon is not None:
            daemon.stop()
    exports = root / "exports"
    exports.mkdir(mode=0o755)
    exports.chmod(0o755)
    report = exports / "report.md"
    done = subprocess.run(
        [sys.executable, "-m", "circlekeeper", "export", "last", "--anonymous", "-o", str(report)],
        env={**env, **extra},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    yield Runs(plain, shared, canary, port, home, report, daemon is not None)


def _families(log: str) -> set[str]:
    """Every address family the processes created a socket in or addressed."""
    made = re.findall(r"\bsocket(?:pair)?\((AF_\w+|\d+)", log)
    addressed = re.findall(r"sa_family=(AF_\w+|\d+)", log)
    return set(made) | set(addressed)


def test_a_session_without_share_opens_no_network_socket(runs: Runs) -> None:
    assert "socket(" in runs.plain_log  # strace saw the program's sockets at all
    assert _families(runs.plain_log) <= LOCAL_FAMILIES, _families(runs.plain_log)
    if runs.sound:
        # Sound was on: the session spoke to PulseAudio, through its Unix socket.
        assert re.search(r'connect\(\d+, \{sa_family=AF_UNIX, sun_path="[^"]*pulse', runs.plain_log)


def test_a_shared_session_listens_only_on_the_address_asked(runs: Runs) -> None:
    log = runs.shared_log
    network = [
        line
        for line in log.splitlines()
        if re.search(r"sa_family=AF_INET6?\b", line) and "resumed" not in line
    ]
    assert network, "the shared view never bound its socket"
    asked = f'sin_port=htons({runs.port}), sin_addr=inet_addr("127.0.0.1")'
    for line in network:
        assert re.search(r"\bbind\(", line) and asked in line, line
    assert re.search(r"\blisten\(\d+", log)
    assert not re.search(r"\bconnect\(\d+, \{sa_family=AF_INET", log)
    assert _families(log) <= LOCAL_FAMILIES | {"AF_INET"}, _families(log)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_everything_written_is_its_owners_alone(runs: Runs) -> None:
    written = sorted(runs.home.rglob("*"))
    files = [p for p in written if p.is_file()]
    names = {p.name for p in written}
    assert {"journals", "circles.json"} <= names
    assert any(p.is_relative_to(runs.home / "cache") and "index" in p.name for p in files)
    assert any(p.suffix == ".jsonl" for p in files)
    if runs.sound:
        assert any(p.suffix == ".wav" for p in files), "no speech was rendered"
    for path in written:
        expected = 0o700 if path.is_dir() else 0o600
        assert _mode(path) == expected, f"{path.relative_to(runs.home)} is {oct(_mode(path))}"
        assert path.lstat().st_uid == os.getuid()
    # The export went where it was asked, a folder left as the user made it; the file is
    # private all the same.
    assert _mode(runs.export.parent) == 0o755
    assert _mode(runs.export) == 0o600
    assert "Check-in" in runs.export.read_text(encoding="utf-8")


def test_a_script_whose_words_look_like_commands_runs_none_of_them(runs: Runs) -> None:
    assert not runs.canary.exists()
    # Every program the session started: Python itself (the app, the speech worker, the
    # sound probe) and ldconfig, which ctypes asks where espeak's and PortAudio's libraries
    # are. No shell, nothing a script named.
    ran = {Path(program).name for program in re.findall(r'execve\("([^"]+)"', runs.plain_log)}
    assert Path(sys.executable).name in ran
    assert ran <= {Path(sys.executable).name, "ldconfig"}, ran
