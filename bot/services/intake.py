"""What replicas agree on through the database: each Telegram update is handled
once across all of them, and they share one webhook secret."""

from __future__ import annotations

from datetime import timedelta

from bot.services.context import Service

WEBHOOK_SECRET_KEY = "webhook_secret"
# Telegram retries an update for at most a day: older ids need no memory.
REMEMBER_UPDATES = timedelta(days=2)


class UpdateIntake(Service):
    async def take(self, update_id: int) -> bool:
        """True for the first replica to receive this update id; False for a repeat
        (Telegram's retry, or the same update delivered to two replicas)."""
        async with self._units() as uow:
            first = await uow.replicas.take_update(update_id, self._clock())
            await uow.commit()
        return first

    async def agree_secret(self, candidate: str) -> str:
        """The webhook secret every replica uses: the stored one, or `candidate` if
        this replica is the first to ask."""
        async with self._units() as uow:
            secret = await uow.replicas.agree(WEBHOOK_SECRET_KEY, candidate)
            await uow.commit()
        return secret

    async def forget_old_updates(self) -> int:
        async with self._units() as uow:
            removed = await uow.replicas.forget_updates_before(self._clock() - REMEMBER_UPDATES)
            await uow.commit()
        return removed
