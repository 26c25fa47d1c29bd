"""Playback: one output stream that mixes every cue, owned by one daemon thread.

PortAudio is not thread-safe, `sd.play` cuts off whatever was playing, and a device that
vanishes can hang `stop()` forever. So a single `sound` thread imports sounddevice, opens one
callback stream and makes every blocking PortAudio call; the callback mixes the active sounds
(a bell rings over speech) and never blocks. The caller's thread only puts requests on a queue
and reads plain attributes: nothing here can block it or raise into it. A watchdog turns a
PortAudio call that does not return into a degraded status, and the circle goes on visually.

This module imports neither numpy nor sounddevice at import time: `make_sink` is called on the
UI thread and must stay cheap; the heavy imports happen on the sound thread.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import queue
import sys
import threading
import time
import tomllib
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from circlekeeper.i18n import msg
from circlekeeper.sound.api import NullSink, SoundSink, SoundStatus

if TYPE_CHECKING:
    import numpy as np

    from circlekeeper.sound.mixer import Mixer, Voice
    from circlekeeper.sound.speech import Speaker

log = logging.getLogger("circlekeeper.sound.player")

RATE = 48000
"""The mixing rate when the device has no usable rate of its own."""
RATES = (44100, 48000)
"""Device rates the mixer runs at as they are (no resampling anywhere on the way)."""
BLOCK = 4096
"""Frames per callback (about 93 ms at 44.1 kHz). Cues are placed at their own sample whatever
the block, so a bigger block costs no timing, only a longer constant delay (cues sound about
0.45 s after they are due, against 0.27 s at 2048 frames; a hush still fades from the next
block heard). Every block costs PortAudio, PulseAudio and the interpreter a fixed amount of
CPU (measured: a running stream takes 1.4% of a core at 1024 frames, 0.76% at 2048, 0.39% at
4096; a sit with a chime every 20 s used 0.28% of a core beside the main thread at 4096
frames, against 0.47% at 2048, side by side)."""
LATENCY = "high"
"""PortAudio's generous latency setting: fewer underruns on a busy laptop."""
WATCHDOG = {"init": 12.0, "open": 6.0, "start": 3.0, "stop": 2.0, "close": 2.0, "query": 3.0}
"""Seconds a blocking PortAudio call may take before the device counts as hung."""
RESCUE_ON = ("open", "start", "stop", "query")
"""Calls whose hang is rescued: the stuck sound thread is left behind with its stream, and a
fresh one opens a new stream (a killed PulseAudio leaves `start()` blocked for good, while a
new stream opens as soon as the server is back)."""
MAX_RESCUES = 3
"""Each rescue leaves a thread stuck in PortAudio for good: after this many, sound stays off."""
STALL_S = 5.0
"""A running stream whose callback has not run for this long has stalled (PulseAudio alone
pauses a new stream for up to ~2 s, so this is well above that)."""
RETRY_S = 5.0
"""Seconds between attempts to re-open a lost output."""
RETRY_ABSENT_S = 30.0
"""Seconds between looks for an output when there was none (a speaker plugged in later)."""
PROBE_TIMEOUT = 10.0
SPEECH_LATE_S = 10.0
"""A prompt that is not rendered within this long after its cue is skipped, not played late."""
STEADY_S = 1.5
"""A new stream counts as running steadily once its callback has run this long (PulseAudio
holds a new stream back for up to ~1.5 s before it flows)."""
IDLE_S = 1.0
"""Silence after which the stream is stopped: a running stream costs CPU on every block, a
stopped one nothing (0.02% of a core measured). Started again, its first block is heard at
once (measured: 1-3 ms through PulseAudio), so the first cue after an idle spell is on time."""
SPEECH_GAP_S = 0.25
"""Pause between two spoken texts."""
SCHEDULE_MARGIN_S = 0.08
"""Added to the stream's own delay to make the constant schedule delay: room for a late
tick and for the queue between the caller and the callback."""


def import_sounddevice() -> Any:
    """Import sounddevice (separate so tests can make PortAudio missing or fake)."""
    quiet_alsa()
    import sounddevice

    return sounddevice


_real_import = import_sounddevice


def load_sounddevice(importer: Any = None) -> Any:
    """sounddevice, started safely: raises OSError with a one-line reason if it cannot be.

    The real import is probed in a throw-away process first (see `probe_portaudio`).
    """
    importer = importer or import_sounddevice
    if importer is _real_import and "sounddevice" not in sys.modules:
        problem = probe_portaudio()
        if problem:
            raise OSError(problem)
    return importer()


class _Abandoned(BaseException):
    """Raised in a sound thread that was left behind, when its hung call comes back: it must
    end without touching what the thread in its place owns (not an Exception, so no
    `except Exception` on the way can hold it up)."""


_alsa_handler: Any = None


