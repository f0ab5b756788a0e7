"""/path and /next, and their buttons (under the "where do I start" reply and
under each other's views).

Progress is personal, so in a group both commands answer "ask me in private" with
a link that runs the command in the private chat, as /progress does, and their
buttons open the private chat (as the tip buttons do)."""

from __future__ import annotations

from telegram import Update

from bot.presentation import callbacks, path_views
from bot.presentation.views import STALE_BUTTON
from bot.services.library import LiveLibrary
from bot.services.path import PathService
from bot.telegram import send
from bot.telegram.send import Context


class PathHandlers:
    def __init__(self, library: LiveLibrary, paths: PathService) -> None:
        self.library = library
        self.paths = paths

    async def path(self, update: Update, context: Context) -> None:
        if await send.ask_in_private(update, context, "path"):
            return
        learner = send.learner_of(update)
        result = await self.paths.path(learner)
        await send.send_view(context, learner.chat_id, path_views.path(result))

    async def next(self, update: Update, context: Context) -> None:
        if await send.ask_in_private(update, context, "next"):
            return
        learner = send.learner_of(update)
        result = await self.paths.path(learner)
        view = path_views.next_concept(self.library.kb, result, share=learner.private)
        await send.send_view(context, learner.chat_id, view)

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        match callbacks.decode(query.data):
            case callbacks.OpenPath():
                command, show = "path", self.path
            case callbacks.OpenNext():
                command, show = "next", self.next
            case _:
                await query.answer(STALE_BUTTON)
                return
        if not send.learner_of(update).private:
            # Progress is private: a tap in a group opens the private chat instead.
            await query.answer(url=send.private_link(context, command))
            return
        await query.answer()
        await show(update, context)
