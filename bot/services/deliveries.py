"""What tip and digest deliveries share: take the most overdue learner, claim
their period's delivery in one transaction (a claim that fails for a reason of
the learner's own defers them, so the run goes on without them), record how a
send ended, and expire claims a stopped process left "sending".

The claim types: an item to send, `Skipped` (due, but nothing to send now; the
schedule moved on) or `NobodyDue` (the run is done). The loop that drives this
is bot/services/broadcast.py."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Generic, Protocol, TypeVar

from bot.services.context import Service
from content import KnowledgeBase
from storage import UnitOfWork
from storage.records import DeliveryResult, DeliveryStatus

log = logging.getLogger(__name__)

# A learner whose claim fails for a reason of their own (a broken stored value) is
# tried again this much later, so the rest of the run goes on without them.
DEFER_AFTER_FAILURE = timedelta(hours=1)


@dataclass(frozen=True)
class Skipped:
    """A due learner whose period needed nothing sent now; their schedule moved on."""

    reason: str  # "missed day", "already sent", "no tips", "deferred after a failure", ...


@dataclass(frozen=True)
class NobodyDue:
    """Nobody is due now: the broadcast is done."""


class Delivery(Enum):
    """What became of one send."""

    SENT = "sent"
    BLOCKED = "blocked"  # 403: the learner blocked the bot
    UNKNOWN = "unknown"  # the request may or may not have reached Telegram
    FAILED = "failed"  # Telegram refused it for good (e.g. chat not found)
    RETRY = "retry"  # certainly not delivered (e.g. no connection): due again


STORED_AS = {
    Delivery.SENT: DeliveryStatus.SENT,
    Delivery.BLOCKED: DeliveryStatus.BLOCKED,
    Delivery.UNKNOWN: DeliveryStatus.UNKNOWN,
    Delivery.FAILED: DeliveryStatus.FAILED,
}


class Claimed(Protocol):
    """A claimed delivery, ready to send."""

    @property
    def delivery_id(self) -> int: ...

    @property
    def key(self) -> int: ...  # whose it is: the learner's user id, or the group's chat id

    @property
    def chat_id(self) -> int: ...

    @property
    def due_at(self) -> datetime: ...  # when it was due (UTC): due again after RETRY


class Keyed(Protocol):
    """Who is due: a learner (LearnerProfile) or a group (GroupChat)."""

    @property
    def id(self) -> int: ...


Due = TypeVar("Due", bound=Keyed)
DueOut = TypeVar("DueOut", bound=Keyed, covariant=True)


class Rows(Protocol[DueOut]):
    """The delivery table's side of storage (uow.tips, uow.digests, uow.groups)."""

    async def next_due(self, now: datetime) -> DueOut | None: ...

    async def finish(self, delivery_id: int, result: DeliveryResult, now: datetime) -> None: ...

    async def expire_stale(self, claimed_before: datetime, now: datetime) -> int: ...

    async def release(self, delivery_id: int) -> None: ...


Item = TypeVar("Item", bound=Claimed)


class Deliveries(Service, Generic[Item, Due], ABC):
    """The claim and outcome bookkeeping; a kind (tips, digests, group tips) fills in
    the rest. `Due` is what is due: a learner, or a group."""

    kind = "delivery"

    @abstractmethod
    def _rows(self, uow: UnitOfWork) -> Rows[Due]:
        """The kind's delivery rows (claim, finish, lease, release)."""

    @abstractmethod
    async def _set_next(self, uow: UnitOfWork, key: int, at: datetime | None) -> None:
        """Move the learner's (or group's) next due moment for this kind."""

    @abstractmethod
    async def _claim(
        self, uow: UnitOfWork, kb: KnowledgeBase, due: Due, now: datetime
    ) -> Item | Skipped:
        """Claim the due learner's delivery and move their schedule on; commits."""

    async def _finished(self, uow: UnitOfWork, item: Item, outcome: Delivery) -> None:
        """Anything else a finished (not RETRY) send changes."""

    async def _blocked(self, uow: UnitOfWork, item: Item, now: datetime) -> None:
        """403: the learner blocked the bot; tips and the digest stop for them."""
        await uow.tips.mark_blocked(item.key, now)
        await uow.digests.set_next(item.key, None)

    async def claim_next(self) -> Item | Skipped | NobodyDue:
        """Take the most overdue learner: record their delivery as "sending" and move
        their schedule on, in one transaction.

        A learner whose claim fails (a value stored by an older version, say) is
        deferred by DEFER_AFTER_FAILURE and skipped, so one learner never stops the
        run for everyone else."""
        kb = self._library.kb
        now = self._clock()
        user_id: int | None = None
        try:
            async with self._units() as uow:
                due = await self._rows(uow).next_due(now)
                if due is None:
                    return NobodyDue()
                user_id = due.id
                return await self._claim(uow, kb, due, now)
        except Exception:
            if user_id is None:
                raise  # not this learner's fault (the database is down, say)
            log.exception(
                "claiming the %s of user %s failed; trying again later", self.kind, user_id
            )
        async with self._units() as uow:
            await self._set_next(uow, user_id, now + DEFER_AFTER_FAILURE)
            await uow.commit()
        return Skipped("deferred after a failure")

    async def anyone_due(self) -> bool:
        """Whether a claim now would find someone: a look, not a claim (a row another
        replica is claiming is skipped, as a claim would skip it)."""
        async with self._units() as uow:
            return await self._rows(uow).next_due(self._clock()) is not None

    async def finish(
        self, item: Item, outcome: Delivery, message_id: int | None = None, error: str = ""
    ) -> None:
        now = self._clock()
        async with self._units() as uow:
            rows = self._rows(uow)
            if outcome is Delivery.RETRY:
                # Certainly not delivered: undo the claim so it is due again.
                await rows.release(item.delivery_id)
                await self._set_next(uow, item.key, item.due_at)
            else:
                result = DeliveryResult(STORED_AS[outcome], message_id, error[:200] or None)
                await rows.finish(item.delivery_id, result, now)
                await self._finished(uow, item, outcome)
            if outcome is Delivery.BLOCKED:
                await self._blocked(uow, item, now)
            await uow.commit()

    async def expire_stale(self, lease: timedelta) -> int:
        """Deliveries stuck in "sending" longer than `lease` (their process died)."""
        now = self._clock()
        async with self._units() as uow:
            expired = await self._rows(uow).expire_stale(now - lease, now)
            await uow.commit()
        return expired
