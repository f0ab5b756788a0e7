"""Migration 0007 sends learners whose stored chat became a group back to their
private chat (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import Database
from storage.database import upgrade
from tests.conftest import create_postgres_database, drop_postgres_database, postgres_url

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database, not yet migrated."""
    server = postgres_url() if request.param == "postgresql" else None
    url = (
        await create_postgres_database(server)
        if server
        else f"sqlite+aiosqlite:///{tmp_path / 'nexus.db'}"
    )
    database = Database(url)
    try:
        yield database
    finally:
        await database.close()
        if server:
            await drop_postgres_database(server, url)


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
