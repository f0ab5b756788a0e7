"""Why `nexus-bot run` may refuse to start: one line saying what to fix, and an
exit code per reason (docs/operators.md, "Exit codes")."""

from __future__ import annotations

import asyncio
import os
import threading

from bot.settings import Settings
from storage import is_sqlite
from storage.records import Lease

# Exit codes of `nexus-bot run` (docs/operators.md, "Exit codes"). 1 is also what Python gives
# an unexpected error, whose traceback is logged redacted.
EXIT_CONTENT = 1  # the content is invalid
EXIT_CONFIG = 2  # a setting is missing or wrong
EXIT_CONFLICT = 3  # another process polls with this token (409 Conflict)
EXIT_TOKEN_REJECTED = 4  # getMe answered 401 or 404
EXIT_API_UNREACHABLE = 5  # no answer from TELEGRAM_API_BASE_URL
EXIT_DATA_DIR = 6  # the data folder or the SQLite file cannot be created or written
EXIT_DATABASE = 7  # NEXUS_DATABASE_URL is not usable (bad URL, driver, unreachable)
EXIT_POLLER_RUNNING = 8  # another process polls for this bot on the same database


async def let_failed_connections_finish() -> None:
    """aiosqlite stops the worker thread of a connection that failed to open without
    waiting for it; if the loop closes first, the thread dies with a traceback at exit.
    Wait (off the loop, bounded) for such threads while the loop still runs."""

    def join() -> None:
        for thread in threading.enumerate():
            if thread.name.endswith("(_connection_worker_thread)"):
                thread.join(2.0)

    await asyncio.to_thread(join)


class StartupError(Exception):
    """An expected reason not to start: one line saying what to fix, and an exit code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _reason(error: BaseException) -> str:
    """The first line of what the driver or library said (not SQLAlchemy's wrapping)."""
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


def _this_user() -> str:
    return f"this user (uid {os.getuid()}, gid {os.getgid()})"


def database_error(settings: Settings, error: BaseException) -> StartupError:
    try:
        sqlite = is_sqlite(settings.database_url)
    except Exception:  # not even a URL
        sqlite = False
    if sqlite and isinstance(error, OSError):  # creating the folder
        return StartupError(
            EXIT_DATA_DIR,
            f"cannot create or write the data folder NEXUS_DATA_DIR ({settings.data_dir}): "
            f"{_reason(error)}. Point NEXUS_DATA_DIR at a folder {_this_user()} can write "
            "(a host folder mounted at /data: chown it to that uid:gid).",
        )
    if sqlite:
        return StartupError(
            EXIT_DATA_DIR,
            f"cannot open or write the SQLite database ({settings.database_url}): "
            f"{_reason(error)}. Point NEXUS_DATA_DIR (or NEXUS_DATABASE_URL) at a folder "
            f"{_this_user()} can write (a host folder mounted at /data: chown it to that uid:gid).",
        )
    return StartupError(
        EXIT_DATABASE,
        f"cannot use the database at NEXUS_DATABASE_URL: {_reason(error)}. Check the URL "
        "(e.g. postgresql+asyncpg://user:password@host:5432/nexus), and that the database "
        "answers.",
    )


def poller_running(lease: Lease) -> str:
    return (
        f"another nexus-bot ({lease.holder}) is already polling Telegram for this database "
        f"(its lease runs until {lease.until:%H:%M:%S} UTC unless renewed). Polling is for one "
        "process: to run several replicas use webhook mode (NEXUS_WEBHOOK_URL)."
    )
