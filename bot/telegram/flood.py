"""Telegram's flood limits for every Bot API call the bot makes.

PTB's AIORateLimiter does not fit: it gives up on a 429 by default
(max_retries=0, the message is lost), and in PTB 22.8 its 429 pause is released
early by any other request that finishes (upstream issue #5338). This limiter:
- spaces message-sending calls to at most the current rate per second across all
  chats, and lets no more than that many (rounded up) *arrive* within any one
  second: a send counts from when it goes out (not when its slot was taken) until
  a second after its answer, since Telegram counts it somewhere in between;
- adapts: a 429 lowers the current rate (once per halt) and it creeps back to the
  configured `rate` while no 429 comes, because arrivals bunch by different
  amounts on different machines and loads (a fixed rate was right on one run and
  earned 74 429s on the next);
- on 429 halts *every* call until a deadline (retry_after + margin; concurrent
  429s extend it, nothing releases it early) and resends, never drops;
- lets a caller take its slot first (`acquire`) and then send with
  `rate_limit_args=<that slot>`, so a tip is marked "sending" only once its slot
  is due (see bot/telegram/tip_sender.py);
- after a halt, spaces everything out again: slots taken before the halt and the
  resends of 429'd calls take new slots, so a halt never ends in a burst (a burst
  right after a 429 would earn the next 429).

The clock and the sleep are injectable so tests run on virtual time.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
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
MIN_SLEEP = 0.001  # seconds: a wait rounded down to nothing must not spin
IN_FLIGHT_POLL = 0.01  # seconds: how often to look again when requests in flight fill the cap
# After a 429 the rate drops to this share of what it was (once per halt) ...
BACKOFF = 0.85
# ... and climbs back by this share of the configured rate per second without a 429,
BACKOFF_RECOVERY_PER_SECOND = 0.01
# ... never going below this share of the configured rate.
MIN_RATE_SHARE = 0.25


class FloodLimiter(BaseRateLimiter[Slot]):
    def __init__(
        self,
        rate: float = 29.5,
        max_retries: int = 20,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate  # the configured ceiling
        self.max_retries = max_retries
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._halt_until = 0.0
        self._generation = 0  # bumped by every halt
        self._lowered_rate = rate  # the rate set by the last 429 ...
        self._lowered_at = -math.inf  # ... from this moment (the end of its halt)
        self._in_flight = 0  # limited requests sent and not yet answered
        self._answered: deque[float] = deque()  # when the last second's answers came
        self._lock = asyncio.Lock()
        self.retries = 0  # 429s seen, for tests and metrics

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def current_rate(self, now: float | None = None) -> float:
        """Messages per second allowed now: lowered by the last 429, creeping back."""
        now = self._clock() if now is None else now
        recovered = max(0.0, now - self._lowered_at) * BACKOFF_RECOVERY_PER_SECOND * self.rate
        return min(self.rate, self._lowered_rate + recovered)

    def per_second_cap(self, now: float | None = None) -> int:
        """How many sends may arrive within any one second now (see `_go_out`)."""
        return max(1, math.ceil(self.current_rate(now)))

    async def acquire(self) -> Slot:
        """Wait for the next sending slot (first come, first served), spaced
        1/current rate apart. The per-second cap is checked again when the request
        goes out (`process_request`), since work between the two can bunch sends."""
        async with self._lock:
            now = self._clock()
            due = max(now, self._next_slot, self._halt_until)
            self._next_slot = due + 1.0 / self.current_rate(due)
            generation = self._generation
        if due > now:
            await self._sleep(due - now)
        if self._generation != generation:  # a halt came while we waited: queue again
            return await self.acquire()
        return Slot(generation)

    async def _go_out(self, slot: Slot | None) -> None:
        """Wait until a send may go out, then count it. A slot from before a halt is
        exchanged for a new one.

        Telegram counts a message when it *arrives*, some time between our send and
        its answer, so a send is counted from the moment it goes out until one
        second after its answer came back: with fewer than `per_second_cap` counted,
        no arrival window can hold more than the cap, however requests bunch on the
        way (a busy event loop, a stalled server thread). Slow answers therefore
        slow sending down: the margin is learned from the answers."""
        while True:
            if slot is None or slot.generation != self._generation:
                slot = await self.acquire()
            async with self._lock:
                now = self._clock()
                while self._answered and now - self._answered[0] >= WINDOW:
                    self._answered.popleft()
                cap = self.per_second_cap(now)
                counted = self._in_flight + len(self._answered)
                if slot.generation == self._generation and counted < cap:
                    self._in_flight += 1
                    return
                wait = 0.0  # a slot from before a halt: take a new one
                if counted >= cap:  # wait for the answer whose expiry frees a place
                    first = counted - cap
                    wait = (
                        self._answered[first] + WINDOW - now
                        if first < len(self._answered)
                        else IN_FLIGHT_POLL  # all places held by requests in flight
                    )
                    wait = max(wait, MIN_SLEEP)  # float rounding must not spin
            await self._sleep(wait)

    def _answered_now(self) -> None:
        self._in_flight -= 1
        self._answered.append(self._clock())

    async def _wait_for_halt(self) -> None:
        # A deadline, not an Event: another 429 may extend it while we sleep, and no
        # finishing request can end it early.
        while (remaining := self._halt_until - self._clock()) > 0:
            await self._sleep(max(remaining, MIN_SLEEP))

    def halt(self, seconds: float) -> None:
        """Stop all calls for `seconds` (a later deadline wins, an earlier never).

        The first 429 of a halt also lowers the rate; the 429s of requests that
        were already in flight (they land while the halt is on) do not lower it
        again."""
        now = self._clock()
        deadline = now + seconds + RETRY_MARGIN_SECONDS
        if now >= self._halt_until:
            self._lowered_rate = max(self.rate * MIN_RATE_SHARE, self.current_rate(now) * BACKOFF)
        self._halt_until = max(self._halt_until, deadline)
        self._lowered_at = self._halt_until  # creeping back starts when sending resumes
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
        slot = rate_limit_args if isinstance(rate_limit_args, Slot) else None
        for attempt in range(self.max_retries + 1):
            await (self._go_out(slot) if limited else self._wait_for_halt())
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.retries += 1
                with warnings.catch_warnings():
                    # PTB 22 warns that retry_after becomes a timedelta; both are handled.
                    warnings.simplefilter("ignore")
                    wait = _seconds(error.retry_after)
                self.halt(wait)
                log.warning(
                    "429 from Telegram on %s: pausing all sends for %.1fs, then %.1f msg/s",
                    endpoint,
                    wait,
                    self.current_rate(self._halt_until),
                )
                if attempt == self.max_retries:
                    raise
                slot = None  # the resend takes a new slot after the halt
            finally:
                if limited:
                    self._answered_now()
        raise AssertionError("unreachable")


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