def quiet_alsa() -> None:
    """Send ALSA's error chatter to our log instead of the terminal the TUI is drawing.

    PortAudio probes every ALSA device when it starts, and ALSA prints what fails
    ("unable to open slave", "Unknown PCM") straight to stderr from C.
    """
    global _alsa_handler
    if _alsa_handler is not None:
        return
    import ctypes

    try:
        lib = ctypes.cdll.LoadLibrary("libasound.so.2")
    except OSError:
        return  # no ALSA (another platform): nothing to quiet
    # void handler(const char *file, int line, const char *func, int err, const char *fmt, ...)
    # The variadic tail is ignored, which is safe on the Linux calling conventions.
    proto = ctypes.CFUNCTYPE(
        None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
    )

    def handler(file: bytes, line: int, func: bytes, err: int, fmt: bytes) -> None:
        log.debug("ALSA: %s (%s:%d, error %d)", fmt, file, line, err)

    _alsa_handler = proto(handler)  # kept referenced: ALSA holds the pointer
    with contextlib.suppress(Exception):
        lib.snd_lib_error_set_handler(_alsa_handler)


def probe_portaudio(timeout: float = PROBE_TIMEOUT) -> str | None:
    """Start PortAudio once in a throw-away process; what went wrong, or None.

    A bad ALSA configuration (ALSA_CONFIG_PATH naming a missing or empty file) makes
    `import sounddevice` abort the whole process with SIGABRT, which no `except` can catch;
    better the probe dies than the session.
    """
    import signal
    import subprocess
    import sys

    code = "import sounddevice as sd; sd.query_devices()"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return f"PortAudio did not start within {timeout:.0f}s"
    except OSError as exc:
        return f"cannot check PortAudio: {exc}"
    if proc.returncode == 0:
        return None
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = str(-proc.returncode)
        return f"PortAudio crashed while starting ({name}); check ALSA_CONFIG_PATH"
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else f"exit status {proc.returncode}"
    if "PortAudio library not found" in last or last.startswith("OSError"):
        return f"PortAudio missing ({last.split(': ', 1)[-1]})"
    return f"PortAudio failed to start: {last}"


def portaudio_version(sd: Any) -> str:
    """PortAudio's version, short: "V19.6.0-devel"."""
    try:
        text = str(sd.get_portaudio_version()[1])
    except Exception as exc:
        return f"unknown ({exc})"
    return text.removeprefix("PortAudio ").split(",")[0]


class Output(NamedTuple):
    """An audio output PortAudio can see."""

    number: int
    """PortAudio's device number (valid until PortAudio restarts)."""
    name: str
    hostapi: str
    channels: int
    rate: float
    default: bool


def list_outputs(sd: Any) -> list[Output]:
    """The output devices, with the default marked."""
    try:
        default_out = sd.default.device[1]
    except Exception:
        default_out = -1
    if default_out is None or default_out < 0:
        with contextlib.suppress(Exception):
            default_out = int(sd.query_hostapis(0)["default_output_device"])
    outs = []
    for d in sd.query_devices():
        if int(d["max_output_channels"]) <= 0:
            continue
        try:
            api = str(sd.query_hostapis(d["hostapi"])["name"])
        except Exception:
            api = "?"
        outs.append(
            Output(
                number=int(d["index"]),
                name=str(d["name"]),
                hostapi=api,
                channels=int(d["max_output_channels"]),
                rate=float(d["default_samplerate"]),
                default=int(d["index"]) == default_out,
            )
        )
    return outs


def choose_output(outputs: list[Output], name: str | None) -> tuple[Output | None, str]:
    """The output to use: by name (case-insensitive substring), else the default; and a note
    (a `Msg`: English as logged, in the interface's language on screen)."""
    missing = False
    if name:
        wanted = name.casefold()
        exact = [o for o in outputs if o.name.casefold() == wanted]
        matches = exact or [o for o in outputs if wanted in o.name.casefold()]
        if matches:
            return matches[0], ""
        missing = True
    for o in outputs:
        if o.default:
            if missing:
                return o, msg("no output named '{name}'; using the default", name=name)
            return o, ""
    if outputs:
        if missing:
            return outputs[0], msg("no output named '{name}'; using the first output", name=name)
        return outputs[0], ""
    if missing:
        return None, msg("no output named '{name}'; none found", name=name)
    return None, msg("none found")


def device_setting() -> str | None:
    """The audio device named in the user's settings file, if any (never raises)."""
    from circlekeeper.paths import config_dir

    try:
        data = tomllib.loads((config_dir() / "settings.toml").read_text(encoding="utf-8"))
        value = data.get("sound", {}).get("device")
        return str(value) if value else None
    except (OSError, ValueError, AttributeError):
        return None


@dataclass
class _SoundDef:
    builtin: str | None
    file: Path | None
    volume: float


@dataclass
class _Speech:
    """A text waiting for its turn to be spoken."""

    text: str
    lang: str
    when: float
    """Monotonic time it was due to be heard (the cue's due time plus the schedule delay)."""
    t_request: float
    asap: bool = False
    """No schedule to keep: as soon as the words before it allow."""
    samples: np.ndarray | None = None
    failed: bool = False


@dataclass
class _Struck:
    """A bell placed in the mix: when its first and last strikes sound, and its settle time."""

    first: float
    last: float
    settle: float
    voice: Voice
    """The last strike: words after the bell start `settle` seconds after it, in samples."""


