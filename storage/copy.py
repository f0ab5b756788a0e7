"""Copy every table of one database into another (SQLite -> PostgreSQL when a bot
outgrows one machine), then verify the row counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, func, insert, select, text

from storage.database import Database
from storage.models import Base

CHUNK = 1000


class CopyError(Exception):
    pass


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    """SQLite gives naive datetimes; they are UTC by our convention, so say so."""
    return {
        key: value.replace(tzinfo=UTC)
        if isinstance(value, datetime) and not value.tzinfo
        else value
        for key, value in row.items()
    }


async def copy_database(source: Database, target: Database) -> dict[str, int]:
    """Copy all rows; the target must be empty. Returns rows per table (verified)."""
    await source.migrate()
    await target.migrate()
    tables = Base.metadata.sorted_tables  # parents before children
    async with target.engine.connect() as connection:
        for table in tables:
            if (await connection.execute(select(func.count()).select_from(table))).scalar_one():
                raise CopyError(
                    f"the target already has rows in {table.name}; copy into an empty database"
                )
    copied: dict[str, int] = {}
    async with source.engine.connect() as reader, target.engine.begin() as writer:
        for table in tables:
            result = await reader.stream(select(table))
            count = 0
            async for chunk in result.mappings().partitions(CHUNK):
                await writer.execute(insert(table), [_aware(dict(row)) for row in chunk])
                count += len(chunk)
            copied[table.name] = count
        if writer.dialect.name == "postgresql":
            await _reset_sequences(writer)
    await _verify(source, target, copied)
    return copied


async def _reset_sequences(connection: Any) -> None:
    """Rows came with their ids: move each serial sequence past the largest one."""
    for table in Base.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not isinstance(column.type, Integer) or not column.autoincrement:
            continue
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )


async def _verify(source: Database, target: Database, copied: dict[str, int]) -> None:
    for database, name in ((source, "source"), (target, "target")):
        async with database.engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                count = (
                    await connection.execute(select(func.count()).select_from(table))
                ).scalar_one()
                if count != copied[table.name]:
                    raise CopyError(
                        f"{name} has {count} rows in {table.name}, {copied[table.name]} were copied"
                    )
