"""Daily tips: each subscriber's schedule, which tip to send, and the delivery
bookkeeping that keeps "one tip per local day, never twice, none lost" true
across restarts and replicas. The database is the source of truth; the sender
(bot/telegram/tip_sender.py) only asks for the next due learner."""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum

from bot.services import repetition, schedule
from bot.services.clock import Clock, aware, utc_now
from bot.services.library import Library
from bot.services.questions import Learner
from content import Entry, KnowledgeBase, Tip
from storage import Database, UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_MINUTE = 9 * 60
# A learner whose claim fails for a reason of their own (a broken stored value) is
# tried again this much later, so the rest of the run goes on without them.
DEFER_AFTER_FAILURE = timedelta(hours=1)


@dataclass(frozen=True)
class ZoneFallback:
    """The learner's stored zone no longer resolves; `used` (the default) stood in."""

    stored: str
    used: str


@dataclass(frozen=True)
class TipSettings:
    enabled: bool
    minute: int
    timezone: str
    next_local: datetime | None  # the next delivery, in the learner's zone
    blocked: bool = False

    @property
    def time_text(self) -> str:
        return schedule.format_minute(self.minute)


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


class Delivery(Enum):
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the learner blocked the bot
    UNKNOWN = "unknown"  # the request may or may not have reached Telegram
    FAILED = "failed"  # Telegram refused it for good (e.g. chat not found)
    RETRY = "retry"  # certainly not delivered (e.g. no connection): due again


@dataclass(frozen=True)
class _Due:
    """The schedule of the learner being claimed, as plain values."""

    id: int
    chat_id: int
    next_tip_at: datetime
    tip_minute: int


SKIPPED = "skipped"  # a due learner whose day needed no tip (already had one, or missed day)


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


