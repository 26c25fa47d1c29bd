"""The mixer: every sound placed at its own sample, summed, and kept below full scale.

`Mixer.callback` runs on PortAudio's thread. It never blocks, never raises and allocates next
to nothing. Other threads hand it work through one deque of commands (append and popleft are
atomic), so a voice added after a hush is always heard after that hush.

Timing: a voice carries `when`, the monotonic time it should be heard. Each callback learns,
from the stream's `time_info`, when the first sample of its block will reach the device, and
keeps a smoothed estimate of when output frame 0 did (`base`): frame n is heard at
`base + n / rate`. A voice starts at the frame its `when` maps to, so neither the tick that
asked for it, nor the thread that queued it, nor the block it lands in moves it.

Loudness: a limiter with one block of look-ahead. The mix of the next block is made a block
early, so the gain can glide down across the current block to what the loudest of the two
needs (no sample above the ceiling, no hard clip), and it recovers slowly afterwards.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections import deque
from typing import Any

import numpy as np

CEILING = 0.95
"""The highest sample the limiter lets through."""
RELEASE_S = 0.25
"""Time constant of the limiter's recovery once the mix is quieter again."""
FADE_S = 0.15
"""How long speech takes to fade out when the step it belongs to ends."""
CLOCK_SMOOTHING = 0.05
"""Weight of each callback's clock reading in the running estimate of `base`."""
RESYNC_S = 0.05
"""A reading this far from the estimate means the stream's timing jumped: start over (a
reading this much later only when the next ones agree: see `LATE_READINGS`)."""
JUMP_S = 0.5
"""A reading this much later than the estimate is a jump at once (the device stalled or the
machine slept), not a callback that ran late."""
LATE_READINGS = 3
"""Readings in a row, each more than `RESYNC_S` (and less than `JUMP_S`) later than the
estimate, that make a new estimate. One alone is a callback that waited for the interpreter
(a long collection or import on another thread): its block is heard no later for that, and
taking its reading placed a cue it mixed that much early (a closing bowl, 60-90 ms)."""


class Voice:
    """One sound being mixed: its samples, gain, kind, and where it starts."""

    __slots__ = (
        "after",
        "fade_at",
        "fade_len",
        "gain",
        "kind",
        "lead",
        "samples",
        "start",
        "t_request",
        "tag",
        "when",
    )

    def __init__(
        self,
        samples: np.ndarray,
        gain: float = 1.0,
        *,
        tag: str = "",
        kind: str = "bell",
        when: float | None = None,
        t_request: float | None = None,
    ) -> None:
        self.samples = samples
        self.gain = float(gain)
        self.tag = tag
        self.kind = kind
        """"bell" or "speech": a hush fades speech and never touches bells."""
        self.when = when
        """Monotonic time the voice should be heard; None: as soon as possible."""
        self.t_request = time.monotonic() if t_request is None else t_request
        self.start: int | None = None
        """Output frame of its first sample, once the callback has placed it."""
        self.after: list[tuple[Voice, int]] = []
        """(voice, frames): start no earlier than that many frames after that voice starts.
        Kept in samples, so words follow words and strikes even when a voice starts late."""
        self.fade_at: int | None = None
        self.fade_len = 1
        audible = np.flatnonzero(np.abs(samples[:48000]) > 1e-3)
        self.lead = int(audible[0]) if audible.size else 0
        """Index of the first audible sample: latency is measured to it, not to a fade-in."""

    @property
    def length(self) -> int:
        """Frames from its start to its end."""
        return len(self.samples)

    @property
    def end(self) -> int | None:
        """Output frame just past its last sample heard (a fade ends it early)."""
        if self.start is None:
            return None
        stop = self.start + self.length
        if self.fade_at is not None:
            stop = min(stop, self.fade_at + self.fade_len)
        return stop


