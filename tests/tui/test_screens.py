"""Library and setup: what the facilitator sees before the circle starts."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURE_PRACTICES, MockClock, session_factory, settled, showing, until
from rich.cells import cell_len
from textual.widgets import Button, Input, OptionList, Select, Static, Switch

from circlekeeper.library.index import read_library
from circlekeeper.library.listing import run_list
from circlekeeper.paths import user_practices_dir
from circlekeeper.records.circles import CircleStore
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.app import CircleKeeperApp, make_app
from circlekeeper.tui.screens.library import LibraryScreen, Row
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.screens.setup import SetupScreen, split_names


def library_app(extra: list[Path] | None = None) -> tuple[CircleKeeperApp, RecordingSink]:
    sink = RecordingSink()
    app = make_app(
        extra_dirs=extra or [],
        clock=MockClock(),
        wall=lambda: 1_780_000_000.0,
        sink=sink,
        session_factory=session_factory,
        load_user_keymap=False,
    )
    return app, sink


async def loaded(pilot: Any) -> LibraryScreen:
    """The library, once every script in it is checked."""
    await settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


def listed(screen: LibraryScreen) -> list[str]:
    options = screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def preview(screen: LibraryScreen) -> str:
    return str(screen.query_one("#preview").render())


def status(screen: LibraryScreen) -> str:
    return str(screen.query_one("#library-status").render())


def drawn(app: CircleKeeperApp) -> LibraryScreen:
    """The library as its first frame shows it, before any background check."""
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


async def highlight(pilot: Any, screen: LibraryScreen, text: str) -> None:
    """Highlight the first row that contains `text`."""
    rows = listed(screen)
    screen.query_one(OptionList).highlighted = next(i for i, r in enumerate(rows) if text in r)
    await pilot.pause()


async def open_setup(app: CircleKeeperApp, pilot: Any) -> SetupScreen:
    """From the loaded library, enter on the highlighted practice: its setup screen."""
    await loaded(pilot)
    await pilot.press("enter")
    await until(pilot, lambda: showing(app, SetupScreen), "the setup screen")
    setup = app.screen
    assert isinstance(setup, SetupScreen)
    return setup


class Gate:
    """Holds the library's background check until the test lets it go; counts what it checks."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from circlekeeper.library import describe

        self.open = threading.Event()
        self.checked: list[str] = []
        real = describe.check_file

        def held(path: Path) -> Any:
            assert self.open.wait(30), "the test never opened the gate"
            self.checked.append(path.name)
            return real(path)

        monkeypatch.setattr(describe, "check_file", held)


def own_practice(name: str, title: str, source: Path = FIXTURE_PRACTICES / "check-in.yaml") -> Path:
    """A copy of a fixture practice in the user's folder, under another title."""
    folder = user_practices_dir()
    folder.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("title:"))
    path = folder / name
    path.write_text(text.replace(first, f"title: {title}"), encoding="utf-8")
    return path


async def test_library_groups_by_kind_and_lists_broken_scripts() -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        rows = listed(screen)
        assert rows.index("Check-in") < rows.index("Sitting") < rows.index("Could not load")
        assert any("Crew check-in" in r for r in rows)
        assert any("broken.yaml" in r for r in rows)
        broken = next(e for e in screen.entries.values() if e.errors)
        assert ":7:18:" in broken.error_lines()[0]


async def test_library_preview_shows_steps_duration_languages_and_sources() -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        shown = preview(screen)
        assert "Crew check-in" in shown
        assert "Check-in round" in shown
        assert "The Circle Way" in shown
        assert "Language: English" in shown
        assert "with 5" in shown  # the estimate is for the ideal size


