"""Starting the PTB application (getMe, with one clear line on the expected
failures) and long polling until asked to stop."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.startup import EXIT_API_UNREACHABLE, EXIT_TOKEN_REJECTED, StartupError

log = logging.getLogger(__name__)


async def poll(application: Application, stop: asyncio.Event) -> bool:  # type: ignore[type-arg]
    """Poll until `stop` is set; True if Telegram answered 409 Conflict (another
    process polls with this token), which also stops it."""
    conflicts: list[Conflict] = []

    def on_error(error: TelegramError) -> None:
        if isinstance(error, Conflict):
            conflicts.append(error)
            stop.set()
        else:
            log.warning("getUpdates failed (%s); retrying", type(error).__name__)

    updater = application.updater
    assert updater is not None
    await updater.start_polling(allowed_updates=Update.ALL_TYPES, error_callback=on_error)
    await stop.wait()
    await updater.stop()
    return bool(conflicts)


async def initialize(application: Application, base_url: str) -> None:  # type: ignore[type-arg]
    """`Application.initialize` (getMe), or a StartupError saying what to fix."""
    try:
        await application.initialize()
    except InvalidToken:
        raise StartupError(
            EXIT_TOKEN_REJECTED,
            "Telegram rejected TELEGRAM_BOT_TOKEN (getMe answered 401 or 404): check the "
            "token with @BotFather (/token), and that TELEGRAM_API_BASE_URL "
            f"({base_url}) is the Bot API's base, ending in /bot.",
        ) from None
    except NetworkError as error:
        raise StartupError(
            EXIT_API_UNREACHABLE,
            "cannot reach the Telegram Bot API at TELEGRAM_API_BASE_URL "
            f"({base_url}): {error}. Check the network, a proxy, or the URL.",
        ) from None
