"""The rules heard on a PulseAudio null sink, paced like a sound card, recorded from its monitor.

One helper process plays a timed sequence through the real AudioSink (`play_helper.py
rules`), asking for every cue a little after it fell due, as a session's tick does; this
process records the monitor with every chunk timestamped, so each sound has a wall time.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import Pulse, run_helper

from circlekeeper.sound.bells import settle, spacing
from circlekeeper.sound.mixer import FADE_S
from circlekeeper.sound.nullsink import REC_RATE, MonitorRecorder, onset_near, rms_windows

TOLERANCE = 0.025
"""Seconds an onset may sit off its due time plus the sink's constant delay: PortAudio's
account of when a block is heard is a few milliseconds off, and so is the onset finder."""


def level(x: np.ndarray, rec: MonitorRecorder, start: float, end: float) -> float:
    """Peak RMS (10 ms windows) of the recording between two wall times."""
    piece = x[rec.index_of(start) : rec.index_of(end)]
    return float(np.max(rms_windows(piece))) if len(piece) > REC_RATE // 100 else 0.0


@pytest.mark.e2e
@pytest.mark.realtime
def test_cues_sound_on_time_and_in_turn_on_a_paced_device(pulse: Pulse, tmp_path: Path) -> None:
    result = tmp_path / "result.json"
    rec = MonitorRecorder(pulse.env)
    try:
        proc = run_helper(pulse.env, "rules", result)
    finally:
        x = rec.stop()
    assert proc.returncode == 0, proc.stderr
    report = json.loads(result.read_text())
    delay, walls = float(report["delay"]), report["walls"]
    rms = rms_windows(x)

    def onset(expected: float, before: float = 0.5) -> float:
        found = onset_near(rms, rec, expected, before)
        assert found is not None, f"nothing heard near {expected - walls['chime']:.2f} s"
        return found

    # A bell sounds at its due time plus the sink's constant delay, whatever the tick did;
    # after an idle spell (the stream asleep) just the same.
    errors = {n: onset(walls[n] + delay) - (walls[n] + delay) for n in ("chime", "after-idle")}
    assert all(abs(e) < TOLERANCE for e in errors.values()), errors
    # Words due with a bell begin once its last strike has sounded, never on top of it.
    last_strike = walls["clappers"] + delay + spacing("clappers")
    assert abs(onset(walls["clappers"] + delay) - (walls["clappers"] + delay)) < TOLERANCE
    words = onset(last_strike + 0.45, before=0.0)
    assert words >= last_strike + settle("clappers") - TOLERANCE
    assert words < last_strike + settle("clappers") + 0.3
    # Moving on: the reading (some 7 s long) fades out at once; the next step's words follow
    # the fade, and then all is quiet until the last chime.
    hush = walls["hush"]
    faded = hush + delay + FADE_S
    assert level(x, rec, hush - 1.0, hush) > 0.02, "the reading was being heard"
    assert level(x, rec, faded, faded + 1.0) > 0.02, "the next words were heard"
    assert level(x, rec, faded + 1.6, walls["after-idle"] + delay - 0.05) < 0.003
    # Nothing was clipped at full scale.
    assert np.max(np.abs(x)) < 0.99
