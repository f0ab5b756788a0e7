"""The group tip's broadcast, wired for bot/app.py: the same loop, channel and flood
limiter as learners' tips (bot/services/broadcast.py, bot/telegram/tip_sender.py),
claims from bot/services/group_tip_delivery.py. Two things only groups do: the tip
goes to the forum topic /grouptip was set in, and a group that became a supergroup
answers 400 with its new id (ChatMigrated): everything moves there (ChatMoves) and
the tip is sent there, once."""

from __future__ import annotations

import logging

from telegram import Bot, Message
from telegram.error import ChatMigrated

from bot.observability import Observer
from bot.presentation import group_views
from bot.presentation.views import View
from bot.services.broadcast import Broadcast
from bot.services.chat_moves import ChatMover
from bot.services.context import ServiceContext
from bot.services.group_tip_delivery import GroupTipDeliveries, GroupTipToSend
from bot.telegram.flood import FloodLimiter, Slot
from bot.telegram.send import markup
from bot.telegram.tip_sender import Sender, TelegramChannel

log = logging.getLogger(__name__)


class GroupTipChannel(TelegramChannel[GroupTipToSend]):
    def __init__(self, bot: Bot, limiter: FloodLimiter, moves: ChatMover) -> None:
        super().__init__(bot, limiter, group_views.tip_message)
        self.moves = moves

    async def _send(self, item: GroupTipToSend, view: View, slot: Slot) -> Message:
        try:
            return await self._to(item.chat_id, item, view, slot)
        except ChatMigrated as moved:
            log.info("group %s became %s: moving it", item.chat_id, moved.new_chat_id)
            await self.moves.move_chat(item.chat_id, moved.new_chat_id)
            return await self._to(moved.new_chat_id, item, view, await self.limiter.acquire())

    async def _to(self, chat_id: int, item: GroupTipToSend, view: View, slot: Slot) -> Message:
        return await self.bot.send_message(
            chat_id,
            view.text,
            reply_markup=markup(view.rows),
            message_thread_id=item.thread_id,
            rate_limit_args=slot,  # type: ignore[call-arg]  # PTB forwards it to the limiter
        )


class GroupTipSender(Sender[GroupTipToSend]):
    def __init__(
        self, context: ServiceContext, limiter: FloodLimiter, observer: Observer, moves: ChatMover
    ) -> None:
        broadcast = Broadcast(
            GroupTipDeliveries(context),
            on_outcome=lambda item, outcome: observer.event(
                f"group_tip.{outcome.value}", None, entry=item.tip.entry
            ),
        )
        super().__init__(broadcast, limiter, group_views.tip_message, "group-tip-broadcast")
        self.moves = moves

    def channel(self, bot: Bot) -> TelegramChannel[GroupTipToSend]:
        return GroupTipChannel(bot, self.limiter, self.moves)
