"""The real program in a real terminal (tmux): a short sit from start to a clean exit."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0


class Tmux:
    """One tmux session running a shell; keys in, screen text out."""

    def __init__(self, env: dict[str, str], also: tuple[str, ...] = ()) -> None:
        self.name = f"ck-e2e-{uuid.uuid4().hex[:8]}"
        self.env = env
        # A tmux server started earlier keeps its own environment: pass what matters
        # (private config/data/cache folders) explicitly with -e.
        passed = [
            arg
            for key in (
                "CIRCLEKEEPER_CONFIG_DIR",
                "CIRCLEKEEPER_DATA_DIR",
                "CIRCLEKEEPER_CACHE_DIR",
                "CIRCLEKEEPER_STATE_DIR",
                "TZ",
                *also,
            )
            for arg in ("-e", f"{key}={env[key]}")
        ]
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                "100",
                "-y",
                "30",
                *passed,
                "bash --norc --noprofile",
            ],
            check=True,
            env=env,
            cwd=REPO,
        )

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def type_line(self, line: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", line], check=True)
        self.send("Enter")

    def screen(self) -> str:
        out = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return out.stdout

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if check(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{text}")

    def check_in_with_ana_speaking(self, circle: str, *options: str) -> None:
        """Run the check-in for `circle`, move past the welcome, and wait for Ana's turn;
        the shell says `EXIT=<status>` when the app has gone."""
        self.type_line(
            f"{sys.executable} -m circlekeeper run practices/check-in.yaml "
            f'--circle "{circle}" {" ".join(options)}; echo "EXIT=$?"'
        )
        self.wait_for(lambda t: "Welcome" in t and "Next" in t, "the welcome step")
        self.send("Space")
        self.wait_for(speaking("Ana"), "Ana holding the stick")

    def quit_to_a_sane_terminal(self) -> None:
        """End the session and quit (answering the question), see the app exit with 0, and
        the terminal sane again: canonical mode and echo are back."""
        self.send("q")
        self.wait_for(lambda t: "End the session and quit" in t, "the quit question")
        self.send("y")
        self.wait_for(lambda t: "EXIT=0" in t, "a clean exit")
        self.type_line("stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | sort | tr '\\n' ' '")
        self.wait_for(lambda t: "echo icanon" in t, "a sane terminal")

    def resize(self, width: int, height: int) -> None:
        subprocess.run(
            ["tmux", "resize-window", "-t", self.name, "-x", str(width), "-y", str(height)],
            check=True,
        )

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)

    def modes(self) -> str:
        """The terminal's state as tmux keeps it: the alternate screen, mouse tracking and
        the cursor's visibility (`alt=0 mouse=0 cursor=1` is a terminal given back)."""
        out = subprocess.run(
            [
                "tmux",
                "display",
                "-p",
                "-t",
                self.name,
                "alt=#{alternate_on} mouse=#{mouse_any_flag} cursor=#{cursor_flag}",
            ],
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    env = dict(os.environ, TERM="xterm-256color", PS1="$ ", TZ="UTC")
    env.pop("TMUX", None)
    term = Tmux(env)
    try:
        yield term
    finally:
        term.kill()


def at_prompt(text: str) -> bool:
    """The app has left the screen and the shell waits for input."""
    lines = [line for line in text.splitlines() if line.strip()]
    return "Next" not in text and bool(lines) and lines[-1].rstrip().endswith(("$", "#"))


def speaking(name: str) -> Callable[[str], bool]:
    return lambda text: f"Speaking: {name}" in text


def test_a_check_in_from_start_to_a_clean_exit(tmux: Tmux) -> None:
    tmux.type_line("stty -g > /dev/null; echo READY")
    tmux.wait_for(lambda t: "READY" in t.split("echo READY")[-1], "the shell")
    command = (
        f"{sys.executable} -m circlekeeper run practices/check-in.yaml "
        '--circle "Ana,Ben,Cy,Dee" --silent; echo "EXIT=$?"'
    )
    tmux.type_line(command)
    tmux.wait_for(lambda t: "Welcome" in t and "Next" in t, "the welcome step")
    tmux.send("Space")  # the welcome is read; the round begins with the host, Ana
    first = tmux.wait_for(speaking("Ana"), "Ana holding the stick")
    assert "Ana's time" in first
    # Her time is running: the big digits change between two captures.
    tmux.wait_for(lambda t: t != first and speaking("Ana")(t), "Ana's time to run")

    tmux.send("Space")
    tmux.wait_for(speaking("Ben"), "Ben holding the stick")
    tmux.send("p")
    after_pass = tmux.wait_for(speaking("Cy"), "Ben passing to Cy")
    assert "Ben ↷" in after_pass
    tmux.send("Space")
    tmux.wait_for(speaking("Dee"), "Dee")
    tmux.send("Space")
    tmux.wait_for(speaking("Ben"), "Ben back at the end of the queue")

    tmux.send("C-z")  # no suspend during a live session
    tmux.send("g")
    tmux.wait_for(lambda t: "GUARDIAN PAUSE" in t, "the guardian pause")
    tmux.quit_to_a_sane_terminal()

    # The session's journal was written to the (private) data folder and closed.
    from circlekeeper.records.journal import read_journal

    journals = sorted((Path(tmux.env["CIRCLEKEEPER_DATA_DIR"]) / "journals").glob("*.jsonl"))
    assert len(journals) == 1
    contents = read_journal(journals[0])
    names = [event.name for event in contents.events]
    assert names[:2] == ["command_taken", "session_started"]  # the start, then what it did
    assert "passed" in names and "paused" in names
    assert contents.ended


def test_sigtstp_and_sigcont_leave_the_terminal_sane(tmux: Tmux, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    # `exec` keeps the shell's pid, so the file names the app's own process.
    tmux.type_line(
        f"bash -c 'echo $$ > {pid_file}; exec {sys.executable} -m circlekeeper run "
        "practices/check-in.yaml --circle Ana,Ben --silent'"
    )
    tmux.wait_for(lambda t: "Welcome" in t and "Next" in t, "the live session")
    pid = int(pid_file.read_text().strip())
    os.kill(pid, signal.SIGTSTP)  # as job control would send it
    tmux.wait_for(lambda t: "Stopped" in t, "the job to stop")
    tmux.type_line("stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | sort | tr '\\n' ' '")
    tmux.wait_for(lambda t: "echo icanon" in t, "a sane terminal while stopped")
    tmux.type_line("fg")
    tmux.wait_for(lambda t: "Welcome" in t and "Next" in t, "the session back on screen")
    tmux.send("Space")
    tmux.wait_for(speaking("Ana"), "keys working again")
    tmux.send("q")
    tmux.wait_for(lambda t: "End the session and quit" in t, "the quit question")
    tmux.send("y")
    tmux.wait_for(at_prompt, "the shell's prompt")
    tmux.type_line("echo DONE=$?")
    tmux.wait_for(lambda t: "DONE=0" in t, "a clean exit")


def test_resizes_down_to_10x3_and_back_mid_session_keep_it_going(tmux: Tmux) -> None:
    tmux.check_in_with_ana_speaking("Ana,Ben", "--silent")

    def fits(height: int) -> Callable[[str], bool]:
        return lambda text: 0 < len(text.splitlines()) <= height

    for width, height in ((40, 12), (20, 6), (10, 3), (11, 4), (10, 3)):
        tmux.resize(width, height)
        tmux.wait_for(fits(height), f"{width}x{height}")
    tmux.send("Space")  # a key while the screen is tiny: Ben takes the stick
    tmux.resize(100, 30)
    back = tmux.wait_for(speaking("Ben"), "the session back at full size, Ben speaking")
    assert "Traceback" not in back
    # Its time runs: the big digits change between two captures.
    tmux.wait_for(lambda t: t != back and speaking("Ben")(t), "Ben's time to run")
    tmux.quit_to_a_sane_terminal()


def test_native_stderr_goes_to_the_log_while_python_and_the_screen_reach_the_terminal(
    tmux: Tmux, tmp_path: Path
) -> None:
    log = tmp_path / "circlekeeper.log"
    script = tmp_path / "stderr.py"
    script.write_text(
        "import os, sys\n"
        "from pathlib import Path\n"
        "from circlekeeper.errorlog import native_stderr_to\n"
        f"with native_stderr_to(Path({str(log)!r})):\n"
        "    os.write(2, b'FROM-C\\n')\n"  # as PortAudio prints, below Python
        "    sys.__stderr__.write('DRAWN\\n'); sys.__stderr__.flush()\n"  # as Textual draws
        "    print('TRACEBACK', file=sys.stderr)\n"  # as Textual reports a failure
        "os.write(2, b'AFTER\\n')\n",
        encoding="utf-8",
    )
    tmux.type_line(f"{sys.executable} {script}; echo DONE")
    screen = tmux.wait_for(lambda t: "DONE" in t.split("; echo DONE")[-1], "the script")
    assert "DRAWN" in screen and "TRACEBACK" in screen and "AFTER" in screen
    assert "FROM-C" not in screen
    assert log.read_text(encoding="utf-8") == "FROM-C\n"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_the_library_lists_own_practices_at_once_and_flags_one_that_broke(tmux: Tmux) -> None:
    own = Path(tmux.env["CIRCLEKEEPER_DATA_DIR"]) / "practices"
    own.mkdir(parents=True)
    script = (REPO / "practices" / "check-in.yaml").read_text(encoding="utf-8")
    for name in ("tuesday", "thursday"):
        text = script.replace("title: Check-in round", f"title: {name.capitalize()} crew")
        (own / f"{name}.yaml").write_text(text, encoding="utf-8")
    command = f"{sys.executable} -m circlekeeper; echo EXIT=$?"
    tmux.type_line(command)
    # The first run checks the two new scripts behind the list, and indexes them.
    tmux.wait_for(lambda t: "Thursday crew" in t and "Tuesday crew" in t, "own titles")
    tmux.wait_for(lambda t: "enter: set up the circle" in t, "the check to finish")
    tmux.send("q")
    tmux.wait_for(lambda t: "EXIT=0" in t, "a clean exit")

    broken = script.replace("title: Check-in round", "title: Tuesday crew").replace(
        "kind: check-in", "kind: check-in\nkind: sit"
    )
    (own / "tuesday.yaml").write_text(broken, encoding="utf-8")
    tmux.type_line("clear; " + command)
    tmux.wait_for(lambda t: "1 could not be loaded" in t, "the broken script found")
    # Broken scripts are listed last, below the built-in library: go to the end of the list.
    tmux.send("End")
    screen = tmux.wait_for(lambda t: "⚠ tuesday.yaml" in t, "the broken script flagged")
    assert "Could not load" in screen
    line = broken.splitlines().index("kind: sit") + 1
    tmux.wait_for(lambda t: f"tuesday.yaml:{line}:1: duplicate key `kind`" in t, "its error")
    tmux.send("q")
    tmux.wait_for(lambda t: "EXIT=0" in t, "a clean exit")


def shown_time(text: str, most_minutes: int = 9) -> int | None:
    """The big countdown on screen, in seconds: the Digits rendering of each `MM:SS` up to
    `most_minutes`, looked for among the screen's rows (None when none is there)."""
    from rich.console import Console
    from rich.style import Style
    from textual.renderables.digits import Digits

    rows = text.splitlines()
    for total in range(most_minutes * 60 + 59, -1, -1):
        console = Console(width=60, record=True, color_system=None)
        console.print(Digits(f"{total // 60:02d}:{total % 60:02d}", Style(bold=True)))
        glyph = [line.rstrip() for line in console.export_text().splitlines()]
        for top in range(len(rows) - 2):
            column = rows[top].find(glyph[0])
            while column != -1:
                if all(rows[top + k][column : column + len(glyph[k])] == glyph[k] for k in (1, 2)):
                    return total
                column = rows[top].find(glyph[0], column + 1)
    return None


def test_a_round_killed_mid_turn_resumes_with_the_same_speaker_and_time(
    tmux: Tmux, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"
    tmux.type_line(
        f"bash -c 'echo $$ > {pid_file}; exec {sys.executable} -m circlekeeper run "
        "practices/check-in.yaml --circle Ana,Ben,Cy --silent'"
    )
    tmux.wait_for(lambda t: "Welcome" in t and "Next" in t, "the live session")
    tmux.send("Space")
    tmux.wait_for(speaking("Ana"), "Ana holding the stick")
    tmux.send("Space")
    tmux.wait_for(speaking("Ben"), "Ben holding the stick")
    screen = tmux.wait_for(
        lambda t: speaking("Ben")(t) and (shown_time(t, 2) or 999) <= 116, "Ben's time to run"
    )
    before = shown_time(screen, 2)
    os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)  # the power goes
    tmux.wait_for(lambda t: "Killed" in t, "the shell to say the app was killed")

    tmux.type_line(f"stty sane; clear; {sys.executable} -m circlekeeper run --resume; echo EXIT=$?")
    back = tmux.wait_for(lambda t: "Resumed where it stopped" in t, "the resumed session")
    assert "Press g when the circle is ready" in back and speaking("Ben")(back)
    after = shown_time(back, 2)
    assert before is not None and after is not None
    assert abs(after - before) <= 1, (before, after)
    tmux.send("g")
    tmux.wait_for(lambda t: "Resumed where" not in t and speaking("Ben")(t), "the circle going on")
    tmux.send("q")
    tmux.wait_for(lambda t: "End the session and quit" in t, "the quit question")
    tmux.send("y")
    tmux.wait_for(lambda t: "EXIT=0" in t, "a clean exit")

    from circlekeeper.records.journal import read_journal

    (journal,) = (Path(tmux.env["CIRCLEKEEPER_DATA_DIR"]) / "journals").glob("*.jsonl")
    contents = read_journal(journal)
    assert contents.resumes == 1 and contents.status == "ended early"


def test_a_breakout_inserted_mid_round_runs_next_and_the_summary_shows_it(tmux: Tmux) -> None:
    tmux.check_in_with_ana_speaking("Ana,Ben,Cy,Dee", "--silent")
    tmux.send("e")
    tmux.wait_for(lambda t: "forecast end" in t, "the agenda screen")
    tmux.send("i")
    tmux.wait_for(lambda t: "A breakout in small groups" in t, "the templates")
    tmux.send("3")
    tmux.wait_for(lambda t: "Group size" in t, "the breakout's form")
    tmux.send("Enter")  # pairs, four minutes: as offered
    agenda = tmux.wait_for(lambda t: "Breakout in pairs" in t and "Group size" not in t, "it")
    lines = agenda.splitlines()
    current = next(i for i, line in enumerate(lines) if "▶" in line and " now " in line)
    assert "Breakout in pairs" in lines[current + 1], agenda
    tmux.send("q")  # back to the session (so is esc, which a terminal may hold a moment)
    for name in ("Ben", "Cy", "Dee"):
        tmux.wait_for(lambda t: "Next" in t and "forecast end" not in t, "the live screen")
        tmux.send("Space")
        tmux.wait_for(speaking(name), name)
    tmux.send("Space")
    tmux.wait_for(lambda t: "Breakout in pairs" in t and "Group 1" in t, "the breakout, next")
    tmux.send("C-p")
    tmux.wait_for(lambda t: "Agenda" in t or "Search" in t, "the command palette")
    subprocess.run(["tmux", "send-keys", "-t", tmux.name, "-l", "End session"], check=True)
    time.sleep(0.5)
    tmux.send("Enter")
    summary = tmux.wait_for(lambda t: "Agenda changes" in t, "the summary")
    assert '"Breakout in pairs" [breakout, 4:00] inserted after' in summary
    tmux.send("q")
    tmux.wait_for(lambda t: "EXIT=0" in t, "a clean exit")
    # The reportback lists the breakout among the steps as they ran.
    tmux.type_line(f"clear; {sys.executable} -m circlekeeper export last --anonymous")
    tmux.wait_for(lambda t: "3. **Breakout in pairs**" in t, "the export")

    from circlekeeper.records.journal import read_journal

    journals = sorted((Path(tmux.env["CIRCLEKEEPER_DATA_DIR"]) / "journals").glob("*.jsonl"))
    events = read_journal(journals[-1]).events
    assert [e.name for e in events].count("step_inserted") == 1
    titles = [getattr(e, "title", "") for e in events if e.name == "step_started"]
    assert titles[:3] == ["Welcome", "Check-in", "Breakout in pairs"]


def closed_journal(tmux: Tmux) -> Any:
    """The one journal of the session, once it is closed (None until then)."""
    from circlekeeper.records.journal import read_journal

    found = list((Path(tmux.env["CIRCLEKEEPER_DATA_DIR"]) / "journals").glob("*.jsonl"))
    if len(found) != 1:
        return None
    contents = read_journal(found[0])
    return contents if contents.ended else None


def alive(pid: int) -> bool:
    """Whether the process still runs (a zombie waiting for a parent to reap it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_sigterm_ends_the_session_as_a_quit_does_and_gives_the_terminal_back(
    tmux: Tmux, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"
    tmux.type_line(
        f"bash -c 'echo $$ > {pid_file}; exec {sys.executable} -m circlekeeper run "
        "practices/check-in.yaml --circle Ana,Ben --silent'; echo EXIT=$?"
    )
    tmux.wait_for(lambda t: "Welcome" in t and "Next" in t, "the live session")
    assert tmux.modes() == "alt=1 mouse=1 cursor=0"  # the app holds the terminal
    tmux.send("Space")
    tmux.wait_for(speaking("Ana"), "Ana holding the stick")
    os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
    tmux.wait_for(lambda t: "EXIT=143" in t, "the app to end on SIGTERM")
    assert tmux.modes() == "alt=0 mouse=0 cursor=1"
    contents = closed_journal(tmux)
    assert contents is not None and contents.status == "ended early"
    assert [e.name for e in contents.events][-1] == "session_ended"


def test_a_closed_terminal_ends_the_session_and_closes_its_journal(
    tmux: Tmux, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"
    tmux.type_line(
        f"bash -c 'echo $$ > {pid_file}; exec {sys.executable} -m circlekeeper run "
        "practices/check-in.yaml --circle Ana,Ben --silent'"
    )
    tmux.wait_for(lambda t: "Welcome" in t and "Next" in t, "the live session")
    tmux.send("Space")
    tmux.wait_for(speaking("Ana"), "Ana holding the stick")
    pid = int(pid_file.read_text().strip())
    tmux.kill()  # the window is closed: the terminal hangs up (SIGHUP)
    deadline = time.monotonic() + TIMEOUT
    while (alive(pid) or closed_journal(tmux) is None) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid), "the app outlived its terminal"
    contents = closed_journal(tmux)
    assert contents is not None and contents.status == "ended early"