async def test_library_shows_the_error_of_a_broken_script(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    app, _ = library_app([tmp_path])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        await highlight(pilot, screen, "mine.yaml")
        assert "could not be loaded" in preview(screen)
        assert "mine.yaml:1:8:" in preview(screen)


async def test_library_lists_titles_from_a_warm_index_before_any_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own_practice("tuesday.yaml", "Tuesday crew")
    own_practice("dawn.yaml", "Dawn sit", FIXTURE_PRACTICES / "sit.yaml")
    assert run_list([], out=io.StringIO(), err=io.StringIO()) == 2  # writes the index
    gate = Gate(monkeypatch)
    app, _ = library_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = drawn(app)
        rows = listed(screen)
        # Everything the index vouches for is listed with its duration, nothing checked yet;
        # the broken fixture script is flagged at once and checked again behind the list.
        assert "  Tuesday crew  11 min" in rows
        assert "  Dawn sit  55 min" in rows
        assert "  ⚠ broken.yaml" in rows
        assert gate.checked == []
        gate.open.set()
        await settled(pilot)
        assert gate.checked == ["broken.yaml"]
        assert listed(screen) == rows
        assert "enter: set up the circle" in status(screen)


async def test_library_follows_the_background_check(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = own_practice("kept.yaml", "Kept")
    changed = own_practice("changed.yaml", "Changed")
    gone = own_practice("gone.yaml", "Gone")
    run_list([], out=io.StringIO(), err=io.StringIO())
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("duration: 1m", "duration: soon"),
        encoding="utf-8",
    )
    gone.unlink()
    own_practice("new.yaml", "Brand new", FIXTURE_PRACTICES / "sit.yaml")
    gate = Gate(monkeypatch)
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = drawn(app)
        rows = listed(screen)
        assert "  Kept  11 min" in rows
        # New and changed scripts are listed under the titles they declare, being checked.
        assert "  Changed  checking…" in rows
        assert "  Brand new  checking…" in rows
        assert not any("Gone" in row for row in rows)
        assert "checking new or changed scripts… 0/3" in status(screen)
        gate.open.set()
        await settled(pilot)
        assert sorted(gate.checked) == ["broken.yaml", "changed.yaml", "new.yaml"]
        rows = listed(screen)
        assert "  Brand new  55 min" in rows
        assert rows.index("Could not load") < rows.index("  ⚠ changed.yaml")
        await highlight(pilot, screen, "changed.yaml")
        assert "changed.yaml:27:15: " in preview(screen)
        assert "2 could not be loaded" in status(screen)
    # The index now vouches for the new script and has forgotten the deleted one.
    again = read_library()
    by_name = {entry.path.name: entry for entry in again.entries}
    assert not by_name["new.yaml"].needs_check and not by_name["kept.yaml"].needs_check
    assert "gone.yaml" not in by_name
    assert str(kept.resolve()) in again.previous


async def test_enter_loads_the_file_itself_and_flags_it_if_it_broke() -> None:
    path = own_practice("mine.yaml", "Mine")
    run_list([], out=io.StringIO(), err=io.StringIO())
    app, _ = library_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        await highlight(pilot, screen, "Mine")
        # The script breaks after it was listed as valid: opening it must not trust the list.
        path.write_text("title: Mine\nkind: check-in\nsteps: []\n", encoding="utf-8")
        await pilot.press("enter")
        await until(pilot, lambda: "  ⚠ mine.yaml" in listed(screen), "the script flagged")
        assert app.screen is screen
        assert "mine.yaml:3:8:" in preview(screen)


async def test_library_to_setup_to_live_session() -> None:
    app, sink = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        assert setup.practice.title == "Crew check-in"
        await pilot.press(*"Ana, Ben, Cy")
        await pilot.pause()
        assert setup.names == ["Ana", "Ben", "Cy"]
        setup.query_one("#setup-starter", Select).value = "Ben"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: showing(app, LiveScreen), "the LiveScreen")
        assert isinstance(app.screen, LiveScreen)
        # Seats stay as typed; Ben starts.
        plan = app.screen.driver.config.plan
        assert (plan.names, plan.starter, plan.host) == (("Ana", "Ben", "Cy"), "Ben", "Ana")
        assert app.screen.driver.snapshot().speaker is None  # the welcome reading first
        assert "prepare" in sink.kinds()


async def test_setup_reorders_and_saves_a_circle() -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-names", Input).value = "Ana, Ben, Cy"
        await pilot.pause()
        order = setup.query_one("#setup-order", OptionList)
        order.focus()
        order.highlighted = 0
        await pilot.press("alt+down")
        await pilot.pause()
        assert setup.names == ["Ben", "Ana", "Cy"]
        setup.query_one("#setup-circle-name", Input).value = "Tuesday crew"
        setup.query_one("#setup-sound", Switch).value = False
        setup.query_one("#setup-save", Button).press()
        await pilot.pause()
        saved = CircleStore().get("Tuesday crew")
        assert saved is not None and saved.people == ("Ben", "Ana", "Cy")


async def test_setup_picks_a_saved_circle() -> None:
    CircleStore().save("Crew", ["Dee", "Eli", "Fay"])
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-saved", Select).value = "Crew"
        await pilot.pause()
        assert setup.names == ["Dee", "Eli", "Fay"]
        assert setup.query_one("#setup-names", Input).value == "Dee, Eli, Fay"


def test_split_names_drops_blanks_and_repeats() -> None:
    assert split_names(" Ana,, Ben ,ana, Cy\nDee") == ["Ana", "Ben", "Cy", "Dee"]


def test_fixture_library_is_used() -> None:
    from circlekeeper.paths import builtin_practices_dir

    assert builtin_practices_dir() == FIXTURE_PRACTICES


