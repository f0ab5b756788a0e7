"""The weekly digest's broadcast, wired for bot/app.py: the same loop, channel and
flood limiter as tips (bot/services/broadcast.py, bot/telegram/tip_sender.py),
claims from bot/services/digest_delivery.py."""

from __future__ import annotations

from bot.observability import Observer
from bot.presentation import digest_views
from bot.services.broadcast import Broadcast
from bot.services.context import ServiceContext
from bot.services.digest_delivery import DigestDeliveries, DigestToSend
from bot.telegram.flood import FloodLimiter
from bot.telegram.tip_sender import Sender


def digest_sender(
    context: ServiceContext, limiter: FloodLimiter, observer: Observer
) -> Sender[DigestToSend]:
    broadcast = Broadcast(
        DigestDeliveries(context),
        on_outcome=lambda item, outcome: observer.event(f"digest.{outcome.value}", item.user_id),
    )
    return Sender(broadcast, limiter, digest_views.digest_message, "digest-broadcast")
