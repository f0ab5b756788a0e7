"""What replicas share: which updates were taken, and agreed values. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BotState, ProcessedUpdate
from storage.repositories import dialect_insert


class ReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take_update(self, update_id: int, now: datetime) -> bool:
        """True for the first replica to see this update id, False for any repeat."""
        statement = (
            dialect_insert(self.session, ProcessedUpdate)
            .values(update_id=update_id, received_at=now)
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(ProcessedUpdate.update_id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def forget_updates_before(self, moment: datetime) -> int:
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.received_at < moment)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def agree(self, key: str, proposal: str) -> str:
        """The stored value for `key`; `proposal` becomes it if there is none yet."""
        await self.session.execute(
            dialect_insert(self.session, BotState)
            .values(key=key, value=proposal)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        result = await self.session.execute(select(BotState.value).where(BotState.key == key))
        return str(result.scalar_one())
