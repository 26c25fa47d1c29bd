"""The page's picture of a session, and when it counts as changed (plain, synchronous)."""

from __future__ import annotations

import json
from typing import Any

from circlekeeper.engine.clock import shown_minute
from circlekeeper.script.texts import translations
from circlekeeper.share.projection import changed, project

from .sharing import TWO_LANGUAGES, WALL, Live


def state(live: Live, **kwargs: Any) -> dict[str, Any]:
    return project(live.snapshot(), at=live.server_clock.now(), **kwargs)


def test_the_fields_the_page_needs() -> None:
    live = Live()
    live.do("next")  # Welcome → the round: Ana speaks, Ben is next
    live.wait(12.0)
    s = state(live, bells=3, language="en")
    assert s["step"] == "Check-in"
    assert s["prompt"] == "How are you arriving?"
    assert s["speaker"] == "Ana"
    assert s["next"] == "Ben"
    assert s["queue"] == ["Ben", "Cy", "Dee"]
    assert s["timer"] == "turn"
    assert s["remaining"] == 48.0
    assert s["paused"] is False
    assert s["circle"] == ["Ana", "Ben", "Cy", "Dee"]
    assert (s["lap"], s["laps"]) == (1, 2)
    assert s["step_number"] == 2 and s["steps"] == 3
    assert s["stems"] == ["Right now I feel..."]
    assert s["bells"] == 3
    assert s["at"] == live.server_clock.now()
    # The end shown by the timer is what it counts: Ana's turn, not the round.
    # (as the minute the screen shows: the page only writes it out)
    assert s["ends_wall"] == shown_minute(WALL + live.now + 48.0)
    assert s["ends_estimated"] is False
    json.dumps(s)  # everything is plain JSON


def test_the_breakout_groups_are_in_the_picture() -> None:
    live = Live()
    live.do("next")
    live.do("skip")
    s = state(live)
    assert s["step"] == "Pairs"
    assert s["timer"] == "step" and s["remaining"] == 300.0
    assert sorted(name for group in s["groups"] for name in group) == ["Ana", "Ben", "Cy", "Dee"]
    assert all(len(group) == 2 for group in s["groups"])


def test_counting_down_is_not_a_change() -> None:
    live = Live()
    live.do("next")
    before = state(live)
    for _ in range(20):
        live.wait(1.0)
        assert not changed(before, state(live))


def test_a_new_speaker_is_a_change() -> None:
    live = Live()
    live.do("next")
    before = state(live)
    live.wait(3.0)
    live.do("next")
    after = state(live)
    assert after["speaker"] == "Ben"
    assert changed(before, after)


def test_more_time_is_a_change_though_nothing_else_moved() -> None:
    live = Live()
    live.do("next")
    before = state(live)
    live.wait(2.0)
    live.do("extend", 30.0)
    assert changed(before, state(live))


def test_a_pause_is_a_change_and_a_paused_minute_is_not() -> None:
    live = Live()
    live.do("next")
    running = state(live)
    paused = project(live.do("pause"), at=live.server_clock.now())
    assert paused["paused"] is True
    assert changed(running, paused)
    live.wait(60.0)
    assert not changed(paused, state(live))


def test_running_over_a_soft_end_changes_once_then_counts_up_quietly() -> None:
    live = Live()
    live.do("next")
    before = state(live)
    live.wait(61.0)  # a second past Ana's minute: the turn is at zero, overtime begins
    over = state(live)
    assert over["remaining"] == 0.0 and over["overtime"] == 1.0
    assert changed(before, over)
    for _ in range(30):
        live.wait(1.0)
        assert not changed(over, state(live))


def test_a_bell_is_a_change() -> None:
    live = Live()
    assert changed(state(live, bells=0), state(live, bells=1))


def test_the_first_state_is_always_news() -> None:
    assert changed(None, state(Live()))


def test_other_languages_of_the_shown_texts() -> None:
    live = Live(TWO_LANGUAGES, language="de")
    table = translations(live.practice, "de")
    s = state(live, language="de", translations=table)
    assert s["prompt"] == "Wie kommst du an?"
    assert s["prompts"] == {"de": "Wie kommst du an?", "en": "How are you arriving?"}
    assert s["titles"] == {"de": "Runde", "en": "Round"}
    assert s["languages"] == ["de", "en"]
    # A stem given in one language only stays as it is in every language.
    assert s["stems_by_language"] == {"de": ["Ich fühle", "Danke"], "en": ["I feel", "Danke"]}


def test_one_language_has_no_other_versions() -> None:
    live = Live()
    s = state(live, language="en", translations=translations(live.practice, "en"))
    assert s["prompts"] == {} and s["titles"] == {} and s["stems_by_language"] == {}
    assert s["languages"] == ["en"]
