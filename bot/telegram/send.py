"""Sending: how a presentation View becomes Telegram messages and keyboards.

Every adapter module sends through these, so parse mode, link previews and
message splitting are decided once (the Application's Defaults set HTML and no
link previews for every call)."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Coroutine, Sequence
from contextvars import ContextVar
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputFile,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes, Defaults
from telegram.warnings import PTBUserWarning

from bot.presentation import callbacks, inline_views, ops_views, quiz_views, views
from bot.services.learners import Learner
from content.telegram_html import split_message

Context = ContextTypes.DEFAULT_TYPE

# Set once on the Application: every message is HTML, and links never unfurl into
# previews (they cost bandwidth on slow networks and push the answer off screen).
DEFAULTS = Defaults(
    parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
)


# The forum topic the update being handled came from, as (chat id, thread id): every
# reply to that chat goes to that topic. Set first for every update (note_topic, the
# Application's group -2); a context variable, so concurrent updates (each in its own
# task) and the follow-ups they start (tasks copy it) each see their own.
_topic: ContextVar[tuple[int, int] | None] = ContextVar("nexus_topic", default=None)


def topic_of(update: Update) -> tuple[int, int] | None:
    """(chat id, thread id) of a message (or a pressed button's message) in a forum topic."""
    message = update.effective_message
    if message is None or not message.is_topic_message or message.message_thread_id is None:
        return None
    return message.chat.id, message.message_thread_id


async def note_topic(update: Update, context: Context) -> None:
    """Remember where this update came from, so every reply goes to the same topic."""
    _topic.set(topic_of(update))


def thread_for(chat_id: int) -> int | None:
    """The forum topic a reply to `chat_id` belongs in (None: the chat itself)."""
    noted = _topic.get()
    return noted[1] if noted is not None and noted[0] == chat_id else None


def markup(rows: Sequence[Sequence[views.Button]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in rows])


def _button(button: views.Button) -> InlineKeyboardButton:
    if isinstance(button.callback, views.Share):
        return InlineKeyboardButton(button.label, switch_inline_query=button.callback.query)
    return InlineKeyboardButton(button.label, callback_data=callbacks.encode(button.callback))


def learner_of(update: Update) -> Learner:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None  # filters only route updates that have both
    return Learner(
        user_id=user.id,
        chat_id=chat.id,
        language=user.language_code,
        private=chat.type == ChatType.PRIVATE,
    )


def private_link(context: Context, payload: str) -> str:
    """A deep link that opens the private chat with the bot (payload: A-Z a-z 0-9 _ -)."""
    return f"https://t.me/{context.bot.username}?start={payload}"


async def send_view(context: Context, chat_id: int, view: views.View) -> None:
    """Send a view, split on safe boundaries if long; buttons go under the last part."""
    chunks = split_message(view.text)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await context.bot.send_message(
            chat_id,
            chunk,
            reply_markup=markup(view.rows) if last else None,
            message_thread_id=thread_for(chat_id),
        )


async def send_photo(
    context: Context, chat_id: int, png: bytes, view: quiz_views.PhotoView, name: str
) -> None:
    """Upload a picture with its caption and buttons, then the text that follows it."""
    await context.bot.send_photo(
        chat_id,
        InputFile(png, filename=name),
        caption=view.caption,
        reply_markup=markup(view.rows),
        message_thread_id=thread_for(chat_id),
    )
    if view.then is not None:
        await send_view(context, chat_id, view.then)


async def answer_inline(
    context: Context, query: InlineQuery, answer: inline_views.InlineAnswer
) -> None:
    """Answer an inline query: each article posts its card with a link button that
    opens the entry in the private chat (HTML parse mode comes from DEFAULTS)."""
    results = [
        InlineQueryResultArticle(
            article.id,
            article.title,
            InputTextMessageContent(article.text),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            article.link_label, url=private_link(context, article.start)
                        )
                    ]
                ]
            ),
            description=article.description,
        )
        for article in answer.articles
    ]
    button = (
        InlineQueryResultsButton(answer.button.text, start_parameter=answer.button.start)
        if answer.button
        else None
    )
    await query.answer(
        results, cache_time=answer.cache_time, is_personal=answer.is_personal, button=button
    )


async def edit_view(update: Update, view: views.View) -> None:
    """Replace the text and buttons of the message whose button was pressed."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(view.text, reply_markup=markup(view.rows))
    except BadRequest as error:
        # A double tap re-renders the same content: harmless, nothing to change.
        if "message is not modified" not in str(error).lower():
            raise


async def ask_in_private(update: Update, context: Context, payload: str) -> bool:
    """In a group, answer "ask me in private" with a deep link and return True (the
    caller then does nothing else); in a private chat return False. Personal data and
    settings are shown and changed only where nobody else reads along."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return False
    button = InlineKeyboardButton(ops_views.PRIVATE_BUTTON, url=private_link(context, payload))
    await context.bot.send_message(
        chat.id,
        ops_views.ASK_IN_PRIVATE,
        reply_markup=InlineKeyboardMarkup([[button]]),
        message_thread_id=thread_for(chat.id),
    )
    return True


async def refuse_others(update: Update, owner: int | None) -> bool:
    """For a confirmation button: True (after a short alert) unless the presser is the
    user it was shown to. A prompt from before buttons named their owner counts only
    in a private chat, where nobody else can press it."""
    query = update.callback_query
    assert query is not None
    chat = query.message.chat if query.message is not None else None
    if owner is None:
        allowed = chat is not None and chat.type == ChatType.PRIVATE
    else:
        allowed = query.from_user.id == owner
    if not allowed:
        await query.answer(ops_views.NOT_YOUR_BUTTON, show_alert=True)
    return not allowed


class FollowUps:
    """Sends that follow a handler's quick reply, run in the background.

    A handler holds one of the Application's concurrent-update places until it
    returns, and every message it sends waits in the flood limiter's queue (about
    30 a second for the whole bot). A burst of taps whose handlers wait there fills
    the places, and the next taps are not even acknowledged until older messages
    have gone out. So a button handler answers the tap (answerCallbackQuery, not
    rate-limited) and hands the messages that follow to `start`; they keep their
    order (one coroutine) and their errors go to the error handlers. `settle`
    waits for all of them (`Nexus.feed` does, so tests see the whole reply)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, context: Context, update: Update, sending: Coroutine[Any, Any, None]) -> None:
        with warnings.catch_warnings():
            # Fed without polling (Nexus.feed, the console) the Application is not
            # running and PTB warns that stop() will not await the task: settle() does.
            warnings.filterwarnings("ignore", "Tasks created via", PTBUserWarning)
            task = context.application.create_task(sending, update=update, name="follow-up")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait until every follow-up started so far (and any they start) is done;
        their errors were handled by the error handlers already."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
