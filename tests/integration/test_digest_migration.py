"""Migration 0009: tip subscribers are scheduled for the digest, and the downgrade
drops only what it added, keeping every learner's rows (SQLite and PostgreSQL).
On SQLite a batch rebuild of `users` would drop the table, and with foreign keys
on that would cascade to every learner's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage import Database
from storage.database import alembic_config, upgrade

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
NEXT_TIP = NOW + timedelta(hours=2)


async def seed(database: Database) -> None:
    await upgrade(database.engine, "0008")
    async with database.engine.begin() as connection:
        for user_id, tips in ((1, True), (2, False)):
            await connection.execute(
                text(
                    "INSERT INTO users (id, chat_id, tips_enabled, tip_minute, next_tip_at,"
                    " created_at, last_seen_at) VALUES (:id, :id, :tips, 540, :next, :now, :now)"
                ),
                {"id": user_id, "tips": tips, "next": NEXT_TIP if tips else None, "now": NOW},
            )
            await connection.execute(
                text(
                    "INSERT INTO question_log (user_id, text, status, created_at)"
                    " VALUES (:id, 'what is an etag', 'answered', :now)"
                ),
                {"id": user_id, "now": NOW},
            )


async def test_tip_subscribers_get_a_first_due_moment(fresh_database: Database) -> None:
    await seed(fresh_database)
    await upgrade(fresh_database.engine)
    async with fresh_database.unit_of_work() as uow:
        subscriber, other = await uow.users.get(1), await uow.users.get(2)
    assert subscriber is not None and other is not None
    assert subscriber.digest is None and subscriber.wants_digest
    assert subscriber.next_digest_at == NEXT_TIP
    assert other.next_digest_at is None and not other.wants_digest


async def test_downgrade_keeps_every_learners_rows(fresh_database: Database) -> None:
    await seed(fresh_database)
    await upgrade(fresh_database.engine)

    def downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")

    async with fresh_database.engine.begin() as connection:
        await connection.run_sync(downgrade)
    async with fresh_database.engine.connect() as connection:
        users = (await connection.execute(text("SELECT count(*) FROM users"))).scalar_one()
        asked = (await connection.execute(text("SELECT count(*) FROM question_log"))).scalar_one()
        columns = await connection.run_sync(
            lambda sync: [column["name"] for column in inspect(sync).get_columns("users")]
        )
    assert (users, asked) == (2, 2)
    assert "digest" not in columns and "next_digest_at" not in columns
