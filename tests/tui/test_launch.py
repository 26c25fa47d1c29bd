"""`circlekeeper run` with bad input: one line on stderr, exit 2, before Textual starts."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from circlekeeper.tui import launch
from circlekeeper.tui.config import SessionConfig


@pytest.fixture(autouse=True)
def _no_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad input must be caught before any app is built."""

    def refuse(**_: object) -> None:
        raise AssertionError("the app was started")

    monkeypatch.setattr("circlekeeper.tui.app.make_app", refuse)


def run(practice: str, names: list[str], share: str | None = None) -> int:
    return launch.run_session(
        practice, names, silent=True, lang=None, device=None, seed=None, share=share
    )


def test_an_unknown_practice(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("no-such-practice", ["Ana", "Ben"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no-such-practice" in err
    assert "Traceback" not in err


def test_an_invalid_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text("format: 1\ntitle: Bad\nkind: sit\nsteps:\n  - kind: sit\n", "utf-8")
    assert run(str(script), ["Ana"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and all(line.startswith(f"{script}:") for line in err)
    assert ":5:" in err[0]


def test_a_missing_practices_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert launch.open_library([tmp_path / "nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_load_config_assigns_roles_from_the_script() -> None:
    config = launch.load_config(
        "check-in", ["Ana", "Ben"], silent=False, lang=None, device=None, seed=3
    )
    assert config.circle == ("Ana", "Ben")
    assert config.path is not None and config.path.name == "check-in.yaml"
    assert config.roles.get("host") == ("Ana",)  # rotated, first meeting
    assert (config.plan.starter, config.plan.host, config.language) == ("Ana", "Ana", "en")


def test_load_config_draws_one_seed_for_the_engine_and_the_journal() -> None:
    given = launch.load_config("check-in", ["Ana"], silent=True, lang=None, device=None, seed=7)
    assert given.seed == 7
    drawn = {
        launch.load_config("check-in", ["Ana"], silent=True, lang=None, device=None, seed=None).seed
        for _ in range(5)
    }
    # A real number is drawn (never None), and not the same one every time.
    assert all(isinstance(seed, int) for seed in drawn) and len(drawn) > 1


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """What each app the command line builds is given (the app itself never runs)."""
    made: list[dict[str, object]] = []

    class FakeApp:
        exit_message = None

        def run(self) -> None:
            return None

        def release_journals(self) -> list[str]:
            return []

    def fake_make_app(**kwargs: object) -> FakeApp:
        made.append(kwargs)
        return FakeApp()

    monkeypatch.setattr("circlekeeper.tui.app.make_app", fake_make_app)
    return made


def test_run_flags_reach_the_app(built: list[dict[str, object]]) -> None:
    from click.testing import CliRunner

    from circlekeeper.cli import cli

    args = ["run", "check-in", "--circle", "Ana,Ben", "--silent", "--announce", "--high-contrast"]
    result = CliRunner().invoke(cli, [*args, "--seed", "5"])
    assert result.exit_code == 0, result.output
    config = built[0]["config"]
    assert isinstance(config, SessionConfig)
    assert built[0]["high_contrast"] is True
    assert config.announce and config.silent and config.seed == 5


def test_share_takes_its_port_before_the_app_starts(built: list[dict[str, object]]) -> None:
    from click.testing import CliRunner

    from circlekeeper.cli import cli

    result = CliRunner().invoke(cli, ["run", "check-in", "--circle", "Ana,Ben", "--share"])
    assert result.exit_code == 0, result.output
    config = built[0]["config"]
    sock = built[0]["share_socket"]
    assert isinstance(config, SessionConfig) and config.share == ""
    assert isinstance(sock, socket.socket)
    try:
        host, port = sock.getsockname()[:2]
        assert host == "127.0.0.1" and port > 0  # this computer only, a free port
    finally:
        sock.close()
    built.clear()
    CliRunner().invoke(cli, ["run", "check-in", "--circle", "Ana,Ben"])
    assert built[0]["share_socket"] is None and built[0]["config"].share is None  # type: ignore[attr-defined]


def test_a_port_in_use_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from circlekeeper.share import bind

    taken = bind("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        code = run("check-in", ["Ana", "Ben"], share=f"127.0.0.1:{port}")
    finally:
        taken.close()
    assert code == 2
    err = capsys.readouterr().err
    assert err == f"circlekeeper: cannot share on 127.0.0.1:{port}: address in use\n"


def test_an_unreadable_share_address_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("check-in", ["Ana", "Ben"], share="nowhere:port") == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("circlekeeper: --share wants HOST:PORT")


def test_roles_chosen_on_the_command_line_are_held(built: list[dict[str, object]]) -> None:
    from click.testing import CliRunner

    from circlekeeper.cli import cli

    # The guardian is asked at setup: chosen here.
    args = ["run", "check-in", "--circle", "Ana,Ben,Cy", "--roles", "guardian=Cy"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    config = built[0]["config"]
    assert isinstance(config, SessionConfig)
    assert config.roles["guardian"] == ("Cy",) and config.plan.defaulted_roles == ()
    built.clear()
    # Not chosen: filled by the practice's rule, and marked so the session can say who.
    CliRunner().invoke(cli, ["run", "check-in", "--circle", "Ana,Ben,Cy"])
    config = built[0]["config"]
    assert isinstance(config, SessionConfig)
    assert config.roles["guardian"] == ("Ben",) and config.plan.defaulted_roles == ("guardian",)


def test_a_role_the_practice_does_not_have_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = launch.run_session(
        "check-in",
        ["Ana", "Ben"],
        silent=True,
        lang=None,
        device=None,
        seed=None,
        chosen_roles={"boss": ["Ana"]},
    )
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "circlekeeper: --roles names `boss`, which is not a role of this practice (host, guardian)"
    ]


def test_a_saved_circles_own_roles_need_not_be_the_practices() -> None:
    config = launch.load_config(
        "check-in",
        ["Ana", "Ben"],
        silent=True,
        lang=None,
        device=None,
        seed=1,
        given_roles={"scribe": ["Ben"]},  # a standing role this practice has no use for
    )
    assert "scribe" not in config.roles and config.roles["host"] == ("Ana",)
