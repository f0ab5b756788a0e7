"""One poller per bot: Telegram answers a second `getUpdates` consumer with 409
Conflict, so a replica in polling mode first takes a lease in the database it
shares with the others, renews it while it runs and gives it up when it stops.

A lease lasts LEASE seconds from its last renewal. A poller that crashed blocks
the next start until its lease runs out, unless the caller can tell that the
holder is gone (`gone`: e.g. a process id on this host that no longer exists)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.services.context import Service, ServiceContext
from storage.records import Lease

POLLER_LEASE_KEY = "poller_lease"
LEASE = timedelta(seconds=30)
RENEW_EVERY = LEASE / 3


class PollerLease(Service):
    def __init__(
        self,
        context: ServiceContext,
        holder: str,
        *,
        gone: Callable[[str], bool] = lambda holder: False,
    ) -> None:
        super().__init__(context)
        self.holder = holder
        self._gone = gone

    async def take(self) -> Lease:
        """The lease now: this process's if it was free, expired, ours or its
        holder is gone; else the other poller's (who holds it, until when)."""
        lease = await self._take()
        if lease.holder != self.holder and self._gone(lease.holder):
            # Void the dead holder's lease as if it had run out (a compare-and-set:
            # if a third poller took it meanwhile, theirs stands).
            lease = await self._take(expired_at=lease.until)
        return lease

    async def renew(self) -> bool:
        """True while the lease is still this process's (False: it ran out and
        another poller took it)."""
        return (await self._take()).holder == self.holder

    async def release(self) -> None:
        async with self._units() as uow:
            await uow.replicas.drop_lease(POLLER_LEASE_KEY, self.holder)
            await uow.commit()

    async def _take(self, expired_at: datetime | None = None) -> Lease:
        now = self._clock()
        expired = now if expired_at is None else max(now, expired_at)
        async with self._units() as uow:
            lease = await uow.replicas.take_lease(
                POLLER_LEASE_KEY, self.holder, expired, now + LEASE
            )
            await uow.commit()
        return lease