async def test_setup_finds_outputs_in_a_thread_and_picks_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from circlekeeper.sound.player import Output

    outputs = [
        Output(0, "Built-in Audio", "ALSA", 2, 48000.0, True),
        Output(3, "USB Speaker", "ALSA", 2, 44100.0, False),
    ]
    monkeypatch.setattr("circlekeeper.sound.player.load_sounddevice", lambda: object())
    monkeypatch.setattr("circlekeeper.sound.player.list_outputs", lambda sd: outputs)
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-find-outputs", Button).press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        listing = setup.query_one("#setup-outputs", OptionList)
        assert listing.display and listing.option_count == 2
        listing.focus()
        listing.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        assert setup.query_one("#setup-device", Input).value == "USB Speaker"


async def test_setup_shows_the_engines_roles_and_asks_for_the_others() -> None:
    app, _ = library_app()
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await open_setup(app, pilot)
        setup.query_one("#setup-names", Input).value = "Ana, Ben, Cy"
        await pilot.pause()
        shown = str(setup.query_one("#setup-roles").render())
        assert "Host: Ana (rotates)" in shown
        assert "Guardian: Ben (chosen by default)" in shown
        # Who starts is not who hosts: choosing a starter rotates nothing.
        setup.query_one("#setup-starter", Select).value = "Ben"
        await pilot.pause()
        shown = str(setup.query_one("#setup-roles").render())
        assert "Starts: Ben" in shown and "Host: Ana (rotates)" in shown
        setup.query_one("#role-guardian", Select).value = "Cy"
        await pilot.pause()
        assert "Guardian: Cy (chosen)" in str(setup.query_one("#setup-roles").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: showing(app, LiveScreen), "the LiveScreen")
        assert isinstance(app.screen, LiveScreen)
        assert app.screen.driver.config.roles == {"host": ("Ana",), "guardian": ("Cy",)}


async def start_silent(setup: SetupScreen, pilot: Any) -> LiveScreen:
    """Start the session set up, without sound: the live screen."""
    setup.query_one("#setup-sound", Switch).value = False
    await pilot.press("ctrl+s")
    await pilot.pause()
    live = pilot.app.screen
    assert isinstance(live, LiveScreen)
    return live


async def test_a_saved_circle_of_four_is_hosted_by_each_in_turn() -> None:
    CircleStore().save("Crew", ["Ana", "Ben", "Cy", "Dee"])
    hosts: list[str] = []
    for number in range(4):
        app, _ = library_app()
        async with app.run_test(size=(100, 40)) as pilot:
            setup = await open_setup(app, pilot)
            setup.query_one("#setup-saved", Select).value = "Crew"
            await pilot.pause()
            host = ["Ana", "Ben", "Cy", "Dee"][number]
            shown = str(setup.query_one("#setup-meeting", Static).render())
            assert shown == f"meeting {number + 1} · hosted by {host}"
            live = await start_silent(setup, pilot)
            config = live.driver.config
            hosts.append(config.roles["host"][0])
            assert config.plan.host == config.roles["host"][0] == config.plan.starter
            side = str(live.query_one("#practice-title", Static).render())
            assert f"Crew · meeting {number + 1} · hosted by {host}" in side
            # Not a meeting yet: it is recorded when the session ends.
            assert CircleStore().meeting_count("Crew") == number
            live.action_end_session()
            await pilot.pause()
            assert CircleStore().meeting_count("Crew") == number + 1
    assert hosts == ["Ana", "Ben", "Cy", "Dee"]
    saved = CircleStore().get("Crew")
    assert saved is not None and [m.host for m in saved.meetings] == hosts


async def test_setup_prepares_speech_and_hands_the_sink_to_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from circlekeeper.sound.api import SoundStatus

    class Preparing(RecordingSink):
        def status(self) -> SoundStatus:
            return SoundStatus(ok=True, detail="Speakers", prepared=2, to_prepare=5)

    made: list[Preparing] = []

    def fake_make_sink(**_: object) -> Preparing:
        made.append(Preparing())
        return made[-1]

    monkeypatch.setattr("circlekeeper.sound.player.make_sink", fake_make_sink)
    app = make_app(
        clock=MockClock(),
        wall=lambda: 1_780_000_000.0,
        session_factory=session_factory,
        load_user_keymap=False,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, SetupScreen), "the setup screen")
        await app.workers.wait_for_complete()
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, SetupScreen)
        status = str(setup.query_one("#setup-sound-status").render())
        assert "preparing speech 2/5" in status
        assert "prepare" in made[0].kinds()
        setup.query_one("#setup-names", Input).value = "Ana, Ben"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, LiveScreen)
        assert app.screen.driver.sink is made[0]
        assert len(made) == 1  # no second load
        assert not made[0].closed


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (44, ("  Feedback: I like, I wish, I wonder", "  ", "32 min")),
        (30, ("  Feedback: I like, I…", "  ", "32 min")),
        (19, ("  Feedback: I like…", "", "")),  # too narrow for both: the title alone
        (8, ("  Feedb…", "", "")),
    ],
)
def test_a_row_is_one_line_with_the_duration_at_the_right_edge(
    width: int, shown: tuple[str, str, str]
) -> None:
    title, padding, note = Row("  Feedback: I like, I wish, I wonder", "32 min").parts(width)
    assert (title.rstrip(), note) == (shown[0], shown[2])
    assert cell_len(title + padding + note) == width


