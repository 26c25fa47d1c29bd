"""The shared view in a real browser (headless chromium) while the real app runs the session."""

from __future__ import annotations

import re
import sys

import pytest
from browser import CHROMIUM_ARGS, DESKTOP, PHONE, WAIT_MS, chromium
from test_tui_tmux import Tmux
from test_tui_tmux import tmux as tmux  # the fixture

from circlekeeper.engine import plan_circle
from circlekeeper.script.model import Practice
from circlekeeper.tui.app import make_app
from circlekeeper.tui.config import SessionConfig
from circlekeeper.tui.screens.live import LiveScreen

pytestmark = pytest.mark.e2e

CREW = {
    "title": "Crew meeting",
    "kind": "check-in",
    "language": "en",
    "steps": [
        {
            "kind": "round",
            "title": {"en": "Check-in", "de": "Ankommen"},
            "prompt": {"en": "How are you arriving?", "de": "Wie kommst du an?"},
            "turn": {"time": "2m", "end": "soft"},
        },
        {"kind": "breakout", "title": "Pairs", "group_size": 2, "duration": "5m"},
    ],
}


@pytest.fixture
def browser_path() -> str:
    return chromium()


async def test_the_page_follows_the_app(browser_path: str) -> None:
    from playwright.async_api import async_playwright, expect

    practice = Practice.model_validate(CREW)
    config = SessionConfig(
        practice=practice,
        path=None,
        plan=plan_circle(practice, ("Ana", "Ben", "Cy", "Dee"), seed=1),
        silent=True,
        share="",
    )
    # The real monotonic clock: the page counts down on its own between snapshots.
    app = make_app(config=config, load_user_keymap=False)
    async with app.run_test(size=(100, 30)) as pilot, async_playwright() as playwright:
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.share is not None and app.share.failure is None
        browser = await playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=PHONE, locale="de-DE")
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(app.share.url)
            speaker = page.locator("#speaker")
            # A German browser reads the page in German, and the German version of the prompt.
            await expect(speaker).to_have_text("Ana spricht", timeout=WAIT_MS)
            assert await page.evaluate("document.documentElement.lang") == "de"
            await expect(page.locator("#prompt")).to_have_text("Wie kommst du an?")
            await expect(page.locator("#step-title")).to_have_text("Ankommen")
            await expect(page.locator("#next")).to_have_text("Als Nächstes: Ben")
            # The page counts down by itself: a 2-minute turn shows 01:5x, never --:--.
            await expect(page.locator("#timer")).to_have_text(re.compile(r"0[12]:[0-5]\d"))

            await pilot.press("space")
            await expect(speaker).to_have_text("Ben spricht", timeout=WAIT_MS)
            await expect(page.locator("#next")).to_have_text("Als Nächstes: Cy")
            announce = page.locator("#announce")
            await expect(announce).to_contain_text("Ben spricht.", timeout=WAIT_MS)

            await pilot.press("b")  # a bell: every page flashes
            body = page.locator("body")
            await expect(body).to_have_attribute("data-flashes", "1", timeout=WAIT_MS)

            await pilot.press("g")  # the guardian pause
            await expect(page.locator("#pause")).to_be_visible(timeout=WAIT_MS)
            await expect(page.locator("#caption")).to_contain_text("pausiert")
            await pilot.press("g")
            await expect(page.locator("#pause")).to_be_hidden(timeout=WAIT_MS)

            await pilot.press("s")  # on to the pairs: find my group by name
            await expect(page.locator("#groups-box")).to_be_visible(timeout=WAIT_MS)
            await page.fill("#me", "cy")
            await expect(page.locator("#mine")).to_have_text(
                re.compile(r"Du bist in Gruppe [12], mit (Ana|Ben|Dee)\.")
            )
            await page.set_viewport_size(DESKTOP)  # the same page on a big screen
            await expect(page.locator("#timer")).to_be_visible()

            # The server goes away mid-session: the page says it lost the session, and
            # its clock, counting on alone, is dimmed.
            await app.share.close()
            await expect(page.locator("#lost")).to_contain_text(
                "Verbindung zur Sitzung verloren", timeout=WAIT_MS
            )
            await expect(page.locator("body")).to_have_class("stale")
            await expect(page.locator("#ended")).to_be_hidden()
            assert isinstance(app.screen, LiveScreen)  # the session itself goes on
            assert errors == []
        finally:
            await browser.close()


def test_a_new_user_shares_a_check_in(tmux: Tmux, browser_path: str) -> None:
    """`circlekeeper run check-in --circle "Ana,Ben,Cy" --share`, the link opened in a browser,
    space pressed in the terminal: the page shows who speaks."""
    from playwright.sync_api import expect, sync_playwright

    tmux.type_line(
        f"{sys.executable} -m circlekeeper run check-in --circle 'Ana,Ben,Cy' --share --silent;"
        ' echo "EXIT=$?"'
    )
    screen = tmux.wait_for(lambda t: "Shared view: http" in t and "Next" in t, "the link")
    found = re.search(r"http://127\.0\.0\.1:\d+/\?key=[\w-]+", screen)
    assert found, screen
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(found.group(0))
            speaker = page.locator("#speaker")
            expect(page.locator("#step-title")).to_have_text("Welcome", timeout=WAIT_MS)
            tmux.send("Space")  # the welcome is read: the round begins with the host, Ana
            expect(speaker).to_have_text("Ana speaks", timeout=WAIT_MS)
            expect(page.locator("#next")).to_have_text("Next: Ben")
            tmux.send("Space")
            expect(speaker).to_have_text("Ben speaks", timeout=WAIT_MS)
            tmux.send("q")
            tmux.wait_for(lambda t: "End the session and quit" in t, "the quit question")
            tmux.send("y")
            expect(page.locator("#ended")).to_be_visible(timeout=WAIT_MS)
        finally:
            browser.close()
    tmux.wait_for(lambda t: "EXIT=0" in t, "a clean exit")
