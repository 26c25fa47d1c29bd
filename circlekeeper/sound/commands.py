"""The `say`, `bell` and `devices` commands: play through the device, report plainly.

Each returns an exit status: 0 when it played, 1 when there is no usable audio (one line on
stderr, no traceback), 2 for a bad argument.
"""

from __future__ import annotations

import sys
import textwrap
from typing import Any

from circlekeeper.sound.bells import BELLS
from circlekeeper.sound.player import (
    AudioSink,
    Check,
    choose_output,
    device_setting,
    import_sounddevice,
    list_outputs,
    load_sounddevice,
    portaudio_version,
    speech_probe,
)

READY_TIMEOUT = 15.0


def _err(message: str) -> None:
    print(f"circlekeeper: {message}", file=sys.stderr)


def _open(sink: AudioSink) -> bool:
    """Wait for the output; on failure say why in one line."""
    if not sink.wait_ready(READY_TIMEOUT):
        _err("the audio output did not open in time")
        return False
    status = sink.status()
    if not status.ok:
        _err(status.detail)
        return False
    if sink.device_note:
        _err(f"warning: {sink.device_note}")
    return True


def _finish(sink: AudioSink, timeout: float) -> bool:
    played = sink.wait_idle(timeout)
    sink.close()
    sink.wait_closed(3.0)
    return played


def say_command(
    text: str,
    *,
    lang: str | None = None,
    voice: str | None = None,
    rate: int | None = None,
    device: str | None = None,
) -> int:
    """Speak `text` through the output and wait until it has played."""
    lang = lang or "en"
    if not text.strip():
        _err("nothing to say")
        return 2
    voices: dict[str, Any] = {lang: {"voice": voice, "rate": rate}}
    sink = AudioSink(device, voices=voices, language=lang)
    if not _open(sink):
        sink.close()
        return 1
    sink.speak(text, lang)
    done = _finish(sink, 30.0 + len(text) / 5.0)
    speaker = sink.speaker
    for warning in speaker.renderer.warnings if speaker else []:
        _err(f"warning: {warning}")
    if speaker is None or not speaker.available:
        reason = speaker.renderer.unavailable if speaker else None
        _err(f"speech unavailable: {reason or 'the speech engine did not start'}")
        return 1
    played = sink.mixer is not None and any(tag == "speech" for tag, _ in sink.mixer.latencies)
    if not played:
        _err(f"could not speak: {speaker.error or 'speech did not render in time'}")
        return 1
    if not done:
        _err("playback did not finish in time")
        return 1
    return 0


def bell_command(name: str, *, strikes: int = 1, device: str | None = None) -> int:
    """Ring a built-in bell and wait until it has rung out."""
    if name not in BELLS:
        _err(f"unknown bell {name!r}; choose one of: {', '.join(BELLS)}")
        return 2
    sink = AudioSink(device, speech=False)
    if not _open(sink):
        sink.close()
        return 1
    sink.bell(name, strikes)
    if not _finish(sink, 30.0 + 12.0 * strikes):
        _err("playback did not finish in time")
        return 1
    return 0


def devices_command() -> int:
    """List outputs and speech voices, then the self-check verdict."""
    checks: list[Check] = []
    try:
        sd = load_sounddevice(import_sounddevice)
        checks.append(Check("PortAudio", True, portaudio_version(sd)))
    except (OSError, ImportError) as exc:
        sd = None
        checks.append(Check("PortAudio", False, f"{type(exc).__name__}: {exc}"))
    print("Audio outputs:")
    if sd is not None:
        try:
            outputs = list_outputs(sd)
        except Exception as exc:
            outputs = []
            print(f"  (cannot list: {exc})")
        for o in outputs:
            mark = "*" if o.default else " "
            print(f"  {mark} {o.name}  [{o.hostapi}, {o.channels} ch, {o.rate:.0f} Hz]")
        if not outputs:
            print("  none")
        out, note = choose_output(outputs, device_setting())
        checks.append(Check("output", out is not None, out.name if out else note))
    else:
        print("  none (PortAudio missing)")
    speech, voices = speech_probe(10.0)
    if voices:
        langs = sorted({lang for v in voices for lang in v.get("languages", [])})
        summary = f"Speech: {len(voices)} voices, {len(langs)} languages: {', '.join(langs)}"
        print(textwrap.fill(summary, width=100, subsequent_indent="  ", break_on_hyphens=False))
    else:
        print("Speech: no voices")
    checks.append(speech)
    verdict = "ok" if all(c.ok for c in checks) else "PROBLEM"
    parts = "; ".join(f"{c.name} {'ok' if c.ok else 'FAIL'} ({c.detail})" for c in checks)
    print(f"Self-check: {verdict} - {parts}")
    if verdict != "ok":
        failed = ", ".join(f"{c.name}: {c.detail}" for c in checks if not c.ok)
        _err(f"sound self-check failed ({failed}); sessions will use visual cues")
        return 1
    return 0
