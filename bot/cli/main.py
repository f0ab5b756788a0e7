"""`nexus-bot`: the command line. Each subcommand wraps a library call."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli.content import (
    cmd_content_check,
    cmd_content_export,
    cmd_content_learned,
    cmd_content_stats,
)
from bot.cli.parser import build_parser
from bot.cli.support import knowledge_base, settings_or_exit, with_database
from bot.env_file import EnvFileError, load_env_file
from bot.gc_pause import collector_paused
from bot.memory import limit_malloc_arenas
from bot.observability import (
    configure_logging,
    install_redaction,
    log,
    secrets_of,
    serve_metrics,
    url_password,
)
from bot.settings import SettingsError
from content import ContentError

if TYPE_CHECKING:  # imported when used: `ask` and `chat` must start fast
    from bot.services.operations import Inbox


def cmd_run(args: argparse.Namespace) -> int:
    limit_malloc_arenas()  # first: arenas made by threads started before it would stay
    settings = settings_or_exit()
    try:
        settings.require_token()
    except SettingsError as error:
        print(f"nexus-bot: {error}", file=sys.stderr)
        return 2
    json_lines = settings.log_format == "json"
    configure_logging(
        settings.log_level,
        json_lines,
        [
            *secrets_of(settings.telegram_bot_token),
            *url_password(settings.database_url),
            *([settings.webhook_secret] if settings.webhook_secret else []),
        ],
    )
    if settings.metrics_port:
        serve_metrics(settings.metrics_port)
    with collector_paused():
        from bot.app import Nexus
        from bot.startup import StartupError

    if args.webhook and not settings.webhook_url:
        print(
            "nexus-bot: --webhook needs NEXUS_WEBHOOK_URL (the public https URL Telegram posts to)",
            file=sys.stderr,
        )
        return 2
    try:
        nexus = Nexus(settings)
        if args.webhook or settings.webhook_url:
            return nexus.run_webhook()
        code = nexus.run_polling()
    except ContentError as error:
        print(f"nexus-bot: refusing to start, {error}", file=sys.stderr)
        return 1
    except StartupError as error:
        # One line saying what to fix (stderr is redacting), and in JSON mode the same
        # as a JSON record for log collectors.
        if json_lines:
            log.critical(str(error), extra={"event": "startup.failed", "status": error.code})
        print(f"nexus-bot: {error}", file=sys.stderr)
        return error.code
    if code == 3:
        print(
            "nexus-bot: another process is already polling Telegram with this token (409 "
            "Conflict). Stop it, or run several replicas in webhook mode (NEXUS_WEBHOOK_URL).",
            file=sys.stderr,
        )
    return code


def cmd_chat(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    configure_logging("WARNING")
    with collector_paused():
        from bot.console import chat
        from bot.startup import StartupError

    try:
        asyncio.run(chat(settings, admin=not args.learner))
    except ContentError as error:
        print(f"nexus-bot: {error}", file=sys.stderr)
        return 1
    except StartupError as error:  # e.g. the data folder cannot be written
        print(f"nexus-bot: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        pass
    return 0


def _stdin_question(line: str) -> str:
    """One question per stdin line; a line that is a JSON string ("line 1\nline 2") is
    decoded, so a question with line breaks (a pasted traceback) arrives as sent."""
    line = line.rstrip("\n")
    if line.startswith('"'):
        try:
            decoded = json.loads(line)
        except ValueError:
            return line
        if isinstance(decoded, str):
            return decoded
    return line


def cmd_ask(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    from bot.presentation.reports import ask_record
    from content.matcher import Matcher

    matcher = Matcher(knowledge_base(settings_or_exit()))
    if args.json:
        lines = stdin if stdin is not None else sys.stdin  # read at call time, not import
        questions = [args.question] if args.question else (_stdin_question(x) for x in lines)
        for question in questions:
            if question.strip():
                record = ask_record(matcher.kb, matcher.match(question))
                print(json.dumps(record, ensure_ascii=False))
        return 0
    if not args.question:
        print(
            "nexus-bot ask: give a question, or --json to read one per stdin line", file=sys.stderr
        )
        return 2
    from bot.presentation.reports import ask_lines

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    print("\n".join(ask_lines(matcher.kb, matcher.match(args.question), width)))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    with_database(settings, lambda database: database.migrate())
    print(f"database is up to date: {settings.database_url}")
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    from storage import Database
    from storage.copy import CopyError, copy_database

    async def copy() -> dict[str, int]:
        source, target = Database(settings.database_url), Database(args.to)
        try:
            return await copy_database(source, target)
        finally:
            await source.close()
            await target.close()

    try:
        copied = asyncio.run(copy())
    except CopyError as error:
        print(f"nexus-bot: {error}", file=sys.stderr)
        return 1
    for table, count in copied.items():
        print(f"{table:<20}{count:>10} rows")
    print(f"copied and verified: {sum(copied.values())} rows into {args.to.split('@')[-1]}")
    return 0


def cmd_healthcheck(args: argparse.Namespace) -> int:
    """Exit 0 while `nexus-bot run`'s heartbeat is fresh and its last database ping
    answered (Docker HEALTHCHECK); the console script takes a faster path to it."""
    from bot.health import healthcheck

    return healthcheck()


def cmd_unanswered(args: argparse.Namespace) -> int:
    """The authors' inbox: unanswered questions grouped, and "did you mean" picks."""
    from bot.presentation.reports import inbox_document, inbox_lines
    from bot.services.context import ServiceContext
    from bot.services.library import Library, LiveLibrary
    from bot.services.operations import OpsService

    settings = settings_or_exit()
    library = LiveLibrary(Library.of(knowledge_base(settings)))

    def read(database: Any) -> Awaitable[Inbox]:
        context = ServiceContext(library, database.unit_of_work)
        ops = OpsService(context, settings.content_dir)
        return ops.inbox(args.since)

    inbox = with_database(settings, read, migrate=True)
    if args.json:
        print(json.dumps(inbox_document(inbox), ensure_ascii=False, indent=2))
    else:
        print("\n".join(inbox_lines(inbox)))
    return 0


HANDLERS = {
    ("run", None): cmd_run,
    ("chat", None): cmd_chat,
    ("ask", None): cmd_ask,
    ("content", "check"): cmd_content_check,
    ("content", "export"): cmd_content_export,
    ("content", "stats"): cmd_content_stats,
    ("content", "learned"): cmd_content_learned,
    ("db", "upgrade"): cmd_db_upgrade,
    ("db", "copy"): cmd_db_copy,
    ("healthcheck", None): cmd_healthcheck,
    ("unanswered", None): cmd_unanswered,
}


def main(argv: Sequence[str] | None = None) -> int:
    environ = os.environ
    try:
        load_env_file(environ)  # ./.env (or NEXUS_ENV_FILE); the environment wins
    except (EnvFileError, OSError, UnicodeDecodeError) as error:
        print(f"nexus-bot: cannot read the settings file: {error}", file=sys.stderr)
        return 2  # README, "Exit codes": a setting is missing or invalid
    # Whatever leaves the process (prints, argparse and SystemExit messages, uncaught
    # exceptions) is redacted, before the settings are even read.
    install_redaction(
        *secrets_of(environ.get("TELEGRAM_BOT_TOKEN")),
        *url_password(environ.get("NEXUS_DATABASE_URL")),
        environ.get("NEXUS_WEBHOOK_SECRET"),
    )
    args = build_parser().parse_args(argv)
    sub = getattr(args, "content_command", None) or getattr(args, "db_command", None)
    return HANDLERS[(args.command, sub)](args)


if __name__ == "__main__":
    raise SystemExit(main())
