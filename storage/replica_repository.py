"""What replicas share: which updates were taken, agreed values and leases. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BotState, ProcessedUpdate
from storage.records import Lease
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

    async def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> Lease:
        # A lease is a bot_state row "<until> <holder>". Taking one is an insert, or a
        # compare-and-set on the value read: of two replicas racing, one changes no row.
        mine = Lease(holder, until)
        stored = await self.agree(name, _encode(mine))
        current = _decode(stored)
        if stored == _encode(mine) or not (current.holder == holder or current.until <= now):
            return current
        changed = await self.session.execute(
            update(BotState)
            .where(BotState.key == name, BotState.value == stored)
            .values(value=_encode(mine))
        )
        return mine if getattr(changed, "rowcount", 0) == 1 else await self._lease(name)

    async def drop_lease(self, name: str, holder: str) -> None:
        result = await self.session.execute(select(BotState.value).where(BotState.key == name))
        stored = result.scalar_one_or_none()
        if stored is not None and _decode(stored).holder == holder:
            await self.session.execute(
                delete(BotState).where(BotState.key == name, BotState.value == stored)
            )

    async def _lease(self, name: str) -> Lease:
        result = await self.session.execute(select(BotState.value).where(BotState.key == name))
        return _decode(str(result.scalar_one()))


def _encode(lease: Lease) -> str:
    return f"{lease.until.isoformat()} {lease.holder}"


def _decode(value: str) -> Lease:
    until, holder = value.split(" ", 1)
    return Lease(holder, datetime.fromisoformat(until))
