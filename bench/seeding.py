"""Subscribers due for a daily tip, written straight into a database for the benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert

from storage import Database
from storage.models import User

BATCH = 1000


async def seed_due_subscribers(url: str, user_ids: Iterable[int], due: datetime) -> None:
    """Migrate the database and add one subscriber per id, all due at `due` (UTC)."""
    database = Database(url)
    await database.migrate()
    rows = [
        {
            "id": user_id,
            "chat_id": user_id,
            "language": "en",
            "timezone": "UTC",
            "tips_enabled": True,
            "tip_minute": due.hour * 60 + due.minute,
            "next_tip_at": due,
            "created_at": due,
            "last_seen_at": due,
        }
        for user_id in user_ids
    ]
    async with database.unit_of_work() as uow:
        for start in range(0, len(rows), BATCH):
            await uow.session.execute(insert(User), rows[start : start + BATCH])
        await uow.commit()
    await database.close()
