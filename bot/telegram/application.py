"""Build the PTB Application: every handler registered here, in order."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeAllChatAdministrators, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.observability import Observer
from bot.presentation import callbacks
from bot.presentation.commands import COMMANDS, GROUP_ADMIN_COMMANDS
from bot.telegram.flood import FloodLimiter
from bot.telegram.group_handlers import GroupHandlers
from bot.telegram.group_quiz_handlers import GroupQuizHandlers
from bot.telegram.guard import FloodGuard
from bot.telegram.handlers import Handlers
from bot.telegram.inline_handlers import InlineHandlers
from bot.telegram.leaderboard_handlers import LeaderboardHandlers
from bot.telegram.ops_handlers import OpsHandlers
from bot.telegram.path_handlers import PathHandlers
from bot.telegram.quiz_handlers import QuizHandlers
from bot.telegram.send import DEFAULTS, note_topic
from bot.telegram.start_handlers import StartHandlers
from bot.telegram.teach_handlers import TeachHandlers
from bot.telegram.tip_handlers import TipHandlers

CONCURRENT_UPDATES = 16


@dataclass(frozen=True)
class AllHandlers:
    general: Handlers
    start: StartHandlers
    quiz: QuizHandlers
    path: PathHandlers
    tips: TipHandlers
    ops: OpsHandlers
    teach: TeachHandlers
    inline: InlineHandlers
    guard: FloodGuard
    observer: Observer
    admin_ids: frozenset[int]
    groups: GroupHandlers
    group_quiz: GroupQuizHandlers | None = None
    leaderboard: LeaderboardHandlers | None = None


def build_application(
    token: str,
    base_url: str,
    handlers: AllHandlers,
    *,
    rate_limiter: FloodLimiter,
    request: BaseRequest | None = None,
) -> Application:  # type: ignore[type-arg]
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .defaults(DEFAULTS)
        .concurrent_updates(CONCURRENT_UPDATES)
        .rate_limiter(rate_limiter)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    register_handlers(application, handlers)
    return application


def register_handlers(application: Application, h: AllHandlers) -> None:  # type: ignore[type-arg]
    wrap = h.observer.wrap
    # Group -2: note the forum topic an update came from; every reply goes there.
    application.add_handler(TypeHandler(Update, note_topic), group=-2)
    # Group -1: flood control may stop an update before any handler sees it.
    application.add_handler(TypeHandler(Update, h.guard.check), group=-1)
    # Group service updates, always delivered (privacy mode too): the bot added,
    # removed or restricted; a group upgraded to a supergroup (its settings follow).
    application.add_handler(
        ChatMemberHandler(wrap("my_chat_member", h.groups.member), ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(
        MessageHandler(filters.StatusUpdate.MIGRATE, wrap("migrated", h.groups.migrated))
    )

    chats = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    # Before the public commands: in a group, /quiz is a round for everyone (the
    # private /quiz below stays the personal quiz); /leaderboard in both.
    if h.group_quiz is not None:
        group_quiz = wrap("group_quiz", h.group_quiz.quiz)
        application.add_handler(CommandHandler("quiz", group_quiz, filters=filters.ChatType.GROUPS))
    if h.leaderboard is not None:
        board = wrap("leaderboard", h.leaderboard.leaderboard)
        application.add_handler(CommandHandler("leaderboard", board, filters=chats))
    public = {
        "start": h.start.start,
        "help": h.general.help,
        "topics": h.general.topics,
        "quiz": h.quiz.quiz,
        "progress": h.quiz.progress,
        "reset": h.quiz.reset,
        "path": h.path.path,
        "next": h.path.next,
        "tips": h.tips.tips_command,
        "tiptime": h.tips.tiptime,
        "timezone": h.tips.timezone,
        "digest": h.tips.digest,
        "mydata": h.ops.mydata,
        "forget": h.ops.forget,
    }
    for name, callback in public.items():
        application.add_handler(CommandHandler(name, wrap(name, callback), filters=chats))
    # Admin commands match admins only; for anyone else they fall through to the
    # unknown-command reply below, exactly like a command that does not exist.
    admins = filters.User(user_id=h.admin_ids, allow_empty=False) & chats
    admin = {
        "unanswered": h.ops.unanswered,
        "stats": h.ops.stats,
        "reload": h.ops.reload,
        "teach": h.teach.teach,
    }
    for name, callback in admin.items():
        application.add_handler(CommandHandler(name, wrap(name, callback), filters=admins))
    # A group's administrators (checked with getChatMember in the handler).
    application.add_handler(
        CommandHandler("grouptip", wrap("grouptip", h.groups.grouptip), filters=chats)
    )
    # After the known commands: any other /command gets a pointer to /help.
    application.add_handler(
        MessageHandler(
            filters.COMMAND & chats & ~filters.UpdateType.EDITED,
            wrap("unknown_command", h.general.unknown_command),
        )
    )
    # Text is a question: any text in a private chat, mentions and replies in groups.
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & chats & ~filters.UpdateType.EDITED,
            wrap("question", h.general.question),
        )
    )
    # Stickers, photos, voice...: a short pointer to typing, never an error.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.UpdateType.EDITED
            & ~filters.StatusUpdate.ALL,
            wrap("not_text", h.general.not_text),
        )
    )
    # Edited messages and channel posts match nothing above: ignored on purpose.
    # Quiz, tip, ops, path and teach buttons first; every other button (and unknown data) last.
    application.add_handler(
        CallbackQueryHandler(wrap("quiz_button", h.quiz.button), pattern=callbacks.QUIZ_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(wrap("tips_button", h.tips.button), pattern=callbacks.TIPS_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(wrap("ops_button", h.ops.button), pattern=callbacks.OPS_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(wrap("path_button", h.path.button), pattern=callbacks.PATH_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(wrap("teach_button", h.teach.button), pattern=callbacks.TEACH_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(
            wrap("quiz_the_group_button", h.groups.quiz_button), pattern=callbacks.GROUP_PATTERN
        )
    )
    if h.group_quiz is not None:
        group_button = wrap("group_quiz_button", h.group_quiz.button)
        pattern = callbacks.GROUP_QUIZ_PATTERN
        application.add_handler(CallbackQueryHandler(group_button, pattern=pattern))
    application.add_handler(CallbackQueryHandler(wrap("button", h.general.button)))
    # `@bot etag` in any chat, from anyone (who may never have started the bot).
    application.add_handler(InlineQueryHandler(wrap("inline", h.inline.query)))
    application.add_error_handler(h.general.error)


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Publish the command menu (setMyCommands) from the one COMMANDS list, and for
    groups' administrators the same menu with /grouptip: a scope's menu replaces the
    default one for those users, so it repeats it. The default menu goes last: tests
    take it as the sign that a start is complete (ApiCall.publishes_menu)."""
    menu = [BotCommand(c.name, c.description) for c in COMMANDS]
    admin_only = [BotCommand(c.name, c.description) for c in GROUP_ADMIN_COMMANDS]
    await application.bot.set_my_commands(
        menu + admin_only, scope=BotCommandScopeAllChatAdministrators()
    )
    await application.bot.set_my_commands(menu)
