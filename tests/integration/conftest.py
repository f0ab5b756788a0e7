"""Fixtures for the integration tests of migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database
from tests.conftest import create_postgres_database, drop_postgres_database, postgres_url


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
