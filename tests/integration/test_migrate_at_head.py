"""A restart finds its database at the newest migration with one query and leaves
Alembic unloaded; an older or new database is migrated as before."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory

import storage.database
from storage import Database
from storage.database import alembic_config, head_revision, upgrade


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == head_revision()


async def test_a_new_database_is_migrated_to_the_head(fresh_database: Database) -> None:
    assert await fresh_database.revision() is None
    await fresh_database.migrate()
    assert await fresh_database.revision() == head_revision()


async def test_a_database_at_the_head_is_not_given_to_alembic(
    fresh_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fresh_database.migrate()

    async def no_alembic(*args: object, **kwargs: object) -> None:
        raise AssertionError("Alembic ran on a database already at the head")

    monkeypatch.setattr(storage.database, "upgrade", no_alembic)
    await fresh_database.migrate()
    assert await fresh_database.revision() == head_revision()


async def test_an_older_database_is_upgraded(fresh_database: Database) -> None:
    await upgrade(fresh_database.engine, "0009")
    assert await fresh_database.revision() == "0009"
    await fresh_database.migrate()
    assert await fresh_database.revision() == head_revision()
