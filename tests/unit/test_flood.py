"""The flood limiter: pacing, 429 halts that nothing releases early, no drops,
and a rate that adapts to the 429s it gets.

Every test runs the limiter on an injected virtual clock and sleep
(tests/fakes.py): nothing sleeps for real, and timings are exact.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from bot.telegram.flood import RETRY_MARGIN_SECONDS, FloodLimiter, Slot
from tests.fakes import VirtualTime


def limiter_on(time_: VirtualTime, rate: float = 29.5) -> FloodLimiter:
    return FloodLimiter(rate=rate, clock=time_.clock, sleep=time_.sleep)


def at_least(seconds: float, bound: float) -> bool:
    """`seconds >= bound`, allowing for float rounding in virtual-time arithmetic."""
    return seconds >= bound or seconds == pytest.approx(bound)


async def test_sends_are_spaced_to_the_rate() -> None:
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=50)
    started = time_.now
    await time_.run(*(limiter.acquire() for _ in range(11)))
    assert time_.now - started == pytest.approx(10 / 50)


async def test_a_429_is_retried_until_sent_never_dropped() -> None:
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=1000)
    attempts = 0

    async def flaky() -> bool:
        nonlocal attempts
        attempts += 1
        if attempts <= 3:
            raise RetryAfter(timedelta(seconds=0.05))
        return True

    started = time_.now
    (sent,) = await time_.run(limiter.process_request(flaky, (), {}, "sendMessage", {}, None))
    assert sent is True
    assert attempts == 4 and limiter.retries == 3
    assert time_.now - started == pytest.approx(3 * (0.05 + RETRY_MARGIN_SECONDS))  # 3 halts


async def test_a_halt_is_not_released_by_another_request_finishing() -> None:
    """PTB 22.8's AIORateLimiter fails this (upstream issue #5338)."""
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=1000)
    halted_at: list[float] = []
    sent_at: dict[str, float] = {}
    first_done = asyncio.Event()

    async def flooded() -> bool:
        if not halted_at:
            halted_at.append(time_.now)
            first_done.set()
            raise RetryAfter(timedelta(seconds=0.5))
        sent_at["flooded"] = time_.now
        return True

    async def in_flight() -> bool:
        await first_done.wait()  # finishes while the halt is on
        sent_at["in_flight"] = time_.now
        return True

    async def later() -> bool:
        sent_at["later"] = time_.now
        return True

    async def prepaid_in_flight() -> None:
        slot = await limiter.acquire()  # taken before the halt, sent during it
        await limiter.process_request(in_flight, (), {}, "sendMessage", {}, slot)

    async def send_later() -> None:
        await first_done.wait()
        await asyncio.sleep(0)  # let in_flight finish first
        await limiter.process_request(later, (), {}, "sendMessage", {}, None)

    await time_.run(
        prepaid_in_flight(),  # first: it is in flight when the 429 comes
        limiter.process_request(flooded, (), {}, "sendMessage", {}, None),
        send_later(),
    )
    halt = 0.5 + RETRY_MARGIN_SECONDS
    assert sent_at["in_flight"] - halted_at[0] < halt  # it did finish during the halt
    assert at_least(sent_at["later"] - halted_at[0], halt)
    assert at_least(sent_at["flooded"] - halted_at[0], halt)


async def test_reads_are_not_paced() -> None:
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=1)

    async def read() -> bool:
        return True

    async def five_reads() -> None:
        for _ in range(5):
            await limiter.process_request(read, (), {}, "getChat", {}, None)

    started = time_.now
    await time_.run(five_reads())
    assert time_.now == started  # no read waited for a slot


async def test_a_halt_does_not_end_in_a_burst() -> None:
    """Slots handed out before a halt lapse: afterwards sends are spaced again."""
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=20)
    slots = await time_.run(*(limiter.acquire() for _ in range(3)))
    limiter.halt(0.2)
    halt_ends = time_.now + 0.2 + RETRY_MARGIN_SECONDS
    sent_at: list[float] = []

    async def send() -> bool:
        sent_at.append(time_.now)
        return True

    await time_.run(
        *(limiter.process_request(send, (), {}, "sendMessage", {}, slot) for slot in slots)
    )
    sent_at.sort()
    assert len(sent_at) == 3 and at_least(sent_at[0], halt_ends)
    gaps = [b - a for a, b in itertools.pairwise(sent_at)]
    assert all(at_least(gap, 1 / 20) for gap in gaps), gaps


def most_in_one_second(starts: list[float]) -> int:
    starts = sorted(starts)
    return max(
        (sum(1 for t in starts[i:] if t - start < 1.0) for i, start in enumerate(starts)),
        default=0,
    )


class Telegram:
    """A send callback that records when each request went out and answers 429
    (retry_after 1) to the calls numbered in `flood`."""

    def __init__(self, time_: VirtualTime, flood: set[int] | None = None) -> None:
        self.time = time_
        self.flood = flood or set()
        self.calls = 0
        self.sent: list[float] = []

    async def send(self) -> bool:
        self.calls += 1
        if self.calls in self.flood:
            raise RetryAfter(timedelta(seconds=1))
        self.sent.append(self.time.now)
        return True


