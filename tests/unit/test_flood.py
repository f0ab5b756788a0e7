"""The flood limiter: pacing, 429 halts that nothing releases early, no drops.

Timing assertions are lower bounds only, so a slow machine cannot make them fail.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta

from telegram.error import RetryAfter

from bot.telegram.flood import FloodLimiter


async def test_sends_are_spaced_to_the_rate() -> None:
    limiter = FloodLimiter(rate=50)
    started = time.monotonic()
    await asyncio.gather(*(limiter.acquire() for _ in range(11)))
    assert time.monotonic() - started >= 10 / 50 - 0.01


async def test_a_429_is_retried_until_sent_never_dropped() -> None:
    limiter = FloodLimiter(rate=1000)
    attempts = 0

    async def flaky() -> bool:
        nonlocal attempts
        attempts += 1
        if attempts <= 3:
            raise RetryAfter(timedelta(seconds=0.05))
        return True

    assert await limiter.process_request(flaky, (), {}, "sendMessage", {}, None) is True
    assert attempts == 4 and limiter.retries == 3


async def test_a_halt_is_not_released_by_another_request_finishing() -> None:
    """PTB 22.8's AIORateLimiter fails this (upstream issue #5338)."""
    limiter = FloodLimiter(rate=1000)
    halted_at: list[float] = []
    sent_at: dict[str, float] = {}
    first_done = asyncio.Event()

    async def flooded() -> bool:
        if not halted_at:
            halted_at.append(time.monotonic())
            first_done.set()
            raise RetryAfter(timedelta(seconds=0.5))
        sent_at["flooded"] = time.monotonic()
        return True

    async def in_flight() -> bool:
        await first_done.wait()  # finishes while the halt is on
        sent_at["in_flight"] = time.monotonic()
        return True

    async def later() -> bool:
        sent_at["later"] = time.monotonic()
        return True

    async def prepaid_in_flight() -> None:
        slot = await limiter.acquire()  # taken before the halt, sent during it
        await limiter.process_request(in_flight, (), {}, "sendMessage", {}, slot)

    async def send_later() -> None:
        await first_done.wait()
        await asyncio.sleep(0)  # let in_flight finish first
        await limiter.process_request(later, (), {}, "sendMessage", {}, None)

    await asyncio.gather(
        limiter.process_request(flooded, (), {}, "sendMessage", {}, None),
        prepaid_in_flight(),
        send_later(),
    )
    assert sent_at["later"] - halted_at[0] >= 0.5
    assert sent_at["flooded"] - halted_at[0] >= 0.5


async def test_reads_are_not_paced() -> None:
    limiter = FloodLimiter(rate=1)

    async def read() -> bool:
        return True

    started = time.monotonic()
    for _ in range(5):
        await limiter.process_request(read, (), {}, "getChat", {}, None)
    assert time.monotonic() - started < 1.0


async def test_a_halt_does_not_end_in_a_burst() -> None:
    """Slots handed out before a halt lapse: afterwards sends are spaced again."""
    limiter = FloodLimiter(rate=20)
    slots = [await limiter.acquire() for _ in range(3)]
    limiter.halt(0.2)
    sent_at: list[float] = []

    async def send() -> bool:
        sent_at.append(time.monotonic())
        return True

    await asyncio.gather(
        *(limiter.process_request(send, (), {}, "sendMessage", {}, slot) for slot in slots)
    )
    sent_at.sort()
    gaps = [b - a for a, b in itertools.pairwise(sent_at)]
    assert all(gap >= 1 / 20 - 0.005 for gap in gaps), gaps


async def test_no_more_than_rate_sends_start_in_any_second() -> None:
    """Even when senders wake late and bunch up, a one-second window holds at most `rate`."""
    limiter = FloodLimiter(rate=20)
    starts: list[float] = []

    async def sender() -> None:
        for _ in range(3):
            await limiter.acquire()
            starts.append(time.monotonic())
            await asyncio.sleep(0.03)  # some work between sends

    await asyncio.gather(*(sender() for _ in range(10)))
    starts.sort()
    for i, start in enumerate(starts):
        in_window = [t for t in starts[i:] if t - start < 1.0]
        assert len(in_window) <= 20
