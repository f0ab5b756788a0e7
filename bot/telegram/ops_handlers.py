"""Admin commands (/unanswered, /stats, /reload), a learner's own data (/mydata,
/forget) and the feedback buttons under answers."""

from __future__ import annotations

import json
from datetime import timedelta

from telegram import InputFile, Update

from bot.observability import Observer
from bot.presentation import callbacks, ops_views
from bot.presentation.views import STALE_BUTTON
from bot.services.library import LiveLibrary
from bot.services.operations import OpsService
from bot.services.teaching import TeachingService
from bot.telegram.send import (
    Context,
    ask_in_private,
    edit_view,
    learner_of,
    refuse_others,
    send_view,
)

INBOX_DAYS = 7


class OpsHandlers:
    def __init__(
        self,
        library: LiveLibrary,
        ops: OpsService,
        observer: Observer,
        teaching: TeachingService,
    ) -> None:
        self.library = library
        self.ops = ops
        self.observer = observer
        self.teaching = teaching

    async def unanswered(self, update: Update, context: Context) -> None:
        found = await self.ops.inbox(timedelta(days=INBOX_DAYS))
        view = ops_views.inbox(self.library.kb, found, INBOX_DAYS)
        await send_view(context, learner_of(update).chat_id, view)

    async def stats(self, update: Update, context: Context) -> None:
        view = ops_views.stats(self.library.kb, await self.ops.stats())
        await send_view(context, learner_of(update).chat_id, view)

    async def reload(self, update: Update, context: Context) -> None:
        problems = await self.ops.reload()
        self.observer.event("content.reloaded" if not problems else "content.reload_failed")
        if not problems:
            await self.teaching.sync()  # the new matcher starts without learned phrasings
        view = ops_views.reload_result(problems, self.library.kb)
        await send_view(context, learner_of(update).chat_id, view)

    async def mydata(self, update: Update, context: Context) -> None:
        if await ask_in_private(update, context, "mydata"):
            return
        learner = learner_of(update)
        document = await self.ops.export(learner)
        payload = json.dumps(document, indent=2, ensure_ascii=False).encode()
        await context.bot.send_document(
            learner.chat_id,
            InputFile(payload, filename="nexus-my-data.json"),
            caption="Everything Nexus stores about you. /forget deletes it.",
        )

    async def forget(self, update: Update, context: Context) -> None:
        if await ask_in_private(update, context, "forget"):
            return
        learner = learner_of(update)
        await send_view(context, learner.chat_id, ops_views.forget_confirm(learner.user_id))

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        learner = learner_of(update)
        match callbacks.decode(query.data):
            case callbacks.Feedback(short_id, helpful):
                entry = self.library.kb.entry_by_short_id(short_id)
                if entry is None:
                    await query.answer(STALE_BUTTON)
                    return
                await self.ops.vote(learner, entry.id, helpful)
                self.observer.event(
                    "feedback.up" if helpful else "feedback.down", learner.user_id, entry=entry.id
                )
                await query.answer(ops_views.FEEDBACK_THANKS)
            case callbacks.Forget(confirmed, owner):
                if await refuse_others(update, owner):
                    return
                await query.answer()
                if confirmed:
                    await self.ops.forget(learner)
                    self.observer.event("user.forgotten", learner.user_id)
                await edit_view(
                    update, ops_views.FORGOTTEN if confirmed else ops_views.NOT_FORGOTTEN
                )
            case _:
                await query.answer(STALE_BUTTON)
