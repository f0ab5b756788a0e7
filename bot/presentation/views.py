"""What the bot shows: results rendered to HTML text and button rows.

Pure functions of plain data; `handlers` turns rows into InlineKeyboardMarkup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.presentation import callbacks
from bot.presentation.commands import ADMIN_COMMANDS, COMMANDS
from content import Entry, KnowledgeBase, MatchResult, MatchStatus
from content.telegram_html import escape

TOPICS_PER_PAGE = 10
ENTRIES_PER_PAGE = 8
RELATED_BUTTONS = 3
LABEL_LIMIT = 48


@dataclass(frozen=True)
class Share:
    """Not a callback: the button opens inline mode in a chat the user picks, with
    `query` typed after @<bot> (switch_inline_query)."""

    query: str


@dataclass(frozen=True)
class Button:
    label: str
    callback: callbacks.Callback | Share


@dataclass(frozen=True)
class View:
    text: str
    rows: tuple[tuple[Button, ...], ...] = field(default=())


def label(text: str) -> str:
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


def welcome(first_name: str | None, subscribed: bool = False) -> View:
    """The /start message; a learner who already gets daily tips is not offered them."""
    name = f", {escape(first_name)}" if first_name else ""
    tips = "/tips shows your daily tip" if subscribed else "get one concept a day with a daily tip"
    text = (
        f"Hi{name}! I'm <b>Nexus</b>, your backend-engineering study companion.\n\n"
        "Ask me a question in plain words, typos are fine, for example:\n"
        "• <i>select_related vs prefetch_related?</i>\n"
        "• <i>my list endpoint does one query per row</i>\n"
        "• <i>how do refresh tokens work</i>\n\n"
        f"Browse everything I know with /topics, test yourself with /quiz, and {tips}. "
        "/help lists all commands."
    )
    offer = Button("💡 Send me a daily tip", callbacks.TipsSwitch(True, edit=False))
    rows = (
        (Button("📚 Browse topics", callbacks.ShowTopics(0)),),
        *(() if subscribed else ((offer,),)),
        (Button("🎯 Quiz me", callbacks.QuizTopic("")),),
    )
    return View(text, rows)


def help_text(admin: bool = False) -> View:
    lines = ["<b>What I can do</b>", ""]
    lines += [
        f"/{c.name}{' ' + escape(c.usage) if c.usage else ''} — {c.description}" for c in COMMANDS
    ]
    if admin:
        lines += ["", "<b>For admins</b>"]
        lines += [f"/{c.name} — {c.description}" for c in ADMIN_COMMANDS]
    lines += [
        "",
        "<b>Asking</b>: just type a question, e.g. <i>what is an etag</i> or "
        "<i>celery task retries</i>. If I'm unsure I'll offer a few choices; if I don't "
        "know, I say so and note the question for the authors.",
        "",
        "<b>In a group</b>: mention me or reply to me. The group's admins can post a "
        "daily tip to everyone with /grouptip 08:00 Africa/Lagos.",
    ]
    return View("\n".join(lines), ((Button("📚 Browse topics", callbacks.ShowTopics(0)),),))


SHARE_BUTTON = "📤 Share"
PATH_BUTTON = "🧭 My path"
NEXT_BUTTON = "▶️ Next concept"
# The small talk that asks where to begin ("where do i start") leads onto the path.
START_INTENT = "start"


def entry(
    kb: KnowledgeBase,
    item: Entry,
    alternatives: tuple[Entry, ...] = (),
    share: bool = False,
    log_id: int | None = None,
) -> View:
    """An entry's answer; buttons to close alternatives the learner may have meant,
    to related entries and to the topic; with `share` (a private chat) one that
    posts the entry in another chat through inline mode (its title lists it first).
    With the logged question's `log_id`, picking an alternative is kept for the
    authors as a "did you mean" pick is: the question was about that entry."""
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                f"🔎 Or: {label(other.title)}",
                callbacks.PickSuggestion(other.short_id, log_id)
                if log_id is not None
                else callbacks.ShowEntry(other.short_id),
            ),
        )
        for other in alternatives
    ]
    rows += [
        (Button(f"↪ {label(related.title)}", callbacks.ShowEntry(related.short_id)),)
        for related in (kb.entry(i) for i in item.related[:RELATED_BUTTONS])
        if related is not None and related not in alternatives
    ]
    last_row = []
    if kb.quizzes_for(item.id):
        last_row.append(Button("🎯 Quiz me", callbacks.QuizEntry(item.short_id)))
    topic = kb.topic(item.topic)
    if topic is not None:
        last_row.append(Button(f"📚 {label(topic.title)}", callbacks.ShowTopic(topic.id, 0)))
    if last_row:
        rows.append(tuple(last_row))
    rows.append(
        (
            Button("👍", callbacks.Feedback(item.short_id, True)),
            Button("👎", callbacks.Feedback(item.short_id, False)),
        )
    )
    if share:
        rows.append((Button(SHARE_BUTTON, Share(item.title)),))
    return View(f"<b>{escape(item.title)}</b>\n\n{item.answer}", tuple(rows))


def match_result(
    kb: KnowledgeBase, result: MatchResult, log_id: int | None, share: bool = False
) -> View:
    if result.status is MatchStatus.ANSWERED and result.best is not None:
        others = tuple(c.entry for c in result.candidates[1:])
        return entry(kb, result.best.entry, others, share, log_id)
    if result.status is MatchStatus.SMALLTALK and result.smalltalk is not None:
        if result.smalltalk.id == START_INTENT:
            way_on = (
                Button(PATH_BUTTON, callbacks.OpenPath()),
                Button(NEXT_BUTTON, callbacks.OpenNext()),
            )
            return View(result.smalltalk.reply, (way_on,))
        return View(
            result.smalltalk.reply, ((Button("📚 Browse topics", callbacks.ShowTopics(0)),),)
        )
    if result.status is MatchStatus.AMBIGUOUS:
        rows = tuple(
            (
                Button(
                    label(c.entry.title),
                    callbacks.PickSuggestion(c.entry.short_id, log_id)
                    if log_id is not None
                    else callbacks.ShowEntry(c.entry.short_id),
                ),
            )
            for c in result.candidates
        )
        return View(
            "🤔 I'm not sure which one you mean. Did you mean:",
            (*rows, (Button("None of these: browse topics", callbacks.ShowTopics(0)),)),
        )
    question = escape(result.query[:200])
    # Only a logged question (log_id) reaches the authors' inbox: say so only then.
    noted = " I've noted the question so the authors can add it." if log_id is not None else ""
    text = (
        f"I don't have an answer for <i>{question}</i> yet, sorry.{noted}\n\n"
        "Try other words (naming the tool helps: Django, Redis, JWT…) or pick a topic:"
    )
    return View(text, topics(kb, 0).rows)


def topics(kb: KnowledgeBase, page: int) -> View:
    pages = max(1, -(-len(kb.topics) // TOPICS_PER_PAGE))
    page = min(page, pages - 1)
    shown = kb.topics[page * TOPICS_PER_PAGE : (page + 1) * TOPICS_PER_PAGE]
    buttons = [
        Button(f"{t.title} ({len(kb.entries_in(t.id))})", callbacks.ShowTopic(t.id, 0))
        for t in shown
    ]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    nav = _pager(page, pages, callbacks.ShowTopics)
    if nav:
        rows.append(nav)
    suffix = f" (page {page + 1}/{pages})" if pages > 1 else ""
    return View(f"📚 <b>Topics</b>{suffix}: pick one to see its entries.", tuple(rows))


def topic(kb: KnowledgeBase, topic_id: str, page: int) -> View | None:
    found = kb.topic(topic_id)
    if found is None:
        return None
    entries = kb.entries_in(topic_id)
    pages = max(1, -(-len(entries) // ENTRIES_PER_PAGE))
    page = min(page, pages - 1)
    shown = entries[page * ENTRIES_PER_PAGE : (page + 1) * ENTRIES_PER_PAGE]
    rows: list[tuple[Button, ...]] = [
        (Button(label(e.title), callbacks.ShowEntry(e.short_id)),) for e in shown
    ]
    nav = _pager(page, pages, lambda p: callbacks.ShowTopic(topic_id, p))
    if nav:
        rows.append(nav)
    if topic_id in kb.quiz_topics.values():
        rows.append((Button("🎯 Quiz on this topic", callbacks.QuizTopic(topic_id)),))
    rows.append((Button("⬅ All topics", callbacks.ShowTopics(0)),))
    suffix = f" (page {page + 1}/{pages})" if pages > 1 else ""
    header = f"<b>{escape(found.title)}</b>{suffix}\n{escape(found.description)}"
    return View(header, tuple(rows))


def _pager(page: int, pages: int, make: Callable[[int], callbacks.Callback]) -> tuple[Button, ...]:
    nav = []
    if page > 0:
        nav.append(Button("◀ Previous", make(page - 1)))
    if page < pages - 1:
        nav.append(Button("Next ▶", make(page + 1)))
    return tuple(nav)


STALE_BUTTON = "That button is out of date. Send /topics or ask me again."
NOT_TEXT = View("I read text only: type your question in words, or browse with /topics.")
WARMING_UP = View(
    "⏳ I've just restarted and I'm still reading my notes: your answer follows in a moment."
)
RESTARTING = View("🔄 I'm restarting. Please send your question again in a minute.")
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."


def confirm(question: str, yes: Button, no: Button) -> View:
    """A question with its two answers side by side."""
    return View(question, ((yes, no),))


def unknown_command(name: str) -> View:
    return View(f"I don't know /{escape(name)}. /help lists what I can do.")