def test_a_row_counts_wide_characters_as_two_cells() -> None:
    title, padding, note = Row("  茶道の会", "5 min").parts(22)
    assert (title, note) == ("  茶道の会", "5 min")
    assert padding == " " * 7  # 2 + 8 cells of title, 7 of padding, 5 of the note
    assert Row("  茶道の会", "5 min").parts(15)[0] == "  茶道の会"  # the title alone


async def test_an_escape_sequence_in_a_title_never_reaches_the_terminal() -> None:
    folder = user_practices_dir()
    folder.mkdir(parents=True)
    text = (FIXTURE_PRACTICES / "check-in.yaml").read_text(encoding="utf-8")
    (folder / "odd.yaml").write_text(
        text.replace("title: Crew check-in", 'title: "Odd\\e[2J\\e]0;pwned\\a one"'), "utf-8"
    )
    app, _ = library_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        rows = [row for row in listed(screen) if "Odd" in row]
        assert rows == ["  Odd\\x1b[2J\\x1b]0;pwned\\x07 one  11 min"]
        await highlight(pilot, screen, "Odd")
        assert "Odd\\x1b[2J" in preview(screen) and "\x1b" not in preview(screen)


async def test_an_index_that_cannot_be_saved_costs_nothing_but_speed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full_disk(*_: object) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("circlekeeper.library.index.save_index", full_disk)
    app, _ = library_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert any("Crew check-in" in row for row in listed(screen))
        assert app.errors == []


async def crew_setup(app: CircleKeeperApp, pilot: Any) -> SetupScreen:
    """The crew series' setup screen, set up for the saved circle "Crew"."""
    await highlight(pilot, await loaded(pilot), "six meetings")
    setup = await open_setup(app, pilot)
    setup.query_one("#setup-saved", Select).value = "Crew"
    await pilot.pause()
    return setup


async def test_a_saved_crew_remembers_the_focus_order_chosen_at_setup(tmp_path: Path) -> None:
    import shutil

    shutil.copy(Path(__file__).parents[2] / "practices" / "crew-series.yaml", tmp_path)
    CircleStore().save("Crew", ["Ana", "Ben", "Cy", "Dee"])
    for number, focus, host in ((1, "Dee", "Ana"), (2, "Cy", "Ben")):
        app, _ = library_app([tmp_path])
        async with app.run_test(size=(100, 40)) as pilot:
            setup = await crew_setup(app, pilot)
            field = setup.query_one("#setup-focus-order", Input)
            if number == 1:
                assert field.value == ""  # none chosen yet
                field.value = "Dee, Cy"
                await pilot.pause()
            else:
                assert field.value == "Dee, Cy, Ana, Ben"  # what meeting 1 chose
            shown = str(setup.query_one("#setup-meeting", Static).render())
            assert shown == f"meeting {number} of 6 · focus: {focus} · hosted by {host}"
            live = await start_silent(setup, pilot)
            assert live.driver.config.plan.focus == focus
            live.action_end_session()
            await pilot.pause()
        saved = CircleStore().get("Crew")
        assert saved is not None and saved.focus_order == ("Dee", "Cy", "Ana", "Ben")
        assert [m.focus for m in saved.meetings] == ["Dee", "Cy"][:number]


async def test_the_setup_screen_gives_the_focus_to_whoever_has_not_had_it(
    tmp_path: Path,
) -> None:
    """Ben, Cy and Ana had their meetings; Cy left. Meeting 4 is Dee's, not Ben's second
    (counting by position would have passed Dee over)."""
    import shutil

    shutil.copy(Path(__file__).parents[2] / "practices" / "crew-series.yaml", tmp_path)
    store = CircleStore()
    store.save("Crew", ["Ana", "Ben", "Cy", "Dee"])
    for host, focus in (("Ana", "Ben"), ("Ben", "Cy"), ("Cy", "Ana")):
        store.record_meeting("Crew", "A crew's first six meetings", host=host, focus=focus)
    store.save("Crew", ["Ana", "Ben", "Dee"])
    app, _ = library_app([tmp_path])
    async with app.run_test(size=(100, 40)) as pilot:
        setup = await crew_setup(app, pilot)
        shown = str(setup.query_one("#setup-meeting", Static).render())
        assert shown == "meeting 4 of 6 · focus: Dee · hosted by Ana"
        plan = setup.plan()
        assert plan is not None and plan.focus == "Dee" and plan.warnings == ()
