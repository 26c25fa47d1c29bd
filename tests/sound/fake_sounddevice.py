"""A stand-in for the sounddevice module, with switches for every fault we guard against."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import numpy as np


class PortAudioError(Exception):
    """Like sounddevice.PortAudioError."""


class FakeStream:
    """A callback stream driven by a thread, recording what the callback hands over."""

    def __init__(self, sd: FakeSD, **kw: Any) -> None:
        if sd.open_error is not None:
            raise sd.open_error
        self.sd = sd
        self.kw = kw
        self.callback = kw["callback"]
        self.channels = kw["channels"]
        self.blocksize = kw.get("blocksize") or 480
        self.active = False
        self._running = False
        self._thread: threading.Thread | None = None
        sd.streams.append(self)

    def start(self) -> None:
        if self.sd.start_error is not None:
            raise self.sd.start_error
        self.active = self._running = True
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        status = SimpleNamespace(output_underflow=False)
        while self._running:
            if self.sd.stall:
                time.sleep(0.01)
                continue
            out = np.full((self.blocksize, self.channels), np.nan, dtype=np.float32)
            status.output_underflow = self.sd.underflow
            self.callback(out, self.blocksize, None, status)
            self.sd.captured.append(out[:, 0].copy())
            time.sleep(0.0002)  # ~25x faster than real time: tests stay short

    def vanish(self) -> None:
        """The device is unplugged: the stream stops on its own."""
        self._running = False
        self.active = False

    def abort(self) -> None:
        if self.sd.stop_blocks:
            self.sd.release.wait()  # "forever": until the test ends
        self._running = False
        self.active = False

    stop = abort

    def close(self) -> None:
        self._running = False


class FakeSD:
    """The module: devices, defaults, streams, and the fault switches."""

    PortAudioError = PortAudioError

    def __init__(self, devices: list[str] | None = None) -> None:
        names = ["Built-in Audio", "USB Speaker"] if devices is None else devices
        self.devices = [
            {
                "name": name,
                "index": i,
                "hostapi": 0,
                "max_output_channels": 2,
                "max_input_channels": 0,
                "default_samplerate": 48000.0,
            }
            for i, name in enumerate(names)
        ]
        self.default = SimpleNamespace(device=[-1, 0 if names else -1])
        self.streams: list[FakeStream] = []
        self.captured: list[np.ndarray] = []
        self.open_error: Exception | None = None
        self.start_error: Exception | None = None
        self.stop_blocks = False
        self.stall = False
        self.underflow = False
        self.release = threading.Event()

    def query_devices(self) -> list[dict[str, Any]]:
        return list(self.devices)

    def query_hostapis(self, index: int | None = None) -> dict[str, Any]:
        return {"name": "Fake API", "default_output_device": self.default.device[1]}

    def check_output_settings(self, **kw: Any) -> None:
        if not self.devices:
            raise PortAudioError("Error querying device -1")

    def get_portaudio_version(self) -> tuple[int, str]:
        return (1, "PortAudio V19.fake, revision 0")

    def OutputStream(self, **kw: Any) -> FakeStream:
        return FakeStream(self, **kw)

    def _terminate(self) -> None:
        pass

    def _initialize(self) -> None:
        pass

    def output(self) -> np.ndarray:
        """Everything the callbacks produced so far, as one mono array."""
        blocks = list(self.captured)
        return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
