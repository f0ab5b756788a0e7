"""Learned phrasings: questions admins taught an entry from /unanswered. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import records
from storage.models import LearnedPhrasing
from storage.repositories import dialect_insert


class LearnedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def teach(
        self, entry_id: str, texts: Sequence[str], taught_by: int | None, now: datetime
    ) -> int:
        """Store `texts` as phrasings of `entry_id`; returns how many were new.

        A question answers one entry: teaching it to another moves it there.
        """
        if not texts:
            return 0
        await self.session.execute(
            delete(LearnedPhrasing).where(
                LearnedPhrasing.text.in_(texts), LearnedPhrasing.entry_id != entry_id
            )
        )
        added = 0
        for text in texts:
            # ON CONFLICT DO NOTHING: a second teach (a double tap, another replica)
            # finds the row there and changes nothing.
            statement = (
                dialect_insert(self.session, LearnedPhrasing)
                .values(entry_id=entry_id, text=text, taught_by=taught_by, created_at=now)
                .on_conflict_do_nothing(index_elements=["entry_id", "text"])
                .returning(LearnedPhrasing.id)
            )
            added += (await self.session.execute(statement)).scalar_one_or_none() is not None
        return added

    async def all(self) -> list[records.LearnedPhrasing]:
        """Every learned phrasing, oldest first (so the newest wins any clash)."""
        result = await self.session.execute(
            select(LearnedPhrasing).order_by(LearnedPhrasing.created_at, LearnedPhrasing.id)
        )
        return [
            records.LearnedPhrasing(r.entry_id, r.text, r.taught_by, records.aware(r.created_at))
            for r in result.scalars()
        ]
