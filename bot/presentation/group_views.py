"""How the group tip, its settings and the group replies look."""

from __future__ import annotations

from bot.presentation import callbacks
from bot.presentation.views import Button, View, label
from bot.services.group_tip_delivery import GroupTipToSend
from bot.services.groups import GroupTipSettings
from content.telegram_html import escape

EXAMPLE = (
    "Turn it on with a time and a zone, e.g. <code>/grouptip 08:00 Africa/Lagos</code> "
    "(24-hour clock; a zone like <code>Europe/Berlin</code> or an offset like <code>+1</code>); "
    "stop it with <code>/grouptip off</code>."
)
PRIVATE_CHAT = View(
    "<code>/grouptip</code> sets a daily tip for a whole group. Add me to your cohort's group; "
    "an administrator there sends <code>/grouptip 08:00 Africa/Lagos</code>.\n"
    "For your own daily tip here, use /tips."
)
NOT_ADMIN = View(
    "Only the group's administrators can change the group's daily tip. "
    "Ask one of them, or use /tips for your own tip in a private chat with me."
)
SEND_QUIZ = "🎯 Quiz time! Each of you: send /quiz to start a round of questions."
ADDED = View(
    "👋 Hi, I'm Nexus. Mention me (or reply to me) with a backend question and I'll answer. "
    "Commands work here too: /quiz, /topics, /help.\n"
    "Administrators can turn on a daily tip for the group: "
    "<code>/grouptip 08:00 Africa/Lagos</code>."
)


def _next(settings: GroupTipSettings) -> str:
    if settings.next_local is None:
        return ""
    when = settings.next_local.strftime("%a %d %b, %H:%M")
    return f"\nNext tip: <b>{when}</b> ({escape(settings.timezone)})."


def settings_view(settings: GroupTipSettings, changed: str = "") -> View:
    lines = [changed] if changed else []
    if settings.enabled:
        lines.append(
            f"👥 The group's daily tip is <b>on ✅</b>: one concept a day at "
            f"<b>{settings.time_text}</b>, {escape(settings.timezone)} time.{_next(settings)}"
        )
        lines.append(
            "Change it with <code>/grouptip 08:00 Africa/Lagos</code>; stop it with "
            "<code>/grouptip off</code>."
        )
    else:
        lines.append("👥 The group's daily tip is <b>off</b>.")
        lines.append(EXAMPLE)
    return View("\n".join(lines))


def invalid(given: str) -> View:
    return View(f"I couldn't read <i>{escape(label(given))}</i>. {EXAMPLE} Nothing was changed.")


def tip_message(item: GroupTipToSend) -> View:
    topic = f" · {escape(item.topic_title)}" if item.topic_title else ""
    row = []
    if item.entry is not None:
        row.append(Button("📖 Read more", callbacks.ShowEntry(item.entry.short_id)))
    short_id = item.entry.short_id if item.entry is not None else ""
    row.append(Button("🎯 Quiz the group", callbacks.GroupQuiz(short_id)))
    text = f"💡 <b>Tip of the day</b>{topic}\n\n{item.tip.text}"
    return View(text, (tuple(row),))
