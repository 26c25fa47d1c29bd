"""PulseAudio killed in the middle of a session, in a real terminal with sound on: a banner
says sound is gone, the session goes on, and sound comes back when the server does."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from test_tui_tmux import Tmux, speaking

from circlekeeper.sound.nullsink import (
    MonitorRecorder,
    NullSinkUnavailable,
    start_null_sink,
    stop_process,
)

pytestmark = pytest.mark.e2e

GONE = "Sound unavailable"


def test_a_killed_pulseaudio_is_a_banner_then_sound_comes_back(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    root = tmp_path / "pulse"
    root.mkdir()
    try:
        daemon = start_null_sink(root)
    except NullSinkUnavailable as error:
        pytest.skip(str(error))
    env = {**os.environ, **daemon.env, "TERM": "xterm-256color", "PS1": "$ ", "TZ": "UTC"}
    env.pop("TMUX", None)
    tmux = Tmux(env, also=("XDG_RUNTIME_DIR", "HOME", "XDG_CONFIG_HOME"))
    back = None
    try:
        tmux.check_in_with_ana_speaking("Ana,Ben,Cy")  # with sound
        # The welcome's words are cut; a second of silence later the stream is stopped.
        time.sleep(4.0)
        assert GONE not in tmux.screen()
        stop_process(daemon.pid)  # the sound server dies mid-session
        tmux.send("b")  # starting the stream again now blocks in PortAudio for good
        tmux.wait_for(lambda t: GONE in t, "the banner saying sound is gone")
        tmux.send("Space")
        tmux.wait_for(speaking("Ben"), "the session going on without sound")
        time.sleep(6.0)  # a try at a new stream fails, and PortAudio prints why, from C
        assert "Expression" not in tmux.screen()  # into the log, not over the session
        back = start_null_sink(root)  # the server comes back (the same socket)
        deadline = time.monotonic() + 60
        while GONE in tmux.screen() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert GONE not in tmux.screen(), tmux.screen()
        recorder = MonitorRecorder(back.env)
        time.sleep(1.0)
        tmux.send("b")
        time.sleep(3.0)
        heard = recorder.stop()
        assert heard.size and float(np.abs(heard).max()) > 0.01  # the bell, on the new server
        tmux.quit_to_a_sane_terminal()  # PortAudio's exit no longer aborts the process
        log = Path(env["CIRCLEKEEPER_STATE_DIR"]) / "circlekeeper.log"
        logged = log.read_text(encoding="utf-8")
        assert "sound output back" in logged and "Expression" in logged
    finally:
        tmux.kill()
        for pid in (daemon.pid, back.pid if back else None):
            if pid is not None:
                stop_process(pid)
