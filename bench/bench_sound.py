"""Sound benchmark: cue latency of our mixer against pyttsx3's own say(), and pre-render time.

Run as `python -m bench.bench_sound` (prints the section) or through `python -m bench`.

Latency is measured on a private PulseAudio daemon with a null sink, which is paced like real
hardware. Each player runs in its own process (sounddevice and pyttsx3 both keep per-process
state); this process records the sink's monitor and timestamps the first audible sample of
every cue on the system-wide monotonic clock, which the players also use for their requests.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from circlekeeper.sound.nullsink import NullSinkUnavailable, start_null_sink

ROOT = Path(__file__).resolve().parent.parent
RATE = 48000
CUES = 30
PROMPT = "Welcome to the circle."
BELL = "clappers"  # the shortest built-in bell: cues can follow each other quickly
AUDIBLE = 0.003  # about -50 dBFS; the null sink's monitor is digital silence otherwise


# ----- a recorder on the null sink's monitor -----


class Monitor:
    """Records the null sink's monitor, timestamping each chunk as it arrives."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [
                "parec",
                "-d",
                "ck.monitor",
                "--raw",
                "--format=s16le",
                f"--rate={RATE}",
                "--channels=1",
                "--latency-msec=5",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.chunks: list[tuple[float, np.ndarray]] = []
        self.lock = threading.Lock()
        self._odd = b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 2048)
            now = time.monotonic()
            if not data:
                return
            data = self._odd + data
            cut = len(data) - len(data) % 2
            self._odd = data[cut:]
            samples = np.frombuffer(data[:cut], dtype="<i2").astype(np.float32) / 32768
            with self.lock:
                self.chunks.append((now, samples))

    def onset_after(self, t0: float, timeout: float = 10.0) -> float | None:
        """When the first audible sample captured after `t0` was played."""
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            with self.lock:
                fresh = self.chunks[seen:]
                seen = len(self.chunks)
            for arrived, samples in fresh:
                if arrived < t0:
                    continue
                loud = np.flatnonzero(np.abs(samples) > AUDIBLE)
                if loud.size:
                    # The chunk's last sample arrived now; earlier ones a little before.
                    t = arrived - (len(samples) - int(loud[0])) / RATE
                    return max(t, t0)
            time.sleep(0.001)
        return None

    def wait_silence(self, quiet: float = 0.4, timeout: float = 30.0) -> None:
        """Wait until nothing audible has arrived for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                recent = [s for t, s in self.chunks if t > time.monotonic() - quiet]
            if recent and all(np.max(np.abs(s)) <= AUDIBLE for s in recent):
                return
            time.sleep(0.02)

    def close(self) -> None:
        """Stop recording."""
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


# ----- the two players, each in its own process -----
# Protocol: the parent writes one cue kind per line ("bell", "short", "long", or "hush" to
# cut off what is playing); the child answers each cue with {"kind", "t"}, t taken on the
# monotonic clock just before the request.


def _ours(long_text: str) -> None:
    """Child: our AudioSink, with both prompts pre-rendered as a session would have them."""
    from circlekeeper.sound.player import AudioSink

    sink = AudioSink("pulse")
    sink.wait_ready(20)
    # The stream is opened at session set-up, long before the first cue; wait until the
    # device has settled (PulseAudio stalls the first ~1.5 s of a new stream).
    time.sleep(3.0)
    sink.prepare([(PROMPT, "en"), (long_text, "en")])
    while sink.status().prepared < 2:
        time.sleep(0.01)
    latency = getattr(sink.stream, "latency", None)
    print(json.dumps({"ready": sink.status().detail, "latency": latency}), flush=True)
    for line in sys.stdin:
        kind = line.strip()
        if kind == "end":
            break
        if kind == "hush":
            sink.stop_cues()
            continue
        t = time.monotonic()
        if kind == "bell":
            sink.bell(BELL)
        else:
            sink.speak(PROMPT if kind == "short" else long_text, "en")
        blocked = time.monotonic() - t
        print(json.dumps({"kind": kind, "t": t, "blocked": blocked}), flush=True)
    sink.stop_cues()
    sink.wait_idle(10)
    mixer = sink.mixer
    print(json.dumps({"latencies": list(mixer.latencies) if mixer else []}), flush=True)
    sink.close()
    sink.wait_closed(5)


def _naive(long_text: str) -> None:
    """Child: pyttsx3's own say() + runAndWait(), which plays through `aplay`."""
    import pyttsx3

    engine = pyttsx3.init("espeak")
    engine.say("ready")  # warmed up like our worker, to be fair
    engine.runAndWait()
    print(json.dumps({"ready": "pyttsx3"}), flush=True)
    for line in sys.stdin:
        kind = line.strip()
        if kind == "end":
            break
        if kind == "hush":
            continue  # runAndWait cannot be cut short: this is read once it has returned
        t = time.monotonic()
        print(json.dumps({"kind": kind, "t": t}), flush=True)
        engine.say(PROMPT if kind == "short" else long_text)
        engine.runAndWait()
        print(json.dumps({"kind": kind, "blocked": time.monotonic() - t}), flush=True)
    print(json.dumps({"latencies": []}), flush=True)