class TipService:
    def __init__(
        self,
        library: Callable[[], Library],
        database: Database,
        *,
        default_timezone: str,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self._library = library
        self._database = database
        self._default_timezone = default_timezone
        self._clock = clock
        self._rng = rng or random.Random()

    # -- a learner's settings ---------------------------------------------------------

    async def settings(self, learner: Learner) -> TipSettings:
        async with self._database.unit_of_work() as uow:
            await uow.users.touch(
                learner.user_id, learner.home_chat_id, learner.language, self._clock()
            )
            result = await self._settings(uow, learner)
            await uow.commit()
        return result

    async def _settings(self, uow: UnitOfWork, learner: Learner) -> TipSettings:
        user = await uow.users.get(learner.user_id)
        assert user is not None
        zone_name, zone, _ = self._zone(user.timezone)
        next_local = (
            aware(user.next_tip_at).astimezone(zone)
            if user.tips_enabled and user.next_tip_at
            else None
        )
        return TipSettings(
            user.tips_enabled,
            user.tip_minute,
            zone_name,
            next_local,
            user.tips_blocked_at is not None,
        )

    async def _reschedule(
        self,
        learner: Learner,
        *,
        enabled: bool | None = None,
        minute: int | None = None,
        timezone: str | None = None,
    ) -> TipSettings:
        now = self._clock()
        async with self._database.unit_of_work() as uow:
            await uow.users.touch(learner.user_id, learner.home_chat_id, learner.language, now)
            user = await uow.users.get(learner.user_id)
            assert user is not None
            enabled = user.tips_enabled if enabled is None else enabled
            minute = user.tip_minute if minute is None else minute
            _, zone, _ = self._zone(timezone or user.timezone)
            today = schedule.local_date_of(now, zone)
            delivered = await uow.tips.has_delivery(learner.user_id, today)
            values: dict[str, object] = {"tips_enabled": enabled, "tip_minute": minute}
            if timezone is not None:
                values["timezone"] = timezone
            values["next_tip_at"] = (
                schedule.next_due(now, minute, zone, delivered_today=delivered) if enabled else None
            )
            if enabled:
                values["tips_blocked_at"] = None  # they are back: tips resume
            await uow.tips.update_schedule(learner.user_id, **values)
            await uow.session.refresh(user)  # the answer shows what is stored
            result = await self._settings(uow, learner)
            await uow.commit()
        return result

    def _zone(self, stored: str | None) -> tuple[str, tzinfo, ZoneFallback | None]:
        """The zone to schedule in: the stored one, or the default when none is set or
        the stored name no longer resolves (the fallback says so)."""
        if stored:
            try:
                return stored, schedule.zone_of(stored), None
            except schedule.UnknownZone:
                fallback = ZoneFallback(stored, self._default_timezone)
                return self._default_timezone, schedule.zone_of(self._default_timezone), fallback
        return self._default_timezone, schedule.zone_of(self._default_timezone), None

    async def turn_on(self, learner: Learner) -> TipSettings:
        return await self._reschedule(learner, enabled=True)

    async def turn_off(self, learner: Learner) -> TipSettings:
        return await self._reschedule(learner, enabled=False)

    async def set_time(self, learner: Learner, minute: int) -> TipSettings:
        return await self._reschedule(learner, minute=minute)

    async def set_timezone(self, learner: Learner, zone_name: str) -> TipSettings:
        return await self._reschedule(learner, timezone=zone_name)

    # -- delivery -------------------------------------------------------------------

    async def claim_next(self) -> TipToSend | str | None:
        """Take the most overdue subscriber: record today's delivery as "sending" and
        move their schedule to the next day, in one transaction. None when nobody is
        due; SKIPPED when this learner needed no tip now.

        A learner whose claim fails (a value stored by an older version, say) is
        deferred by DEFER_AFTER_FAILURE and SKIPPED, so one learner never stops the
        run for everyone else."""
        kb = self._library().kb
        now = self._clock()
        user_id: int | None = None
        try:
            async with self._database.unit_of_work() as uow:
                user = await uow.tips.next_due(now)
                if user is None or user.next_tip_at is None:
                    return None
                user_id = user.id
                due = _Due(user.id, user.chat_id, aware(user.next_tip_at), user.tip_minute)
                return await self._claim(uow, kb, due, user.timezone, now)
        except Exception:
            if user_id is None:
                raise  # not this learner's fault (the database is down, say)
            log.exception("claiming the tip of user %s failed; trying again later", user_id)
        async with self._database.unit_of_work() as uow:
            await uow.tips.update_schedule(user_id, next_tip_at=now + DEFER_AFTER_FAILURE)
            await uow.commit()
        return SKIPPED

    async def _claim(
        self, uow: UnitOfWork, kb: KnowledgeBase, user: _Due, stored_zone: str | None, now: datetime
    ) -> TipToSend | str:
        _, zone, fallback = self._zone(stored_zone)
        day = schedule.local_date_of(user.next_tip_at, zone)
        today = schedule.local_date_of(now, zone)
        if day < today:
            # The bot was down on that day: that tip is gone; today's may still be due.
            todays = schedule.due_at(today, user.tip_minute, zone)
            if todays > now:
                await uow.tips.update_schedule(user.id, next_tip_at=todays)
                await uow.commit()
                return SKIPPED
            day = today
        next_at = schedule.due_at(day + timedelta(days=1), user.tip_minute, zone)
        await uow.tips.update_schedule(user.id, next_tip_at=next_at)
        tip = await self._choose(uow, kb, user.id)
        if tip is None:
            await uow.commit()
            return SKIPPED
        delivery_id = await uow.tips.claim(user.id, day, tip.id, now)
        await uow.commit()
        if delivery_id is None:
            return SKIPPED  # that local day already has its tip
        entry = kb.entry(tip.entry)
        topic = kb.topic(entry.topic) if entry else None
        return TipToSend(
            delivery_id=delivery_id,
            user_id=user.id,
            chat_id=user.chat_id,
            local_date=day,
            due_at=schedule.due_at(day, user.tip_minute, zone),
            tip=tip,
            entry=entry,
            topic_title=topic.title if topic else "",
            has_quiz=bool(kb.quizzes_for(tip.entry)),
            zone_fallback=fallback,
        )

    async def _choose(self, uow: UnitOfWork, kb: KnowledgeBase, user_id: int) -> Tip | None:
        received = [tip_id for tip_id, _ in await uow.tips.received(user_id)]
        progress = await uow.quizzes.progress(user_id)
        mastery = repetition.topic_mastery(
            {q: row.box for q, row in progress.items()}, kb.quiz_topics
        )
        return choose_tip(kb.tips, received, mastery, kb.entry_topics, self._rng)

    async def finish(
        self, item: TipToSend, outcome: Delivery, message_id: int | None = None, error: str = ""
    ) -> None:
        now = self._clock()
        async with self._database.unit_of_work() as uow:
            if outcome is Delivery.RETRY:
                # Certainly not delivered: undo the claim so that day's tip is due again.
                await uow.tips.release(item.delivery_id)
                await uow.tips.update_schedule(item.user_id, next_tip_at=item.due_at)
            else:
                await uow.tips.finish(
                    item.delivery_id, outcome.value, now, message_id, error[:200] or None
                )
                if item.zone_fallback is not None:
                    # The note went out with this tip (or was tried for good): the default
                    # zone becomes theirs, so they are told once. Not after RETRY: the
                    # next attempt carries the note again.
                    await uow.tips.forget_timezone(item.user_id, item.zone_fallback.stored)
            if outcome is Delivery.BLOCKED:
                await uow.tips.update_schedule(
                    item.user_id, tips_enabled=False, tips_blocked_at=now, next_tip_at=None
                )
            await uow.commit()

    async def expire_stale(self, lease: timedelta) -> int:
        """Deliveries stuck in "sending" longer than `lease` (their process died)."""
        now = self._clock()
        async with self._database.unit_of_work() as uow:
            expired = await uow.tips.expire_stale(now - lease, now)
            await uow.commit()
        return expired
