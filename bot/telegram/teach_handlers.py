"""Teaching from the inbox, for admins: /teach N entry-id and the teach buttons."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.observability import Observer
from bot.presentation import callbacks, teach_views
from bot.presentation.views import STALE_BUTTON
from bot.services.library import LiveLibrary
from bot.services.teaching import NoSuchGroup, Taught, TeachingService
from bot.telegram.ops_handlers import INBOX_DAYS
from bot.telegram.send import Context, edit_view, learner_of, send_view

INBOX_WINDOW = timedelta(days=INBOX_DAYS)  # group numbers and keys refer to /unanswered's


class TeachHandlers:
    def __init__(
        self,
        library: LiveLibrary,
        teaching: TeachingService,
        observer: Observer,
        admin_ids: frozenset[int],
    ) -> None:
        self.library = library
        self.teaching = teaching
        self.observer = observer
        self.admin_ids = admin_ids

    async def teach(self, update: Update, context: Context) -> None:
        """/teach N entry-id (registered for admins only)."""
        learner = learner_of(update)
        args = context.args or []
        if len(args) != 2 or not args[0].isdigit():
            await send_view(context, learner.chat_id, teach_views.USAGE)
            return
        outcome = await self.teaching.teach_number(
            int(args[0]), args[1].strip(), learner.user_id, INBOX_WINDOW
        )
        self._observe(outcome, learner.user_id)
        await send_view(context, learner.chat_id, teach_views.result(self.library.kb, outcome))

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        learner = learner_of(update)
        if learner.user_id not in self.admin_ids:
            # A forwarded or forged button: the same answer as any out-of-date one.
            await query.answer(STALE_BUTTON)
            return
        kb = self.library.kb
        match callbacks.decode(query.data):
            case callbacks.TeachGroup(group_key):
                found = await self.teaching.card(group_key, INBOX_WINDOW)
                if found is None:
                    await query.answer(teach_views.GROUP_GONE)
                    return
                await query.answer()
                await send_view(context, learner.chat_id, teach_views.card(kb, found))
            case callbacks.TeachEntry(group_key, short_id):
                entry = kb.entry_by_short_id(short_id)
                if entry is None:
                    await query.answer(STALE_BUTTON)
                    return
                outcome = await self.teaching.teach_group(
                    group_key, entry.id, learner.user_id, INBOX_WINDOW
                )
                self._observe(outcome, learner.user_id)
                if not isinstance(outcome, Taught):
                    gone = isinstance(outcome, NoSuchGroup)
                    await query.answer(teach_views.GROUP_GONE if gone else STALE_BUTTON)
                    return
                await query.answer(teach_views.TAUGHT_TOAST)
                await edit_view(update, teach_views.result(kb, outcome))
            case _:
                await query.answer(STALE_BUTTON)

    def _observe(self, outcome: object, admin_id: int) -> None:
        if isinstance(outcome, Taught):
            self.observer.event(
                "content.taught",
                admin_id,
                entry=outcome.entry_id,
                questions=outcome.questions,
                added=outcome.added,
            )
