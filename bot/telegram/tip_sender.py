"""Sends due daily tips: a few concurrent workers, each taking the next due learner
from the database only when its flood-limit slot has come, so a tip is marked
"sending" for as short a time as possible.

Outcomes (the written policy, also in the README):
- sent: Telegram accepted it.
- 403 Forbidden: the learner blocked the bot; their tips are turned off and the
  time recorded; never retried until they turn tips on again.
- 429: the flood limiter halts every send for retry_after and resends; never dropped.
- no connection / connect timeout: certainly not delivered; retried with backoff,
  and if it keeps failing the claim is undone so the next tick sends it.
- read timeout or a dropped connection after the request went out: ambiguous, the
  learner may have it. Marked "unknown" and NOT resent: one tip a day is the
  promise, so a rare missing tip beats a duplicate. The same holds for deliveries
  a killed process left "sending".
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.ext import ContextTypes

from bot.observability import Observer
from bot.presentation import tip_views
from bot.services.tips import SKIPPED, Delivery, TipService, TipToSend
from bot.telegram.flood import FloodLimiter, Slot
from bot.telegram.send import markup

log = logging.getLogger(__name__)

WORKERS = 8
LEASE = timedelta(minutes=2)
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0)
# Failures raised before the request left this machine: the message was not sent.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class BroadcastReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


class TipSender:
    def __init__(
        self,
        tips: TipService,
        limiter: FloodLimiter,
        observer: Observer,
        *,
        workers: int = WORKERS,
        lease: timedelta = LEASE,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
    ) -> None:
        self.tips = tips
        self.limiter = limiter
        self.observer = observer
        self.workers = workers
        self.lease = lease
        self.backoff = backoff
        self._running = False

    async def tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The JobQueue callback: starts a broadcast in the background unless one is
        running, and returns at once (so the scheduler never sees an overrun)."""
        if self._running:
            return
        self._running = True
        context.application.create_task(self._run_and_log(context.bot), name="tip-broadcast")

    async def _run_and_log(self, bot: Bot) -> None:
        try:
            report = await self.run(bot)
            if report.counts:
                log.info("tip run: %s", report.counts)
        except Exception:
            log.exception("tip run failed; the next tick tries again")
        finally:
            self._running = False

    async def run(self, bot: Bot) -> BroadcastReport:
        """Deliver every tip that is due now; returns what happened."""
        report = BroadcastReport()
        expired = await self.tips.expire_stale(self.lease)
        if expired:
            log.warning("%d tip deliveries were left 'sending' by a stopped process", expired)
        await asyncio.gather(*(self._worker(bot, report) for _ in range(self.workers)))
        return report

    async def _worker(self, bot: Bot, report: BroadcastReport) -> None:
        while True:
            slot = await self.limiter.acquire()
            item = await self.tips.claim_next()
            if item is None:
                return
            if item == SKIPPED:
                report.add(SKIPPED)
                continue
            assert isinstance(item, TipToSend)
            outcome, message_id, error = await self._send(bot, item, slot)
            await self.tips.finish(item, outcome, message_id, error)
            self.observer.event(f"tip.{outcome.value}", item.user_id, entry=item.tip.entry)
            report.add(outcome.value)

    async def _send(
        self, bot: Bot, item: TipToSend, slot: Slot
    ) -> tuple[Delivery, int | None, str]:
        view = tip_views.tip_message(item)
        for attempt in range(len(self.backoff) + 1):
            try:
                message = await bot.send_message(
                    item.chat_id,
                    view.text,
                    reply_markup=markup(view.rows),
                    rate_limit_args=slot,
                )
                return Delivery.SENT, message.message_id, ""
            except Forbidden as error:
                return Delivery.BLOCKED, None, str(error)
            except BadRequest as error:
                log.warning("tip %s to user %s refused: %s", item.tip.id, item.user_id, error)
                return Delivery.FAILED, None, str(error)
            except (TimedOut, NetworkError) as error:
                if not isinstance(error.__cause__, NOT_SENT):
                    return Delivery.UNKNOWN, None, f"ambiguous: {error}"
                if attempt == len(self.backoff):
                    return Delivery.RETRY, None, str(error)
                await asyncio.sleep(self.backoff[attempt])
        raise AssertionError("unreachable")
