"""A stand-in speech worker speaking the real worker's line protocol, for fault tests.

Its behaviour comes from the text it is asked to render: "HANG..." sleeps forever, "DIE..."
exits at once, "FLAKY..." writes an empty file the first time and real audio after. With
FAKE_TTS_MODE=noespeak it fails to start the way pyttsx3 does without libespeak; with
FAKE_TTS_MODE=hang it never says hello (a broken engine that hangs while starting), and with
FAKE_TTS_MODE=die it dies on every render. FAKE_TTS_SPAWNS names a file that gets one line
per worker started.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import time
import wave


def write_tone(path: str, words: int) -> None:
    """A 22050 Hz tone as long as `words` spoken words, like espeak's output."""
    rate = 22050
    n = int(rate * (0.3 * words + 0.2))
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / rate))) for i in range(n)
    )
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)


def main() -> int:
    """Serve requests like the real worker."""
    out = sys.stdout
    mode = os.environ.get("FAKE_TTS_MODE")
    spawns = os.environ.get("FAKE_TTS_SPAWNS")
    if spawns:
        with open(spawns, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
    if mode == "hang":
        time.sleep(3600)
    if mode == "noespeak":
        out.write(json.dumps({"ok": False, "error": "OSError: libespeak.so.1: cannot open"}))
        out.write("\n")
        out.flush()
        return 1
    out.write(json.dumps({"ok": True, "voices": 1}) + "\n")
    out.flush()
    flaky_seen: set[str] = set()
    for line in sys.stdin:
        req = json.loads(line)
        if req.get("op") == "voices":
            voice = {"id": "fake/en", "name": "Fake", "languages": ["en"]}
            out.write(json.dumps({"ok": True, "voices": [voice]}) + "\n")
            out.flush()
            continue
        text = str(req["text"])
        print(f"Audio saved to {req['out']}")  # the real driver's chatter, on stdout
        if mode == "die":
            os._exit(3)
        if text.startswith("HANG"):
            time.sleep(3600)
        if text.startswith("DIE"):
            os._exit(3)
        if text.startswith("FLAKY") and text not in flaky_seen:
            flaky_seen.add(text)
            open(req["out"], "wb").close()
        else:
            write_tone(req["out"], len(text.split()))
        out.write(json.dumps({"ok": True}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
