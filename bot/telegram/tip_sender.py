"""Sends one daily tip through Telegram and classifies what happened; the
broadcast loop and its retry policy are in bot/services/broadcast.py."""

from __future__ import annotations

import logging

import httpx
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.ext import ContextTypes

from bot.presentation import tip_views
from bot.services.broadcast import BroadcastReport, SendResult, TipBroadcast
from bot.services.tip_delivery import Delivery, TipToSend
from bot.telegram.flood import FloodLimiter, Slot
from bot.telegram.send import markup

log = logging.getLogger(__name__)

# Failures raised before the request left this machine: the message was not sent.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class TelegramTipChannel:
    """bot/services/broadcast.TipChannel over a PTB Bot and the flood limiter."""

    def __init__(self, bot: Bot, limiter: FloodLimiter) -> None:
        self.bot = bot
        self.limiter = limiter

    async def reserve(self) -> object:
        return await self.limiter.acquire()

    async def send(self, item: TipToSend, slot: object) -> SendResult:
        assert isinstance(slot, Slot)  # handed out by reserve() above
        view = tip_views.tip_message(item)
        try:
            message = await self.bot.send_message(
                item.chat_id,
                view.text,
                reply_markup=markup(view.rows),
                rate_limit_args=slot,  # type: ignore[call-arg]  # PTB forwards it to the limiter
            )
        except Forbidden as error:
            return SendResult(Delivery.BLOCKED, None, str(error))
        except BadRequest as error:
            log.warning("tip %s to user %s refused: %s", item.tip.id, item.user_id, error)
            return SendResult(Delivery.FAILED, None, str(error))
        except (TimedOut, NetworkError) as error:
            if isinstance(error.__cause__, NOT_SENT):
                return SendResult(Delivery.RETRY, None, str(error))
            return SendResult(Delivery.UNKNOWN, None, f"ambiguous: {error}")
        return SendResult(Delivery.SENT, message.message_id)


class TipSender:
    """The JobQueue side: each tick starts a broadcast in the background unless one is
    running, and returns at once (so the scheduler never sees an overrun)."""

    def __init__(self, broadcast: TipBroadcast, limiter: FloodLimiter) -> None:
        self.broadcast = broadcast
        self.limiter = limiter

    async def tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self.broadcast.running:
            return
        channel = TelegramTipChannel(context.bot, self.limiter)
        context.application.create_task(
            self.broadcast.run_exclusively(channel), name="tip-broadcast"
        )

    async def run(self, bot: Bot) -> BroadcastReport:
        """One broadcast now, through `bot` (tests and the console use this)."""
        return await self.broadcast.run(TelegramTipChannel(bot, self.limiter))
