"""The computer sleeping mid-session, on fake clocks: the monotonic clock stands still while
CLOCK_BOOTTIME runs on. A long sleep pauses and asks; a short one is caught up on; the wall
clock set by hand or stepped by NTP is never taken for a sleep."""

from __future__ import annotations

import time

import pytest
from conftest import WALL, LiveApp, MockClock, config, session_factory
from test_keys import live, settle, snap

from circlekeeper.engine.commands import Pause, Resume
from circlekeeper.engine.events import BellDue
from circlekeeper.sound.api import RecordingSink
from circlekeeper.tui.driver import Driver
from circlekeeper.tui.screens.dialogs import SuspendDialog
from circlekeeper.tui.screens.live import LiveScreen
from circlekeeper.tui.sleep import (
    ASK_AFTER_S,
    NOTICE_S,
    Sleep,
    SleepWatch,
    boottime_clock,
    system_sleep_watch,
)


class Hand:
    """A clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def watch() -> tuple[SleepWatch, MockClock, Hand]:
    mono, boot = MockClock(), Hand(86_400.0)
    sleep = SleepWatch(mono.now, boot)
    sleep.reset()
    return sleep, mono, boot


def test_monotonic_frozen_while_boottime_jumps_600_s_is_a_sleep_to_ask_about() -> None:
    sleep, mono, boot = watch()
    mono.advance(30)
    boot.now += 30  # awake: both clocks run
    assert sleep.look() is None
    boot.now += 600  # asleep: only boot time runs
    assert sleep.look() == Sleep(600, ask=True)
    assert sleep.look() is None  # accounted for once


def test_sleeps_shorter_than_the_notice_add_up_and_are_counted_once() -> None:
    sleep, _, boot = watch()
    boot.now += NOTICE_S * 0.4
    assert sleep.look() is None
    boot.now += NOTICE_S * 0.4
    assert sleep.look() is None
    boot.now += NOTICE_S * 0.4
    found = sleep.look()
    assert found is not None and not found.ask
    assert found.seconds == pytest.approx(NOTICE_S * 1.2)


def test_a_five_second_sleep_is_caught_up_on_without_asking() -> None:
    sleep, _, boot = watch()
    boot.now += 5
    assert sleep.look() == Sleep(5, ask=False)
    boot.now += ASK_AFTER_S
    assert sleep.look() == Sleep(ASK_AFTER_S, ask=True)


def test_the_wall_clock_stands_in_only_for_long_jumps_and_forgets_being_set_back() -> None:
    mono, wall = MockClock(), Hand(WALL)
    sleep = SleepWatch(mono.now, wall, floor=ASK_AFTER_S)
    sleep.reset()
    wall.now += ASK_AFTER_S / 2  # a clock set forward a little: not acted on
    assert sleep.look() is None
    wall.now -= 3_600  # set back an hour: the count starts again from here
    assert sleep.look() is None
    wall.now += 600
    assert sleep.look() == Sleep(600, ask=True)


def test_the_system_watch_reads_boottime_where_linux_has_it() -> None:
    boottime = boottime_clock()
    if not hasattr(time, "CLOCK_BOOTTIME"):
        assert boottime is None
        return
    assert boottime is not None
    # Boot time counts from the same boot and never runs behind the monotonic clock.
    assert boottime() >= time.monotonic() - 0.01
    real = system_sleep_watch()
    assert real.floor == NOTICE_S
    real.reset()
    assert real.look() is None  # this process was not suspended in between


def make(boot: Hand, wall: Hand) -> tuple[Driver, MockClock, RecordingSink]:
    setup = config()
    clock = MockClock()
    sink = RecordingSink()
    sleep = SleepWatch(clock.now, boot)
    driver = Driver(setup, session_factory(setup), clock, wall=wall, sink=sink, sleep=sleep)
    return driver, clock, sink


def test_a_wall_clock_change_is_never_taken_for_a_sleep() -> None:
    boot, wall = Hand(86_400.0), Hand(WALL)
    driver, clock, _ = make(boot, wall)
    driver.start()
    for step in (600.0, -7_200.0, 3_600.0):  # set by hand, NTP steps, a time zone mistake
        clock.advance(1)
        boot.now += 1
        wall.now += step
        tick = driver.tick()
        assert tick.suspended_for is None and tick.caught_up == 0
    assert driver.snapshot().now == pytest.approx(3)


def test_a_short_sleep_catches_the_turn_up_and_the_warning_that_fell_due_rings() -> None:
    boot, wall = Hand(86_400.0), Hand(WALL)
    driver, clock, sink = make(boot, wall)
    driver.start()  # Ana's two-minute turn, its warning at 1:30
    clock.advance(88)
    boot.now += 88
    driver.tick()
    sink.calls.clear()
    boot.now += 5  # asleep across the warning
    tick = driver.tick()
    assert tick.suspended_for is None
    assert tick.caught_up == pytest.approx(5)
    snap = driver.snapshot()
    assert snap.phase == "running"
    assert snap.turn_remaining == pytest.approx(120 - 93)  # the turn went on in the room
    warnings = [e for e in tick.events if isinstance(e, BellDue) and e.reason == "warning"]
    assert [e.t for e in warnings] == [90]  # stamped when it fell due
    assert "bell" in sink.kinds()  # and heard, late, rather than never


def test_a_long_sleep_is_for_the_facilitator_and_moves_no_timer_by_itself() -> None:
    boot, wall = Hand(86_400.0), Hand(WALL)
    driver, clock, _ = make(boot, wall)
    driver.start()
    clock.advance(10)
    boot.now += 10
    driver.tick()
    boot.now += 600
    wall.now += 600
    tick = driver.tick()
    assert tick.suspended_for == pytest.approx(600)
    assert tick.caught_up == 0
    assert driver.snapshot().turn_remaining == pytest.approx(110)


def test_a_sleep_during_a_guardian_pause_only_lengthens_the_pause() -> None:
    boot, wall = Hand(86_400.0), Hand(WALL)
    driver, clock, _ = make(boot, wall)
    driver.start()
    clock.advance(10)
    boot.now += 10
    driver.do(Pause())
    boot.now += 600
    tick = driver.tick()
    assert tick.suspended_for is None  # nothing to ask: every timer is held already
    driver.do(Resume())
    snap = driver.snapshot()
    assert snap.turn_remaining == pytest.approx(110)
    assert snap.now == pytest.approx(610)


class Sleeper:
    """The three clocks of a computer: monotonic (the session's), CLOCK_BOOTTIME and the
    wall clock. Awake all three run; asleep the monotonic clock stands still."""

    def __init__(self) -> None:
        self.clock = MockClock()
        self.boot = Hand(86_400.0)
        self.wall = Hand(WALL)

    def awake(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.boot.now += seconds
        self.wall.now += seconds

    def asleep(self, seconds: float) -> None:
        self.boot.now += seconds
        self.wall.now += seconds


async def test_on_screen_a_600_s_sleep_asks_and_a_wall_jump_alone_does_not(
    live_app: LiveApp,
) -> None:
    fake = Sleeper()
    app, fake.clock, _ = live_app(wall=fake.wall, since_boot=fake.boot)
    async with app.run_test() as pilot:
        await settle(pilot)
        fake.awake(10)
        await settle(pilot)
        fake.wall.now += 600  # the clock set forward by hand
        await settle(pilot)
        assert isinstance(app.screen, LiveScreen)
        assert snap(app).phase == "running"
        fake.asleep(600)
        await settle(pilot)
        assert isinstance(app.screen, SuspendDialog)
        assert "slept for 10 min" in str(app.screen.query_one(".dialog-question").render())
        assert snap(app).phase == "paused"
        assert snap(app).turn_remaining == pytest.approx(110)


async def test_on_screen_a_five_second_sleep_says_so_and_the_timers_go_on(
    live_app: LiveApp,
) -> None:
    fake = Sleeper()
    app, fake.clock, _ = live_app(wall=fake.wall, since_boot=fake.boot)
    async with app.run_test() as pilot:
        await settle(pilot)
        fake.awake(30)
        await settle(pilot)
        fake.asleep(5)
        await settle(pilot)
        assert isinstance(app.screen, LiveScreen)
        assert snap(app).phase == "running"
        assert snap(app).turn_remaining == pytest.approx(120 - 35)
        messages = [n.message for n in app._notifications]
        assert any("slept for 5 s" in m and "caught up" in m for m in messages), messages
        assert live(app).driver.offset == pytest.approx(5)
