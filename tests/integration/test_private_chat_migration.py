"""Migration 0007 sends learners whose stored chat became a group back to their
private chat (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from storage import Database
from storage.database import upgrade

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def test_group_chat_ids_are_reset_to_the_private_chat(fresh_database: Database) -> None:
    await upgrade(fresh_database.engine, "0006")
    async with fresh_database.engine.begin() as connection:
        for user_id, chat_id in ((11, 11), (12, -100123), (13, -5)):
            await connection.execute(
                text(
                    "INSERT INTO users (id, chat_id, tips_enabled, tip_minute, created_at,"
                    " last_seen_at) VALUES (:id, :chat, false, 540, :now, :now)"
                ),
                {"id": user_id, "chat": chat_id, "now": NOW},
            )
    await upgrade(fresh_database.engine)
    async with fresh_database.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT id, chat_id FROM users ORDER BY id"))).all()
    assert [tuple(row) for row in rows] == [(11, 11), (12, 12), (13, 13)]
