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


def heading(section: str) -> str:
    """A section's `## ` heading line."""
    return section.split("\n", 1)[0].strip()


def sections_of(page: str) -> tuple[str, list[str]]:
    """A report's header, and its `## ` sections in order."""
    parts = ("\n" + page).split("\n## ")
    return parts[0].strip("\n"), ["## " + part.strip("\n") for part in parts[1:]]


def merged(page: str, fresh: list[str], note: str) -> str:
    """`page` with each of the `fresh` sections put in place of the one with its heading.

    A section measured on its own says so under its heading; a new one goes at the end.
    """
    header, old = sections_of(page)
    by_heading = {heading(section): section for section in fresh}
    out = []
    for section in old:
        replacement = by_heading.pop(heading(section), None)
        out.append(section if replacement is None else stamped(replacement, note))
    out += [stamped(section, note) for section in by_heading.values()]
    return header + "\n\n" + "\n\n".join(out) + "\n"


def stamped(section: str, note: str) -> str:
    """`section` with `note` in italics under its heading."""
    first, _, rest = section.partition("\n")
    return f"{first}\n\n*{note}*\n{rest}"


def main(argv: list[str]) -> int:
    """Run the named benchmark modules (all by default) and write the report.

    Named modules replace only their own sections of an existing report, marked as measured
    apart from the rest; a full run writes the whole report afresh.
    """
    names = argv or sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    sections = []
    for name in names:
        print(f"running {name}...", file=sys.stderr, flush=True)
        sections.append(run_alone(name))
    out = ROOT / "docs" / "benchmarks.md"
    today = dt.date.today().isoformat()
    if argv and out.exists():
        run = f"python -m bench {' '.join(argv)}"
        note = f"Measured {today} on its own (`{run}`), apart from the rest."
        page = merged(out.read_text(encoding="utf-8"), sections, note)
    else:
        header = (
            f"# Benchmarks\n\nMeasured {today} on {machine()}.\nRegenerate with `make bench`.\n"
        )
        page = header + "\n" + "\n\n".join(sections) + "\n"
    out.write_text(page, encoding="utf-8")
    print(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
