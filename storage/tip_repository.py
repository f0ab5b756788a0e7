"""Daily-tip schedules and deliveries. Never commits.

Work is shared between processes through the database only: the next due learner
is taken with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite serialises writers), and
the (user, local date) unique key refuses a second tip for the same day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update

from storage.delivery_rows import DeliveryRows
from storage.models import TipDelivery, User
from storage.records import (
    SEEN_LIKE,
    LearnerProfile,
    TipSchedule,
    aware,
)


class TipRepository(DeliveryRows):
    model = TipDelivery
    key = ("user_id", "local_date")

    async def save_schedule(self, user_id: int, schedule: TipSchedule) -> None:
        """Store a learner's tip choice; turning tips on clears a recorded block."""
        values: dict[str, object] = {
            "tips_enabled": schedule.enabled,
            "tip_minute": schedule.minute,
            "timezone": schedule.timezone,
            "next_tip_at": schedule.next_tip_at,
        }
        if schedule.enabled:
            values["tips_blocked_at"] = None  # they are back: tips resume
        await self._update_user(user_id, values)

    async def set_next_tip(self, user_id: int, at: datetime | None) -> None:
        await self._update_user(user_id, {"next_tip_at": at})

    async def mark_blocked(self, user_id: int, now: datetime) -> None:
        """The learner blocked the bot: tips off, the time kept, nothing due."""
        await self._update_user(
            user_id, {"tips_enabled": False, "tips_blocked_at": now, "next_tip_at": None}
        )

    async def forget_timezone(self, user_id: int, stored: str) -> None:
        """Clear a zone that no longer resolves, so the default applies; only if it is
        still the one stored (the learner may have set a new one meanwhile)."""
        await self.session.execute(
            update(User).where(User.id == user_id, User.timezone == stored).values(timezone=None)
        )

    async def next_due(self, now: datetime) -> LearnerProfile | None:
        """The most overdue subscriber, locked for this transaction; others skip it."""
        return await self._next_due(User.next_tip_at, now, User.tips_enabled.is_(True))

    async def claim(self, user_id: int, local_date: date, tip_id: str, now: datetime) -> int | None:
        """Record that this day's tip is being sent; None if that day already has one."""
        return await self._claim(
            {"user_id": user_id, "local_date": local_date, "tip_id": tip_id}
            | {"attempts": 1, "claimed_at": now}
        )

    async def has_delivery(self, user_id: int, local_date: date) -> bool:
        result = await self.session.execute(
            select(TipDelivery.id).where(
                TipDelivery.user_id == user_id, TipDelivery.local_date == local_date
            )
        )
        return result.first() is not None

    async def received(self, user_id: int) -> list[tuple[str, datetime]]:
        """(tip id, when) of every tip the learner may have seen, oldest first."""
        result = await self.session.execute(
            select(TipDelivery.tip_id, TipDelivery.claimed_at)
            .where(TipDelivery.user_id == user_id, TipDelivery.status.in_(SEEN_LIKE))
            .order_by(TipDelivery.claimed_at)
        )
        return [(tip_id, aware(at)) for tip_id, at in result.all()]
