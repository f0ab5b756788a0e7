"""Inline mode: `@<bot> etag` in any chat lists matching entries; an empty query the
featured ones. The user may never have started the bot: nothing is stored."""

from __future__ import annotations

from telegram import Update

from bot.observability import Observer
from bot.presentation import inline_views
from bot.services.inline import InlineService
from bot.telegram.send import Context, answer_inline


class InlineHandlers:
    def __init__(self, inline: InlineService, observer: Observer) -> None:
        self.inline = inline
        self.observer = observer

    async def query(self, update: Update, context: Context) -> None:
        query = update.inline_query
        assert query is not None  # InlineQueryHandler routes only inline queries
        search = await self.inline.search(query.query)
        self.observer.event(
            "inline.featured" if search.featured else "inline.query",
            query.from_user.id,
            results=len(search.entries),
            entry=search.entries[0].id if search.entries else None,
        )
        await answer_inline(context, query, inline_views.answer(search))
