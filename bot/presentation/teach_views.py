"""Views for teaching: the inbox's teach buttons, a group's teach card, the outcome."""

from __future__ import annotations

from collections.abc import Sequence

from bot.presentation import callbacks
from bot.presentation.views import Button, View, label
from bot.services.operations import Cluster
from bot.services.teaching import (
    NoSuchGroup,
    Taught,
    TeachCard,
    TeachResult,
    UnknownEntry,
    cluster_key,
)
from content import KnowledgeBase
from content.telegram_html import escape

BUTTONS_PER_ROW = 5
QUESTIONS_SHOWN = 10

USAGE = View(
    "Use <code>/teach N entry-id</code>, e.g. <code>/teach 2 caching-etag</code>: "
    "N is a group's number in /unanswered."
)
GROUP_GONE = "That question group is no longer in the inbox. Send /unanswered again."
TAUGHT_TOAST = "Taught ✅"


def inbox_buttons(clusters: Sequence[Cluster]) -> tuple[tuple[Button, ...], ...]:
    """ "🎓 N" under the inbox: opens group N's teach card."""
    buttons = [
        Button(f"🎓 {number}", callbacks.TeachGroup(cluster_key(cluster)))
        for number, cluster in enumerate(clusters, start=1)
    ]
    return tuple(
        tuple(buttons[i : i + BUTTONS_PER_ROW]) for i in range(0, len(buttons), BUTTONS_PER_ROW)
    )


def card(kb: KnowledgeBase, found: TeachCard) -> View:
    """The group's questions (all of them get taught) and one button per likely entry."""
    cluster = found.cluster
    lines = [f"🎓 <b>Group {found.number}</b>: {cluster.count}× asked, as"]
    lines += [f"• {escape(q[:200])}" for q in cluster.questions[:QUESTIONS_SHOWN]]
    if len(cluster.questions) > QUESTIONS_SHOWN:
        lines.append(f"…and {len(cluster.questions) - QUESTIONS_SHOWN} more wordings")
    lines.append(
        f"\nWhich entry answers them? Another one: <code>/teach {found.number} entry-id</code>"
    )
    rows = []
    for entry_id in found.candidates:
        entry = kb.entry(entry_id)
        if entry is not None:
            teach = callbacks.TeachEntry(found.key, entry.short_id)
            rows.append((Button(label(entry.title), teach),))
    return View("\n".join(lines), tuple(rows))


def result(kb: KnowledgeBase, outcome: TeachResult) -> View:
    match outcome:
        case Taught(entry_id, questions, _):
            entry = kb.entry(entry_id)
            title = escape(entry.title) if entry else escape(entry_id)
            noun = "question" if questions == 1 else "questions"
            return View(
                f"✅ Taught: {questions} {noun} → {title}. "
                "Every replica answers them within a minute."
            )
        case UnknownEntry(given, close):
            hint = (
                "Close ids: " + ", ".join(f"<code>{escape(c)}</code>" for c in close)
                if close
                else "No id is close; <code>nexus-bot content export</code> lists them all."
            )
            return View(f"❌ No entry <code>{escape(given[:100])}</code>. {hint}")
        case NoSuchGroup():
            return View(f"❌ {GROUP_GONE}")
