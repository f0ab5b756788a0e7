"""What a poller loads at start-up: libraries only some paths need (Alembic for a
database behind the newest migration, Pillow for /progress pictures, uvicorn and
Starlette for webhook mode) load when those paths run, not with the bot."""

from __future__ import annotations

import subprocess
import sys

LATER = ("alembic", "PIL", "uvicorn", "starlette")


def test_the_bot_loads_without_the_libraries_of_other_paths() -> None:
    probe = (
        "import sys, bot.app, bot.cli.main; "
        f"print(','.join(m for m in {LATER!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert loaded == ""
