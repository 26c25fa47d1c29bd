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

A worker speaks with one voice at one rate, set by its first render request before anything
is synthesised. espeak takes a voice or rate changed after that only some of the time: under
load, one render in five came out at the old rate or empty. A request for another voice or
rate is refused; the parent starts a new worker for it.
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


def _configure(engine: Any, state: dict[str, Any], req: dict[str, Any]) -> None:
    """Set the voice and rate for this worker's life, then warm the engine up with them."""
    voice, rate = req.get("voice"), req.get("rate")
    if voice:
        engine.setProperty("voice", voice)
    if rate:
        engine.setProperty("rate", int(rate))
    state["voice"], state["rate"] = voice, rate
    # A name nobody could have laid a link at beforehand, made ours alone (mkstemp).
    handle, warm = tempfile.mkstemp(prefix="circlekeeper-warmup-", suffix=".wav")
    os.close(handle)
    try:
        # A property change is always followed by a queued save, never by an empty runAndWait.
        engine.save_to_file("ready", warm)
        engine.runAndWait()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(warm)


def _render(engine: Any, state: dict[str, Any], req: dict[str, Any]) -> None:
    if "voice" not in state:
        _configure(engine, state, req)
    elif (req.get("voice"), req.get("rate")) != (state["voice"], state["rate"]):
        raise ValueError(
            f"this worker speaks with voice {state['voice']} at rate {state['rate']}; "
            f"start another for voice {req.get('voice')} at rate {req.get('rate')}"
        )
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
        state: dict[str, Any] = {}
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
