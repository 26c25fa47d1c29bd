"""Spoken prompts: rendered to WAV in a worker process, cached on disk, served from memory.

pyttsx3's espeak driver hangs, prints on stdout, plays through `aplay` on its own and cannot
start twice in one process, so it only ever runs inside `_tts_worker`, one request at a time,
behind a timeout; a worker that hangs or dies is killed and a fresh one started.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time
import wave
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from circlekeeper.paths import cache_dir, private_dir, private_file

log = logging.getLogger("circlekeeper.sound.speech")

SPEECH_FORMAT = 2
"""Bump when rendering or post-processing changes, so old cache entries are not reused.
2: a render may have come out at another rate than asked (see `_tts_worker`)."""
DEFAULT_RATE = 170
"""Words per minute: a little slower than espeak's 200, which is hurried for a circle."""
START_TIMEOUT = 10.0
"""Seconds for a fresh worker to say hello (espeak starts in well under a second)."""
START_BACKOFF_S = (1.0, 5.0)
"""Seconds to wait before a second and a third attempt to start the worker; after the third
failure speech is given up for the session (no endless respawning)."""
FAILED_RENDERS_MAX = 4
"""Renders in a row whose worker hung or died before speech is given up for the session."""
TARGET_RMS_DB = -20.0
PEAK_LIMIT = 0.9

WORKER_COMMAND: list[str] = [sys.executable, "-m", "circlekeeper.sound._tts_worker"]


class SpeechError(Exception):
    """A prompt could not be rendered (after a retry)."""


class SpeechUnavailable(SpeechError):
    """The speech engine cannot start here (no libespeak, no pyttsx3)."""


class WorkerError(Exception):
    """The worker timed out, died, or answered nonsense; it has been killed."""


def render_timeout(text: str) -> float:
    """Seconds to allow for one render: generous, and longer for longer texts."""
    # Renders take ~10 ms per sentence here; the bound only has to catch a hang.
    return 5.0 + len(text) / 200.0


class SpeechWorker:
    """One child process that renders speech, one request at a time."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = list(command or WORKER_COMMAND)
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr_tail: deque[str] = deque(maxlen=20)
        self.spawned = 0
        self.hello: dict[str, Any] = {}
        self.speaks: tuple[str | None, int] | None = None
        """The voice and rate this worker was set to by its first render (None before)."""
        self._buf = b""

    def start(self, timeout: float = START_TIMEOUT) -> dict[str, Any]:
        """Spawn the worker and wait for its greeting. Raises WorkerError or SpeechUnavailable."""
        self.kill()
        self.proc = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
            start_new_session=True,  # a Ctrl+C in the terminal must not reach the worker
        )
        self.spawned += 1
        self._buf = b""
        threading.Thread(
            target=self._drain, args=(self.proc,), name="speech-stderr", daemon=True
        ).start()
        hello = self._read(timeout)
        if not hello.get("ok"):
            self.kill()
            raise SpeechUnavailable(str(hello.get("error") or "speech engine did not start"))
        self.hello = hello
        return hello

    def alive(self) -> bool:
        """Whether a worker process is running."""
        return self.proc is not None and self.proc.poll() is None

    def request(self, req: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait for its reply; on any fault kill the worker and raise."""
        if not self.alive():
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(dict(req)) + "\n").encode())
            self.proc.stdin.flush()
        except OSError as exc:
            self.kill()
            raise WorkerError(f"speech worker gone: {exc}") from exc
        return self._read(timeout)

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" not in self._buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.kill()
                    raise WorkerError(f"speech worker did not answer within {timeout:.1f}s")
                ready, _, _ = select.select([fd], [], [], left)
                if not ready:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    code = self.proc.poll() if self.proc else None
                    self.kill()
                    raise WorkerError(f"speech worker exited (status {code})")
                self._buf += chunk
            raw, self._buf = self._buf.split(b"\n", 1)
            try:
                reply = json.loads(raw)
            except ValueError:
                reply = None
            if isinstance(reply, dict):
                return reply
            # Driver chatter that slipped onto the reply channel: log it, keep reading.
            line = raw.decode("utf-8", "replace").rstrip()
            self.stderr_tail.append(line)
            log.debug("speech worker (stdout): %s", line)

    def _drain(self, proc: subprocess.Popen[bytes]) -> None:
        """Keep the worker's stderr (and the driver's prints) out of the terminal, in the log."""
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self.stderr_tail.append(line)
                log.debug("speech worker: %s", line)

    def kill(self) -> None:
        """Stop the worker at once (it may be hung inside the driver)."""
        proc, self.proc = self.proc, None
        self.speaks = None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2.0)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


@dataclass(frozen=True)
class VoiceSetting:
    """How one language is spoken."""

    voice: str | None = None
    rate: int = DEFAULT_RATE
    volume: float = 1.0


