"""Run every benchmark module and write docs/benchmarks.md with the date and machine."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    """A one-line description of the machine the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def run_alone(name: str) -> str:
    """One benchmark in a fresh interpreter: peak memory and imports are its own."""
    code = f"import bench.{name} as b, sys; sys.stdout.write(b.run())"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return f"## {name}\n\nFailed (exit {done.returncode}): {tail[0]}"
    return done.stdout.strip()


def main(argv: list[str]) -> int:
    """Run the named benchmark modules (all by default) and write the report."""
    names = argv or sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    sections = []
    for name in names:
        print(f"running {name}...", file=sys.stderr, flush=True)
        sections.append(run_alone(name))
    header = (
        "# Benchmarks\n\n"
        f"Measured {dt.date.today().isoformat()} on {machine()}.\n"
        "Regenerate with `make bench`.\n"
    )
    out = ROOT / "docs" / "benchmarks.md"
    out.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
