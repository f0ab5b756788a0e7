"""Views for admins (inbox, stats, reload) and for a learner's own data."""

from __future__ import annotations

from bot.presentation import callbacks, teach_views
from bot.presentation.views import Button, View, confirm
from bot.services.operations import Inbox, Stats
from content import KnowledgeBase, Problem
from content.telegram_html import escape

SHOWN = 15


def _title(kb: KnowledgeBase, entry_id: str | None) -> str:
    entry = kb.entry(entry_id) if entry_id else None
    return escape(entry.title) if entry else "none"


def inbox(kb: KnowledgeBase, found: Inbox, days: int) -> View:
    if not found.clusters and not found.suggestions:
        return View(f"📭 No unanswered questions in the last {days} days.")
    lines = [f"📬 <b>Unanswered, last {days} days</b> (nearest entry in brackets)"]
    lines += [
        f"{n}. {c.count}× {escape(c.example[:120])} [{_title(kb, c.nearest_entry)}]"
        for n, c in enumerate(found.clusters[:SHOWN], start=1)
    ]
    if len(found.clusters) > SHOWN:
        lines.append(
            f"…and {len(found.clusters) - SHOWN} more: nexus-bot unanswered --since {days}d"
        )
    if found.suggestions:
        lines.append('\n<b>Suggested phrasings</b> (picked from "did you mean" or "🔎 Or:")')
        for suggestion in found.suggestions[:SHOWN]:
            picks = "; ".join(f"{escape(q[:80])} ({n}×)" for q, n in suggestion.phrasings[:3])
            lines.append(f"{_title(kb, suggestion.entry_id)}: {picks}")
    if found.clusters:
        lines.append("\n🎓 N teaches group N an answer (or <code>/teach N entry-id</code>).")
    return View("\n".join(lines), teach_views.inbox_buttons(found.clusters[:SHOWN]))


def _rate(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def stats(kb: KnowledgeBase, s: Stats) -> View:
    asked = sum(s.questions.values())
    lines = [
        "📊 <b>Nexus stats</b>",
        f"Users: {s.users} · active 7 days: {s.active_7d} · 30 days: {s.active_30d}",
        f"Questions (30 days): {asked} · answered {_rate(s.questions.get('answered', 0), asked)}"
        f" · did-you-mean {_rate(s.questions.get('ambiguous', 0), asked)}"
        f" · no match {_rate(s.questions.get('no_match', 0), asked)}",
        f"Quiz answers (30 days): {s.quiz_answers} · accuracy {_rate(s.quiz_correct, s.quiz_answers)}",
        "Tips (last day): "
        + (", ".join(f"{k} {v}" for k, v in sorted(s.tips_last_day.items())) or "none"),
    ]
    if s.top_entries:
        lines.append("\n<b>Top entries</b>")
        lines += [f"{n}× {_title(kb, e)}" for e, n in s.top_entries]
    if s.feedback:
        lines.append("\n<b>Feedback</b> (worst first)")
        lines += [f"👎 {down} 👍 {up} {_title(kb, e)}" for e, up, down in s.feedback[:10]]
    return View("\n".join(lines))


def reload_result(problems: list[Problem], kb: KnowledgeBase) -> View:
    if not problems:
        return View(f"✅ Content reloaded: {len(kb.entries)} entries in {len(kb.topics)} topics.")
    listed = "\n".join(f"• {escape(str(p))}" for p in problems[:20])
    more = f"\n…and {len(problems) - 20} more" if len(problems) > 20 else ""
    return View(
        f"❌ Content has {len(problems)} error(s); the old content stays live.\n{listed}{more}"
    )


def forget_confirm(owner: int) -> View:
    """The buttons name `owner`: only the user who asked can answer them."""
    return confirm(
        "Delete <b>everything</b> Nexus stores about you: your questions, quiz progress, "
        "tip settings and deliveries, feedback? This cannot be undone.",
        Button("Yes, delete it all", callbacks.Forget(True, owner)),
        Button("Cancel", callbacks.Forget(False, owner)),
    )


FORGOTTEN = View("Done: everything stored about you is deleted. /start begins afresh.")
NOT_FORGOTTEN = View("Cancelled: nothing was deleted.")
TOO_LONG = View(
    "That's a long message! Ask one question in a sentence or two (under 1,000 characters) "
    "and I'll find the best answer."
)
SLOW_DOWN = View("Slow down a little, please: I'll answer again in a minute. ⏳")
FEEDBACK_THANKS = "Thanks for the feedback!"
ASK_IN_PRIVATE = (
    "🔒 That one is about your own data and settings, so ask me in a private chat: "
    "the button below opens it."
)
PRIVATE_BUTTON = "🔒 Open a private chat"
# A callback alert (at most 200 characters): a tap on someone else's confirmation.
NOT_YOUR_BUTTON = "This button belongs to whoever asked for it: nothing was changed."