async def send_all(limiter: FloodLimiter, telegram: Telegram, count: int) -> None:
    for _ in range(count):
        await limiter.process_request(telegram.send, (), {}, "sendMessage", {}, None)


async def test_after_a_429_the_next_seconds_rate_is_lower() -> None:
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=29.5)
    telegram = Telegram(time_, flood={100})
    await time_.run(send_all(limiter, telegram, 99))
    before = most_in_one_second([t for t in telegram.sent if t >= telegram.sent[-1] - 1.0])
    halted_at = time_.now
    await time_.run(send_all(limiter, telegram, 60))
    after = [t for t in telegram.sent if t > halted_at]
    assert after[0] - halted_at >= 1.0  # the halt is waited out
    first_second = [t for t in after if t - after[0] < 1.0]
    assert before >= 29
    assert len(first_second) <= 26  # 29.5 * 0.85, rounded up
    assert limiter.current_rate(after[0]) < 29.5


async def test_with_no_429_the_rate_creeps_back_to_the_configured_rate() -> None:
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=29.5)
    telegram = Telegram(time_, flood={30})
    await time_.run(send_all(limiter, telegram, 30))
    resumed = time_.now
    rates = [limiter.current_rate(resumed + s) for s in range(0, 40, 2)]
    assert rates == sorted(rates) and rates[0] < rates[-1] == 29.5
    await time_.run(send_all(limiter, telegram, 30 * 29))  # about 30 s without a 429
    assert limiter.current_rate() == 29.5
    last_second = [t for t in telegram.sent if t > telegram.sent[-1] - 1.0]
    assert len(last_second) >= 29


async def test_429s_of_requests_already_in_flight_lower_the_rate_once() -> None:
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=20)
    limiter.halt(1)
    limiter.halt(1)  # a second 429 landing during the same halt
    assert limiter.current_rate(time_.now + 1.1) == 20 * 0.85


async def test_the_rate_never_drops_below_a_quarter_of_the_configured_rate() -> None:
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=20)
    for _ in range(30):
        limiter.halt(1)
        time_.now += 1.2
    assert limiter.current_rate(time_.now) >= 5


async def test_a_burst_of_sends_never_exceeds_the_per_second_cap() -> None:
    """Slots taken in advance (as the tip sender does) and then sent all at once,
    after work that took different times, still start at most 29 in any second."""
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=29.5)
    telegram = Telegram(time_)
    slots: list[Slot] = []

    async def take_slots() -> None:
        slots.extend([await limiter.acquire() for _ in range(60)])

    await time_.run(take_slots())
    time_.now += 0.5  # the work between slot and send ends for everyone at once

    async def send(slot: Slot) -> None:
        await limiter.process_request(telegram.send, (), {}, "sendMessage", {}, slot)

    await time_.run(*(send(slot) for slot in slots))
    assert len(telegram.sent) == 60
    assert most_in_one_second(telegram.sent) <= 30  # 29.5 rounded up


async def test_requests_that_arrive_late_still_never_exceed_the_cap() -> None:
    """Telegram counts a message when it arrives, anywhere between our send and its
    answer: however long each leg takes, no second holds more than the cap."""
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=29.5)
    delays = random.Random(15)
    arrived: list[float] = []

    async def telegram() -> bool:
        await time_.sleep(delays.choice([0.0, 0.001, 0.01, 0.05, 0.2, 0.7]))
        arrived.append(time_.now)
        await time_.sleep(delays.choice([0.0, 0.002, 0.02, 0.3]))
        return True

    async def worker() -> None:
        for _ in range(40):
            slot = await limiter.acquire()
            await time_.sleep(delays.choice([0.0, 0.005, 0.1]))  # claiming the tip
            await limiter.process_request(telegram, (), {}, "sendMessage", {}, slot)

    await time_.run(*(worker() for _ in range(8)))
    assert len(arrived) == 320
    assert most_in_one_second(arrived) <= 30


async def test_no_more_than_the_cap_start_in_any_second_when_senders_wake_late() -> None:
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=20)
    telegram = Telegram(time_)

    async def sender() -> None:
        for _ in range(3):
            await limiter.process_request(telegram.send, (), {}, "sendMessage", {}, None)
            await time_.sleep(0.03)  # some work between sends

    await time_.run(*(sender() for _ in range(10)))
    assert len(telegram.sent) == 30
    assert most_in_one_second(telegram.sent) <= 20


async def test_a_stalled_server_does_not_turn_into_a_burst() -> None:
    """Requests sent while the server stalls arrive together when it resumes; the
    sends after them must leave room for them in Telegram's one-second window."""
    time_ = VirtualTime()
    limiter = limiter_on(time_, rate=29.5)
    stall_ends = time_.now + 0.5
    arrived: list[float] = []

    async def telegram() -> bool:
        if time_.now < stall_ends:
            await time_.sleep(stall_ends - time_.now)
        arrived.append(time_.now)
        return True

    async def worker() -> None:
        for _ in range(20):
            slot = await limiter.acquire()
            await limiter.process_request(telegram, (), {}, "sendMessage", {}, slot)

    await time_.run(*(worker() for _ in range(8)))
    assert len(arrived) == 160
    assert most_in_one_second(arrived) <= 30
