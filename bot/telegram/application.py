"""Build the PTB Application: every handler registered here, in order."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.telegram import callbacks
from bot.telegram.commands import COMMANDS
from bot.telegram.flood import FloodLimiter
from bot.telegram.handlers import Handlers
from bot.telegram.quiz_handlers import QuizHandlers
from bot.telegram.tip_handlers import TipHandlers

CONCURRENT_UPDATES = 16
Hook = Callable[[Application], Coroutine[Any, Any, None]]  # type: ignore[type-arg]


def build_application(
    token: str,
    base_url: str,
    handlers: Handlers,
    quiz: QuizHandlers,
    tips: TipHandlers,
    *,
    rate_limiter: FloodLimiter | None = None,
    request: BaseRequest | None = None,
    post_init: Hook | None = None,
    post_shutdown: Hook | None = None,
) -> Application:  # type: ignore[type-arg]
    builder = ApplicationBuilder().token(token).base_url(base_url)
    builder = builder.concurrent_updates(CONCURRENT_UPDATES)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    if post_init is not None:
        builder = builder.post_init(post_init)
    if post_shutdown is not None:
        builder = builder.post_shutdown(post_shutdown)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    register_handlers(application, handlers, quiz, tips)
    return application


def register_handlers(
    application: Application,  # type: ignore[type-arg]
    handlers: Handlers,
    quiz: QuizHandlers,
    tips: TipHandlers,
) -> None:
    chats = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    for name, callback in (
        ("start", handlers.start),
        ("help", handlers.help),
        ("topics", handlers.topics),
        ("quiz", quiz.quiz),
        ("progress", quiz.progress),
        ("reset", quiz.reset),
        ("tips", tips.tips_command),
        ("tiptime", tips.tiptime),
        ("timezone", tips.timezone),
    ):
        application.add_handler(CommandHandler(name, callback, filters=chats))
    # After the known commands: any other /command gets a pointer to /help.
    application.add_handler(
        MessageHandler(filters.COMMAND & ~filters.UpdateType.EDITED, handlers.unknown_command)
    )
    # Plain text in a private chat is a question.
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED,
            handlers.question,
        )
    )
    # Stickers, photos, voice...: a short pointer to typing, never an error.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.UpdateType.EDITED
            & ~filters.StatusUpdate.ALL,
            handlers.not_text,
        )
    )
    # Quiz and tip buttons first; every other button (and unknown data) goes to the general one.
    application.add_handler(CallbackQueryHandler(quiz.button, pattern=callbacks.QUIZ_PATTERN))
    application.add_handler(CallbackQueryHandler(tips.button, pattern=callbacks.TIPS_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_error_handler(handlers.error)


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Publish the command menu (setMyCommands) from the one COMMANDS list."""
    await application.bot.set_my_commands([BotCommand(c.name, c.description) for c in COMMANDS])