class AudioSink:
    """The real SoundSink: bells and speech mixed into one output stream.

    Every cue is placed at its due time plus one constant delay (`schedule_delay`: the
    stream's own delay and a margin), so the circle hears each one exactly that long after
    the engine said so. Speech is a queue on the sound thread: one voice at a time, never on
    top of a bell's strike, dropped or faded when its step ends (`hush`).
    """

    def __init__(
        self,
        device: str | None = None,
        *,
        voices: Mapping[str, Any] | None = None,
        language: str = "en",
        speech: bool = True,
        speech_command: list[str] | None = None,
        importer: Any = None,
    ) -> None:
        self.device_name = device
        self.voices = dict(voices or {})
        self.language = language
        self._speech_enabled = speech
        self._speech_command = speech_command
        self._import_sd = importer or import_sounddevice
        self._q: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._muted = False
        self._volume = 1.0
        self._closed = False
        self._ready = threading.Event()
        self._finished = threading.Event()
        self._outstanding = 0  # requests queued or waiting for speech, for wait_idle
        self._count_lock = threading.Lock()
        # What the sound thread is doing inside PortAudio, and since when (the watchdog).
        self._busy: tuple[str, float] | None = None
        self._detail: str = msg("starting sound")
        self._ok = False
        self._speech_detail = ""
        self.output: Output | None = None
        self.device_note = ""
        """Why the output is not the one asked for by name, if it is not."""
        self.warning = ""
        """A line for a banner when sound works, but not as asked (another output)."""
        self.rate = RATE
        self.block = BLOCK
        self.schedule_delay = 0.0
        """Seconds from a cue's due time to when it is heard: the same for every cue."""
        self.sd: Any = None
        self.stream: Any = None
        self.mixer: Mixer | None = None
        self.speaker: Speaker | None = None
        self.running = False
        """Whether the stream is started (it is stopped while nothing plays)."""
        self.starts = 0
        self._opened_at = 0.0
        self._steady = False
        self._first_batch: int | None = None
        """How many texts the first `prepare` asked for: the opening words."""
        self._sounds: dict[str, _SoundDef] = {}
        self._loaded: dict[str, np.ndarray] = {}
        self._speech_q: deque[_Speech] = deque()
        self._speech_free = 0.0
        """Monotonic time from which the next text may be heard."""
        self._struck: list[_Struck] = []
        self._last_speech: Voice | None = None
        self._quiet_since = 0.0
        self._lost_at = 0.0
        self._last_try = 0.0
        self._last_cue = 0.0
        self._underflows_logged = 0
        self.rescues = 0
        """Sound threads left behind, hung in PortAudio, each replaced by a fresh one."""
        self._rescue_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="sound", daemon=True)
        self._thread.start()

    # ----- the SoundSink protocol: the caller's side, never blocks, never raises -----

    def bell(
        self, sound: str, strikes: int = 1, volume: float = 1.0, at: float | None = None
    ) -> None:
        """Ring a named sound: due at monotonic time `at`; when None, as soon as it can
        (a bell rung by hand)."""
        self._put("bell", sound, strikes, volume, at, time.monotonic())

    def speak(self, text: str, language: str = "en", at: float | None = None) -> None:
        """Speak `text` once the words before it are done, due at `at`; when None, as soon
        as it can."""
        self._put("speak", text, language, at, time.monotonic())

    def hush(self) -> None:
        """The step ended: fade out its words and drop those not yet spoken; bells ring on."""
        self._put("hush")

    def prepare(self, texts: Iterable[tuple[str, str]]) -> None:
        """Render (text, language) pairs in the background; the first call's are the opening
        words, which `ready` waits for."""
        try:
            items = [(str(t), str(lang)) for t, lang in texts]
        except Exception:
            log.exception("prepare: bad texts")
            return
        self._put("prepare", items)

    def ready(self) -> bool:
        """True once a session may start: the output runs steadily and the opening words
        are rendered; or sound is known not to work (the circle starts without it)."""
        if not self._ready.is_set():
            return False
        if not self._ok:
            return True
        if not self._steady:
            return False
        speaker = self.speaker
        if speaker is None or not speaker.available or self._first_batch is None:
            return True
        return speaker.prepared + speaker.failed >= self._first_batch

    def set_muted(self, muted: bool) -> None:
        """Silence or restore every cue (takes effect on the next block)."""
        self._muted = bool(muted)
        if self.mixer is not None:
            self.mixer.muted = self._muted

    def stop_cues(self) -> None:
        """Cut off everything playing or waiting to play, bells too (on the sound thread, in
        order with the cues asked for before and after)."""
        self._put("stop")

    def set_volume(self, volume: float) -> None:
        """Master volume from 0 to 1."""
        self._volume = min(max(float(volume), 0.0), 1.0)
        if self.mixer is not None:
            self.mixer.volume = self._volume

    def define_sound(
        self,
        name: str,
        *,
        builtin: str | None = None,
        file: str | Path | None = None,
        volume: float = 1.0,
    ) -> None:
        """A practice's own named sound: a built-in bell or a WAV file (loaded off-thread)."""
        self._put("define", name, _SoundDef(builtin, Path(file) if file else None, volume))

    def status(self) -> SoundStatus:
        """The current state for the banner; includes the watchdog's verdict."""
        prepared = to_prepare = failed = 0
        speaker = self.speaker
        speech_ok = speaker is not None and speaker.available
        if speaker is not None and speech_ok:
            prepared, to_prepare, failed = speaker.prepared, speaker.to_prepare, speaker.failed
        ok, detail = self._ok, self._detail
        busy = self._busy
        if busy is not None:
            what, since = busy
            if time.monotonic() - since > WATCHDOG.get(what, 3.0):
                ok, detail = (
                    False,
                    msg("audio device not responding ({what} hung); visual cues only", what=what),
                )
                if self._rescue(what):
                    detail = msg(
                        "audio device not responding ({what} hung); trying a new stream", what=what
                    )
        warnings = [self.warning] if self.warning else []
        speech_note = self._speech_detail
        if speaker is not None and not speaker.available:
            reason = speaker.renderer.unavailable or msg("the speech engine does not work")
            speech_note = msg(
                "speech unavailable ({reason}); prompts on screen only", reason=reason
            )
        if self._speech_enabled and speech_note:
            warnings.append(speech_note)
        return SoundStatus(
            ok=ok,
            detail=detail,
            prepared=prepared,
            to_prepare=to_prepare,
            muted=self._muted,
            failed=failed,
            warning=" ".join(w.rstrip(".") + "." for w in warnings),
            speech=speech_ok or not self._speech_enabled,
        )

    def close(self, linger: float = 0.0) -> None:
        """Release the device on the sound thread; returns at once. A bell still ringing
        may sound up to `linger` seconds first; then everything fades out."""
        if not self._closed:
            self._closed = True
            self._q.put(("close", float(linger)))

    # ----- helpers for commands, tests and benchmarks (these may wait, with a bound) -----

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the output is open (or known not to be)."""
        return self._ready.wait(timeout)

    def wait_session_ready(self, timeout: float) -> bool:
        """Wait until `ready()` holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready():
                return True
            time.sleep(0.01)
        return self.ready()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every request has played out; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mixer = self.mixer
            if (
                self._ready.is_set()
                and self._outstanding == 0
                and not self._speech_q
                and (mixer is None or not mixer.busy() or not self._ok)
            ):
                return True
            time.sleep(0.005)
        return False

    def wait_closed(self, timeout: float) -> bool:
        """Wait until the sound thread has released the device."""
        return self._finished.wait(timeout)

    # ----- the sound thread -----

    def _put(self, *cmd: Any) -> None:
        if self._closed:
            return
        with self._count_lock:
            self._outstanding += 1
        self._q.put(cmd)

    def _done(self) -> None:
        with self._count_lock:
            self._outstanding -= 1

    def _pa(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call PortAudio with the watchdog armed. In a thread left behind by a rescue, the
        call's return (or error) ends the thread (`_Abandoned`)."""
        me = threading.current_thread()
        self._busy = (what, time.monotonic())
        try:
            result = fn(*args, **kwargs)
        except Exception:
            self._back(me)
            raise
        self._back(me)
        return result

    def _back(self, me: threading.Thread) -> None:
        """A PortAudio call came back: disarm the watchdog, unless a rescue left this thread
        behind meanwhile (then it ends). Under the rescue's lock, so that a call coming back
        and a rescue never both win."""
        with self._rescue_lock:
            if me is not self._thread:
                raise _Abandoned()
            self._busy = None

    def _rescue(self, what: str) -> bool:
        """The sound thread is hung in PortAudio (`what`): leave it behind with its stream and
        start a fresh thread that opens a new one. True when a rescue is under way."""
        if self._closed or what not in RESCUE_ON:
            return False
        with self._rescue_lock:
            busy = self._busy
            if busy is None or busy[0] != what:
                return False  # it came back meanwhile
            if self.rescues >= MAX_RESCUES:
                return False
            self.rescues += 1
            log.warning("sound thread hung in %s: leaving it behind, opening a new stream", what)
            # sounddevice terminates PortAudio at exit, which closes every stream: the one
            # left behind holds a lock inside it, and PortAudio aborts the whole process
            # (measured: `PaUnixMutex_Terminate` assertion, exit 134). The system frees it all.
            exit_handler = getattr(self.sd, "_exit_handler", None)
            if exit_handler is not None:
                atexit.unregister(exit_handler)
            self._busy = None
            self._thread = threading.Thread(
                target=self._run, kwargs={"rescue": True}, name="sound", daemon=True
            )
            self._thread.start()
        return True

    def _degrade(self, detail: str) -> None:
        if self._ok or detail != self._detail:
            log.warning("sound degraded: %s", detail)
        self._ok = False
        self._detail = detail

    def _run(self, rescue: bool = False) -> None:
        try:
            self._serve(rescue)
        except _Abandoned:
            log.info("a sound thread left behind came back from PortAudio, and ends")

    def _serve(self, rescue: bool) -> None:
        if rescue:
            self._take_over()
        else:
            try:
                self._startup()
            except Exception as exc:  # anything at all: degrade, never die silently
                log.exception("sound start-up failed")
                self._degrade(msg("sound unavailable: {problem}", problem=str(exc)))
            finally:
                self._ready.set()
        while True:
            # Awake often only while the stream runs (to stop it when it falls silent) or
            # words wait; while it sleeps with nothing to do, only a request wakes the thread
            # (a lost output is still looked for every second).
            wait: float | None = 0.25 if (self.running or self._speech_q) else 1.0
            if self._ok and not self.running and not self._speech_q:
                wait = None
            try:
                cmd = self._q.get(timeout=wait)
            except queue.Empty:
                cmd = None
            try:
                if cmd is not None and cmd[0] == "close":
                    self._shutdown(cmd[1])
                    return
                if cmd is not None:
                    try:
                        self._handle(cmd)
                    finally:
                        if cmd[0] != "speech-ready":
                            self._done()
                self._pump_speech()
                self._health()
            except Exception:
                log.exception("sound thread: unexpected error")

    def _take_over(self) -> None:
        """In the thread that replaces a hung one: its stream and mixer are left to it; a new
        stream is opened now, and again every `RETRY_S` until one plays."""
        self.stream, self.mixer, self.running = None, None, False
        self._lost_at = time.monotonic()
        self._degrade(msg("audio device not responding; trying a new stream"))
        if self._open():
            log.info("sound output back on a new stream")

    def _startup(self) -> None:
        from circlekeeper.sound import bells

        self._bells = bells
        self.device_name = self.device_name or device_setting()
        if self._speech_enabled:
            self._start_speech()
        try:
            self.sd = self._pa("init", load_sounddevice, self._import_sd)
        except (OSError, ImportError) as exc:
            # No PortAudio library: sounddevice raises OSError at import; or the probe failed.
            reason = str(exc) if str(exc).startswith("PortAudio") else f"PortAudio missing ({exc})"
            self._degrade(msg("no audio: {reason}; visual cues only", reason=reason))
            return
        self._open()
        # Render the usual bells while the new stream settles, so no cue waits for them.
        for name in bells.BELLS:
            bells.strike(name, self.rate)
        from circlekeeper.sound.speech import release_memory

        release_memory()

    def _start_speech(self) -> None:
        try:
            from circlekeeper.sound.speech import Speaker, SpeechRenderer

            renderer = SpeechRenderer(self.voices, self.language, command=self._speech_command)
            self.speaker = Speaker(renderer, rate=self.rate)
        except Exception as exc:
            self._speech_detail = msg("speech off: {problem}", problem=str(exc))
            log.warning(self._speech_detail)

    def _open(self) -> bool:
        """Open and start the output stream; on failure degrade and return False."""
        from circlekeeper.sound.mixer import Mixer

        sd = self.sd
        self._last_try = time.monotonic()
        try:
            outputs = self._pa("query", list_outputs, sd)
            out, note = choose_output(outputs, self.device_name)
            if out is None:
                self._degrade(msg("no audio output: {note}; visual cues only", note=note))
                return False
            channels = min(2, out.channels)
            rate = int(out.rate) if int(out.rate) in RATES else RATE
            try:
                self._pa(
                    "query",
                    sd.check_output_settings,
                    device=out.number,
                    samplerate=rate,
                    channels=channels,
                    dtype="float32",
                )
            except Exception:
                rate = int(out.rate) or RATE  # the device's own rate, if it refuses ours
            if rate != self.rate:
                self.rate = rate
                if self.speaker is not None:
                    self.speaker.rate = rate
            mixer = Mixer(channels, rate)
            mixer.muted, mixer.volume = self._muted, self._volume
            stream = self._pa(
                "open",
                sd.OutputStream,
                device=out.number,
                samplerate=rate,
                channels=channels,
                dtype="float32",
                blocksize=self.block,
                latency=LATENCY,
                callback=mixer.callback,
            )
            latency = float(getattr(stream, "latency", 0.0) or 0.0)
            mixer.fallback_latency = latency
            self.stream, self.mixer = stream, mixer
            self.running = False
            self._start_stream()
        except Exception as exc:  # PortAudioError and anything else a driver throws
            self.stream = None
            self._degrade(msg("no audio: {reason}; visual cues only", reason=_one_line(exc)))
            return False
        # A constant delay from due time to sound: the stream's delay, the look-ahead block,
        # a block of waiting for the callback, and room for a late tick.
        self.schedule_delay = round(latency + 2 * self.block / rate + SCHEDULE_MARGIN_S, 3)
        self.output = out
        self.device_note = note
        self.warning = ""
        if note and self.device_name:
            self.warning = f"Sound: no output named {self.device_name!r}; playing on {out.name}"
        self._ok = True
        self._opened_at = time.monotonic()
        self._steady = False
        self._detail = (
            msg("{output} ({khz} kHz); {note}", output=out.name, khz=rate // 1000, note=note)
            if note
            else msg("{output} ({khz} kHz)", output=out.name, khz=rate // 1000)
        )
        log.info(
            "sound output: %s; cues sound %.0f ms after they are due",
            self._detail,
            self.schedule_delay * 1000,
        )
        return True

    def _start_stream(self) -> None:
        """Start the stream if it is stopped (its first block is heard at once)."""
        if self.running or self.stream is None:
            return
        if self.mixer is not None:
            self.mixer.restarted()
        self._pa("start", self.stream.start)
        self.running = True
        self.starts += 1
        self._quiet_since = time.monotonic()

    def _stop_stream(self) -> None:
        """Stop a running stream that has fallen silent (it plays out what it holds)."""
        if not self.running or self.stream is None:
            return
        self.running = False
        try:
            self._pa("stop", self.stream.stop)
        except Exception as exc:
            log.warning("stopping the idle stream failed: %s", exc)

    def _close_stream(self) -> None:
        stream, self.stream = self.stream, None
        self.running = False
        if stream is None:
            return
        with contextlib.suppress(Exception):
            self._pa("stop", stream.abort)
        with contextlib.suppress(Exception):
            self._pa("close", stream.close)

    def _shutdown(self, linger: float) -> None:
        try:
            mixer = self.mixer
            self._speech_q.clear()
            if mixer is not None and self.running and self._ok:
                mixer.hush()
                deadline = time.monotonic() + max(0.0, linger)
                while mixer.busy("bell") and time.monotonic() < deadline:
                    time.sleep(0.02)
                if mixer.busy():
                    mixer.fade_all(0.3)
                    fade_end = time.monotonic() + 0.3 + self.schedule_delay
                    while mixer.busy() and time.monotonic() < fade_end:
                        time.sleep(0.02)
            self._close_stream()
        finally:
            if self.speaker is not None:
                with contextlib.suppress(Exception):
                    self.speaker.close()
            self._ok = False
            self._detail = msg("sound closed")
            self._finished.set()

    def _health(self) -> None:
        """Stop a stream gone silent; notice a lost or stalled one; re-open between cues."""
        mixer, stream = self.mixer, self.stream
        now = time.monotonic()
        if mixer is not None and mixer.underflows > self._underflows_logged:
            log.warning("output underflow (%d so far)", mixer.underflows)
            self._underflows_logged = mixer.underflows
        if self._ok and stream is not None and mixer is not None and self.running:
            if not self._steady and now - self._opened_at >= STEADY_S and mixer.calls > 0:
                self._steady = now - mixer.last_callback < 0.5
            if mixer.idle() and not self._speech_q:
                if now - self._quiet_since > IDLE_S and self._steady:
                    self._stop_stream()
            else:
                self._quiet_since = now
            active = True
            with contextlib.suppress(Exception):
                active = bool(stream.active)
            stalled = mixer.calls > 0 and now - mixer.last_callback > STALL_S
            if self.running and (not active or stalled):
                self._lost_at = now
                gone = msg("audio output lost") if not active else msg("audio output stalled")
                self._degrade(gone)
                mixer.clear()
                self._close_stream()
        wait = RETRY_S if self._lost_at else RETRY_ABSENT_S
        if (
            not self._ok
            and not self._closed
            and self.sd is not None
            and now - self._last_try > wait
            and now - self._last_cue > 1.0
        ):
            # The device list is frozen at PortAudio's start: refresh it before re-opening;
            # not while a thread left behind is inside PortAudio (terminating would pull its
            # stream from under it).
            if not self.rescues:
                with contextlib.suppress(Exception):
                    self._pa("query", self.sd._terminate)
                    self._pa("query", self.sd._initialize)
            if self._open():
                log.info("sound output back")

    def _handle(self, cmd: tuple[Any, ...]) -> None:
        kind = cmd[0]
        if kind == "bell":
            due = None if cmd[4] is None else float(cmd[4])
            self._ring(cmd[1], int(cmd[2]), float(cmd[3]), due, float(cmd[5]))
        elif kind == "speak":
            self._speak(cmd[1], cmd[2], None if cmd[3] is None else float(cmd[3]), float(cmd[4]))
        elif kind == "speech-ready":
            item, samples = cmd[1], cmd[2]
            try:
                item.samples = samples
                item.failed = samples is None
            finally:
                self._done()
        elif kind == "hush":
            self._hush()
        elif kind == "stop":
            self._hush()
            self._struck.clear()
            self._speech_free = 0.0
            if self.mixer is not None:
                self.mixer.clear()
        elif kind == "prepare":
            if self._first_batch is None:  # counted as the speaker counts (blank texts aside)
                self._first_batch = sum(1 for text, _ in cmd[1] if text and text.strip())
            if self.speaker is not None and self.speaker.available:
                self.speaker.prepare(cmd[1])
        elif kind == "define":
            name, spec = cmd[1], cmd[2]
            self._sounds[name] = spec
            self._loaded.pop(name, None)
            if spec.file is not None:
                # Load now, off the caller's thread, so the first ring does not wait for disk.
                try:
                    self._loaded[name] = self._bells.load_wav(spec.file, self.rate)
                except Exception as exc:
                    log.warning("sound %r: cannot read %s: %s", name, spec.file, exc)

    def _heard_at(self, due: float) -> float:
        """When a cue due at `due` is to be heard: the same constant delay for every cue."""
        return due + self.schedule_delay

    def _ring(self, name: str, strikes: int, volume: float, due: float | None, t: float) -> None:
        self._last_cue = time.monotonic()
        mixer = self.mixer
        if not self._ok or mixer is None or self._muted:
            return
        from circlekeeper.sound.mixer import Voice

        bells = self._bells
        custom = self._sounds.get(name)
        gain = min(max(volume, 0.0), 1.0)
        tag = f"bell:{name}"
        if custom is not None and custom.file is not None:
            gain *= custom.volume
            one = self._loaded.get(name)
            tag = f"sound:{name}"
            if one is None or len(one) == 0:
                log.warning("sound %r could not be read; ringing the bowl", name)
                one, step = bells.strike("bowl", self.rate), bells.spacing("bowl")
                settle = bells.settle("bowl")
            else:
                step = len(one) / self.rate
                settle = min(step, 1.0)
        else:
            if custom is not None:
                gain *= custom.volume
                name = custom.builtin or "bowl"
            if name not in bells.BELLS:
                log.warning("unknown sound %r; ringing the bowl", name)
                name = "bowl"
            tag = f"bell:{name}"
            one, step, settle = (
                bells.strike(name, self.rate),
                bells.spacing(name),
                bells.settle(name),
            )
        self._start_stream()
        heard = None if due is None else self._heard_at(due)
        strikes = max(1, strikes)
        first_voice = voice = Voice(one, gain, tag=tag, when=heard, t_request=t)
        mixer.add(voice)
        for i in range(1, strikes):
            # Placed from the first strike, in samples: the spacing is exact even if it was late.
            voice = Voice(one, gain, tag=tag, t_request=t)
            voice.after.append((first_voice, round(i * step * self.rate)))
            mixer.add(voice)
        # When the first strike sounds, as far as the words after it need to know (the exact
        # distance is kept in samples): a late bell from about now; an unscheduled one from
        # when it was asked for, which comes before any words asked for after it.
        first = t
        if heard is not None:
            first = max(heard, time.monotonic() + self.schedule_delay * 0.5)
        self._struck.append(_Struck(first, first + (strikes - 1) * step, settle, voice))

    def _speak(self, text: str, lang: str, due: float | None, t: float) -> None:
        self._last_cue = time.monotonic()
        speaker = self.speaker
        if speaker is None or not speaker.available or not self._ok or self._muted:
            return
        item = _Speech(text, lang, t if due is None else self._heard_at(due), t, asap=due is None)
        item.samples = speaker.get(text, lang)
        self._speech_q.append(item)
        if item.samples is None:
            with self._count_lock:
                self._outstanding += 1

            def ready(samples: np.ndarray | None) -> None:
                self._q.put(("speech-ready", item, samples))

            speaker.request(text, lang, ready)

    def _hush(self) -> None:
        log.debug("hush: %d texts dropped", len(self._speech_q))
        self._speech_q.clear()
        self._last_speech = None
        mixer = self.mixer
        if mixer is None or not self._ok:
            return
        if mixer.busy("speech"):
            from circlekeeper.sound.mixer import FADE_S

            mixer.hush(FADE_S)
            # The next step's words wait for the fade (and are never heard before their cue).
            self._speech_free = time.monotonic() + self.schedule_delay + FADE_S
        else:
            self._speech_free = 0.0

    def _pump_speech(self) -> None:
        """Place the texts at the head of the queue, one after another, when they are ready."""
        mixer, speaker = self.mixer, self.speaker
        while self._speech_q:
            item = self._speech_q[0]
            if item.samples is None and not item.failed:
                return  # still rendering: everything behind it waits its turn
            now = time.monotonic()
            samples = item.samples
            if samples is None or mixer is None or not self._ok or self._muted:
                self._speech_q.popleft()
                continue
            if now - item.when > SPEECH_LATE_S:
                log.warning("prompt ready %.1fs late; skipped: %r", now - item.when, item.text[:40])
                self._speech_q.popleft()
                continue
            from circlekeeper.sound.mixer import Voice

            start = max(item.when, self._speech_free)
            voice = Voice(
                samples,
                speaker.renderer.setting(item.lang).volume if speaker is not None else 1.0,
                tag="speech",
                kind="speech",
                t_request=item.t_request,
            )
            if self._last_speech is not None:  # one voice at a time, in samples too
                last = self._last_speech
                voice.after.append((last, last.length + round(SPEECH_GAP_S * self.rate)))
            start = self._after_strikes(start, voice)
            # Unscheduled words wait only for what they must follow, held in samples.
            voice.when = None if item.asap and start <= max(item.when, now) else start
            self._start_stream()
            mixer.add(voice)
            # Taken off the queue only once the mixer has it: never idle in between.
            self._speech_q.popleft()
            log.debug("words placed %.3f s ahead: %r", start - now, item.text[:30])
            self._last_speech = voice
            # If it is placed late, the callback starts it at once; the next follows its end.
            start = max(start, now + self.schedule_delay * 0.5)
            self._speech_free = start + voice.length / self.rate + SPEECH_GAP_S

    def _after_strikes(self, start: float, voice: Voice) -> float:
        """The earliest time from `start` that is not on top of a bell's strikes: words never
        begin between a bell's first strike and its last strike's settle time. The words are
        tied to that strike in samples too."""
        now = time.monotonic()
        self._struck = [b for b in self._struck if b.last + b.settle > now]
        moved = True
        while moved:
            moved = False
            for b in self._struck:
                if b.first <= start < b.last + b.settle:
                    start, moved = b.last + b.settle, True
                    voice.after.append((b.voice, round(b.settle * self.rate)))
        return start


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def make_sink(
    *,
    device: str | None = None,
    silent: bool = False,
    voices: dict[str, Any] | None = None,
    language: str = "en",
    sounds: Mapping[str, Any] | None = None,
    sounds_dir: str | Path | None = None,
) -> SoundSink:
    """The sink for a session. Never raises; imports nothing heavy on the caller's thread.

    `voices` is a practice's `voices:` table and `sounds` its `sounds:` table (models or
    plain dicts); a sound's `file` is looked up in `sounds_dir`, the script's folder, only.
    """
    if silent:
        return NullSink(msg("sound off (--silent)"))
    try:
        sink = AudioSink(device, voices=voices, language=language)
    except Exception as exc:
        return NullSink(f"sound unavailable: {_one_line(exc)}")
    for name, spec in (sounds or {}).items():
        try:
            file = _spec(spec, "file")
            path = None
            if file:
                # Only a plain name beside the script: never a path that leaves its folder.
                # Asked again now: the folder may have changed since the script was checked.
                from circlekeeper.script.validate import sound_file_problem

                folder = Path(sounds_dir or ".")
                path = folder / Path(str(file)).name
                problem = sound_file_problem(folder, path.name)
                if problem is not None:
                    log.warning("sound %r not defined: %s", name, problem)
                    continue
            volume = _spec(spec, "volume")
            sink.define_sound(
                str(name),
                builtin=_spec(spec, "builtin"),
                file=path,
                volume=1.0 if volume is None else float(volume),
            )
        except Exception as exc:
            log.warning("sound %r not defined: %s", name, exc)
    return sink


def _spec(spec: Any, key: str) -> Any:
    if isinstance(spec, Mapping):
        return spec.get(key)
    return getattr(spec, key, None)


class Check(NamedTuple):
    """One line of the sound self-check."""

    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{self.name}: {'ok' if self.ok else 'FAIL'} - {self.detail}"


def self_check(
    device: str | None = None, timeout: float = 10.0, speech_command: list[str] | None = None
) -> list[Check]:
    """PortAudio present? an output to open? speech renders a test phrase in time?"""
    checks: list[Check] = []
    try:
        sd = load_sounddevice()
        checks.append(Check("PortAudio", True, portaudio_version(sd)))
    except (OSError, ImportError) as exc:
        sd = None
        checks.append(Check("PortAudio", False, _one_line(exc)))
    if sd is not None:
        try:
            out, note = choose_output(list_outputs(sd), device or device_setting())
            if out is None:
                checks.append(Check("output", False, note))
            else:
                sd.check_output_settings(
                    device=out.number, channels=min(2, out.channels), dtype="float32"
                )
                checks.append(Check("output", True, out.name + (f" ({note})" if note else "")))
        except Exception as exc:
            checks.append(Check("output", False, _one_line(exc)))
    checks.append(speech_probe(timeout, speech_command)[0])
    return checks


def speech_probe(
    timeout: float = 10.0, command: list[str] | None = None
) -> tuple[Check, list[dict[str, Any]]]:
    """Render a test phrase in a fresh worker, bounded by `timeout`; and the voices it has."""
    box: dict[str, Any] = {}
    phrase = "The circle is ready."

    def work() -> None:
        import tempfile

        from circlekeeper.sound.speech import DEFAULT_RATE, SpeechRenderer, wav_problem

        # A fresh render in a scratch cache: a cached file would prove nothing about the engine.
        with tempfile.TemporaryDirectory(prefix="circlekeeper-check-") as scratch:
            renderer = SpeechRenderer(command=command, cache=Path(scratch))
            try:
                t = time.perf_counter()
                path = renderer.render(phrase, "en")
                box["seconds"] = time.perf_counter() - t
                box["problem"] = wav_problem(path, phrase, DEFAULT_RATE)
            except Exception as exc:
                box["error"] = _one_line(exc)
            finally:
                box["voices"] = list(renderer.voices or [])
                renderer.close()

    thread = threading.Thread(target=work, name="speech-check", daemon=True)
    thread.start()
    thread.join(timeout)
    voices: list[dict[str, Any]] = box.get("voices", [])
    if thread.is_alive():
        return Check("speech", False, f"no test phrase within {timeout:.0f}s"), voices
    if "error" in box:
        return Check("speech", False, box["error"]), voices
    if box.get("problem"):
        return Check("speech", False, f"test phrase: {box['problem']}"), voices
    return Check("speech", True, f"test phrase rendered in {box['seconds']:.2f}s"), voices
