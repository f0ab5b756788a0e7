"""The `nexus-bot` console script. `nexus-bot healthcheck` runs every 30 s in Docker,
so it skips the command line's imports (content, numpy, SQLAlchemy: about 0.25 s)
and reads only the heartbeat (bot/health.py); everything else goes to bot.cli."""

from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:] == ["healthcheck"]:
        from bot.health import healthcheck

        return healthcheck()
    from bot.gc_pause import collector_paused

    with collector_paused():
        from bot.cli import main as commands

    return commands()
