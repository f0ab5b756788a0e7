"""The broadcast of daily tips and weekly digests: a few concurrent workers, each
taking the next due learner only when its send slot has come (so a message is
"sending" for as short a time as possible), sending it through a channel and
recording the outcome. The claims come from a `Deliveries` (tips or digests).

The written policy (also in docs/operators.md, "Daily tip delivery"):
- sent: delivered. blocked (403): tips and the digest off for that learner, never
  retried until they turn them on again. failed: refused for good, not retried.
- not sent for certain (no connection): retried after BACKOFF_SECONDS, and if it
  keeps failing the claim is undone so the next run sends it.
- unknown (a timeout after the request left): the learner may have it; NOT resent,
  because one tip a day is the promise and a rare missing tip beats a duplicate.
  The same holds for deliveries a killed process left "sending" (the lease).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, Protocol, TypeVar

from bot.services.deliveries import Claimed, Deliveries, Delivery, NobodyDue, Skipped
from bot.services.tip_delivery import TipToSend

log = logging.getLogger(__name__)

WORKERS = 8
LEASE = timedelta(minutes=2)
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0)


@dataclass(frozen=True)
class SendResult:
    outcome: Delivery  # RETRY here means "certainly not sent": the broadcast may retry
    message_id: int | None = None
    error: str = ""


Item = TypeVar("Item", bound=Claimed)
Sent = TypeVar("Sent", bound=Claimed, contravariant=True)


class Channel(Protocol, Generic[Sent]):
    """Where tips or digests go (Telegram in production, a list in tests)."""

    async def reserve(self) -> object:
        """Wait until one more message may go out; the slot is passed to send."""

    async def send(self, item: Sent, slot: object) -> SendResult:
        """Send once and classify what happened; never raises for a send failure."""


TipChannel = Channel[TipToSend]


@dataclass
class BroadcastReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


class Broadcast(Generic[Item]):
    def __init__(
        self,
        deliveries: Deliveries[Item, Any],
        *,
        on_outcome: Callable[[Item, Delivery], None] = lambda item, outcome: None,
        workers: int = WORKERS,
        lease: timedelta = LEASE,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.deliveries = deliveries
        self.on_outcome = on_outcome
        self.workers = workers
        self.lease = lease
        self.backoff = backoff
        self._sleep = sleep
        self.running = False

    async def run(self, channel: Channel[Item]) -> BroadcastReport:
        """Deliver everything that is due now; returns what happened."""
        report = BroadcastReport()
        expired = await self.deliveries.expire_stale(self.lease)
        if expired:
            kind = self.deliveries.kind
            log.warning("%d %s deliveries were left 'sending' by a stopped process", expired, kind)
        # A worker takes its sending slot before it claims (see the module's docstring),
        # and a reply to a learner waits behind every slot taken. So a tick (every 15 s,
        # for tips, digests and group tips) that finds nobody due takes none, and the
        # workers start one by one: each claim that finds someone starts one more (up
        # to `workers`), so a run for one learner takes three slots, not nine.
        if not await self.deliveries.anyone_due():
            return report
        workers: list[asyncio.Future[None]] = []

        def one_more() -> None:
            if len(workers) < self.workers:
                workers.append(asyncio.ensure_future(self._worker(channel, report, one_more)))

        one_more()
        while not all(worker.done() for worker in workers):
            await asyncio.gather(*workers)  # again if workers started meanwhile
        return report

    async def run_exclusively(self, channel: Channel[Item]) -> None:
        """One run at a time, for a scheduler tick: logs instead of raising."""
        if self.running:
            return
        self.running = True
        try:
            report = await self.run(channel)
            if report.counts:
                # Each delivery was logged as its event (tip.sent, tip.blocked, ...) at
                # INFO: the run's tally would say it twice.
                log.debug("%s run: %s", self.deliveries.kind, report.counts)
        except Exception:
            log.exception("%s run failed; the next tick tries again", self.deliveries.kind)
        finally:
            self.running = False

    async def _worker(
        self, channel: Channel[Item], report: BroadcastReport, one_more: Callable[[], None]
    ) -> None:
        while True:
            slot = await channel.reserve()
            claim = await self.deliveries.claim_next()
            match claim:
                case NobodyDue():
                    return
                case Skipped():
                    report.add("skipped")
                    one_more()
                case _:
                    one_more()
                    result = await self._send(channel, claim, slot)
                    await self.deliveries.finish(
                        claim, result.outcome, result.message_id, result.error
                    )
                    self.on_outcome(claim, result.outcome)
                    report.add(result.outcome.value)

    async def _send(self, channel: Channel[Item], item: Item, slot: object) -> SendResult:
        """Send, retrying what certainly did not go out; RETRY after the last try."""
        result = await channel.send(item, slot)
        for pause in self.backoff:
            if result.outcome is not Delivery.RETRY:
                break
            await self._sleep(pause)
            result = await channel.send(item, slot)
        return result


TipBroadcast = Broadcast[TipToSend]
