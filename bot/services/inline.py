"""Inline mode: the entries that fit what someone types after @<bot> in any chat.

Reads content only. The person typing may never have started the bot, and a client
sends a query per pause in typing: nothing is stored (no learner row, no question
log; half-typed words are not questions for the authors' inbox).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.context import Service
from content import Entry, KnowledgeBase, MatchStatus

MAX_RESULTS = 10  # a query's list; Telegram allows 50, nobody scrolls that far
MAX_FEATURED = 50  # Telegram's ceiling for one answer
QUERY_LIMIT = 256  # Telegram's own limit on an inline query


@dataclass(frozen=True)
class InlineSearch:
    query: str  # as matched: whitespace folded
    entries: tuple[Entry, ...]  # best first
    featured: bool = False  # True: the query was empty, these are the featured entries


def featured(kb: KnowledgeBase) -> tuple[Entry, ...]:
    """The first entry of each topic, in the program's order: stable across queries
    and reloads that keep the topics."""
    firsts = (kb.entries_in(topic.id) for topic in kb.topics)
    return tuple(entries[0] for entries in firsts if entries)[:MAX_FEATURED]


class InlineService(Service):
    async def search(self, query: str) -> InlineSearch:
        text = " ".join(query.split())[:QUERY_LIMIT]
        library = await self._library.ready()
        if not text:
            return InlineSearch("", featured(library.kb), featured=True)
        # An entry's exact title first: the Share button opens inline mode with it.
        found = [e for e in library.kb.entries if e.title.casefold() == text.casefold()]
        result = library.matcher.match(text)
        if result.status is not MatchStatus.NO_MATCH:
            # The matcher's answer (or a taught phrasing's), then the rest of its ranking.
            found += [c.entry for c in result.candidates]
            found += [c.entry for c in library.matcher.rank(text)]
        unique = tuple(dict.fromkeys(found))  # first occurrence wins, order kept
        return InlineSearch(text, unique[:MAX_RESULTS])
