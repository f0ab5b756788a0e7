"""What tip and digest deliveries share: a claim row per learner and period (the
unique key is the idempotency key), its outcome, the lease on rows a stopped
process left "sending", and undoing a claim that certainly did not go out.
Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import DigestDelivery, GroupTipDelivery, TipDelivery, User
from storage.records import DeliveryResult, DeliveryStatus, LearnerProfile
from storage.repositories import dialect_insert, profile_of


class DeliveryRows:
    """Claim bookkeeping on one delivery table (`model`), keyed by `key` columns."""

    model: type[TipDelivery] | type[DigestDelivery] | type[GroupTipDelivery]
    key: tuple[str, ...]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _update_user(self, user_id: int, values: dict[str, object]) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(**values))

    async def _next_due(
        self,
        due_at: InstrumentedAttribute[datetime | None],
        now: datetime,
        *where: ColumnElement[bool],
    ) -> LearnerProfile | None:
        """The most overdue learner by `due_at`, locked for this transaction; others
        skip it (FOR UPDATE SKIP LOCKED; SQLite serialises writers instead)."""
        result = await self.session.execute(
            select(User)
            .where(due_at <= now, *where)
            .order_by(due_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        row = result.scalar_one_or_none()
        return None if row is None else profile_of(row)

    async def _claim(self, values: dict[str, Any]) -> int | None:
        """Insert a "sending" row; None if its (user, period) already has one."""
        statement = (
            dialect_insert(self.session, self.model)
            .values(status=DeliveryStatus.SENDING, **values)
            .on_conflict_do_nothing(index_elements=list(self.key))
            .returning(self.model.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def finish(self, delivery_id: int, result: DeliveryResult, now: datetime) -> None:
        await self.session.execute(
            update(self.model)
            .where(self.model.id == delivery_id)
            .values(
                status=result.status,
                finished_at=now,
                message_id=result.message_id,
                error=result.error,
            )
        )

    async def expire_stale(self, claimed_before: datetime, now: datetime) -> int:
        """Deliveries left "sending" by a process that died: their fate is unknown."""
        result = await self.session.execute(
            update(self.model)
            .where(
                self.model.status == DeliveryStatus.SENDING,
                self.model.claimed_at < claimed_before,
            )
            .values(
                status=DeliveryStatus.UNKNOWN,
                finished_at=now,
                error="process stopped while sending",
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def release(self, delivery_id: int) -> None:
        """Forget a claim that certainly did not reach Telegram, so it can be sent again."""
        await self.session.execute(delete(self.model).where(self.model.id == delivery_id))
