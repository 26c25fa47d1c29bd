"""A live circle does what its script says: the real app in a real terminal (tmux), its sound
played into a PulseAudio null sink and recorded from the sink's monitor, held against
`circlekeeper rehearse --json` of the same practice with the keys the test pressed.

How times are compared: every recorded chunk is stamped with the wall clock when it arrives
(`MonitorRecorder`), and the session's journal stamps its start with the same wall clock, so a
bell due at session time `t` is expected at `start + t` plus one constant: the player's
schedule delay (the stream's latency, its blocks and a margin for a late tick) and the sink's
own. That constant is taken as the median of the measured offsets and reported on its own;
every onset must sit within `SPREAD` of it. The keys pressed are read back from the journal
(the session time each command was taken) and given to the rehearsal as its actions, so the
rehearsal presses them at the same moments.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_tui_tmux import Tmux

from circlekeeper.engine.events import BellDue, CommandTaken, SessionStarted
from circlekeeper.records.journal import JournalContents, read_journal
from circlekeeper.script.loader import load_practice
from circlekeeper.sound.bells import load_wav, render_bell, resample, settle, spacing
from circlekeeper.sound.nullsink import (
    REC_RATE,
    MonitorRecorder,
    NullSinkDaemon,
    NullSinkUnavailable,
    onset_near,
    rms_windows,
    silent_stream,
    start_null_sink,
    stop_process,
)
from circlekeeper.sound.player import SCHEDULE_MARGIN_S
from circlekeeper.sound.speech import SpeechRenderer

pytestmark = [pytest.mark.e2e, pytest.mark.realtime]

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CIRCLE = "Ana,Ben,Cy"
SEED = "7"
SPREAD = 0.050
"""Seconds an onset may sit off its due time once the one constant delay is taken out."""
WAIT = 30.0
"""Seconds a screen may take to show what is expected (a watchdog, not a timing bound)."""


class Live(Tmux):
    """One practice run by the real app in tmux, with its own sink and folders; every
    screen read is kept with the moment it was read."""

    def __init__(self, practice: Path, root: Path, sink: NullSinkDaemon) -> None:
        self.practice, self.root, self.sink = practice, root, sink
        self.screens: list[tuple[float, str]] = []
        for sub in ("data", "config", "cache"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, TERM="xterm-256color", PS1="$ ", TZ="UTC")
        env.pop("TMUX", None)
        for sub in ("data", "config", "cache"):
            env[f"CIRCLEKEEPER_{sub.upper()}_DIR"] = str(root / sub)
        super().__init__(env)

    def start(self) -> None:
        """Start the session (sound on, into the sink)."""
        reach = " ".join(
            f"{key}={shlex.quote(sink_env)}"
            for key in ("XDG_RUNTIME_DIR", "HOME", "XDG_CONFIG_HOME")
            if (sink_env := self.sink.env.get(key)) is not None
        )
        self.type_line(
            f"env -u PULSE_SERVER -u ALSA_CONFIG_PATH {reach} {sys.executable} -m circlekeeper "
            f"run {self.practice} --circle {CIRCLE} --seed {SEED}; echo EXIT=$?"
        )

    def screen(self) -> str:
        """What the terminal shows now (kept, with the moment it was read)."""
        out = super().screen()
        self.screens.append((time.time(), out))
        return out

    def journal(self) -> JournalContents:
        """The session's journal (its one file)."""
        found = sorted((self.root / "data" / "journals").glob("*.jsonl"))
        assert len(found) == 1, found
        return read_journal(found[0])


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Callable[[str], tuple[Live, MonitorRecorder]]]:
    """Start a practice of tests/e2e/practices live, its sound recorded."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    started: list[tuple[Live, MonitorRecorder, subprocess.Popen[bytes]]] = []
    done = threading.Event()
    watchers: list[threading.Thread] = []

    def begin(name: str) -> tuple[Live, MonitorRecorder]:
        try:
            (tmp_path / "pulse").mkdir()
            sink = start_null_sink(tmp_path / "pulse")
        except NullSinkUnavailable as exc:
            pytest.skip(str(exc))
        silence = silent_stream(sink.env)
        run = Live(HERE / "practices" / f"{name}.yaml", tmp_path / "home", sink)
        recorder = MonitorRecorder(sink.env)
        started.append((run, recorder, silence))
        run.start()
        # The screen is read every 0.2 s all along, to be held against the rehearsal after.
        watchers.append(threading.Thread(target=watch, args=(run, done), daemon=True))
        watchers[-1].start()
        return run, recorder

    yield begin
    done.set()
    for watcher in watchers:
        watcher.join(timeout=5)
    for run, recorder, silence in started:
        run.kill()
        recorder.proc.terminate()
        silence.terminate()
        stop_process(run.sink.pid)


# -- the rehearsal ---------------------------------------------------------------------------


ACTION_OF = {"next": "next", "pass": "pass", "pause": "pause", "resume": "resume"}


def rehearsal(run: Live, journal: JournalContents, tmp_path: Path) -> list[dict[str, Any]]:
    """`rehearse --json` of the practice with the keys the session took, when it took them."""
    actions = []
    for event in journal.events:
        if not isinstance(event, CommandTaken):
            continue
        command = event.command
        verb = command.get("command")
        at = f"{event.t:.3f}s"
        if verb in ACTION_OF:
            actions.append({"at": at, "do": ACTION_OF[verb]})
        elif verb == "bell":
            actions.append(
                {"at": at, "do": "bell", "sound": command["sound"], "strikes": command["strikes"]}
            )
    file = tmp_path / "actions.yaml"
    file.write_text(json.dumps(actions), encoding="utf-8")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "circlekeeper",
            "rehearse",
            str(run.practice),
            "--circle",
            CIRCLE,
            "--seed",
            SEED,
            "--json",
            "--actions",
            str(file),
            "--only-actions",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


def started_wall(journal: JournalContents) -> float:
    """The wall clock at session time 0: the journal's stamp of the session's start."""
    for entry in journal.entries:
        if isinstance(entry.event, SessionStarted) and entry.wall is not None:
            return entry.wall - entry.event.t
    raise AssertionError("the journal has no start")


# -- what was heard --------------------------------------------------------------------------


@dataclass
class Heard:
    """The recording, and the wall clock at session time 0."""

    x: np.ndarray
    rec: MonitorRecorder
    start: float
    rms: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.rms = rms_windows(self.x)

    def level(self, start: float, end: float) -> float:
        """Peak RMS (10 ms windows) between two wall times."""
        piece = self.x[self.rec.index_of(start) : self.rec.index_of(end)]
        return float(np.max(rms_windows(piece))) if len(piece) > REC_RATE // 100 else 0.0

    def onset(self, wall: float, before: float) -> float | None:
        """The first onset from `before` s ahead of the wall time `wall`."""
        return onset_near(self.rms, self.rec, wall, before)


GUESS = 0.3
"""Seconds a cue is first looked for after it fell due (about the player's constant delay)."""


def bell_offsets(
    timeline: list[dict[str, Any]], heard: Heard
) -> list[tuple[dict[str, Any], float]]:
    """Each bell of the timeline and how long after its due time its onset was heard."""
    found = []
    for event in timeline:
        if event["event"] != "bell_due":
            continue
        due = heard.start + event["t"]
        onset = heard.onset(due + GUESS, before=GUESS - 0.05)
        assert onset is not None, f"nothing heard of {event}"
        found.append((event, onset - due))
    return found


def check_bells(timeline: list[dict[str, Any]], heard: Heard) -> tuple[float, list[float]]:
    """Every bell on time after one constant delay; the delay and each error.

    A bell rung by hand is not scheduled: it sounds as soon as the output can take it, so it
    is held only to sound after the key and no later than a scheduled bell would."""
    offsets = bell_offsets(timeline, heard)
    timed = [(e, o) for e, o in offsets if e["reason"] != "manual"]
    delay = float(np.median([o for _, o in timed]))
    errors = [o - delay for _, o in timed]
    late = [
        (e["t"], e["sound"], e["reason"], round(err, 3))
        for (e, _), err in zip(timed, errors, strict=True)
        if abs(err) > SPREAD
    ]
    assert not late, f"bells off their time by more than {SPREAD} s (delay {delay:.3f} s): {late}"
    assert 0.0 < delay < 0.6, delay
    by_hand = [o for e, o in offsets if e["reason"] == "manual"]
    assert all(0.0 < o < delay + SPREAD for o in by_hand), (by_hand, delay)
    print(
        f"\n{len(errors)} timed bells; constant delay {delay * 1000:.0f} ms; errors (ms): "
        f"{[round(e * 1000) for e in errors]}; worst {max(map(abs, errors)) * 1000:.0f} ms; "
        f"by hand heard after (ms): {[round(o * 1000) for o in by_hand]}"
    )
    return delay, errors


def check_last_cue_in_full(timeline: list[dict[str, Any]], heard: Heard, delay: float) -> None:
    """The last bell rings out as rendered: the recording keeps its ringing to the end."""
    last = [e for e in timeline if e["event"] == "bell_due"][-1]
    rendered = resample(render_bell(last["sound"], last["strikes"]), 48000, REC_RATE)
    env = rms_windows(rendered)
    onset = heard.start + last["t"] + delay
    peak = heard.level(onset, onset + 0.5)
    # The last moment the rendered bell is still a tenth of its peak: the recording must
    # still ring there, in proportion (a cut leaves silence).
    tail = int(np.nonzero(env > 0.1 * env.max())[0][-1]) * 44 / REC_RATE
    heard_tail = heard.level(onset + tail - 0.2, onset + tail)
    expected = float(env[int((tail - 0.1) * REC_RATE / 44)]) / float(env.max()) * peak
    assert heard_tail > 0.3 * expected, (last, tail, heard_tail, expected)


def locate(heard: Heard, words: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """Where the rendered `words` begin in the recording between wall times `lo` and `hi`
    (their start may fall anywhere in it), matched by the shape of their loudness; and how
    well they match (1.0: exactly their shape)."""
    tmpl = rms_windows(words)
    tmpl = tmpl - tmpl.mean()
    first = heard.rec.index_of(lo)
    seg = rms_windows(heard.x[first : heard.rec.index_of(hi) + len(words)])
    n = len(tmpl)
    assert len(seg) > n, "the recording ends before the words could"
    num = np.correlate(seg, tmpl, mode="valid")
    sums = np.concatenate(([0.0], np.cumsum(seg)))
    squares = np.concatenate(([0.0], np.cumsum(seg**2)))
    local = (squares[n:] - squares[:-n]) - (sums[n:] - sums[:-n]) ** 2 / n
    score = num / np.sqrt(np.maximum(local, 1e-12) * float(np.sum(tmpl**2)))
    best = int(np.argmax(score))
    return heard.rec.wall_of(first + best * 44), float(score[best])


def check_words(
    timeline: list[dict[str, Any]], heard: Heard, delay: float, run: Live, practice: Any
) -> None:
    """Each text heard whole, one at a time: never before it fell due (a cue's words never
    before its last strike has settled), never on top of the words before it."""
    renderer = SpeechRenderer(
        practice.voices, practice.language, cache=run.root / "cache" / "speech"
    )
    texts: list[tuple[float, str]] = []  # the earliest it may start, the text
    for event in timeline:
        due = heard.start + event["t"] + delay
        if event["event"] == "bell_due" and event.get("say"):
            strikes_end = due + (event["strikes"] - 1) * spacing(event["sound"])
            texts.append((strikes_end + settle(event["sound"]), event["say"]))
        elif event["event"] == "prompt_due":
            texts.append((due, event["text"]))
    try:
        rendered = [
            load_wav(renderer.render(text, practice.language), REC_RATE) for _, text in texts
        ]
    finally:
        renderer.close()
    previous_end, previous = -1.0, ""
    heard_at = []
    for (earliest, text), words in zip(texts, rendered, strict=True):
        begins, match = locate(heard, words, earliest - 2 * SPREAD, earliest + 12.0)
        assert match > 0.8, f"{text!r} was not heard whole (match {match:.2f})"
        assert begins >= earliest - SPREAD, (text, "early", begins - earliest)
        assert begins >= previous_end - SPREAD, (text, "on top of", previous, previous_end - begins)
        voiced = np.nonzero(np.abs(words) > 0.02 * np.max(np.abs(words)))[0]
        previous_end, previous = begins + voiced[-1] / REC_RATE, text
        heard_at.append(f"{text[:16]!r} +{(begins - earliest) * 1000:.0f} ms ({match:.2f})")
    print(f"{len(texts)} texts, each after the earliest it may start: {'; '.join(heard_at)}")


def check_screens(timeline: list[dict[str, Any]], run: Live, start: float) -> None:
    """After each change the screen shows the step, its prompt, the lap and the speaker."""
    shown: dict[str, str | None] = {"title": None, "prompt": None, "speaker": None, "lap": None}
    changes: list[tuple[float, dict[str, str | None]]] = []
    for event in timeline:
        kind = event["event"]
        if kind == "step_started":
            shown = {"title": event["title"], "prompt": event["text"], "speaker": None, "lap": None}
        elif kind == "lap_started":
            shown = {**shown, "prompt": event["prompt"]}
            shown["lap"] = f"lap {event['lap']}/"
        elif kind == "turn_started":
            shown = {**shown, "speaker": f"Speaking: {event['speaker']}"}
        elif kind == "step_ended":
            # Between steps (or the last bells ringing out): nothing of the step to hold.
            shown = dict.fromkeys(shown)
        else:
            continue
        if changes and changes[-1][0] == event["t"]:
            changes[-1] = (event["t"], dict(shown))
        else:
            changes.append((event["t"], dict(shown)))
    end = next(e["t"] for e in timeline if e["event"] == "session_ended")
    bounds = [*[t for t, _ in changes[1:]], end]
    count = 0
    for (t, want), until in zip(changes, bounds, strict=True):
        if not any(want.values()):
            continue
        seen = [s for wall, s in run.screens if start + t + 0.5 <= wall <= start + until - 0.2]
        assert seen, f"no screen read between {t} s and {until} s"
        count += len(seen)
        for screen in seen:
            flat = " ".join(screen.split())
            for value in want.values():
                if value is not None:
                    assert " ".join(value.split()) in flat, f"{t} s: no {value!r} in\n{screen}"
    print(f"{len(changes)} changes on screen, {count} screens read held against them")


def watch(run: Live, done: threading.Event) -> None:
    """Read the screen every 0.2 s until `done` is set (run in a thread)."""
    while not done.wait(0.2):
        run.screen()


def session_start(run: Live) -> float:
    """The wall clock at session time 0, once the session has started (from its journal)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for path in (run.root / "data" / "journals").glob("*.jsonl"):
            contents = read_journal(path, repair=False)
            try:
                return started_wall(contents)
            except AssertionError:
                pass
        time.sleep(0.05)
    raise AssertionError(f"the session did not start; screen was:\n{run.screen()}")


def at(start: float, t: float) -> None:
    """Sleep until session time `t`."""
    time.sleep(max(0.0, start + t - time.time()))


def finish(run: Live, rec: MonitorRecorder, timeline_end: float, start: float) -> np.ndarray:
    """Wait for the summary and the last bell's ringing, quit, and stop the recording."""
    run.wait_for(lambda t: "finished" in t, "the summary", timeout=timeline_end + 60)
    at(start, timeline_end + 9.0)  # the longest bell rings out
    run.send("q")
    exited = run.wait_for(lambda t: re.search(r"EXIT=\d", t) is not None, "the app's exit")
    assert "EXIT=0" in exited
    return rec.stop()


def hold(run: Live, rec: MonitorRecorder, start: float, tmp_path: Path, end: float) -> None:
    """Everything heard and seen, held against the rehearsal."""
    x = finish(run, rec, end, start)
    journal = run.journal()
    assert journal.ended, "the journal was closed"
    timeline = rehearsal(run, journal, tmp_path)
    heard = Heard(x, rec, start)
    practice = load_practice(run.practice)
    delay, _ = check_bells(timeline, heard)
    # How late the screen's tick routed each bell (the journal stamps it as it is routed):
    # the player's margin for a late tick must cover it.
    late = [
        entry.wall - (start + entry.event.t)
        for entry in journal.entries
        if isinstance(entry.event, BellDue) and entry.wall is not None
    ]
    print(
        f"ticks routed bells late by (ms): max {max(late) * 1000:.0f}, "
        f"median {float(np.median(late)) * 1000:.0f}; margin {SCHEDULE_MARGIN_S * 1000:.0f}"
    )
    check_last_cue_in_full(timeline, heard, delay)
    check_words(timeline, heard, delay, run, practice)
    check_screens(timeline, run, start)
    assert float(np.max(np.abs(x))) < 0.99, "clipped"


def test_every_bell_of_a_sit_on_time_and_the_last_heard_in_full(live: Any, tmp_path: Path) -> None:
    run, rec = live("bells")
    start = session_start(run)
    at(start, 55.0)
    run.send("g")  # the guardian pauses
    run.wait_for(lambda t: "PAUSED" in t, "the pause")
    at(start, 58.0)
    run.send("g")  # and resumes
    at(start, 61.0)
    run.send("b")  # a bell by hand
    hold(run, rec, start, tmp_path, 69.0)


def test_a_round_of_two_laps_speaks_each_prompt_once_and_on_its_own(
    live: Any, tmp_path: Path
) -> None:
    run, rec = live("talk")
    start = session_start(run)
    # A soft end: each speaker goes on a little past the clappers, then Space.
    for press in (12.8, 19.6, 26.4, 33.2, 40.0, 46.8):
        at(start, press)
        run.send("Space")
    hold(run, rec, start, tmp_path, 58.8)