def _field(spec: Any, name: str) -> Any:
    if spec is None:
        return None
    if isinstance(spec, Mapping):
        return spec.get(name)
    return getattr(spec, name, None)


def voice_settings(voices: Mapping[str, Any] | None) -> dict[str, VoiceSetting]:
    """A practice's `voices:` table (models or plain dicts) as VoiceSettings by language."""
    out: dict[str, VoiceSetting] = {}
    for lang, spec in (voices or {}).items():
        rate = _field(spec, "rate")
        volume = _field(spec, "volume")
        out[str(lang).lower()] = VoiceSetting(
            voice=_field(spec, "voice") or None,
            rate=int(rate) if rate else DEFAULT_RATE,
            volume=float(volume) if volume is not None else 1.0,
        )
    return out


def pick_voice(
    voices: list[dict[str, Any]], lang: str, wanted: str | None = None
) -> tuple[str | None, str | None]:
    """The espeak voice id for `lang` (or `wanted` when it exists) and a warning, if any.

    Never raises: an unknown voice falls back to the language's default voice, an unknown
    language to the engine's default (None).
    """
    warning = None
    if wanted:
        for v in voices:
            if wanted in (v["id"], v["name"]) or wanted.lower() == v["name"].lower():
                return v["id"], None
        warning = f"voice {wanted!r} not found; using the default voice for {lang!r}"
    code = lang.lower()
    base = code.split("-")[0]

    def langs(v: dict[str, Any]) -> list[str]:
        return [str(x).lower() for x in v.get("languages", [])]

    rules: list[Callable[[dict[str, Any]], bool]] = [
        lambda v: v["id"].lower().rsplit("/", 1)[-1] == code,
        lambda v: code in langs(v),
        lambda v: any(x.startswith(code + "-") for x in langs(v)),
        lambda v: v["id"].lower().rsplit("/", 1)[-1] == base,
        lambda v: base in langs(v) or any(x.startswith(base + "-") for x in langs(v)),
    ]
    for rule in rules:
        for v in voices:
            if rule(v):
                return v["id"], warning
    return None, f"no speech voice for language {lang!r}; using the default voice"


def engine_version() -> str:
    """Identifies the renderer, so a new engine never reuses old renders."""
    from importlib import metadata

    try:
        return f"pyttsx3-{metadata.version('pyttsx3')}/f{SPEECH_FORMAT}"
    except metadata.PackageNotFoundError:
        return f"pyttsx3-none/f{SPEECH_FORMAT}"


