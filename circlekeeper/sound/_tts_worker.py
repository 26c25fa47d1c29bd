"""The speech worker process: renders one prompt at a time to WAV with pyttsx3 (espeak).

Run as `python -m circlekeeper.sound._tts_worker`. It speaks a line protocol: one JSON request
per line on stdin, one JSON reply per line on the original stdout. The driver prints chatter
("Audio saved to ...") on stdout, so the real stdout is kept for replies and fd 1 is pointed at
stderr, which the parent drains into its log.

Requests: {"op": "render", "text", "out", "voice", "rate", "volume"}, {"op": "voices"}.
Replies: {"ok": true, ...} or {"ok": false, "error": "..."}. The first reply, unasked, says
whether the engine started.

Everything pyttsx3 does wrong that we know of is avoided here, not worked around later:
one save per `runAndWait` (two queued saves keep only the second), never an empty
`runAndWait` (after `setProperty('voice')` it blocks forever), and a short warm-up render
(the first long render in a fresh process silently writes no file).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from typing import Any, TextIO


def _reply(out: TextIO, **fields: Any) -> None:
    out.write(json.dumps(fields) + "\n")
    out.flush()


def _voices(engine: Any) -> list[dict[str, Any]]:
    found = []
    for v in engine.getProperty("voices") or []:
        langs = [
            lang.decode("utf-8", "replace") if isinstance(lang, bytes) else str(lang)
            for lang in (getattr(v, "languages", None) or [])
        ]
        found.append({"id": str(v.id), "name": str(getattr(v, "name", v.id)), "languages": langs})
    return found


def _render(engine: Any, state: dict[str, Any], req: dict[str, Any]) -> None:
    voice = req.get("voice")
    if voice and voice != state.get("voice"):
        engine.setProperty("voice", voice)
        state["voice"] = voice
    rate = req.get("rate")
    if rate and rate != state.get("rate"):
        engine.setProperty("rate", int(rate))
        state["rate"] = rate
    # A property change is always followed by a queued save, never by an empty runAndWait.
    engine.save_to_file(str(req["text"]), str(req["out"]))
    engine.runAndWait()


def main() -> int:
    """Serve render requests until stdin closes."""
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the driver's prints go to stderr, which the parent captures
    sys.stdout = sys.stderr
    try:
        import pyttsx3

        engine = pyttsx3.init("espeak")
        voices = _voices(engine)
        # A name nobody could have laid a link at beforehand, made ours alone (mkstemp).
        handle, warm = tempfile.mkstemp(prefix="circlekeeper-warmup-", suffix=".wav")
        os.close(handle)
        state: dict[str, Any] = {}
        _render(engine, state, {"text": "ready", "out": warm})
        with contextlib.suppress(OSError):
            os.unlink(warm)
    except Exception as exc:  # no libespeak: init raises OSError, or anything else
        _reply(replies, ok=False, error=f"{type(exc).__name__}: {exc}")
        return 1
    _reply(replies, ok=True, voices=len(voices))
    for line in sys.stdin:
        try:
            req = json.loads(line)
            if req.get("op") == "voices":
                _reply(replies, ok=True, voices=voices)
            else:
                _render(engine, state, req)
                _reply(replies, ok=True)
        except Exception as exc:
            _reply(replies, ok=False, error=f"{type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
