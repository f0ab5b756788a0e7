"""`nexus-bot`, the command line: each subcommand a thin wrapper over a library call
(formats in bot/presentation/reports.py)."""

from bot.cli.main import main

__all__ = ["main"]
