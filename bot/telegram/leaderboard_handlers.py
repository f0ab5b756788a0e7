"""/leaderboard: a group's points in the group; the hide-my-name choice in private."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.presentation import group_quiz_views
from bot.presentation.views import View
from bot.services.group_quiz_types import GroupChat
from bot.services.leaderboard import LeaderboardService
from bot.telegram import send
from bot.telegram.group_quiz_handlers import send_to, thread_of
from bot.telegram.send import Context

CHANGE_IN_PRIVATE = "Hide or show your name in our private chat: /leaderboard hide or show."


class LeaderboardHandlers:
    def __init__(self, service: LeaderboardService) -> None:
        self.service = service

    async def leaderboard(self, update: Update, context: Context) -> None:
        learner = send.learner_of(update)
        wanted = (context.args or [""])[0].lower() if context.args else ""
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            if wanted in ("hide", "show"):
                await self.service.set_hidden(learner, wanted == "hide")
            hidden = await self.service.is_hidden(learner.user_id)
            await send.send_view(
                context, learner.chat_id, group_quiz_views.private_settings(hidden)
            )
            return
        where = GroupChat(learner.chat_id, thread_of(update))
        if wanted in ("hide", "show"):
            await send_to(context.bot, where, View(CHANGE_IN_PRIVATE))
            return
        board = await self.service.leaderboard(learner.chat_id, learner.user_id)
        await send_to(context.bot, where, group_quiz_views.leaderboard(board))
