"""Sends one daily tip (or weekly digest) through Telegram and classifies what
happened; the broadcast loop and its retry policy are in bot/services/broadcast.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

import httpx
from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.ext import ContextTypes

from bot.presentation import tip_views
from bot.presentation.views import View
from bot.services.broadcast import Broadcast, BroadcastReport, SendResult
from bot.services.deliveries import Claimed, Delivery
from bot.services.tip_delivery import TipToSend
from bot.telegram.flood import FloodLimiter, Slot
from bot.telegram.send import markup

log = logging.getLogger(__name__)

# Failures raised before the request left this machine: the message was not sent.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


Item = TypeVar("Item", bound=Claimed)


def tip_view(item: TipToSend) -> View:
    return tip_views.tip_message(item)


class TelegramChannel(Generic[Item]):
    """bot/services/broadcast.Channel over a PTB Bot and the flood limiter."""

    def __init__(self, bot: Bot, limiter: FloodLimiter, view: Callable[[Item], View]) -> None:
        self.bot = bot
        self.limiter = limiter
        self.view = view

    async def reserve(self) -> object:
        return await self.limiter.acquire()

    async def send(self, item: Item, slot: object) -> SendResult:
        assert isinstance(slot, Slot)  # handed out by reserve() above
        try:
            message = await self._send(item, self.view(item), slot)
        except Forbidden as error:
            return SendResult(Delivery.BLOCKED, None, str(error))
        except BadRequest as error:
            log.warning("%s to %s refused: %s", type(item).__name__, item.key, error)
            return SendResult(Delivery.FAILED, None, str(error))
        except (TimedOut, NetworkError) as error:
            if isinstance(error.__cause__, NOT_SENT):
                return SendResult(Delivery.RETRY, None, str(error))
            return SendResult(Delivery.UNKNOWN, None, f"ambiguous: {error}")
        return SendResult(Delivery.SENT, message.message_id)

    async def _send(self, item: Item, view: View, slot: Slot) -> Message:
        return await self.bot.send_message(
            item.chat_id,
            view.text,
            reply_markup=markup(view.rows),
            rate_limit_args=slot,  # type: ignore[call-arg]  # PTB forwards it to the limiter
        )


class Sender(Generic[Item]):
    """The JobQueue side: each tick starts a broadcast in the background unless one is
    running, and returns at once (so the scheduler never sees an overrun)."""

    def __init__(
        self,
        broadcast: Broadcast[Item],
        limiter: FloodLimiter,
        view: Callable[[Item], View],
        name: str,
    ) -> None:
        self.broadcast = broadcast
        self.limiter = limiter
        self.view = view
        self.name = name

    def channel(self, bot: Bot) -> TelegramChannel[Item]:
        return TelegramChannel(bot, self.limiter, self.view)

    async def tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        # A tick that fires while the Application is stopping would start a task nobody
        # awaits (PTB warns and the broadcast may be cut off mid-send). Skipping it loses
        # nothing: unsent tips stay due in the database and the next start sends them.
        if self.broadcast.running or not context.application.running:
            return
        channel = self.channel(context.bot)
        context.application.create_task(self.broadcast.run_exclusively(channel), name=self.name)

    async def run(self, bot: Bot) -> BroadcastReport:
        """One broadcast now, through `bot` (tests and the console use this)."""
        return await self.broadcast.run(self.channel(bot))


class TipSender(Sender[TipToSend]):
    def __init__(self, broadcast: Broadcast[TipToSend], limiter: FloodLimiter) -> None:
        super().__init__(broadcast, limiter, tip_view, "tip-broadcast")
