"""Daily-tip delivery bookkeeping that keeps "one tip per local day, never twice,
none lost" true across restarts and replicas. The database is the source of
truth: a broadcast (bot/services/broadcast.py) asks for the next due learner,
sends, and reports the outcome here."""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from bot.services import repetition, schedule
from bot.services.context import Service, ServiceContext
from bot.services.schedule import ZoneFallback, resolve_zone
from content import Entry, KnowledgeBase, Tip
from storage import UnitOfWork
from storage.records import DeliveryResult, DeliveryStatus, LearnerProfile

log = logging.getLogger(__name__)

# A learner whose claim fails for a reason of their own (a broken stored value) is
# tried again this much later, so the rest of the run goes on without them.
DEFER_AFTER_FAILURE = timedelta(hours=1)


@dataclass(frozen=True)
class TipToSend:
    delivery_id: int
    user_id: int
    chat_id: int
    local_date: date
    due_at: datetime  # when that day's tip was due (UTC)
    tip: Tip
    entry: Entry | None
    topic_title: str
    has_quiz: bool
    zone_fallback: ZoneFallback | None = None  # tell them with this tip


@dataclass(frozen=True)
class Skipped:
    """A due learner whose day needed no tip now; their schedule moved on."""

    reason: str  # "missed day", "already sent", "no tips", "deferred after a failure"


@dataclass(frozen=True)
class NobodyDue:
    """No subscriber is due now: the broadcast is done."""


Claim = TipToSend | Skipped | NobodyDue


class Delivery(Enum):
    """What became of one send."""

    SENT = "sent"
    BLOCKED = "blocked"  # 403: the learner blocked the bot
    UNKNOWN = "unknown"  # the request may or may not have reached Telegram
    FAILED = "failed"  # Telegram refused it for good (e.g. chat not found)
    RETRY = "retry"  # certainly not delivered (e.g. no connection): due again


STORED_AS = {
    Delivery.SENT: DeliveryStatus.SENT,
    Delivery.BLOCKED: DeliveryStatus.BLOCKED,
    Delivery.UNKNOWN: DeliveryStatus.UNKNOWN,
    Delivery.FAILED: DeliveryStatus.FAILED,
}


def choose_tip(
    tips: Sequence[Tip],
    received: Sequence[str],
    mastery: dict[str, float],
    topic_of_entry: dict[str, str],
    rng: random.Random,
) -> Tip | None:
    """A tip the learner has received least often (never twice before all are
    seen), preferring topics they have mastered least."""
    if not tips:
        return None
    counts = Counter(received)
    fewest = min(counts.get(t.id, 0) for t in tips)
    candidates = [t for t in tips if counts.get(t.id, 0) == fewest]
    return min(
        candidates,
        key=lambda t: (mastery.get(topic_of_entry.get(t.entry, ""), 0.0), rng.random()),
    )


class TipDeliveries(Service):
    def __init__(self, context: ServiceContext, *, rng: random.Random | None = None) -> None:
        super().__init__(context)
        self._rng = rng or random.Random()

    async def claim_next(self) -> Claim:
        """Take the most overdue subscriber: record today's delivery as "sending" and
        move their schedule to the next day, in one transaction.

        A learner whose claim fails (a value stored by an older version, say) is
        deferred by DEFER_AFTER_FAILURE and skipped, so one learner never stops the
        run for everyone else."""
        kb = self._library().kb
        now = self._clock()
        user_id: int | None = None
        try:
            async with self._units() as uow:
                due = await uow.tips.next_due(now)
                if due is None or due.next_tip_at is None:
                    return NobodyDue()
                user_id = due.id
                return await self._claim(uow, kb, due, due.next_tip_at, now)
        except Exception:
            if user_id is None:
                raise  # not this learner's fault (the database is down, say)
            log.exception("claiming the tip of user %s failed; trying again later", user_id)
        async with self._units() as uow:
            await uow.tips.set_next_tip(user_id, now + DEFER_AFTER_FAILURE)
            await uow.commit()
        return Skipped("deferred after a failure")

    async def _claim(
        self,
        uow: UnitOfWork,
        kb: KnowledgeBase,
        due: LearnerProfile,
        due_at: datetime,
        now: datetime,
    ) -> Claim:
        _, zone, fallback = resolve_zone(due.timezone, self._default_timezone)
        day = schedule.local_date_of(due_at, zone)
        today = schedule.local_date_of(now, zone)
        if day < today:
            # The bot was down on that day: that tip is gone; today's may still be due.
            todays = schedule.due_at(today, due.tip_minute, zone)
            if todays > now:
                await uow.tips.set_next_tip(due.id, todays)
                await uow.commit()
                return Skipped("missed day")
            day = today
        await uow.tips.set_next_tip(
            due.id, schedule.due_at(day + timedelta(1), due.tip_minute, zone)
        )
        tip = await self._choose(uow, kb, due.id, now)
        if tip is None:
            await uow.commit()
            return Skipped("no tips")
        delivery_id = await uow.tips.claim(due.id, day, tip.id, now)
        await uow.commit()
        if delivery_id is None:
            return Skipped("already sent")  # that local day already has its tip
        entry = kb.entry(tip.entry)
        topic = kb.topic(entry.topic) if entry else None
        return TipToSend(
            delivery_id=delivery_id,
            user_id=due.id,
            chat_id=due.chat_id,
            local_date=day,
            due_at=schedule.due_at(day, due.tip_minute, zone),
            tip=tip,
            entry=entry,
            topic_title=topic.title if topic else "",
            has_quiz=bool(kb.quizzes_for(tip.entry)),
            zone_fallback=fallback,
        )

    async def _choose(
        self, uow: UnitOfWork, kb: KnowledgeBase, user_id: int, now: datetime
    ) -> Tip | None:
        received = [tip_id for tip_id, _ in await uow.tips.received(user_id)]
        progress = await uow.quizzes.progress(user_id)
        mastery = repetition.topic_mastery(
            {q: card.memory for q, card in progress.items()}, kb.quiz_topics, now
        )
        return choose_tip(kb.tips, received, mastery, kb.entry_topics, self._rng)

    async def finish(
        self, item: TipToSend, outcome: Delivery, message_id: int | None = None, error: str = ""
    ) -> None:
        now = self._clock()
        async with self._units() as uow:
            if outcome is Delivery.RETRY:
                # Certainly not delivered: undo the claim so that day's tip is due again.
                await uow.tips.release(item.delivery_id)
                await uow.tips.set_next_tip(item.user_id, item.due_at)
            else:
                result = DeliveryResult(STORED_AS[outcome], message_id, error[:200] or None)
                await uow.tips.finish(item.delivery_id, result, now)
                if item.zone_fallback is not None:
                    # The note went out with this tip (or was tried for good): the default
                    # zone becomes theirs, so they are told once. Not after RETRY: the
                    # next attempt carries the note again.
                    await uow.tips.forget_timezone(item.user_id, item.zone_fallback.stored)
            if outcome is Delivery.BLOCKED:
                await uow.tips.mark_blocked(item.user_id, now)
            await uow.commit()

    async def expire_stale(self, lease: timedelta) -> int:
        """Deliveries stuck in "sending" longer than `lease` (their process died)."""
        now = self._clock()
        async with self._units() as uow:
            expired = await uow.tips.expire_stale(now - lease, now)
            await uow.commit()
        return expired
