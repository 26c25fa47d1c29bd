"""The engine stays pure: importing it pulls in no UI, audio or numeric libraries."""

from __future__ import annotations

import subprocess
import sys


def test_engine_imports_no_heavy_modules() -> None:
    code = (
        "import sys, circlekeeper.engine, circlekeeper.engine.rehearse\n"
        "bad = [m for m in ('textual', 'sounddevice', 'pyttsx3', 'numpy') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""


def test_engine_source_reads_no_clock_but_the_real_clock_class() -> None:
    """Only `MonotonicClock` may read time; the engine gets `now` as an argument."""
    from pathlib import Path

    import circlekeeper.engine as engine

    root = Path(engine.__file__).parent
    for path in sorted(root.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name == "clock.py":
            assert text.count("time.monotonic()") == 1
            continue
        for needle in ("import time", "from time", "datetime", "textual"):
            assert needle not in text, f"{path.name} mentions {needle}"
