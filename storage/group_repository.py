"""Groups the bot is in, their daily group tip and its deliveries. Never commits.

As for learners' tips (storage/tip_repository.py): the next due group is taken with
FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite serialises writers), and the (chat,
local date) unique key refuses a second group tip for the same day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update

from storage.delivery_rows import DeliveryRows
from storage.models import GroupChat as GroupRow
from storage.models import GroupTipDelivery
from storage.records import SEEN_LIKE, GroupChat, aware_or_none
from storage.repositories import dialect_insert


def group_of(row: GroupRow) -> GroupChat:
    return GroupChat(
        chat_id=row.group_id,
        title=row.title,
        tips_enabled=row.tips_enabled,
        tip_minute=row.tip_minute,
        timezone=row.timezone,
        thread_id=row.thread_id,
        active=row.active,
        migrated_to=row.migrated_to,
        next_tip_at=aware_or_none(row.next_tip_at),
    )


def _values(group: GroupChat) -> dict[str, object]:
    return {
        "title": group.title[:255],
        "tips_enabled": group.tips_enabled,
        "tip_minute": group.tip_minute,
        "timezone": group.timezone,
        "thread_id": group.thread_id,
        "active": group.active,
        "migrated_to": group.migrated_to,
        "next_tip_at": group.next_tip_at,
    }


class GroupRepository(DeliveryRows):
    model = GroupTipDelivery
    key = ("group_id", "local_date")

    async def get(self, chat_id: int) -> GroupChat | None:
        row = await self.session.get(GroupRow, chat_id, populate_existing=True)
        return None if row is None else group_of(row)

    async def save(self, group: GroupChat, now: datetime) -> None:
        """Insert the group or replace its stored values."""
        values = {**_values(group), "updated_at": now}
        statement = (
            dialect_insert(self.session, GroupRow)
            .values(group_id=group.chat_id, created_at=now, **values)
            .on_conflict_do_update(index_elements=["group_id"], set_=values)
        )
        await self.session.execute(statement)

    async def set_next(self, chat_id: int, at: datetime | None) -> None:
        await self.session.execute(
            update(GroupRow).where(GroupRow.group_id == chat_id).values(next_tip_at=at)
        )

    async def next_due(self, now: datetime) -> GroupChat | None:
        """The most overdue active group with tips on, locked for this transaction."""
        result = await self.session.execute(
            select(GroupRow)
            .where(GroupRow.next_tip_at <= now, GroupRow.tips_enabled, GroupRow.active)
            .order_by(GroupRow.next_tip_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        row = result.scalar_one_or_none()
        return None if row is None else group_of(row)

    async def claim(self, chat_id: int, local_date: date, tip_id: str, now: datetime) -> int | None:
        """Record that this day's group tip is being sent; None if that day has one."""
        return await self._claim(
            {"group_id": chat_id, "local_date": local_date, "tip_id": tip_id, "claimed_at": now}
        )

    async def has_delivery(self, chat_id: int, local_date: date) -> bool:
        result = await self.session.execute(
            select(GroupTipDelivery.id).where(
                GroupTipDelivery.group_id == chat_id, GroupTipDelivery.local_date == local_date
            )
        )
        return result.first() is not None

    async def received(self, chat_id: int) -> list[str]:
        result = await self.session.execute(
            select(GroupTipDelivery.tip_id)
            .where(GroupTipDelivery.group_id == chat_id, GroupTipDelivery.status.in_(SEEN_LIKE))
            .order_by(GroupTipDelivery.claimed_at)
        )
        return list(result.scalars())

    async def move(self, old: int, new: int, now: datetime) -> bool:
        """`new` takes `old`'s settings and tip history; `old` keeps `migrated_to`."""
        moved = await self.get(old)
        if moved is None or moved.migrated_to == new:
            return False
        target = await self.get(new)
        title = target.title if target is not None and target.title else moved.title
        await self.save(
            GroupChat(
                chat_id=new,
                title=title,
                tips_enabled=moved.tips_enabled,
                tip_minute=moved.tip_minute,
                timezone=moved.timezone,
                thread_id=moved.thread_id,
                active=True,
                next_tip_at=moved.next_tip_at,
            ),
            now,
        )
        # The history moves too (one tip per day holds across the upgrade), except
        # days the new id already has.
        taken = select(GroupTipDelivery.local_date).where(GroupTipDelivery.group_id == new)
        await self.session.execute(
            update(GroupTipDelivery)
            .where(GroupTipDelivery.group_id == old, GroupTipDelivery.local_date.not_in(taken))
            .values(group_id=new)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(GroupRow)
            .where(GroupRow.group_id == old)
            .values(
                migrated_to=new, tips_enabled=False, active=False, next_tip_at=None, updated_at=now
            )
        )
        return True
