"""What a poller loads at start-up: libraries only some paths need (Alembic for a
database behind the newest migration, Pillow for /progress pictures, uvicorn and
Starlette for webhook mode) load when those paths run, not with the bot; the
matcher's (numpy, the encoder's runtime) load in the thread that builds it, after
the bot polls."""

from __future__ import annotations

import subprocess
import sys

LATER = ("alembic", "PIL", "uvicorn", "starlette")
MATCHER = ("numpy", "onnxruntime", "tokenizers", "content.matcher", "content.encoder")


def loaded_of(modules: tuple[str, ...], after: str = "import bot.app, bot.cli.main") -> str:
    """Which of `modules` a fresh interpreter holds after running `after`."""
    probe = f"import sys; {after}; print(','.join(m for m in {modules!r} if m in sys.modules))"
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
