"""Shared fixtures: the bundled knowledge base, databases (SQLite always,
PostgreSQL when NEXUS_TEST_DATABASE_URL is set), and a wired bot on a fake Bot API."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.settings import Settings
from content import KnowledgeBase, load_knowledge_base
from storage import Database

TEST_DATABASE_URL_VARIABLE = "NEXUS_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def bundled_kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.slow])]
)
async def settings(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings for a wired bot; every test using them runs on SQLite (fast tier) and
    PostgreSQL (slow tier: the same handler flows again, each on a new database; the
    storage tests run on both databases in the fast tier).

    Sends are not paced to Telegram's 29.5/s here: pacing is what the flood limiter's
    own tests check on virtual time, and the end-to-end tests run at the real rate."""
    environment = {
        "NEXUS_DATA_DIR": str(tmp_path / "data"),
        "TELEGRAM_BOT_TOKEN": "123456:TEST-token-for-tests",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
        "NEXUS_SEND_RATE": "1000",
    }
    if request.param == "sqlite":
        yield Settings.from_env(environment)
        return
    server = postgres_url()
    url = await create_postgres_database(server)
    try:
        yield Settings.from_env({**environment, "NEXUS_DATABASE_URL": url})
    finally:
        await drop_postgres_database(server, url)


def postgres_url() -> str:
    url = os.environ.get(TEST_DATABASE_URL_VARIABLE)
    if not url:
        pytest.skip(
            f"{TEST_DATABASE_URL_VARIABLE} is not set: no PostgreSQL server to test against"
        )
    return url


async def _postgres_database(url: str) -> AsyncIterator[Database]:
    """A Database in a fresh schema of its own, dropped afterwards (the server keeps state)."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(url)
    async with admin.begin() as connection:
        await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    database = Database(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await database.migrate()
        yield database
    finally:
        await database.close()
        async with admin.begin() as connection:
            await connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """The same tests run on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        async for database in _postgres_database(postgres_url()):
            yield database
        return
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'nexus.db'}")
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (NEXUS_NO_SKIPS=1) a skipped test is a failure: PostgreSQL and e2e must run."""
    if os.environ.get("NEXUS_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        print(f"\nNEXUS_NO_SKIPS=1: {skipped} test(s) were skipped; failing the run.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


async def create_postgres_database(url: str) -> str:
    """A new, empty database on the test server; returns its URL (for processes that
    take a plain URL, like `nexus-bot run` replicas or `db copy --to`)."""
    name = f"nexus_test_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await admin.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


async def drop_postgres_database(url: str, database_url: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


@pytest.fixture
async def postgres_database_url() -> AsyncIterator[str]:
    """The URL of a fresh PostgreSQL database, dropped afterwards."""
    server = postgres_url()
    url = await create_postgres_database(server)
    try:
        yield url
    finally:
        await drop_postgres_database(server, url)