def _readline(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any] | None:
    """One JSON line from the child, skipping anything else it prints."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:
            return None
        with contextlib.suppress(ValueError):
            value = json.loads(line)
            if isinstance(value, dict):
                return value
    return None


def drive(
    mode: str, plan: list[str], long_text: str, env: dict[str, str], monitor: Monitor
) -> dict[str, Any]:
    """Run a player child through `plan` and time each cue at the device."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_sound", mode, long_text],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    at_device: dict[str, list[float]] = {}
    handed: dict[str, list[float]] = {}
    blocked: dict[str, list[float]] = {}
    kinds: list[str] = []
    note = ""
    latency = None

    def send(line: str) -> None:
        assert proc.stdin is not None
        proc.stdin.write(line + "\n")
        proc.stdin.flush()

    try:
        hello = _readline(proc, 60)
        if hello is None:
            return {"error": f"{mode} player did not start"}
        note = str(hello.get("ready", ""))
        latency = hello.get("latency")

        def next_message(timeout: float) -> dict[str, Any] | None:
            # Record how long each request held up its caller, whenever that is reported.
            while True:
                msg = _readline(proc, timeout)
                if msg is not None and "blocked" in msg:
                    blocked.setdefault(str(msg["kind"]), []).append(float(msg["blocked"]))
                if msg is None or "t" in msg or "latencies" in msg:
                    return msg

        for kind in plan:
            monitor.wait_silence()
            send(kind)
            msg = next_message(120)
            if msg is None or "t" not in msg:
                break
            kinds.append(kind)
            onset = monitor.onset_after(float(msg["t"]))
            if onset is not None:
                at_device.setdefault(kind, []).append(onset - float(msg["t"]))
            send("hush")
        send("end")
        final = next_message(300) or {}
        # The mixer's probes come back in cue order.
        for kind, (_, seconds) in zip(kinds, final.get("latencies", []), strict=False):
            handed.setdefault(kind, []).append(float(seconds))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    return {
        "at_device": at_device,
        "handed": handed,
        "blocked": blocked,
        "note": note,
        "latency": latency,
    }


# ----- pre-rendering a practice -----


def longest_practice() -> tuple[Path, Any, list[tuple[str, str]]] | None:
    """The built-in practice with the most spoken text, and its (text, language) prompts."""
    from circlekeeper.script.loader import load_practice
    from circlekeeper.script.texts import spoken_texts

    best: tuple[int, Path, Any, list[tuple[str, str]]] | None = None
    for path in sorted((ROOT / "practices").glob("*.yaml")):
        practice = load_practice(path)
        texts = spoken_texts(practice, practice.language)
        size = sum(len(t) for t, _ in texts)
        if best is None or size > best[0]:
            best = (size, path, practice, texts)
    return None if best is None else best[1:]


