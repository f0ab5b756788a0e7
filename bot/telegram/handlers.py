"""Thin handlers: parse the update, call one use case, render, send."""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import Update

from bot.observability import Observer
from bot.presentation import callbacks, ops_views, views
from bot.services.library import LiveLibrary, MatcherNotReady
from bot.services.questions import QuestionService
from bot.telegram.send import Context, edit_view, learner_of, send_view, thread_for

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff]")  # zero-width space, word joiner, BOM


def _printable(text: str) -> str:
    """Control characters out: they match nothing and have no place in the log."""
    return _CONTROL.sub(" ", _INVISIBLE.sub("", text)).strip()


def _command(text: str) -> tuple[str, str]:
    """ "/roll@OtherBot 2d6" -> ("roll", "OtherBot"): the command and whom it names ("" if no one)."""
    name, _, addressee = text.split(maxsplit=1)[0].removeprefix("/").partition("@")
    return name, addressee


# How long a question waits for a matcher still being built before it is told so.
MATCHER_PATIENCE_S = 2.0


class Handlers:
    def __init__(
        self,
        library: LiveLibrary,
        questions: QuestionService,
        observer: Observer,
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.library = library
        self.questions = questions
        self.observer = observer
        self.admin_ids = admin_ids
        self.matcher_patience_s = MATCHER_PATIENCE_S

    async def help(self, update: Update, context: Context) -> None:
        learner = learner_of(update)
        admin = learner.user_id in self.admin_ids
        await send_view(context, learner.chat_id, views.help_text(admin=admin))

    async def topics(self, update: Update, context: Context) -> None:
        await send_view(context, learner_of(update).chat_id, views.topics(self.library.kb, 0))

    async def question(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        text = message.text
        if message.chat.type != "private":
            # In groups only a mention of the bot or a reply to it is a question.
            mention = f"@{context.bot.username}".lower()
            replied = message.reply_to_message
            to_bot = (
                replied is not None
                and replied.from_user is not None
                and replied.from_user.id == context.bot.id
            )
            if mention not in text.lower() and not to_bot:
                return
            text = re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE)
        learner = learner_of(update)
        if len(text) > MAX_QUESTION_CHARS:
            await send_view(context, learner.chat_id, ops_views.TOO_LONG)
            return
        question = _printable(text)
        if not question:
            # Blank (spaces, NULs, control characters): nothing to match or to log. In a
            # private chat, say how to ask; in a group a bare mention stays unanswered.
            if message.chat.type == "private":
                await send_view(context, learner.chat_id, views.NOT_TEXT)
            return
        try:
            if not self.library.is_ready:
                await self._wait_for_matcher(context, learner.chat_id)
            answer = await self.questions.ask(question, learner)
        except MatcherNotReady:  # the bot is stopping before its matcher was built
            await send_view(context, learner.chat_id, views.RESTARTING)
            return
        result = answer.result
        self.observer.event(
            f"question.{result.status.value}",
            learner.user_id,
            entry=result.best.entry.id if result.best else None,
        )
        view = views.match_result(self.library.kb, result, answer.log_id, learner.private)
        await send_view(context, learner.chat_id, view)

    async def _wait_for_matcher(self, context: Context, chat_id: int) -> None:
        """Just after a start the matcher may still be building (in well under a second
        from a warm cache, a minute or more when a first start encodes the notes): a
        question waits for it, and one that waits long is told so once."""
        try:
            await asyncio.wait_for(self.library.ready(), self.matcher_patience_s)
        except TimeoutError:
            await send_view(context, chat_id, views.WARMING_UP)

    async def unknown_command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        name, addressee = _command(message.text)
        if addressee and addressee.lower() != (context.bot.username or "").lower():
            return  # another bot's command (any chat): not ours to answer
        if message.chat.type != "private" and not addressee:
            return  # a group's other bots have commands of their own: answer only ours
        await send_view(context, learner_of(update).chat_id, views.unknown_command(name))

    async def not_text(self, update: Update, context: Context) -> None:
        await send_view(context, learner_of(update).chat_id, views.NOT_TEXT)

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        kb = self.library.kb
        action = callbacks.decode(query.data)
        learner = learner_of(update)
        match action:
            case callbacks.ShowEntry(short_id) | callbacks.PickSuggestion(short_id, _):
                entry = kb.entry_by_short_id(short_id)
                if entry is None:
                    await query.answer(views.STALE_BUTTON)
                    return
                await query.answer()
                if isinstance(action, callbacks.PickSuggestion):
                    await self.questions.choose_suggestion(action.log_id, learner, entry.id)
                answer = views.entry(kb, entry, share=learner.private)
                await send_view(context, learner.chat_id, answer)
            case callbacks.ShowTopics(page):
                await query.answer()
                await edit_view(update, views.topics(kb, page))
            case callbacks.ShowTopic(topic_id, page):
                view = views.topic(kb, topic_id, page)
                if view is None:
                    await query.answer(views.STALE_BUTTON)
                    return
                await query.answer()
                await edit_view(update, view)
            case _:
                await query.answer(views.STALE_BUTTON)

    async def error(self, update: object, context: Context) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=context.error)
        if not isinstance(update, Update):
            return
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(views.SOMETHING_WENT_WRONG)
            elif update.inline_query is not None:
                # An unanswered inline query leaves the client spinning until it times
                # out: answer with nothing, just for this user, and not cached.
                await update.inline_query.answer([], cache_time=0, is_personal=True)
            elif update.effective_chat is not None:
                chat_id = update.effective_chat.id
                await context.bot.send_message(
                    chat_id, views.SOMETHING_WENT_WRONG, message_thread_id=thread_for(chat_id)
                )
        except Exception:  # the error reply is best effort; the log above has the cause
            log.warning("could not tell update %s about the failure", update_id)
