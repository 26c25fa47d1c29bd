"""Plays cues through the real AudioSink in a fresh process, for the real-device tests.

sounddevice reads ALSA's configuration once, when it is imported, so each real-device test
runs this script with its own environment (ALSA_CONFIG_PATH or a PulseAudio runtime dir).

    python play_helper.py MODE RESULT.json [DEVICE]

MODE is "speech", "bell" or "speech+bell". The result file gets the sink's status, the
stream's rate and channels, the frames the mixer handed over and the cue latencies.
"""

from __future__ import annotations

import json
import sys
import time

from circlekeeper.sound.player import AudioSink
from circlekeeper.sound.speech import SpeechRenderer

TEXT = "Welcome to the circle. Please take a breath, and notice the room around you."


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
    sink = AudioSink(device, speech="speech" in mode)
    report: dict[str, object] = {}
    try:
        if not sink.wait_ready(20):
            report["error"] = "not ready"
            return 1
        if "speech" in mode:
            sink.prepare([(TEXT, "en")])
            deadline = time.monotonic() + 20
            while sink.status().prepared < 1 and time.monotonic() < deadline:
                time.sleep(0.002)
            sink.speak(TEXT, "en")
        if "bell" in mode:
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
