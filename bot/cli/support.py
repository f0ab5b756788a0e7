"""What every `nexus-bot` subcommand needs: settings, content, a database."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.settings import Settings, SettingsError
from content import ContentError, load_knowledge_base
from content.vector_folder import cache_folder

if TYPE_CHECKING:  # imported when used: `ask` and `chat` must start fast
    from storage import Database


def settings_or_exit() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(f"nexus-bot: {error}", file=sys.stderr)
        raise SystemExit(2) from None  # docs/operators.md, "Exit codes": a bad setting


def knowledge_base(settings: Settings) -> Any:
    try:
        # The parsed files are kept beside the vectors: `ask` and `chat` start faster.
        return load_knowledge_base(settings.content_dir, cache_folder=cache_folder())
    except ContentError as error:
        raise SystemExit(f"nexus-bot: {error}") from None


T = TypeVar("T")


def with_database(
    settings: Settings, work: Callable[[Database], Awaitable[T]], *, migrate: bool = False
) -> T:
    """Open the configured database, (migrate it,) run `work` on it, close it."""

    async def run() -> T:
        from storage import Database

        database = Database(settings.database_url)
        try:
            if migrate:
                await database.migrate()
            return await work(database)
        finally:
            await database.close()

    return asyncio.run(run())
