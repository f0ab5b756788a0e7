"""What inline mode shows: a result per entry (title, a one-line summary) and the
compact card a chosen result posts, with a link to the full entry in a private chat.
Pure data; bot/telegram/send.py turns it into InlineQueryResultArticle."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.presentation import deep_links
from bot.services.inline import InlineSearch
from content import Entry
from content.telegram_html import escape, paragraphs, split_message, strip_tags

CACHE_SECONDS = 300  # answers depend on the content only: Telegram may reuse them 5 min
THROTTLED_CACHE_SECONDS = 10  # a refusal is personal and short-lived
CARD_LIMIT = 700  # characters of HTML: a card is a teaser, the full entry is a tap away
SUMMARY_LIMIT = 100
SHORTEST_LEAD = 200  # a card keeps this much of the answer however long its title
OPEN_BUTTON = "📖 Open in Nexus"
NO_RESULTS = "Nothing found: ask Nexus in private"
THROTTLED_TEXT = "Too many searches: wait a minute ⏳"
WELCOME_PAYLOAD = "inline"  # not a known deep link: /start shows the welcome
_SENTENCE = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class Article:
    id: str  # the entry's short id: unique in an answer, 8 bytes
    title: str
    description: str  # plain text, one line
    text: str  # the card, Telegram HTML
    link_label: str
    start: str  # the deep-link payload of the card's button


@dataclass(frozen=True)
class StartButton:
    """The button above the results: opens the private chat with /start `start`."""

    text: str
    start: str


@dataclass(frozen=True)
class InlineAnswer:
    articles: tuple[Article, ...]
    cache_time: int
    is_personal: bool
    button: StartButton | None = None


# Over the per-user limit: no results, said once above the list; never shared with
# other users (is_personal) and soon asked again (a short cache).
THROTTLED = InlineAnswer(
    (), THROTTLED_CACHE_SECONDS, True, StartButton(THROTTLED_TEXT, WELCOME_PAYLOAD)
)


def answer(search: InlineSearch) -> InlineAnswer:
    """Results are the same for everyone who types the same query: not personal."""
    articles = tuple(article(entry) for entry in search.entries)
    button = None if articles else StartButton(NO_RESULTS, WELCOME_PAYLOAD)
    return InlineAnswer(articles, CACHE_SECONDS, False, button)


def article(entry: Entry) -> Article:
    return Article(
        id=entry.short_id,
        title=entry.title,
        description=summary(entry),
        text=card(entry),
        link_label=OPEN_BUTTON,
        start=deep_links.entry_link(entry.short_id),
    )


def key_paragraph(entry: Entry, limit: int = CARD_LIMIT) -> str:
    """The answer's first paragraph, with the next one when it only introduces it
    ("Four parts:"), cut to `limit` characters on a safe boundary."""
    parts = paragraphs(entry.answer) or [escape(entry.title)]
    lead = parts[0]
    for following in parts[1:]:
        if not strip_tags(lead).rstrip().endswith(":"):
            break
        lead += "\n\n" + following
    if len(lead) <= limit:
        return lead
    return split_message(lead, limit - 1)[0] + "…"


def card(entry: Entry) -> str:
    """The title and the key paragraph, together within CARD_LIMIT: a long title
    shortens the paragraph (down to SHORTEST_LEAD), so a title within the content
    check's limit cannot push the card over."""
    header = f"<b>{escape(entry.title)}</b>\n\n"
    return header + key_paragraph(entry, max(CARD_LIMIT - len(header), SHORTEST_LEAD))


def summary(entry: Entry) -> str:
    """The first sentence of the key paragraph as one line of plain text."""
    text = " ".join(strip_tags(key_paragraph(entry)).split())
    sentence = _SENTENCE.split(text, maxsplit=1)[0]
    if len(sentence) <= SUMMARY_LIMIT:
        return sentence
    return sentence[: SUMMARY_LIMIT - 1].rstrip() + "…"
