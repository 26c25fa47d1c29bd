"""Run every benchmark module and write docs/benchmarks.md with the date and machine."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
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


def main(argv: list[str]) -> int:
    """Run the named benchmark modules (all by default) and write the report."""
    names = argv or sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    sections = []
    for name in names:
        print(f"running {name}...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench.{name}")
        sections.append(module.run().strip())
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
