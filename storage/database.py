"""Engine creation and schema migration. SQLite gets WAL, a busy timeout and
immediate write transactions so concurrent updates wait instead of failing with
"database is locked", and secure_delete so deleted rows are overwritten on disk;
PostgreSQL needs nothing special."""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.unit_of_work import SqlUnitOfWork

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


@cache
def head_revision(folder: Path = MIGRATIONS_DIR / "versions") -> str:
    """The newest migration: the one no other migration names as its down_revision
    (read from the files as Alembic writes them; a test checks it against Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in folder.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        if found := re.search(r'^revision = "([^"]+)"', source, re.MULTILINE):
            revisions.add(found.group(1))
        if found := re.search(r'^down_revision = "([^"]+)"', source, re.MULTILINE):
            parents.add(found.group(1))
    (head,) = revisions - parents
    return head


SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An async engine for `url`; the SQLite file's folder is created if missing."""
    if not is_sqlite(url):
        return create_async_engine(url, pool_pre_ping=True, **options)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # One connection: every unit of work writes (BEGIN IMMEDIATE), and SQLite has one
    # writer anyway. Queueing in the pool is first-come first-served, where competing
    # connections would back off in SQLite's busy handler (sleeps of up to 100 ms).
    options.setdefault("pool_size", 1)
    options.setdefault("max_overflow", 0)
    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the driver so we can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted content is zeroed in the page rather than left in free space, so a
        # /forget leaves no readable copy in nexus.db (the WAL: see Database.scrub).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front: a second writer waits on the busy
        # timeout instead of failing later when a read lock cannot be upgraded.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply Alembic migrations on `engine` (shares its connection; safe inside a loop)."""

    def run(connection: Connection) -> None:
        from alembic import command

        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


class Database:
    """The engine and session factory of one database, and its unit of work."""

    def __init__(self, url: str, **options: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **options)
        self._sessions = session_factory(self.engine)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)

    async def migrate(self) -> None:
        """Bring the schema to the newest migration. A database already there (every
        restart) is recognised with one query, without loading Alembic (about 10 MiB
        and 0.1 s at each start)."""
        if await self.revision() == head_revision():
            return
        await upgrade(self.engine)

    async def revision(self) -> str | None:
        """The migration the database is at; None for a database never migrated."""
        try:
            async with self.engine.connect() as connection:
                found = await connection.execute(text("SELECT version_num FROM alembic_version"))
                versions = [str(row[0]) for row in found]
        except SQLAlchemyError:
            return None  # no alembic_version table yet
        return versions[0] if len(versions) == 1 else None

    async def scrub(self) -> bool:
        """After a deletion has committed, make it final on disk. SQLite: copy the
        WAL into the database file and truncate it, so the frames that still held
        the deleted rows (the WAL keeps old page versions until a checkpoint) are
        gone. False if another process's reader kept it from finishing (the next
        checkpoint does). PostgreSQL: nothing to do."""
        if not is_sqlite(self.url):
            return True

        def checkpoint(connection: Connection) -> bool:
            # On the driver connection: a checkpoint cannot run inside the
            # transaction SQLAlchemy would begin (BEGIN IMMEDIATE, above).
            cursor = connection.connection.cursor()
            try:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                row = cursor.fetchone()
            finally:
                cursor.close()
            return row is not None and not row[0]  # (busy, wal frames, checkpointed)

        async with self.engine.connect() as connection:
            done = await connection.run_sync(checkpoint)
        if not done:
            log.warning("the WAL checkpoint after a deletion was blocked by a reader")
        return bool(done)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")

    async def close(self) -> None:
        await self.engine.dispose()
