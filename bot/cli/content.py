"""`nexus-bot content ...`: check, count, export the knowledge base, and list what
admins taught. Formatting lives in bot/presentation/reports.py."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from bot.cli.support import knowledge_base, settings_or_exit, with_database
from content import read_content


def cmd_content_check(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    _, problems = read_content(settings.content_dir, thorough=True)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if not p.warning]
    warnings = len(problems) - len(errors)
    print(f"{settings.content_dir}: {len(errors)} error(s), {warnings} warning(s)")
    return 1 if errors else 0


def cmd_content_stats(args: argparse.Namespace) -> int:
    """Counts per topic; exit 1 if a topic has fewer entries than its minimum."""
    from bot.presentation.reports import content_stats

    lines, short = content_stats(knowledge_base(settings_or_exit()))
    print("\n".join(lines))
    if short:
        print(f"under the minimum: {', '.join(short)}", file=sys.stderr)
        return 1
    return 0


def cmd_content_export(args: argparse.Namespace) -> int:
    from bot.presentation.reports import content_export

    document = content_export(knowledge_base(settings_or_exit()))
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2 if not args.json else None)
    print()
    return 0


def cmd_content_learned(args: argparse.Namespace) -> int:
    """Phrasings admins taught from /unanswered: a table, or YAML to merge into content."""
    from bot.presentation.reports import learned_table, learned_yaml
    from bot.services.teaching import learned_phrasings

    settings = settings_or_exit()
    taught = with_database(
        settings, lambda database: learned_phrasings(database.unit_of_work), migrate=True
    )
    # A phrasing taught for an entry that was since merged into another is listed
    # under the entry it became, so the export pastes under an entry that exists.
    kb = knowledge_base(settings)
    phrasings = [
        replace(p, entry_id=entry.id) if (entry := kb.entry(p.entry_id)) else p for p in taught
    ]
    if not args.export:
        print("\n".join(learned_table(phrasings)))
        return 0
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(learned_yaml(phrasings))
    else:
        sys.stdout.write(learned_yaml(phrasings))
    return 0
