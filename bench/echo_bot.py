"""A bare python-telegram-bot echo bot: the floor that bench/startup_memory.py
compares Nexus's start time and memory against.

    TELEGRAM_BOT_TOKEN=123:ABC [TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot] \
        python bench/echo_bot.py

ApplicationBuilder with its defaults (so a JobQueue too, APScheduler being
installed for Nexus), one MessageHandler that sends text messages (commands too) back, long
polling until SIGINT or SIGTERM. No logging set up, no database, no content.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

DEFAULT_BASE_URL = "https://api.telegram.org/bot"


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> None:
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ.get("TELEGRAM_API_BASE_URL") or DEFAULT_BASE_URL)
        .build()
    )
    # Commands too: the start benchmark may send /help first (`--message`).
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
