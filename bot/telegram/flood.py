"""Telegram's flood limits for every Bot API call the bot makes.

PTB's AIORateLimiter does not fit: it gives up on a 429 by default
(max_retries=0, the message is lost), and in PTB 22.8 its 429 pause is released
early by any other request that finishes (upstream issue #5338). This limiter:
- spaces message-sending calls to at most `rate` per second across all chats;
- on 429 halts *every* call until a deadline (retry_after + margin; concurrent
  429s extend it, nothing releases it early) and resends, never drops;
- lets a caller take its slot first (`acquire`) and then send with
  `rate_limit_args=<that slot>`, so a tip is marked "sending" only once its slot
  is due (see bot/telegram/tip_sender.py);
- after a halt, spaces everything out again: slots taken before the halt and the
  resends of 429'd calls take new slots, so a halt never ends in a burst (a burst
  right after a 429 would earn the next 429).
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Slot:
    """A sending slot handed out by `acquire`; valid until the next halt."""

    generation: int


# Calls that put a message in a chat count against the ~30/s flood limit.
LIMITED_PREFIXES = ("send", "edit", "copy", "forward")
RETRY_MARGIN_SECONDS = 0.1
WINDOW = 1.0  # seconds: Telegram counts messages per second


class FloodLimiter(BaseRateLimiter[Slot]):
    def __init__(self, rate: float = 29.5, max_retries: int = 20) -> None:
        self.rate = rate
        self.max_retries = max_retries
        self._next_slot = 0.0
        self._halt_until = 0.0
        self._generation = 0  # bumped by every halt
        self._window_size = max(1, int(rate))
        self._recent: deque[float] = deque(maxlen=self._window_size)  # last sends' start
        self._lock = asyncio.Lock()
        self.retries = 0  # 429s seen, for tests and metrics

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def acquire(self) -> Slot:
        """Wait for the next sending slot (first come, first served).

        Slots are spaced 1/rate apart, and on top of that no more than `rate` sends
        start within any one second: a sender that woke late (a busy event loop)
        must not fire together with the next one, or the pair lands in Telegram's
        window as one message too many and earns a 429.
        """
        async with self._lock:
            now = time.monotonic()
            due = max(now, self._next_slot, self._halt_until)
            self._next_slot = due + 1.0 / self.rate
            generation = self._generation
        if due > now:
            await asyncio.sleep(due - now)
        while True:
            async with self._lock:
                now = time.monotonic()
                if len(self._recent) < self._window_size or now - self._recent[0] >= WINDOW:
                    self._recent.append(now)
                    break
                wait = self._recent[0] + WINDOW - now
            await asyncio.sleep(wait)
        if self._generation != generation:  # a halt came while we waited: queue again
            return await self.acquire()
        return Slot(generation)

    async def _wait_for_halt(self) -> None:
        # A deadline, not an Event: another 429 may extend it while we sleep, and no
        # finishing request can end it early.
        while (remaining := self._halt_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(remaining)

    def halt(self, seconds: float) -> None:
        """Stop all calls for `seconds` (a later deadline wins, an earlier never)."""
        deadline = time.monotonic() + seconds + RETRY_MARGIN_SECONDS
        self._halt_until = max(self._halt_until, deadline)
        self._next_slot = self._halt_until  # slots handed out before the halt lapse
        self._generation += 1

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Slot | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        limited = endpoint.lower().startswith(LIMITED_PREFIXES)
        prepaid = (
            isinstance(rate_limit_args, Slot) and rate_limit_args.generation == self._generation
        )
        if limited and not prepaid:
            await self.acquire()
        else:
            await self._wait_for_halt()
        for attempt in range(self.max_retries + 1):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.retries += 1
                with warnings.catch_warnings():
                    # PTB 22 warns that retry_after becomes a timedelta; both are handled.
                    warnings.simplefilter("ignore")
                    wait = _seconds(error.retry_after)
                log.warning("429 from Telegram on %s: pausing all sends for %.1fs", endpoint, wait)
                self.halt(wait)
                if attempt == self.max_retries:
                    raise
                await (self.acquire() if limited else self._wait_for_halt())
        raise AssertionError("unreachable")


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
