"""The keys and the screen of exchanges, consent rounds, speaking queues and open-ended
steps, through Pilot with a mock clock."""

from __future__ import annotations

from typing import Any

from conftest import LiveApp
from test_keys import live, settle, snap
from textual.widgets import Digits, OptionList, Static

from circlekeeper.tui.screens.dialogs import ChoiceDialog, PickDialog

EXCHANGE = {
    "title": "Comprehension",
    "kind": "conflict",
    "steps": [
        {
            "kind": "exchange",
            "title": "Mutual comprehension",
            "prompt": "How are you now?",
            "parts": {"reflect": {"prompt": "What did you hear?"}},
        }
    ],
}
CONSENT = {
    "title": "Decide",
    "kind": "decision",
    "steps": [
        {"kind": "consent", "proposal": "We buy a bell", "prompt": "Consent?", "max_rounds": 2},
        {"kind": "read", "text": "Done."},
    ],
}
QUEUE = {
    "title": "Talk",
    "kind": "other",
    "steps": [{"kind": "discussion", "prompt": "What now?", "stack": True, "timebox": "1m"}],
}


def shown(app: Any, selector: str) -> str:
    return str(live(app).query_one(selector, Static).render())


async def choose(pilot: Any, label: str) -> None:
    """Choose the option whose text contains `label` in the open dialog."""
    options = pilot.app.screen.query_one(OptionList)
    for index in range(options.option_count):
        if label in str(options.get_option_at_index(index).prompt):
            options.highlighted = index
            break
    else:
        raise AssertionError(f"no option {label!r}")
    await pilot.press("enter")
    await settle(pilot)


async def test_an_exchange_with_its_keys(live_app: LiveApp) -> None:
    app, clock, _ = live_app(EXCHANGE)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Pair 1 of 4: Ana speaks to Ben" in shown(app, "#talk")
        assert "Speaking: Ana → Ben" in shown(app, "#speaker-line")
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, PickDialog)
        await choose(pilot, "Dee")
        assert snap(app).listener == "Dee"
        clock.advance(30)
        await pilot.press("space")
        await settle(pilot)
        assert "Dee reflects back to Ana" in shown(app, "#talk")
        assert "What did you hear?" in shown(app, "#talk")
        await pilot.press("a")  # Ana adds more
        await settle(pilot)
        assert (snap(app).part, snap(app).loop) == ("speak", 2)
        await pilot.press("space", "c")
        await settle(pilot)
        assert snap(app).heard == ("Ana",)
        assert "Pair 2 of 4: Dee speaks to Ana" in shown(app, "#talk")
        await pilot.press("n")
        await settle(pilot)
        assert snap(app).pair == 3


async def test_a_consent_round_with_its_keys(live_app: LiveApp) -> None:
    app, _, _ = live_app(CONSENT, names=("Ana", "Ben", "Cy"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Consent round 1 of 2: Consent?" in shown(app, "#talk")
        for response in ("consent", "objection", "stand aside"):
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, ChoiceDialog)
            await choose(pilot, response)
        assert snap(app).amending
        talk = shown(app, "#talk")
        assert "Ben ✗ objection" in talk and "Objection from Ben" in talk
        assert "Ben ✗" in shown(app, "#circle")
        await pilot.press("space")
        await settle(pilot)
        assert (snap(app).lap, snap(app).speaker) == (2, "Ana")
        await pilot.press("d")
        await settle(pilot)
        await choose(pilot, "Amend and return")
        assert snap(app).step_kind == "read"
        decided = [e for e in live(app).driver.events if e.name == "decision_made"]
        assert [e.result for e in decided] == ["amend-and-return"]  # type: ignore[attr-defined]


async def test_a_queue_with_kinds_and_time_counted_up(live_app: LiveApp) -> None:
    app, clock, _ = live_app(QUEUE)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        clock.advance(5)
        await settle(pilot)
        assert "00:05" in str(live(app).query_one(Digits).value)
        assert "elapsed" in shown(app, "#timer-caption")
        assert "soft limit 01:00" in shown(app, "#timer-caption")
        for who, kind in (("Ana", "New point"), ("Ben", "New point"), ("Cy", "Point of process")):
            await pilot.press("h")
            await settle(pilot)
            await choose(pilot, who)
            await choose(pilot, kind)
        assert snap(app).speaker == "Ana"
        assert snap(app).queue == ("Cy", "Ben")
        assert "1. Cy (point of process), 2. Ben" in shown(app, "#talk")
        await pilot.press("h")
        await settle(pilot)
        await choose(pilot, "Ben")
        await choose(pilot, "No longer asks")
        assert snap(app).queue == ("Cy",)
        clock.advance(120)
        await settle(pilot)
        assert "01:05 over" in shown(app, "#timer-caption")


async def test_the_talk_keys_apply_only_where_they_belong(live_app: LiveApp) -> None:
    app, _, _ = live_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        screen = live(app)
        for action in (
            "confirm",
            "more",
            "next_pair",
            "listener",
            "respond",
            "decide",
            "raise_hand",
        ):
            assert screen.check_action(action, ()) is False
        await pilot.press("c", "r", "h")
        await settle(pilot)
        assert snap(app).speaker == "Ana" and not shown(app, "#talk")


async def test_the_last_bells_ring_out_before_the_end(live_app: LiveApp) -> None:
    bells = {
        "title": "Bells",
        "kind": "sit",
        "steps": [
            {
                "kind": "sit",
                "duration": "1m",
                "bells": {"at": [{"at": "1m", "sound": "gong"}], "end": "bowl x2"},
            }
        ],
    }
    app, clock, sink = live_app(bells)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        driver = live(app).driver
        clock.advance(61)
        await settle(pilot)
        # The gong rang at a minute; the two bowls wait six seconds for it.
        assert snap(app).phase == "running" and snap(app).step_index is None
        assert "the last bells are ringing" in shown(app, "#timer-caption")
        clock.advance(10)
        await pilot.pause()
        live(app).tick()
        await pilot.pause()
        rung = [call for call in sink.calls if call[0] == "bell"]
        assert [call[1][:2] for call in rung] == [("gong", 1), ("bowl", 2)]
        assert driver.session.ended
