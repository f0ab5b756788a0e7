"""`nexus-bot`: the command line. Each subcommand wraps a library call."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, TextIO

from bot.observability import (
    configure_logging,
    install_redaction,
    log,
    secrets_of,
    serve_metrics,
    url_password,
)
from bot.settings import Settings, SettingsError
from content import (
    ContentError,
    Matcher,
    MatchResult,
    MatchStatus,
    load_knowledge_base,
    read_content,
)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(f"nexus-bot: {error}", file=sys.stderr)
        raise SystemExit(2) from None  # README, "Exit codes": a setting is missing or invalid


def _knowledge_base(settings: Settings) -> Any:
    try:
        return load_knowledge_base(settings.content_dir)
    except ContentError as error:
        raise SystemExit(f"nexus-bot: {error}") from None


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
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
    from bot.app import Nexus, StartupError

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
    settings = _settings()
    configure_logging("WARNING")
    from bot.console import chat

    try:
        asyncio.run(chat(settings))
    except ContentError as error:
        print(f"nexus-bot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def ask_record(matcher: Matcher, result: MatchResult) -> dict[str, Any]:
    """The stable JSON form of one answer (documented in the README)."""
    from bot.presentation import views

    best = result.best
    answered = result.status is MatchStatus.ANSWERED and best is not None
    suggestions = result.candidates if result.status is MatchStatus.AMBIGUOUS else ()
    return {
        "question": result.query,
        "status": result.status.value,
        "entry_id": best.entry.id if answered and best else None,
        "title": best.entry.title if answered and best else None,
        "score": best.score if best and result.status is not MatchStatus.SMALLTALK else None,
        "confidence": round(result.confidence, 3),
        "intent": result.smalltalk.id if result.smalltalk else None,
        "answer": views.match_result(matcher.kb, result, None).text,
        "suggestions": [
            {"entry_id": c.entry.id, "title": c.entry.title, "score": c.score} for c in suggestions
        ],
    }


def cmd_ask(args: argparse.Namespace, stdin: TextIO = sys.stdin) -> int:
    matcher = Matcher(_knowledge_base(_settings()))
    if args.json:
        questions = [args.question] if args.question else (line.rstrip("\n") for line in stdin)
        for question in questions:
            if question.strip():
                print(json.dumps(ask_record(matcher, matcher.match(question)), ensure_ascii=False))
        return 0
    if not args.question:
        print(
            "nexus-bot ask: give a question, or --json to read one per stdin line", file=sys.stderr
        )
        return 2
    from content.telegram_html import strip_tags

    print(strip_tags(ask_record(matcher, matcher.match(args.question))["answer"]))
    return 0


def cmd_content_check(args: argparse.Namespace) -> int:
    settings = _settings()
    _, problems = read_content(settings.content_dir, thorough=True)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if not p.warning]
    warnings = len(problems) - len(errors)
    print(f"{settings.content_dir}: {len(errors)} error(s), {warnings} warning(s)")
    return 1 if errors else 0


def cmd_content_stats(args: argparse.Namespace) -> int:
    """Counts per topic; exit 1 if a topic has fewer entries than its minimum."""
    kb = _knowledge_base(_settings())
    topic_of = {e.id: e.topic for e in kb.entries}
    header = f"{'topic':<18}{'entries':>9}{'minimum':>9}{'phrasings':>11}{'quizzes':>9}{'tips':>6}"
    print(header)
    short = []
    for topic in kb.topics:
        entries = kb.entries_in(topic.id)
        quizzes = sum(topic_of.get(q.entry) == topic.id for q in kb.quizzes)
        tips = sum(topic_of.get(t.entry) == topic.id for t in kb.tips)
        phrasings = sum(len(e.questions) for e in entries)
        flag = "  < minimum" if len(entries) < topic.min_entries else ""
        if flag:
            short.append(topic.id)
        print(
            f"{topic.id:<18}{len(entries):>9}{topic.min_entries:>9}{phrasings:>11}"
            f"{quizzes:>9}{tips:>6}{flag}"
        )
    phrasings = sum(len(e.questions) for e in kb.entries)
    print(
        f"{'total':<18}{len(kb.entries):>9}{'':>9}{phrasings:>11}{len(kb.quizzes):>9}{len(kb.tips):>6}"
    )
    if short:
        print(f"under the minimum: {', '.join(short)}", file=sys.stderr)
        return 1
    return 0


def cmd_content_export(args: argparse.Namespace) -> int:
    kb = _knowledge_base(_settings())
    document = {
        "entries": [
            {
                "id": e.id,
                "topic": e.topic,
                "title": e.title,
                "questions": list(e.questions),
                "keywords": list(e.keywords),
                "answer": e.answer,
                "related": list(e.related),
            }
            for e in kb.entries
        ]
    }
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2 if not args.json else None)
    print()
    return 0


def cmd_content_learned(args: argparse.Namespace) -> int:
    """Phrasings admins taught from /unanswered: a table, or YAML to merge into content."""
    settings = _settings()
    import yaml

    from bot.services.teaching import grouped, learned_phrasings
    from storage import Database

    async def read() -> Any:
        database = Database(settings.database_url)
        try:
            await database.migrate()
            return await learned_phrasings(database)
        finally:
            await database.close()

    phrasings = asyncio.run(read())
    if args.export:
        # The entry files' own shape, so an author pastes the questions under the entry.
        document = [{"entry": entry, "questions": texts} for entry, texts in grouped(phrasings)]
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True) if document else ""
        if args.output:
            with open(args.output, "w", encoding="utf-8") as out:
                out.write(text)
        else:
            sys.stdout.write(text)
        return 0
    if not phrasings:
        print("no learned phrasings yet: admins teach them from /unanswered")
        return 0
    print(f"{'entry':<36}{'taught by':>12}  {'taught at':<17}  question")
    for p in sorted(phrasings, key=lambda p: p.entry_id):  # stable: oldest first per entry
        taught_by = str(p.taught_by) if p.taught_by is not None else "-"
        print(f"{p.entry_id:<36}{taught_by:>12}  {p.created_at:%Y-%m-%d %H:%M}  {p.text}")
    print(f"{len(phrasings)} phrasing(s) for {len(grouped(phrasings))} entries")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings()
    from storage import Database

    async def upgrade() -> None:
        database = Database(settings.database_url)
        try:
            await database.migrate()
        finally:
            await database.close()

    asyncio.run(upgrade())
    print(f"database is up to date: {settings.database_url}")
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    settings = _settings()
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
    """Exit 0 when the content is valid and the database answers (Docker HEALTHCHECK)."""
    settings = _settings()
    _knowledge_base(settings)
    from storage import Database

    async def ping() -> None:
        database = Database(settings.database_url)
        try:
            await asyncio.wait_for(database.ping(), timeout=10)
        finally:
            await database.close()

    try:
        asyncio.run(ping())
    except Exception as error:
        print(f"nexus-bot: database unreachable: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print("ok")
    return 0


def _duration(text: str) -> timedelta:
    """ "7d", "12h", "30m" -> a timedelta."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise argparse.ArgumentTypeError(f"use a number and d, h or m (e.g. 7d), not {text!r}")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


