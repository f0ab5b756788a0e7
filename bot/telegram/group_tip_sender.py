"""The group tip's broadcast, wired for bot/app.py: the same loop, channel and flood
limiter as learners' tips (bot/services/broadcast.py, bot/telegram/tip_sender.py),
claims from bot/services/group_tip_delivery.py. Two things only groups do: the tip
goes to the forum topic /grouptip was set in, and a group that became a supergroup
answers 400 with its new id (ChatMigrated): everything moves there (ChatMoves) and
the tip is sent there, once; a forum topic that was deleted answers 400 "message
thread not found": the tip goes to the general chat, from then on."""

from __future__ import annotations

import logging

from telegram import Bot, Message
from telegram.error import BadRequest, ChatMigrated

from bot.observability import Observer
from bot.presentation import group_views
from bot.presentation.views import View
from bot.services.broadcast import Broadcast
from bot.services.chat_moves import ChatMover
from bot.services.context import ServiceContext
from bot.services.group_tip_delivery import GroupTipDeliveries, GroupTipToSend
from bot.services.groups import GroupService
from bot.telegram.flood import FloodLimiter, Slot
from bot.telegram.send import markup
from bot.telegram.tip_sender import Sender, TelegramChannel

log = logging.getLogger(__name__)


class GroupTipChannel(TelegramChannel[GroupTipToSend]):
    def __init__(
        self, bot: Bot, limiter: FloodLimiter, moves: ChatMover, groups: GroupService
    ) -> None:
        super().__init__(bot, limiter, group_views.tip_message)
        self.moves = moves
        self.groups = groups

    async def _send(self, item: GroupTipToSend, view: View, slot: Slot) -> Message:
        try:
            return await self._to(item.chat_id, item.thread_id, view, slot)
        except ChatMigrated as moved:
            log.info("group %s became %s: moving it", item.chat_id, moved.new_chat_id)
            await self.moves.move_chat(item.chat_id, moved.new_chat_id)
            return await self._to(moved.new_chat_id, item.thread_id, view, await self._slot())
        except BadRequest as error:
            if item.thread_id is None or "thread not found" not in str(error).lower():
                raise
            # The topic was deleted: the group's general chat rather than no tip.
            log.info("topic %s of group %s is gone: sending there", item.thread_id, item.chat_id)
            await self.groups.forget_topic(item.chat_id)
            return await self._to(item.chat_id, None, view, await self._slot())

    async def _slot(self) -> Slot:
        return await self.limiter.acquire()

    async def _to(self, chat_id: int, thread_id: int | None, view: View, slot: Slot) -> Message:
        return await self.bot.send_message(
            chat_id,
            view.text,
            reply_markup=markup(view.rows),
            message_thread_id=thread_id,
            rate_limit_args=slot,  # type: ignore[call-arg]  # PTB forwards it to the limiter
        )


class GroupTipSender(Sender[GroupTipToSend]):
    def __init__(
        self,
        context: ServiceContext,
        limiter: FloodLimiter,
        observer: Observer,
        moves: ChatMover,
        groups: GroupService,
    ) -> None:
        broadcast = Broadcast(
            GroupTipDeliveries(context),
            on_outcome=lambda item, outcome: observer.event(
                f"group_tip.{outcome.value}", None, entry=item.tip.entry
            ),
        )
        super().__init__(broadcast, limiter, group_views.tip_message, "group-tip-broadcast")
        self.moves = moves
        self.groups = groups

    def channel(self, bot: Bot) -> TelegramChannel[GroupTipToSend]:
        return GroupTipChannel(bot, self.limiter, self.moves, self.groups)
