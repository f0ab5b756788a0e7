"""Group-tip delivery: "one tip per group and local day, never twice, none lost"
across restarts and replicas, with the same bookkeeping as learners' tips
(bot/services/deliveries.py): the (chat, local date) unique key, the lease on stale
"sending" rows, and catch-up (a tip missed while the bot was down goes out when it
is back if that local day's time has not passed; else the day is skipped)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.services import schedule
from bot.services.context import ServiceContext
from bot.services.deliveries import Deliveries, Rows, Skipped
from bot.services.tip_delivery import choose_tip
from content import Entry, KnowledgeBase, Tip
from storage import UnitOfWork
from storage.records import GroupChat


@dataclass(frozen=True)
class GroupTipToSend:
    delivery_id: int
    chat_id: int
    thread_id: int | None  # the forum topic /grouptip was set in
    local_date: date
    due_at: datetime  # when that day's tip was due (UTC)
    tip: Tip
    entry: Entry | None
    topic_title: str
    has_quiz: bool

    @property
    def key(self) -> int:
        return self.chat_id


class GroupTipDeliveries(Deliveries[GroupTipToSend, GroupChat]):
    kind = "group tip"

    def __init__(self, context: ServiceContext, *, rng: random.Random | None = None) -> None:
        super().__init__(context)
        self._rng = rng or random.Random()

    def _rows(self, uow: UnitOfWork) -> Rows[GroupChat]:
        return uow.groups

    async def _set_next(self, uow: UnitOfWork, key: int, at: datetime | None) -> None:
        await uow.groups.set_next(key, at)

    async def _claim(
        self, uow: UnitOfWork, kb: KnowledgeBase, due: GroupChat, now: datetime
    ) -> GroupTipToSend | Skipped:
        assert due.next_tip_at is not None  # next_due only returns scheduled groups
        _, zone, _ = schedule.resolve_zone(due.timezone, self._default_timezone)
        day, next_at = schedule.day_to_deliver(due.next_tip_at, due.tip_minute, zone, now)
        await uow.groups.set_next(due.chat_id, next_at)
        if day is None:  # the bot was down on that day: that tip is gone
            await uow.commit()
            return Skipped("missed day")
        received = await uow.groups.received(due.chat_id)
        tip = choose_tip(kb.tips, received, {}, kb.entry_topics, self._rng)
        if tip is None:
            await uow.commit()
            return Skipped("no tips")
        delivery_id = await uow.groups.claim(due.chat_id, day, tip.id, now)
        await uow.commit()
        if delivery_id is None:
            return Skipped("already sent")  # that local day already has its tip
        entry = kb.entry(tip.entry)
        topic = kb.topic(entry.topic) if entry else None
        return GroupTipToSend(
            delivery_id=delivery_id,
            chat_id=due.chat_id,
            thread_id=due.thread_id,
            local_date=day,
            due_at=schedule.due_at(day, due.tip_minute, zone),
            tip=tip,
            entry=entry,
            topic_title=topic.title if topic else "",
            has_quiz=bool(kb.quizzes_for(tip.entry)),
        )

    async def _blocked(self, uow: UnitOfWork, item: GroupTipToSend, now: datetime) -> None:
        """403: the bot was removed from the group; no retry until it is added again."""
        group = await uow.groups.get(item.chat_id)
        if group is not None:
            await uow.groups.save(replace(group, active=False, next_tip_at=None), now)