def cache_key(text: str, voice_or_lang: str, rate: int, engine: str) -> str:
    """The cache file's name: a hash of everything that changes the rendered audio."""
    blob = json.dumps([text, voice_or_lang, rate, engine], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def wav_problem(path: Path, text: str, rate: int) -> str | None:
    """Why a rendered WAV is not plausible speech for `text` (None when it is fine)."""
    try:
        if path.stat().st_size <= 44:
            return "empty file"
        with wave.open(str(path), "rb") as w:
            frames, sr, width = w.getnframes(), w.getframerate(), w.getsampwidth()
            raw = w.readframes(frames)
    except (OSError, EOFError, wave.Error) as exc:
        return f"unreadable WAV ({exc})"
    if frames == 0 or sr <= 0:
        return "no samples"
    seconds = frames / sr
    words = max(1, len(text.split()))
    expected = words * 60.0 / max(rate, 1)
    if seconds < max(0.1, 0.25 * expected) or seconds > 4 * expected + 3.0:
        return f"{seconds:.2f}s of audio for {words} words"
    if width == 2:
        peak = int(np.max(np.abs(np.frombuffer(raw, dtype="<i2").astype(np.int32))))
        if peak < 300:  # ~-40 dBFS: silence with some dither is not speech
            return "silent"
    return None


def normalise(x: np.ndarray, rate: int) -> np.ndarray:
    """Speech at a steady loudness next to the bells, with soft edges and a silent tail.

    Works in float32 on one copy: a long reading at 48 kHz is megabytes, and the app keeps
    its peak memory low.
    """
    y = np.asarray(x, dtype=np.float32)
    # Drop leading silence (keeping 5 ms), so a prompt starts the moment it is asked for.
    audible = np.flatnonzero(np.abs(y) > 0.003)
    start = max(0, int(audible[0]) - int(0.005 * rate)) if audible.size else 0
    del audible
    tail = int(0.15 * rate)
    # One buffer for the result, with a little silence after the last word, so an underrun
    # cannot cut it short.
    out = np.zeros(len(y) - start + tail, dtype=np.float32)
    body = out[: len(y) - start]
    body[:] = y[start:]
    magnitude = np.abs(body)
    loud = magnitude > 0.01
    if loud.any():
        rms = float(np.sqrt(np.mean(np.square(body[loud], dtype=np.float64))))
        peak = float(np.max(magnitude))
        gain = min(10 ** (TARGET_RMS_DB / 20) / max(rms, 1e-9), PEAK_LIMIT / max(peak, 1e-9))
        body *= np.float32(gain)
    del magnitude, loud
    n = min(len(body) // 2, int(0.01 * rate))
    if n > 1:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        body[:n] *= ramp
        body[-n:] *= ramp[::-1]
    out.setflags(write=False)
    return out


def release_memory() -> None:
    """Hand freed memory back to the system (glibc keeps what big numpy temporaries freed,
    and a session's peak memory would stay its resident size for good). Never raises."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to trim


class SpeechRenderer:
    """Renders text to a cached WAV file, synchronously (run it off the UI thread)."""

    def __init__(
        self,
        voices: Mapping[str, Any] | None = None,
        language: str = "en",
        *,
        command: list[str] | None = None,
        cache: Path | None = None,
    ) -> None:
        self.settings = voice_settings(voices)
        self.language = language
        self.worker = SpeechWorker(command)
        self.cache = cache or cache_dir() / "speech"
        self.engine = engine_version()
        self.voices: list[dict[str, Any]] | None = None
        self.warnings: list[str] = []
        self.unavailable: str | None = None
        self._chosen: dict[tuple[str, str | None], str | None] = {}
        self._start_failures = 0
        self._retry_at = 0.0
        self._worker_failures = 0

    def setting(self, lang: str) -> VoiceSetting:
        """The voice, rate and volume for a language (defaults where the practice is silent)."""
        lang = (lang or self.language).lower()
        return self.settings.get(lang) or self.settings.get(lang.split("-")[0]) or VoiceSetting()

    def path_for(
        self, text: str, lang: str, voice: str | None = None, rate: int | None = None
    ) -> Path:
        """Where the render of `text` is (or will be) cached."""
        s = self.setting(lang)
        key = cache_key(text, voice or s.voice or lang.lower(), rate or s.rate, self.engine)
        return self.cache / f"{key}.wav"

    def _start(self) -> None:
        if self.unavailable:
            raise SpeechUnavailable(self.unavailable)
        if self.worker.alive():
            return
        wait = self._retry_at - time.monotonic()
        if wait > 0:
            # Renders run on the speech thread, never the caller's: waiting here holds back
            # only the renders behind it, which could not succeed before the retry anyway.
            time.sleep(wait)
        try:
            self.worker.start()
            if self.voices is None:
                reply = self.worker.request({"op": "voices"}, timeout=START_TIMEOUT)
                self.voices = list(reply.get("voices") or [])
        except SpeechUnavailable as exc:
            self.unavailable = str(exc)
            raise
        except (WorkerError, OSError) as exc:
            self.worker.kill()
            self._start_failures += 1
            if self._start_failures > len(START_BACKOFF_S):
                self.unavailable = (
                    f"the speech worker failed to start {self._start_failures} times: {exc}"
                )
                log.warning("speech given up: %s", self.unavailable)
                raise SpeechUnavailable(self.unavailable) from exc
            # Back off before the next try, so a broken engine is not respawned on every prompt.
            self._retry_at = time.monotonic() + START_BACKOFF_S[self._start_failures - 1]
            raise SpeechError(f"speech worker failed to start: {exc}") from exc
        self._start_failures = 0

    def _worker_failed(self, exc: Exception) -> None:
        """A render whose worker hung or died: after too many in a row, give speech up."""
        self._worker_failures += 1
        if self._worker_failures >= FAILED_RENDERS_MAX:
            self.unavailable = f"the speech worker failed {self._worker_failures} times: {exc}"
            log.warning("speech given up: %s", self.unavailable)
            self.worker.kill()
            raise SpeechUnavailable(self.unavailable) from exc

    def voice_id(self, lang: str, wanted: str | None) -> str | None:
        """The espeak voice for a language, warning once about a voice that does not exist."""
        key = (lang.lower(), wanted)
        if key not in self._chosen:
            voice, warning = pick_voice(self.voices or [], lang, wanted)
            if warning:
                self.warnings.append(warning)
                log.warning(warning)
            self._chosen[key] = voice
        return self._chosen[key]

    def render(
        self,
        text: str,
        lang: str | None = None,
        *,
        voice: str | None = None,
        rate: int | None = None,
    ) -> Path:
        """The path of a verified WAV of `text`, rendering it if it is not cached yet."""
        lang = lang or self.language
        s = self.setting(lang)
        rate = rate or s.rate
        wanted = voice or s.voice
        path = self.path_for(text, lang, voice=voice, rate=rate)
        if path.exists() and wav_problem(path, text, rate) is None:
            return path
        private_dir(self.cache)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.wav")
        problem: str | None = "not rendered"
        for attempt in range(2):  # verify every render, retry once
            try:
                self._start()
                speaks = (self.voice_id(lang, wanted), rate)
                if self.worker.speaks not in (None, speaks):
                    # espeak does not reliably take a new voice or rate once it has spoken:
                    # each worker keeps the one it started with (see _tts_worker).
                    self.worker.kill()
                    self._start()
                req = {
                    "op": "render",
                    "text": text,
                    "out": str(tmp),
                    "voice": speaks[0],
                    "rate": rate,
                }
                try:
                    reply = self.worker.request(req, timeout=render_timeout(text))
                except WorkerError as exc:
                    self._worker_failed(exc)
                    raise
                # Noted once the worker has answered: one started by `request` itself took
                # its voice and rate from this request too.
                self.worker.speaks = speaks
                self._worker_failures = 0
                problem = (
                    wav_problem(tmp, text, rate)
                    if reply.get("ok")
                    else str(reply.get("error") or "render failed")
                )
            except SpeechUnavailable:
                raise
            except (WorkerError, SpeechError, OSError) as exc:
                problem = str(exc)
            if problem is None:
                private_file(tmp)  # the worker wrote it under its own umask
                os.replace(tmp, path)  # atomic: a reader sees the old state or the whole file
                return path
            log.warning("speech render %d failed for %r: %s", attempt + 1, text[:40], problem)
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise SpeechError(f"could not render speech: {problem}")

    def close(self) -> None:
        """Stop the worker process."""
        self.worker.kill()


_URGENT, _AHEAD = 0, 1


class Speaker:
    """Prompts ready to play: `prepare` renders in the background, `get` never blocks."""

    def __init__(self, renderer: SpeechRenderer, rate: int = 48000) -> None:
        self.renderer = renderer
        self.rate = rate
        # Keyed by rate too: a re-opened device may run at another rate than before.
        self._ready: dict[tuple[Path, int], np.ndarray] = {}
        self._queue: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.to_prepare = 0
        self.prepared = 0
        self.failed = 0
        self.error: str | None = None

    @property
    def available(self) -> bool:
        """False once the engine is known not to work here."""
        return self.renderer.unavailable is None

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
                self._thread.start()

    def prepare(self, texts: Iterable[tuple[str, str]]) -> None:
        """Render (text, language) pairs in the background, counting progress."""
        items = [(t, lang) for t, lang in texts if t and t.strip()]
        with self._lock:
            self.to_prepare += len(items)
        for text, lang in items:
            self._queue.put((_AHEAD, next(self._seq), (text, lang, None)))
        self._ensure_thread()

    def get(self, text: str, lang: str) -> np.ndarray | None:
        """The prompt's samples if they are ready, else None (never blocks)."""
        return self._ready.get((self.renderer.path_for(text, lang), self.rate))

    def request(self, text: str, lang: str, on_ready: Callable[[np.ndarray | None], None]) -> None:
        """Render ahead of everything prepared, then call `on_ready` (None on failure)."""
        self._queue.put((_URGENT, next(self._seq), (text, lang, on_ready)))
        self._ensure_thread()

    def _load(self, text: str, lang: str) -> np.ndarray:
        from circlekeeper.sound.bells import load_wav

        rate = self.rate
        hit = self._ready.get((self.renderer.path_for(text, lang), rate))
        if hit is not None:
            return hit
        path = self.renderer.render(text, lang)
        samples = normalise(load_wav(path, rate), rate)
        self._ready[(path, rate)] = samples
        return samples

    def _run(self) -> None:
        while not self._closed:
            prio, _, item = self._queue.get()
            if item is None:
                break
            text, lang, on_ready = item
            samples = None
            try:
                if self.renderer.unavailable is None:
                    samples = self._load(text, lang)
            except SpeechUnavailable as exc:
                self.error = f"speech unavailable: {exc}"
                log.warning(self.error)
            except Exception as exc:  # one bad prompt must not stop the others
                self.error = str(exc)
                log.warning("speech: %s", exc)
            if prio == _AHEAD:
                with self._lock:
                    if samples is None:
                        self.failed += 1
                    else:
                        self.prepared += 1
            if on_ready is not None:
                try:
                    on_ready(samples)
                except Exception:
                    log.exception("speech callback failed")
            if self._queue.empty():
                release_memory()

    def wait_prepared(self, timeout: float) -> bool:
        """Block until everything asked for is done (for commands and benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.prepared + self.failed >= self.to_prepare:
                    return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        """Stop the background thread and the worker process."""
        self._closed = True
        self._queue.put((-1, -1, None))
        self.renderer.close()