def prerender(found: tuple[Path, Any, list[tuple[str, str]]] | None) -> dict[str, Any]:
    """Cold and warm time to prepare every prompt of a practice."""
    from circlekeeper.sound.speech import Speaker, SpeechRenderer

    if found is None:
        return {"error": "no practices found"}
    path, practice, texts = found
    with tempfile.TemporaryDirectory(prefix="ck-bench-speech-") as cache:
        timings = []
        for _ in range(2):  # cold (empty cache, fresh worker), then warm (from the disk cache)
            renderer = SpeechRenderer(practice.voices, practice.language, cache=Path(cache))
            speaker = Speaker(renderer)
            t = time.perf_counter()
            speaker.prepare(texts)
            done = speaker.wait_prepared(300)
            timings.append(time.perf_counter() - t)
            failed = speaker.failed
            speaker.close()
            if not done or failed:
                return {"error": f"{failed} of {len(texts)} prompts failed to render"}
    return {
        "name": path.name,
        "prompts": len(texts),
        "words": sum(len(t.split()) for t, _ in texts),
        "cold": timings[0],
        "warm": timings[1],
    }


# ----- the report -----

LONG_CUES = 5
"""pyttsx3's say() cannot be cut short, so each long cue costs its whole length."""


def _ms(values: list[float]) -> tuple[str, str]:
    if not values:
        return "-", "-"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def fmt(seconds: float) -> str:
        ms = seconds * 1000
        return f"{ms:.3f}" if ms < 1 else f"{ms:.1f}"

    return fmt(statistics.median(values)), fmt(p95)


def run() -> str:
    """Measure everything and return the markdown section."""
    lines = ["## Sound", ""]
    found = longest_practice()
    long_text = max((t for t, _ in found[2]), key=len) if found else PROMPT
    with tempfile.TemporaryDirectory(prefix="ck-bench-pulse-") as tmp:
        try:
            daemon = start_null_sink(Path(tmp))
        except NullSinkUnavailable as error:
            lines += [f"Cue latency: not measured ({error}).", ""]
        else:
            env = daemon.env
            monitor = Monitor(env)
            try:
                time.sleep(0.5)
                plan = ["bell"] * CUES + ["short"] * CUES + ["long"] * CUES
                ours = drive("--ours", plan, long_text, env, monitor)
                naive: dict[str, Any] = (
                    drive(
                        "--naive", ["short"] * CUES + ["long"] * LONG_CUES, long_text, env, monitor
                    )
                    if shutil.which("aplay")
                    else {"error": "aplay is not installed, so pyttsx3's say() cannot play"}
                )
            finally:
                monitor.close()
                daemon.stop()
            lines += _latency_section(ours, naive, long_text)
    lines += _prerender_section(prerender(found))
    return "\n".join(lines)


LABELS = {"bell": f"bell `{BELL}`", "short": "short prompt", "long": "long prompt"}


