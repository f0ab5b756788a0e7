"""How daily tips and their settings look."""

from __future__ import annotations

from bot.presentation import callbacks
from bot.presentation.views import Button, View, label
from bot.services.schedule import ZoneFallback
from bot.services.tip_delivery import TipToSend
from bot.services.tips import TipSettings
from content.telegram_html import escape

TIME_EXAMPLE = "Send a time like <code>/tiptime 08:30</code> (24-hour clock, your local time)."
ZONE_EXAMPLE = (
    "Send a time zone like <code>/timezone Europe/Berlin</code>, "
    "<code>/timezone America/New_York</code> or an offset such as <code>/timezone +3</code> "
    "or <code>/timezone UTC-05:30</code>."
)


def tip_message(item: TipToSend) -> View:
    topic = f" · {escape(item.topic_title)}" if item.topic_title else ""
    row = []
    if item.entry is not None:
        row.append(Button("📖 Read more", callbacks.ShowEntry(item.entry.short_id)))
        if item.has_quiz:
            row.append(Button("🎯 Quiz me", callbacks.QuizEntry(item.entry.short_id)))
    text = f"💡 <b>Tip of the day</b>{topic}\n\n{item.tip.text}"
    if item.zone_fallback is not None:
        text += "\n\n" + zone_fallback_note(item.zone_fallback)
    return View(text, (tuple(row),) if row else ())


def zone_fallback_note(fallback: ZoneFallback) -> str:
    return (
        f"<i>I no longer recognise your time zone <b>{escape(fallback.stored)}</b>, so your "
        f"tips now follow <b>{escape(fallback.used)}</b> time. Set yours with "
        f"<code>/timezone Europe/Berlin</code> or an offset like <code>/timezone +3</code>.</i>"
    )


def _next(settings: TipSettings) -> str:
    if settings.next_local is None:
        return ""
    when = settings.next_local.strftime("%a %d %b, %H:%M")
    return f"\nNext tip: <b>{when}</b> ({escape(settings.timezone)})."


def settings_view(settings: TipSettings, changed: str = "") -> View:
    state = "on ✅" if settings.enabled else "off"
    lines = [changed] if changed else []
    lines.append(
        f"💡 Daily tips are <b>{state}</b>: one concept a day at "
        f"<b>{settings.time_text}</b>, {escape(settings.timezone)} time.{_next(settings)}"
    )
    lines.append("Change with /tiptime 08:30 and /timezone Europe/Berlin.")
    toggle = (
        Button("Turn tips off", callbacks.TipsSwitch(False))
        if settings.enabled
        else Button("💡 Send me a daily tip", callbacks.TipsSwitch(True))
    )
    return View("\n".join(lines), ((toggle,),))


def invalid(example: str, given: str) -> View:
    return View(f"I couldn't read <i>{escape(label(given))}</i>. {example} Nothing was changed.")
