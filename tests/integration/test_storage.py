"""Storage on real databases: SQLite always, PostgreSQL when configured."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import Database
from storage.models import QuestionLog
from storage.records import AskedQuestion

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def test_migrations_are_idempotent(database: Database) -> None:
    await database.migrate()  # already at head: a second run changes nothing
    async with database.unit_of_work() as uow:
        assert await uow.users.count() == 0


async def test_touch_creates_then_updates_a_user(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.users.arrive(42, 42, "en", NOW)
        await uow.commit()
    later = NOW + timedelta(hours=1)
    async with database.unit_of_work() as uow:
        await uow.users.arrive(42, 4242, "de", later)
        await uow.commit()
    async with database.unit_of_work() as uow:
        user = await uow.users.get(42)
        assert user is not None
        assert (user.chat_id, user.language) == (4242, "de")
        assert user.created_at.replace(tzinfo=UTC) == NOW
        assert user.last_seen_at.replace(tzinfo=UTC) == later
        assert await uow.users.count() == 1


async def test_uncommitted_work_is_rolled_back(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.users.arrive(7, 7, None, NOW)  # no commit
    async with database.unit_of_work() as uow:
        assert await uow.users.get(7) is None


async def test_question_log_records_a_choice_only_for_the_asker(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.users.arrive(1, 1, None, NOW)
        await uow.users.arrive(2, 2, None, NOW)
        log_id = await uow.questions.add(
            AskedQuestion(
                user_id=1, text="etag?", status="ambiguous", entry_id="x", score=50.0, asked_at=NOW
            )
        )
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert not await uow.questions.record_choice(log_id, 2, "caching-etag")
        assert await uow.questions.record_choice(log_id, 1, "caching-etag")
        await uow.commit()
    async with database.unit_of_work() as uow:
        row = (await uow.session.execute(select(QuestionLog))).scalar_one()
        assert (row.text, row.status, row.chosen_entry_id) == ("etag?", "ambiguous", "caching-etag")


async def test_concurrent_writers_never_fail(database: Database) -> None:
    """Many updates writing at once: SQLite must wait for its lock, never raise
    "database is locked"; every row must land."""

    async def one_update(user_id: int) -> None:
        async with database.unit_of_work() as uow:
            await uow.users.arrive(user_id, user_id, None, NOW)
            await uow.questions.add(
                AskedQuestion(
                    user_id=user_id,
                    text=f"q{user_id}",
                    status="answered",
                    entry_id=None,
                    score=None,
                    asked_at=NOW,
                )
            )
            await asyncio.sleep(0)  # yield inside the transaction so writers overlap
            await uow.commit()

    await asyncio.gather(*(one_update(i) for i in range(1, 81)))
    async with database.unit_of_work() as uow:
        assert await uow.users.count() == 80
        assert len(await uow.questions.recent(limit=500)) == 80
