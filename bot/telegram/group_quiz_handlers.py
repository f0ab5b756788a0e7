"""Group quizzes in the chat: /quiz in a group, the members' taps, Reveal, and the
tick that reveals questions whose time is up (restart-safe: deadlines are stored).

A tap is acknowledged privately (a callback alert), never with a message in the
group; the "N answered" line is edited rarely (`AnsweredEdits`); a question's reveal
is one edit, then the next question is posted in the same chat and forum topic."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot, Update, User
from telegram.error import BadRequest

from bot.observability import Observer
from bot.presentation import callbacks, group_quiz_views
from bot.presentation.views import STALE_BUTTON, View
from bot.services.group_quiz_types import (
    GroupAnswerStatus,
    GroupChat,
    GroupQuestion,
    Reveal,
    RevealRefused,
    StartStatus,
)
from bot.services.group_quizzes import GroupQuizService
from bot.telegram import send
from bot.telegram.answered_edits import AnsweredEdits
from bot.telegram.send import Context, FollowUps

log = logging.getLogger(__name__)
TICK_SECONDS = 2  # how often overdue questions are revealed and counts flushed
# At most one "N answered" edit per question every 5 s: with the question and its
# reveal, a 60-second question stays within Telegram's ~20 messages a minute per group.
EDIT_INTERVAL = 5.0


def display_name(user: User | None) -> str:
    return (user.full_name if user else "")[:64] or "a member"


def thread_of(update: Update) -> int | None:
    """The forum topic the update came from, if any (answers go back there)."""
    message = update.effective_message
    if message is not None and message.is_topic_message:
        return message.message_thread_id
    return None


async def send_to(bot: Bot, chat: GroupChat, view: View) -> int:
    """Post a view in the group (in its forum topic, if any); the message id."""
    message = await bot.send_message(
        chat.chat_id,
        view.text,
        reply_markup=send.markup(view.rows),
        message_thread_id=chat.thread_id,
    )
    return message.message_id


class GroupQuizHandlers:
    TICK_SECONDS = TICK_SECONDS

    def __init__(
        self,
        service: GroupQuizService,
        find_topic: Callable[[str], str | None],
        observer: Observer,
        followups: FollowUps | None = None,
        edit_interval: float = EDIT_INTERVAL,
    ) -> None:
        self.service = service
        self.find_topic = find_topic
        self.observer = observer
        self.followups = followups or FollowUps()
        self.edits = AnsweredEdits(service.now, service.answered, edit_interval)

    async def quiz(self, update: Update, context: Context) -> None:
        """/quiz [topic] in a group or supergroup: a round for everyone."""
        wanted = " ".join(context.args or [])
        topic = self.find_topic(wanted) if wanted else None
        if wanted and topic is None:
            chat = GroupChat(send.learner_of(update).chat_id, thread_of(update))
            await send_to(context.bot, chat, group_quiz_views.nothing_to_ask(wanted))
            return
        await self.start_in_chat(update, context, topic=topic)

    async def start_in_chat(
        self, update: Update, context: Context, topic: str | None = None
    ) -> None:
        """Start a round in the update's group (a command, or a button such as "Quiz
        the group" under a daily tip) and post its first question. If the update is a
        button press, the caller answers the callback query."""
        learner = send.learner_of(update)
        chat = GroupChat(learner.chat_id, thread_of(update))
        name = display_name(update.effective_user)
        started = await self.service.start(chat, learner, name, topic)
        if started.status is StartStatus.ALREADY_RUNNING:
            await send_to(context.bot, chat, View(group_quiz_views.ALREADY_RUNNING))
            return
        if started.question is None:
            await send_to(context.bot, chat, group_quiz_views.nothing_to_ask(topic))
            return
        self.observer.event("group_quiz.started", learner.user_id, topic=topic)
        await self._post(context.bot, started.question)

    async def _post(self, bot: Bot, question: GroupQuestion) -> None:
        message_id = await send_to(bot, question.chat, group_quiz_views.question(question))
        await self.service.posted(question, message_id)

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        if query.message is None:  # too old for Telegram to say where it was
            await query.answer(STALE_BUTTON)
            return
        match callbacks.decode(query.data):
            case callbacks.GroupQuizAnswer(round_id, position, choice):
                learner = send.learner_of(update)
                name = display_name(query.from_user)
                outcome = await self.service.answer(learner, name, round_id, position, choice)
                await query.answer(group_quiz_views.answer_alert(outcome), show_alert=True)
                if outcome.status is not GroupAnswerStatus.RECORDED or outcome.question is None:
                    return
                self.observer.event(
                    "group_quiz.answered",
                    learner.user_id,
                    outcome="correct" if outcome.correct else "wrong",
                )
                message_id = query.message.message_id
                if self.edits.tapped(outcome.question, message_id):
                    self.followups.start(
                        context, update, self.edits.flush(context.bot, round_id, position)
                    )
            case callbacks.GroupQuizReveal(round_id, position):
                result = await self.service.reveal(round_id, position, by=query.from_user.id)
                if result is RevealRefused.NOT_STARTER:
                    await query.answer(group_quiz_views.NOT_STARTER, show_alert=True)
                elif isinstance(result, RevealRefused):
                    await query.answer(group_quiz_views.CLOSED)
                else:
                    await query.answer(group_quiz_views.REVEALING)
                    self.followups.start(context, update, self._reveal(context.bot, result))
            case _:
                await query.answer(STALE_BUTTON)

    async def _reveal(self, bot: Bot, reveal: Reveal) -> None:
        """The question's one reveal edit, then the next question."""
        q = reveal.question
        await self.edits.close(q.round_id, q.position, self._edit_reveal(bot, reveal))
        self.observer.event("group_quiz.revealed", None, answered=reveal.answered)
        if reveal.next is not None:
            await self._post(bot, reveal.next)

    async def _edit_reveal(self, bot: Bot, reveal: Reveal) -> None:
        if reveal.message_id is None:
            return
        view = group_quiz_views.revealed(reveal)
        try:
            await bot.edit_message_text(
                view.text, chat_id=reveal.question.chat.chat_id, message_id=reveal.message_id
            )
        except BadRequest as error:  # the message was deleted: the round goes on
            log.warning("group quiz reveal not edited: %s", error)

    async def tick(self, context: Context) -> None:
        """The periodic job (bot/app.py): counts to flush, overdue questions to reveal."""
        await self.run_due(context.bot)

    async def run_due(self, bot: Bot) -> int:
        """Flush waiting counts and reveal every overdue question; how many were revealed."""
        await self.edits.flush_due(bot)
        revealed = 0
        for round_id, position in await self.service.due():
            result = await self.service.reveal(round_id, position)
            if isinstance(result, Reveal):
                try:
                    await self._reveal(bot, result)
                except Exception:  # one group's failure must not stop the others
                    log.exception("group quiz reveal failed in round %d", round_id)
                revealed += 1
        return revealed