class Mixer:
    """Sums the voices into the output; `callback` runs on PortAudio's thread."""

    def __init__(self, channels: int, rate: int = 48000, max_block: int = 16384) -> None:
        self.channels = channels
        self.rate = rate
        self.commands: deque[tuple[str, Any]] = deque()
        self.active: list[Voice] = []
        self.volume = 1.0
        self.muted = False
        self.frames = 0
        """Frames handed to the device so far (the output position)."""
        self.calls = 0
        self.underflows = 0
        self.errors = 0
        self.resyncs = 0
        self.last_callback = 0.0
        self.base: float | None = None
        """Monotonic time at which output frame 0 was (or would have been) heard."""
        self.late_readings = 0
        """Clock readings in a row later than `base` by more than `RESYNC_S` (set aside)."""
        self.fallback_latency = 0.05
        """Output delay assumed when the stream gives no timing (set from stream.latency)."""
        # (tag, seconds from the request to the first audible sample reaching the device)
        self.latencies: deque[tuple[str, float]] = deque(maxlen=4096)
        # (tag, seconds its first sample was late against `when`; 0 when on time)
        self.late: deque[tuple[str, float]] = deque(maxlen=4096)
        self.placed: deque[Voice] = deque(maxlen=256)
        """The latest voices placed, in order (for tests and benchmarks: where each began)."""
        self.gain = 1.0
        self.peak_out = 0.0
        """The loudest sample handed to the device so far (the limiter keeps it <= CEILING)."""
        self._ahead = np.zeros(2 * max_block, dtype=np.float32)
        self._ahead_len = 0
        """Frames of `_ahead` already mixed, starting at the output position."""
        self._tmp = np.zeros(2 * max_block, dtype=np.float32)
        self._ahead_peak = (0, 0.0)
        """(frames, peak) of the look-ahead block mixed by the last callback."""

    # ----- other threads -----

    def add(self, voice: Voice) -> None:
        """Start mixing `voice` (at its `when`, or as soon as possible)."""
        self.commands.append(("add", voice))

    def hush(self, fade: float = FADE_S) -> None:
        """Fade out speech being spoken and drop speech not yet begun; bells ring on."""
        self.commands.append(("hush", fade))

    def fade_all(self, fade: float = 0.3) -> None:
        """Fade out everything (the app is closing)."""
        self.commands.append(("fade-all", fade))

    def clear(self) -> None:
        """Drop everything at once."""
        self.commands.append(("clear", None))

    def busy(self, kind: str | None = None) -> bool:
        """Whether anything (of `kind`) is queued or still sounding."""
        if kind is None:
            return bool(self.commands) or bool(self.active) or self._ahead_len > 0
        return any(v.kind == kind for v in self.active) or any(
            c == "add" and v.kind == kind for c, v in list(self.commands)
        )

    def time_of(self, frame: int) -> float | None:
        """Monotonic time at which output frame `frame` is heard (None before any timing)."""
        base = self.base
        return None if base is None else base + frame / self.rate

    def restarted(self) -> None:
        """The stream was (re)started: its timing starts over, and the wait for its first
        callback counts from now (a stopped stream has no callbacks, and has not stalled)."""
        self.base = None
        self.late_readings = 0
        self.last_callback = time.monotonic()

    # ----- PortAudio's thread -----

    def _clock(self, now: float, time_info: Any) -> None:
        """Update `base` from this callback's reading of when its block will be heard."""
        latency = self.fallback_latency
        try:
            dac, current = float(time_info.outputBufferDacTime), float(time_info.currentTime)
        except Exception:  # no timing from this stream
            dac = current = 0.0
        # (dac == current: the first block of a stream just started is heard at once.)
        if dac > 0 and current > 0 and 0 <= dac - current < 2.0:
            latency = dac - current
        reading = now + latency - self.frames / self.rate
        base = self.base
        if base is None:
            self.base = reading
            return
        off = reading - base
        if abs(off) <= RESYNC_S:
            self.late_readings = 0
            self.base = base + CLOCK_SMOOTHING * off
            return
        if RESYNC_S < off < JUMP_S:
            # `now` is when this callback got to run, which is late by however long it
            # waited; the device's position is not.
            self.late_readings += 1
            if self.late_readings < LATE_READINGS:
                return
        self.late_readings = 0
        self.resyncs += 1
        self.base = reading

    def _take_commands(self) -> None:
        # A hush takes effect from the first frame not yet handed to the device: the
        # look-ahead block already mixed is mixed again, with the fade in it.
        first_free = self.frames
        while self.commands:
            what, arg = self.commands.popleft()
            if what == "add":
                self.active.append(arg)
            elif what == "clear":
                self.active = []
                self._ahead_len = 0
            elif what in ("hush", "fade-all"):
                keep = []
                for v in self.active:
                    if what == "hush" and v.kind != "speech":
                        keep.append(v)
                    elif v.start is not None and v.start < first_free:
                        if v.fade_at is None:  # begun: fade out from the next frame heard
                            v.fade_at, v.fade_len = first_free, max(1, int(arg * self.rate))
                        keep.append(v)
                    elif v.start is not None:  # placed, not begun: it ends before it starts
                        v.fade_at, v.fade_len = v.start, 0
                self.active = keep
                self._ahead_len = 0

    def _place(self, v: Voice, first_free: int) -> None:
        if v.when is not None and self.base is not None:
            start = round((v.when - self.base) * self.rate)
        else:
            start = first_free
        if start < first_free:
            self.late.append((v.tag, (first_free - start) / self.rate))
            start = first_free
        elif v.when is not None:
            self.late.append((v.tag, 0.0))
        for other, frames in v.after:
            if other.start is not None:
                start = max(start, other.start + frames)
        v.start = start
        self.placed.append(v)
        heard = self.time_of(start + v.lead)
        if heard is not None:
            self.latencies.append((v.tag, heard - v.t_request))

    def _mix_into(self, out: np.ndarray, first: int) -> None:
        """Add every voice's part of frames [first, first + len(out)) into `out`."""
        end = first + len(out)
        for v in self.active:
            if v.start is None:
                self._place(v, first)
            start = v.start
            assert start is not None
            stop = start + v.length
            if v.fade_at is not None:
                stop = min(stop, v.fade_at + v.fade_len)
            lo, hi = max(first, start), min(end, stop)
            if hi > lo:
                part = v.samples[lo - start : hi - start]
                fade_at = v.fade_at
                fading = fade_at is not None and hi > fade_at
                if v.gain == 1.0 and not fading:
                    out[lo - first : hi - first] += part
                else:
                    tmp = self._tmp[: hi - lo]
                    np.multiply(part, v.gain, out=tmp)
                    if fade_at is not None and fading:
                        ramp = 1.0 - (np.arange(lo, hi, dtype=np.float32) - fade_at) / v.fade_len
                        np.clip(ramp, 0.0, 1.0, out=ramp)
                        tmp *= ramp
                    out[lo - first : hi - first] += tmp

    @staticmethod
    def _done(v: Voice, end: int) -> bool:
        stop = v.end
        return stop is not None and stop <= end

    def idle(self) -> bool:
        """Nothing to play: the callback only writes silence."""
        return not self.active and not self.commands and self._ahead_len == 0

    def callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        """Fill one block: never blocks, never raises."""
        now = time.monotonic()
        self.last_callback = now
        self.calls += 1
        try:
            if status and status.output_underflow:
                self.underflows += 1
            self._clock(now, time_info)
            if self.idle() and self.gain == 1.0:
                outdata.fill(0)
                self.frames += frames
                return
            if self.commands:
                self._take_commands()
            if 2 * frames > len(self._ahead):  # a bigger block than planned: grow once
                grown = np.zeros(2 * frames, dtype=np.float32)
                grown[: self._ahead_len] = self._ahead[: self._ahead_len]
                self._ahead, self._tmp = grown, np.zeros(2 * frames, dtype=np.float32)
            # This block was mixed as the last one's look-ahead: its peak is known already.
            # (A hush or a clear empties the look-ahead, and it is mixed and measured again.)
            known = self._ahead_len >= frames and self._ahead_peak[0] == frames
            if self._ahead_len < 2 * frames:
                fresh = self._ahead[self._ahead_len : 2 * frames]
                fresh.fill(0.0)
                self._mix_into(fresh, self.frames + self._ahead_len)
            block = self._ahead[:frames]
            following = self._ahead[frames : 2 * frames]
            peak = self._ahead_peak[1] if known else self._peak(block)
            peak_next = self._peak(following)
            self._ahead_peak = (frames, peak_next)
            master = 0.0 if self.muted else self.volume
            scaled = self._limit(block, max(peak, peak_next), master)
            outdata[:] = block[:, None]
            # What the limiter did to the block is known: measure it only when it glided.
            out_peak = self._peak(block) if scaled is None else peak * scaled
            if out_peak > self.peak_out:
                self.peak_out = out_peak
            # A voice is done once its last frame is handed out (not when it is mixed: a
            # hush mixes the look-ahead again, and a bell ending in it must still be there).
            handed = self.frames + frames
            done = self._done
            if any(done(v, handed) for v in self.active):
                self.active = [v for v in self.active if not done(v, handed)]
            # Shift the look-ahead block to the front.
            self._ahead[:frames] = following
            self._ahead_len = frames
            if not self.active and peak_next == 0.0:
                self._ahead_len = 0
            self.frames += frames
        except Exception:
            self.errors += 1
            self._ahead_peak = (0, 0.0)  # the look-ahead's peak is measured again
            with contextlib.suppress(Exception):
                outdata.fill(0)
            self.frames += frames

    def _peak(self, x: np.ndarray) -> float:
        """The largest magnitude in `x` (0 when it is empty)."""
        if not len(x):
            return 0.0
        return float(np.abs(x, out=self._tmp[: len(x)]).max())

    def _limit(self, block: np.ndarray, peak: float, master: float) -> float | None:
        """Scale `block` in place by a gain that glides to what it and the next block need
        (`peak`: the larger of their peaks). Returns the one factor the whole block was scaled
        by, or None when the gain glided across it."""
        frames = len(block)
        peak *= max(master, 0.0)
        target = min(1.0, CEILING / peak) if peak > 0 else 1.0
        if self.gain == 1.0:
            released = 1.0
        else:
            released = 1.0 - (1.0 - self.gain) * math.exp(-frames / (self.rate * RELEASE_S))
        start, end = self.gain, min(target, released)
        if end > 0.999:
            end = 1.0
        if start > target:  # only when the previous block could not see this one coming
            start = target
        self.gain = end
        if start == end == 1.0:
            if master != 1.0:
                block *= master
            return master
        ramp = np.linspace(start, end, frames, dtype=np.float32)
        ramp *= master
        block *= ramp
        return None
