"""Daily-tip delivery bookkeeping that keeps "one tip per local day, never twice,
none lost" true across restarts and replicas. The database is the source of
truth: a broadcast (bot/services/broadcast.py) asks for the next due learner,
sends, and reports the outcome here; what tips share with the weekly digest is in
bot/services/deliveries.py."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.services import repetition, schedule
from bot.services.context import ServiceContext
from bot.services.deliveries import (
    DEFER_AFTER_FAILURE,
    STORED_AS,
    Deliveries,
    Delivery,
    NobodyDue,
    Rows,
    Skipped,
)
from bot.services.schedule import ZoneFallback, resolve_zone
from content import Entry, KnowledgeBase, Tip
from storage import UnitOfWork
from storage.records import LearnerProfile

__all__ = [
    "DEFER_AFTER_FAILURE",
    "STORED_AS",
    "Claim",
    "Delivery",
    "NobodyDue",
    "Skipped",
    "TipDeliveries",
    "TipToSend",
    "choose_tip",
]


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

    @property
    def key(self) -> int:
        return self.user_id


Claim = TipToSend | Skipped | NobodyDue


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


class TipDeliveries(Deliveries[TipToSend, LearnerProfile]):
    kind = "tip"

    def __init__(self, context: ServiceContext, *, rng: random.Random | None = None) -> None:
        super().__init__(context)
        self._rng = rng or random.Random()

    def _rows(self, uow: UnitOfWork) -> Rows[LearnerProfile]:
        return uow.tips

    async def _set_next(self, uow: UnitOfWork, key: int, at: datetime | None) -> None:
        await uow.tips.set_next_tip(key, at)

    async def _claim(
        self,
        uow: UnitOfWork,
        kb: KnowledgeBase,
        due: LearnerProfile,
        now: datetime,
    ) -> TipToSend | Skipped:
        assert due.next_tip_at is not None  # next_due only returns scheduled learners
        due_at = due.next_tip_at
        _, zone, fallback = resolve_zone(due.timezone, self._default_timezone)
        day, next_at = schedule.day_to_deliver(due_at, due.tip_minute, zone, now)
        await uow.tips.set_next_tip(due.id, next_at)
        if day is None:  # the bot was down on that day: that tip is gone
            await uow.commit()
            return Skipped("missed day")
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

    async def _finished(self, uow: UnitOfWork, item: TipToSend, outcome: Delivery) -> None:
        if item.zone_fallback is not None:
            # The note went out with this tip (or was tried for good): the default
            # zone becomes theirs, so they are told once. Not after RETRY: the
            # next attempt carries the note again.
            await uow.tips.forget_timezone(item.user_id, item.zone_fallback.stored)
