"""What a poller loads at start-up: libraries only some paths need (Alembic for a
database behind the newest migration, Pillow for /progress pictures, uvicorn and
Starlette for webhook mode, prometheus_client for a metrics port, SQLAlchemy's
PostgreSQL dialect for a PostgreSQL database) load when those paths run, not with
the bot; the
matcher's (numpy, the encoder's runtime) load in the thread that builds it, after
the bot polls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LATER = (
    "alembic",
    "PIL",
    "uvicorn",
    "starlette",
    "prometheus_client",
    "sqlalchemy.dialects.postgresql",
)
MATCHER = ("numpy", "onnxruntime", "tokenizers", "content.matcher", "content.encoder")


def loaded_of(modules: tuple[str, ...], after: str = "import bot.app, bot.cli.main") -> str:
    """Which of `modules` a fresh interpreter holds after running `after`."""
    probe = f"import sys\n{after}\nprint(','.join(m for m in {modules!r} if m in sys.modules))"
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()


def test_the_bot_loads_without_the_libraries_of_other_paths() -> None:
    assert loaded_of(LATER) == ""


def test_the_matcher_s_libraries_load_only_when_a_matcher_is_asked_for() -> None:
    assert loaded_of(MATCHER) == ""
    # `content.Matcher` still names the class, and loads its modules on first use.
    assert loaded_of(MATCHER, "import content; content.Matcher") == ",".join(
        m for m in MATCHER if m not in ("onnxruntime", "tokenizers")
    )


def test_a_bot_on_sqlite_never_loads_the_postgresql_dialect(tmp_path: Path) -> None:
    """A restart on a migrated SQLite database, and a learner's first message written
    (an INSERT ... ON CONFLICT, the dialect's own INSERT): no PostgreSQL dialect, and
    no Alembic either (a first start runs the migrations, which load both)."""
    database = tmp_path / "nexus.db"
    first_message = (
        "import asyncio, datetime; from storage import Database\n"
        "async def first_message():\n"
        f"    db = Database('sqlite+aiosqlite:///{database}')\n"
        "    await db.migrate()\n"
        "    async with db.unit_of_work() as uow:\n"
        "        now = datetime.datetime.now(datetime.timezone.utc)\n"
        "        await uow.users.arrive(7, 7, 'en', now)\n"
        "        await uow.commit()\n"
        "    await db.close()\n"
        "asyncio.run(first_message())"
    )
    first_start = loaded_of(("alembic",), first_message)
    assert first_start == "alembic" and database.exists()
    restart = loaded_of(("sqlalchemy.dialects.postgresql", "alembic"), first_message)
    assert restart == ""
