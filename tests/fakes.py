"""Test doubles shared across the test tiers."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from datetime import datetime
from typing import Any


class FakeClock:
    """A clock that tells the time it is set to; tests move `now` by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class VirtualTime:
    """Monotonic seconds and an async sleep on virtual time, for code that takes a
    `clock` and a `sleep` (the flood limiter, the flood guard). Tests move `now` by
    hand, or `run` drives coroutines and, whenever they are all waiting, jumps to the
    earliest sleeper's deadline: nothing sleeps for real."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._seq), wake))
        await wake

    async def run(self, *coroutines: Coroutine[Any, Any, Any]) -> list[Any]:
        """Run the coroutines to the end on virtual time; their results, in order."""
        everything = asyncio.gather(*coroutines)
        while not everything.done():
            for _ in range(50):  # let every runnable task run until it waits
                await asyncio.sleep(0)
            if everything.done() or not self._sleepers:
                break
            deadline, _, wake = heapq.heappop(self._sleepers)
            self.now = max(self.now, deadline)
            wake.set_result(None)
        return list(await everything)