def _latency_section(ours: dict[str, Any], naive: dict[str, Any], long_text: str) -> list[str]:
    out = [
        "### Cue latency",
        "",
        "Method: a private PulseAudio daemon with a null sink (paced like a sound card). Each "
        "player runs in its own process and takes a monotonic timestamp just before its "
        "request; this process records the sink's monitor (`parec`, 5 ms fragments) and "
        "timestamps the first audible sample (above -50 dBFS) after each request. Every cue "
        "starts from silence. These are cues asked for with no schedule (like a bell rung by "
        "hand): they go out as soon as the stream allows. *Heard, mixer's clock* is the "
        "mixer's own probe: request to when, by the stream's timing, the cue's first audible "
        "sample reaches the device. *At the device* is what the monitor recorded; "
        "it is the like-for-like comparison with pyttsx3's `say()` + `runAndWait()` (espeak "
        "driver: synthesise the whole text, write a WAV, run `aplay`). "
        f'Short prompt: "{PROMPT}" ({len(PROMPT.split())} words); long prompt: the longest '
        f"prompt of the longest built-in practice ({len(long_text.split())} words). Our "
        "prompts are pre-rendered, as `prepare` does when a session is set up.",
        "",
        "| cue | player | measured to | median ms | p95 ms | n |",
        "|---|---|---|---|---|---|",
    ]
    if "error" in ours:
        out.append(f"| - | circlekeeper | - | - | - | {ours['error']} |")
    else:
        for kind in ("bell", "short", "long"):
            for label, key in (("heard, mixer's clock", "handed"), ("at the device", "at_device")):
                values = ours[key].get(kind, [])
                med, p95 = _ms(values)
                out.append(
                    f"| {LABELS[kind]} | circlekeeper | {label} | {med} | {p95} | {len(values)} |"
                )
    if "error" in naive:
        out.append(f"| prompts | pyttsx3 say() | - | - | - | {naive['error']} |")
    else:
        for kind in ("short", "long"):
            values = naive["at_device"].get(kind, [])
            med, p95 = _ms(values)
            out.append(
                f"| {LABELS[kind]} | pyttsx3 say() | at the device | {med} | {p95} | "
                f"{len(values)} |"
            )
    out += [
        "",
        "How long the request holds up its caller (a TUI's event loop, if called from it):",
        "",
        "| cue | player | median ms | p95 ms | n |",
        "|---|---|---|---|---|",
    ]
    for player, result, kinds in (
        ("circlekeeper", ours, ("bell", "short", "long")),
        ("pyttsx3 say() + runAndWait()", naive, ("short", "long")),
    ):
        if "error" in result:
            continue
        for kind in kinds:
            values = result["blocked"].get(kind, [])
            med, p95 = _ms(values)
            out.append(f"| {LABELS[kind]} | {player} | {med} | {p95} | {len(values)} |")
    out.append("")
    handed = ours.get("handed", {}) if "error" not in ours else {}
    medians = [statistics.median(v) * 1000 for v in handed.values() if v]
    if medians:
        verdict = "met" if max(medians) < 30 else "NOT met"
        out.append(
            f"- Target under 30 ms median, request to device: {verdict} "
            f"(worst median {max(medians):.1f} ms by the mixer's clock)."
        )
    for kind in ("short", "long"):
        mine = ours.get("at_device", {}).get(kind, []) if "error" not in ours else []
        theirs = naive.get("at_device", {}).get(kind, []) if "error" not in naive else []
        if mine and theirs:
            ratio = statistics.median(theirs) / statistics.median(mine)
            verdict = "met" if ratio >= 10 else "NOT met"
            out.append(
                f"- {LABELS[kind].capitalize()}, at the device: pyttsx3 median / ours = "
                f"{ratio:.1f}x (target 10x: {verdict})."
            )
    buffer = ours.get("latency") if "error" not in ours else None
    buffer_note = f" (PortAudio reports {buffer * 1000:.0f} ms here)" if buffer else ""
    out += [
        "- Our figure is the stream's delay: PortAudio's output buffer (its `high` latency "
        f"setting, kept for fewer underruns){buffer_note}, and one 2048-frame block of "
        "look-ahead for the limiter, when the stream is running; a stream asleep (it is "
        "stopped after a second of silence, to save CPU) plays its first block at once. "
        "`aplay` opens a fresh, empty stream per utterance. Scheduled cues (everything an "
        "engine event asks for) instead sound one constant delay after they fall due: see "
        "*A running sit with sound on*. "
        "pyttsx3's delay grows with the text, because espeak synthesises all of it before "
        "`aplay` starts; ours does not.",
        "- A new PulseAudio stream does not run steadily for its first ~1.5 s. The sink opens "
        "its stream when a session is set up, so cues do not pay that; the one-shot `bell` and "
        "`say` commands do.",
        "",
    ]
    return out


def _prerender_section(result: dict[str, Any]) -> list[str]:
    out = ["### Pre-rendering a practice's prompts", ""]
    if "error" in result:
        return [*out, f"Not measured: {result['error']}.", ""]
    out += [
        f"The built-in practice with the most spoken text, `{result['name']}`: "
        f"{result['prompts']} prompts, {result['words']} words. Cold: empty cache, including "
        "starting the speech worker and its warm-up; warm: every prompt from the disk cache.",
        "",
        "| practice | prompts | cold s | warm s |",
        "|---|---|---|---|",
        f"| {result['name']} | {result['prompts']} | {result['cold']:.2f} | {result['warm']:.2f} |",
        "",
    ]
    return out


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--ours":
        _ours(sys.argv[2])
    elif len(sys.argv) > 2 and sys.argv[1] == "--naive":
        _naive(sys.argv[2])
    else:
        print(run())
