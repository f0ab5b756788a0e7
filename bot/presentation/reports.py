"""What `nexus-bot` prints: pure functions from results to JSON-ready documents and
text lines, so the command line stays a thin wrapper and each format is tested
in-process (tests/unit/test_reports.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from bot.presentation import terminal, views
from bot.services.operations import Inbox
from bot.services.teaching import grouped
from content import KnowledgeBase, MatchResult, MatchStatus
from storage.records import LearnedPhrasing


def ask_record(kb: KnowledgeBase, result: MatchResult) -> dict[str, Any]:
    """The stable JSON form of one answer (docs/cli.md, "Stable JSON interfaces"). `ask`
    logs nothing, so the view is the one for an unlogged question (log id None)."""
    view = views.match_result(kb, result, None)
    best = result.best
    answered = result.status is MatchStatus.ANSWERED and best is not None
    suggestions = result.candidates if result.status is MatchStatus.AMBIGUOUS else ()
    alternatives = result.candidates[1:] if answered else ()
    return {
        "question": result.query,
        "status": result.status.value,
        "entry_id": best.entry.id if answered and best else None,
        "title": best.entry.title if answered and best else None,
        "score": best.score if best and result.status is not MatchStatus.SMALLTALK else None,
        "confidence": round(result.confidence, 3),
        "intent": result.smalltalk.id if result.smalltalk else None,
        "answer": view.text,
        "suggestions": [
            {"entry_id": c.entry.id, "title": c.entry.title, "score": c.score} for c in suggestions
        ],
        # An answer's "🔎 Or:" buttons: the runners-up offered beside it.
        "alternatives": [
            {"entry_id": c.entry.id, "title": c.entry.title, "score": c.score} for c in alternatives
        ],
        "buttons": button_labels(view),
    }


def button_labels(view: views.View) -> list[str]:
    """The view's buttons in reading order (row by row): what `ask` numbers."""
    return [button.label for row in view.rows for button in row]


def ask_lines(kb: KnowledgeBase, result: MatchResult, width: int | None = None) -> list[str]:
    """What `nexus-bot ask` prints: the reply's text and its buttons, numbered as the
    console shows them."""
    view = views.match_result(kb, result, None)
    return terminal.message_lines(view.text, button_labels(view), width=width)


def content_stats(kb: KnowledgeBase) -> tuple[list[str], list[str]]:
    """The per-topic table's lines, and the topics under their minimum."""
    topic_of = {e.id: e.topic for e in kb.entries}
    lines = [f"{'topic':<18}{'entries':>9}{'minimum':>9}{'phrasings':>11}{'quizzes':>9}{'tips':>6}"]
    short = []
    for topic in kb.topics:
        entries = kb.entries_in(topic.id)
        quizzes = sum(topic_of.get(q.entry) == topic.id for q in kb.quizzes)
        tips = sum(topic_of.get(t.entry) == topic.id for t in kb.tips)
        phrasings = sum(len(e.questions) for e in entries)
        flag = "  < minimum" if len(entries) < topic.min_entries else ""
        if flag:
            short.append(topic.id)
        lines.append(
            f"{topic.id:<18}{len(entries):>9}{topic.min_entries:>9}{phrasings:>11}"
            f"{quizzes:>9}{tips:>6}{flag}"
        )
    phrasings = sum(len(e.questions) for e in kb.entries)
    lines.append(
        f"{'total':<18}{len(kb.entries):>9}{'':>9}{phrasings:>11}{len(kb.quizzes):>9}{len(kb.tips):>6}"
    )
    return lines, short


def content_export(kb: KnowledgeBase) -> dict[str, Any]:
    return {
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


def learned_yaml(phrasings: Sequence[LearnedPhrasing]) -> str:
    """The entry files' own shape, so an author pastes the questions under the entry."""
    document = [{"entry": entry, "questions": texts} for entry, texts in grouped(phrasings)]
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True) if document else ""


def learned_table(phrasings: Sequence[LearnedPhrasing]) -> list[str]:
    if not phrasings:
        return ["no learned phrasings yet: admins teach them from /unanswered"]
    lines = [f"{'entry':<36}{'taught by':>12}  {'taught at':<17}  question"]
    for p in sorted(phrasings, key=lambda p: p.entry_id):  # stable: oldest first per entry
        taught_by = str(p.taught_by) if p.taught_by is not None else "-"
        lines.append(f"{p.entry_id:<36}{taught_by:>12}  {p.created_at:%Y-%m-%d %H:%M}  {p.text}")
    lines.append(f"{len(phrasings)} phrasing(s) for {len(grouped(phrasings))} entries")
    return lines


def inbox_document(inbox: Inbox) -> dict[str, Any]:
    return {
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


def inbox_lines(inbox: Inbox) -> list[str]:
    lines = [f"Unanswered questions ({len(inbox.clusters)} groups):"]
    for cluster in inbox.clusters:
        nearest = cluster.nearest_entry or "-"
        lines.append(f"  {cluster.count:>4}x  {cluster.example}  [nearest: {nearest}]")
    lines.append('Suggested phrasings (picked from "did you mean" or "🔎 Or:"):')
    for suggestion in inbox.suggestions:
        for question, picked in suggestion.phrasings:
            lines.append(f"  {suggestion.entry_id}: {question}  ({picked}x)")
    return lines
