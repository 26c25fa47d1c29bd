"""Plays cues through the real AudioSink in a fresh process, for the real-device tests.

sounddevice reads ALSA's configuration once, when it is imported, so each real-device test
runs this script with its own environment (ALSA_CONFIG_PATH or a PulseAudio runtime dir).

    python play_helper.py MODE RESULT.json [DEVICE]

MODE is "speech", "bell" or "speech+bell": the result file gets the sink's status, the
stream's rate and channels, the frames the mixer handed over and the cue latencies. MODE
"rules" plays a timed sequence (see `rules`) and reports the wall-clock time of each step.
"""

from __future__ import annotations

import json
import sys
import time

from circlekeeper.sound import bells
from circlekeeper.sound.player import AudioSink
from circlekeeper.sound.speech import SpeechRenderer

TEXT = "Welcome to the circle. Please take a breath, and notice the room around you."


LONG = "Take a moment to arrive. " * 4
RULES_TEXTS = ("Let us begin.", LONG, "Next step.")


def at(t0: float, offset: float) -> tuple[float, float]:
    """Sleep until a tick a little after `t0 + offset` (as a session's tick would be); the
    cue's due time on the monotonic clock and on the wall clock."""
    due = t0 + offset
    while time.monotonic() < due + 0.02:
        time.sleep(0.002)
    return due, time.time() - (time.monotonic() - due)


def rules(sink: AudioSink, report: dict[str, object]) -> None:
    """A chime; clappers with words after them; a long reading cut short by moving on; a
    chime after an idle spell. Each cue is asked for a little after its due time."""
    sink.prepare([(text, "en") for text in RULES_TEXTS])
    sink.wait_session_ready(30)
    report["delay"] = sink.schedule_delay
    t0 = time.monotonic() + 1.0
    walls: dict[str, float] = {}
    due, walls["chime"] = at(t0, 0.0)
    sink.bell("chime", at=due)
    due, walls["clappers"] = at(t0, 7.0)
    sink.bell("clappers", 2, at=due)
    sink.speak(RULES_TEXTS[0], "en", at=due)
    due, walls["reading"] = at(t0, 12.0)
    sink.speak(LONG, "en", at=due)
    due, walls["hush"] = at(t0, 15.0)
    sink.hush()
    sink.speak(RULES_TEXTS[2], "en", at=due)
    due, walls["after-idle"] = at(t0, 25.0)
    sink.bell("chime", at=due)
    report["walls"] = walls
    report["idle"] = sink.wait_idle(60)


def main(argv: list[str]) -> int:
    """Play, wait until done, report."""
    mode, result = argv[0], argv[1]
    device = argv[2] if len(argv) > 2 else None
    if "speech" in mode:
        # Render to the disk cache before any stream exists: an unpaced device spins while
        # a stream is open, so keep that window short.
        renderer = SpeechRenderer()
        renderer.render(TEXT, "en")
        renderer.close()
    sink = AudioSink(device, speech=mode != "bell")
    report: dict[str, object] = {}
    try:
        if not sink.wait_ready(20):
            report["error"] = "not ready"
            return 1
        if mode == "rules":
            rules(sink, report)
        if "bell" in mode:
            # Synthesise the chime before asking for anything: on an unpaced device every
            # millisecond the sink spends rendering is a second of audio gone by.
            bells.strike("chime", sink.rate)
        if mode == "speech" or mode == "speech+bell":
            sink.prepare([(TEXT, "en")])
            deadline = time.monotonic() + 20
            while sink.status().prepared < 1 and time.monotonic() < deadline:
                time.sleep(0.002)
            sink.speak(TEXT, "en")
        if mode in ("bell", "speech+bell"):
            sink.bell("chime")
        report["idle"] = sink.wait_idle(60)
        status = sink.status()
        mixer = sink.mixer
        report.update(
            ok=status.ok,
            detail=status.detail,
            rate=sink.rate,
            channels=mixer.channels if mixer else 0,
            frames=mixer.frames if mixer else 0,
            latencies=list(mixer.latencies) if mixer else [],
        )
    finally:
        sink.close()
        report["closed"] = sink.wait_closed(5)
        report["frames_at_close"] = sink.mixer.frames if sink.mixer else 0
        with open(result, "w", encoding="utf-8") as f:
            json.dump(report, f)
    return 0 if report.get("ok") else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
