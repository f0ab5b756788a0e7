"""The `nexus-bot` console script. `nexus-bot healthcheck` runs every 30 s in Docker,
so it skips the command line's imports (content, numpy, SQLAlchemy: about 0.25 s)
and reads only the heartbeat (bot/health.py); everything else goes to bot.cli."""

from __future__ import annotations

import os
import sys


def main() -> int:
    try:
        return _run()
    except BrokenPipeError:
        # The reader closed the pipe (`nexus-bot ask --json < questions | head`): stop
        # quietly, as other command-line tools do, instead of printing a traceback.
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a command killed by it


def _run() -> int:
    if sys.argv[1:] == ["healthcheck"]:
        from bot.health import healthcheck

        return healthcheck()
    from bot.gc_pause import collector_paused

    with collector_paused():
        from bot.cli import main as commands

    return commands()
