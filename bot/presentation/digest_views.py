"""How the weekly digest and its setting look."""

from __future__ import annotations

from bot.presentation import callbacks
from bot.presentation.views import Button, View
from bot.services.digest import DigestSettings
from bot.services.digest_delivery import DigestToSend, WeeklyDigest
from content.telegram_html import escape


def _percent(correct: int, total: int) -> str:
    return f"{round(100 * correct / total)}%"


def _asked(digest: WeeklyDigest) -> str:
    if not digest.asked:
        return "❓ You asked no questions this week."
    plural = "" if digest.asked == 1 else "s"
    line = f"❓ You asked <b>{digest.asked}</b> question{plural}"
    if digest.top_topics:
        top = ", ".join(f"{escape(title)} ({count})" for title, count in digest.top_topics)
        line += f", most about {top}"
    return line + "."


def _accuracy(digest: WeeklyDigest) -> str:
    before = (
        f"{_percent(digest.correct_before, digest.answered_before)} "
        f"({digest.correct_before} of {digest.answered_before})"
        if digest.answered_before
        else "no answers"
    )
    if not digest.answered:
        return f"🎯 No quiz answers this week (last week: {before}). Try /quiz."
    now = _percent(digest.correct, digest.answered)
    now = f"<b>{now}</b> ({digest.correct} of {digest.answered})"
    return f"🎯 Quiz accuracy: {now}; last week: {before}."


def _improved(digest: WeeklyDigest) -> str:
    if not digest.improved:
        return "📈 No topic's mastery rose this week."
    changes = ", ".join(
        f"{escape(c.title)} {round(100 * c.before)}% → {round(100 * c.after)}%"
        for c in digest.improved
    )
    return f"📈 Improved: {changes}."


def digest_message(item: DigestToSend) -> View:
    digest = item.digest
    reviews = digest.due_next_week
    lines = [
        f"🗓 <b>Your week</b> (to Sunday {item.week_of.strftime('%d %b')})",
        "",
        _asked(digest),
        _accuracy(digest),
        _improved(digest),
        f"🔁 Reviews due in the next 7 days: <b>{reviews}</b>"
        + (" (/quiz takes them first)." if reviews else "."),
    ]
    rows: tuple[tuple[Button, ...], ...] = ()
    if digest.suggestion is not None:
        entry = digest.suggestion
        lines.append(
            f"💡 From your weakest topic, {escape(digest.suggestion_topic)}: "
            f"<b>{escape(entry.title)}</b>"
        )
        rows = ((Button("📖 Open it", callbacks.ShowEntry(entry.short_id)),),)
    return View("\n".join(lines), rows)


def settings_view(settings: DigestSettings) -> View:
    zone = escape(settings.timezone)
    when = f"Sundays at <b>{settings.time_text}</b>, {zone} time (your tip time)"
    if settings.enabled:
        why = " because your daily tips are on" if settings.chosen is None else ""
        lines = [f"🗓 Your weekly digest is <b>on ✅</b>{why}: {when}."]
        if settings.next_local is not None:
            lines.append(f"Next: <b>{settings.next_local.strftime('%a %d %b, %H:%M')}</b>.")
        lines.append("Turn it off with /digest off.")
    else:
        lines = [
            f"🗓 Your weekly digest is <b>off</b>. With /digest on it comes {when}, "
            "even while daily tips are off."
        ]
    lines.append(
        "It holds what you asked, your quiz accuracy, topics that improved, "
        "reviews due and one entry to read."
    )
    return View("\n".join(lines))
