"""`nexus-bot`'s arguments: every subcommand, its options and its help text."""

from __future__ import annotations

import argparse
from datetime import timedelta

CONSOLE_USER_ID = 1001  # bot/console.py's user; here so `--help` does not import it
CHAT_DESCRIPTION = f"""\
Talk to the real bot (the same handlers, scheduler and database code) against an
in-process fake Telegram: no token, no network.

- Type a question, a /command, or a button's number to press that button.
- You are user {CONSOLE_USER_ID}, and an admin here unless --learner: try /unanswered,
  /stats, /reload and /teach.
- The console keeps its own database, <NEXUS_DATA_DIR>/console.db, apart from the
  bot's learners; files the bot sends (/mydata) are shown and saved in
  <NEXUS_DATA_DIR>/console-files/.
- Daily tips arrive here while the console is open; /tipnow (console only) makes
  today's tip due now. One tip a day still holds: a second /tipnow says so.
- No flood limit: you are the only user. Replies wrap to the terminal's width;
  NO_COLOR=1 turns colours off. Ctrl-D or /quit leaves."""


def _duration(text: str) -> timedelta:
    """ "7d", "12h", "30m" -> a timedelta."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise argparse.ArgumentTypeError(f"use a number and d, h or m (e.g. 7d), not {text!r}")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nexus-bot",
        description="Nexus, a Telegram study companion for backend engineers.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="serve Telegram; needs TELEGRAM_BOT_TOKEN")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="webhook mode (also on when NEXUS_WEBHOOK_URL is set)",
    )
    chat = commands.add_parser(
        "chat",
        help="talk to the bot in this terminal, offline, no token",
        description=CHAT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument(
        "--learner",
        action="store_true",
        help=f"chat as a plain learner (by default user {CONSOLE_USER_ID} is an admin here)",
    )
    ask = commands.add_parser("ask", help="print the bot's reply to a question")
    ask.add_argument("question", nargs="?", help="the question (omit with --json to read stdin)")
    ask.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per question; from stdin, one question per line, or a JSON "
        'string ("line 1\\nline 2") for a question with line breaks',
    )
    content = commands.add_parser("content", help="check or export the knowledge base")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("check", help="validate all content; exit 1 on errors")
    content_commands.add_parser("stats", help="counts per topic; exit 1 if under a minimum")
    export = content_commands.add_parser("export", help="write the entries as JSON")
    export.add_argument(
        "--json", action="store_true", help="compact JSON (the default is indented)"
    )
    learned = content_commands.add_parser(
        "learned", help="phrasings admins taught from /unanswered (a table, or --export YAML)"
    )
    learned.add_argument(
        "--export", action="store_true", help="YAML grouped by entry, ready to merge into content"
    )
    learned.add_argument("--output", metavar="FILE", help="write the export here, not stdout")
    unanswered = commands.add_parser("unanswered", help="questions the bot could not answer")
    unanswered.add_argument(
        "--since", type=_duration, default=timedelta(days=7), help="e.g. 7d, 24h"
    )
    unanswered.add_argument("--json", action="store_true", help="JSON for tooling")
    commands.add_parser(
        "healthcheck",
        help="exit 0 while the running bot's heartbeat is fresh and its database answers",
    )
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply database migrations")
    copy = db_commands.add_parser("copy", help="copy this database into another, empty one")
    copy.add_argument("--to", required=True, metavar="URL", help="e.g. postgresql+asyncpg://...")
    return parser