def cmd_unanswered(args: argparse.Namespace) -> int:
    """The authors' inbox: unanswered questions grouped, and "did you mean" picks."""
    settings = _settings()
    from bot.services.library import Library, LiveLibrary
    from bot.services.operations import OpsService
    from storage import Database

    async def read() -> Any:
        database = Database(settings.database_url)
        try:
            await database.migrate()
            library = LiveLibrary(Library.of(_knowledge_base(settings)))
            return await OpsService(library, database, settings.content_dir).inbox(args.since)
        finally:
            await database.close()

    inbox = asyncio.run(read())
    if args.json:
        document = {
            "clusters": [
                {
                    "count": c.count,
                    "example": c.example,
                    "questions": list(c.questions),
                    "nearest_entry": c.nearest_entry,
                }
                for c in inbox.clusters
            ],
            "suggested_phrasings": [
                {
                    "entry_id": s.entry_id,
                    "phrasings": [{"question": q, "picked": n} for q, n in s.phrasings],
                }
                for s in inbox.suggestions
            ],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    print(f"Unanswered questions ({len(inbox.clusters)} groups):")
    for cluster in inbox.clusters:
        print(
            f"  {cluster.count:>4}x  {cluster.example}  [nearest: {cluster.nearest_entry or '-'}]"
        )
    print('Suggested phrasings (picked from "did you mean"):')
    for suggestion in inbox.suggestions:
        for question, picked in suggestion.phrasings:
            print(f"  {suggestion.entry_id}: {question}  ({picked}x)")
    return 0


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
    commands.add_parser("chat", help="talk to the bot in this terminal, offline, no token")
    ask = commands.add_parser("ask", help="print the bot's reply to a question")
    ask.add_argument("question", nargs="?", help="the question (omit with --json to read stdin)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
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
    commands.add_parser("healthcheck", help="exit 0 if content is valid and the database answers")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply database migrations")
    copy = db_commands.add_parser("copy", help="copy this database into another, empty one")
    copy.add_argument("--to", required=True, metavar="URL", help="e.g. postgresql+asyncpg://...")
    return parser


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
    # Whatever leaves the process (prints, argparse and SystemExit messages, uncaught
    # exceptions) is redacted, before the settings are even read.
    environ = os.environ
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
