"""The one place that wires settings, content, storage and the Telegram adapter."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.observability import Observer, add_secrets, loop_exception_handler
from bot.services.broadcast import TipBroadcast
from bot.services.clock import Clock, process_clock
from bot.services.context import ServiceContext
from bot.services.intake import UpdateIntake
from bot.services.learners import LearnerService
from bot.services.library import Library, LiveLibrary
from bot.services.operations import OpsService
from bot.services.questions import QuestionService
from bot.services.quizzes import QuizService
from bot.services.teaching import SYNC_SECONDS, TeachingService
from bot.services.tip_delivery import TipDeliveries
from bot.services.tips import TipService
from bot.settings import Settings
from bot.startup import (
    EXIT_API_UNREACHABLE,
    EXIT_CONFLICT,
    EXIT_TOKEN_REJECTED,
    StartupError,
    database_error,
    let_failed_connections_finish,
)
from bot.telegram.application import AllHandlers, build_application, register_commands
from bot.telegram.flood import FloodLimiter
from bot.telegram.guard import FloodGuard
from bot.telegram.handlers import Handlers
from bot.telegram.ops_handlers import OpsHandlers
from bot.telegram.quiz_handlers import QuizHandlers
from bot.telegram.send import FollowUps
from bot.telegram.teach_handlers import TeachHandlers
from bot.telegram.tip_handlers import TipHandlers
from bot.telegram.tip_sender import TipSender
from bot.telegram.webhook import serve, webhook_app
from content import load_knowledge_base
from storage import Database

log = logging.getLogger(__name__)
OFFLINE_TOKEN = "123456:offline-console-token"


class Nexus:
    """A fully wired bot. Long polling uses `run_polling`; the console and tests use
    `async with nexus:` and `feed(update)` against a fake Bot API."""

    def __init__(
        self,
        settings: Settings,
        *,
        request: BaseRequest | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        if clock is None:
            clock = process_clock(settings.clock_start)
        self._clock = clock
        # Invalid content raises ContentError here, before anything starts.
        self.library = LiveLibrary(Library.of(load_knowledge_base(settings.content_dir)))
        try:
            self.database = Database(settings.database_url)
        except Exception as error:  # a malformed URL, an unknown driver, an unwritable folder
            raise database_error(settings, error) from None
        self.observer = Observer(settings.telegram_bot_token)
        context = ServiceContext(
            self.library, self.database.unit_of_work, clock, settings.default_timezone
        )
        self.quizzes = QuizService(
            context, round_size=settings.quiz_round_size, new_per_day=settings.quiz_new_per_day
        )
        self.tips = TipService(context)
        self.ops = OpsService(context, settings.content_dir, scrub=self.database.scrub)
        self.teaching = TeachingService(context, self.ops)
        self.intake = UpdateIntake(context)
        self.limiter = FloodLimiter(rate=settings.send_rate)
        self.broadcast = TipBroadcast(
            TipDeliveries(context),
            on_outcome=lambda item, outcome: self.observer.event(
                f"tip.{outcome.value}", item.user_id, entry=item.tip.entry
            ),
        )
        self.tip_sender = TipSender(self.broadcast, self.limiter)
        self.guard = FloodGuard(settings.messages_per_minute)
        self.followups = FollowUps()  # messages that follow a button's acknowledgement
        handlers = AllHandlers(
            general=Handlers(
                self.library,
                QuestionService(context),
                LearnerService(context),
                self.observer,
                settings.admin_ids,
            ),
            quiz=QuizHandlers(self.library, self.quizzes, self.observer, self.followups),
            tips=TipHandlers(self.tips),
            ops=OpsHandlers(self.library, self.ops, self.observer, self.teaching),
            teach=TeachHandlers(self.library, self.teaching, self.observer, settings.admin_ids),
            guard=self.guard,
            observer=self.observer,
            admin_ids=settings.admin_ids,
        )
        self.application: Application = build_application(  # type: ignore[type-arg]
            settings.telegram_bot_token or OFFLINE_TOKEN,
            settings.telegram_api_base_url,
            handlers,
            rate_limiter=self.limiter,
            request=request,
        )

    async def _on_start(self, application: Application) -> None:  # type: ignore[type-arg]
        try:
            await self.database.migrate()
        except Exception as error:
            await let_failed_connections_finish()
            raise database_error(self.settings, error) from None
        await self.teaching.sync()  # what admins taught, before the first question
        await register_commands(application)
        if application.job_queue is not None:
            # The database says who is due; this tick only asks. No misfire grace limit:
            # a busy loop must delay a run, never skip it (APScheduler's default is 1 s).
            application.job_queue.run_repeating(
                self.tip_sender.tick,
                interval=self.settings.tip_tick_seconds,
                first=1,
                name="daily-tips",
                job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            )
            # Phrasings taught on another replica reach this one's matcher within a minute.
            application.job_queue.run_repeating(
                self._sync_learned,
                interval=SYNC_SECONDS,
                first=SYNC_SECONDS,
                name="learned-phrasings",
                job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            )
            application.job_queue.run_repeating(
                self._purge_question_log,
                interval=timedelta(days=1),
                first=60,
                name="question-log-retention",
                job_kwargs={"misfire_grace_time": None, "coalesce": True},
            )
        log.info(
            "Nexus ready: %d entries in %d topics",
            len(self.library().kb.entries),
            len(self.library().kb.topics),
        )

    async def _sync_learned(self, context: object) -> None:
        if await self.teaching.sync():
            self.observer.event("content.learned_synced")

    async def _purge_question_log(self, context: object) -> None:
        removed = await self.ops.purge_question_log(self.settings.log_retention_days)
        if removed:
            self.observer.event("question_log.purged", count=removed)
        await self.intake.forget_old_updates()

    async def _on_stop(self, application: Application) -> None:  # type: ignore[type-arg]
        await self.database.close()

    def run_polling(self) -> int:
        """Serve Telegram with long polling until SIGINT/SIGTERM; the exit code.

        A second poller on the same token gets 409 Conflict from Telegram: we say so
        and stop (exit code 3) instead of retrying forever.
        """
        return asyncio.run(self._serve(self._poll))

    def run_webhook(self) -> int:
        """Serve Telegram's webhook on NEXUS_PORT until SIGINT/SIGTERM; the exit code."""
        return asyncio.run(self._serve(self._webhook))

    async def _serve(self, mode: Callable[[asyncio.Event], Awaitable[int]]) -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(loop_exception_handler)
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        async with self:
            await self.application.start()
            try:
                return await mode(stop)
            finally:
                await self.application.stop()

    async def _poll(self, stop: asyncio.Event) -> int:
        conflicts: list[Conflict] = []

        def on_error(error: TelegramError) -> None:
            if isinstance(error, Conflict):
                conflicts.append(error)
                stop.set()
            else:
                log.warning("getUpdates failed (%s); retrying", type(error).__name__)

        updater = self.application.updater
        assert updater is not None
        await updater.start_polling(allowed_updates=Update.ALL_TYPES, error_callback=on_error)
        await stop.wait()
        await updater.stop()
        if conflicts:
            log.error(
                "Telegram answered 409 Conflict: another process is already polling with this "
                "token. Run one poller per token, or use webhook mode for several replicas."
            )
            return EXIT_CONFLICT
        return 0

    async def _webhook(self, stop: asyncio.Event) -> int:
        url = self.settings.webhook_url
        assert url is not None
        secret = self.settings.webhook_secret
        if secret is None:
            # Generated once and kept in the database, so every replica uses the same.
            # Redacted before the INSERT the driver may log at DEBUG.
            candidate = secrets.token_urlsafe(32)
            add_secrets(candidate)
            # A stored secret is only known once read: keep the engine's DEBUG rows
            # (which would show it) out of the log while it is read.
            engine_log = logging.getLogger("sqlalchemy.engine")
            level = engine_log.level
            if engine_log.getEffectiveLevel() < logging.INFO:
                engine_log.setLevel(logging.INFO)
            try:
                secret = await self.intake.agree_secret(candidate)
            finally:
                engine_log.setLevel(level)
        add_secrets(secret)  # PTB logs the setWebhook parameters at DEBUG
        await self.application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
        app = webhook_app(
            self.application,
            self.intake,
            self.database.ping,
            secret,
            urlsplit(url).path or "/",
            on_duplicate=lambda: self.observer.event("update.duplicate"),
        )
        await serve(app, self.settings.port, stop)
        return 0

    async def __aenter__(self) -> Nexus:
        try:
            await self.application.initialize()  # getMe
        except InvalidToken:
            raise StartupError(
                EXIT_TOKEN_REJECTED,
                "Telegram rejected TELEGRAM_BOT_TOKEN (getMe answered 401 or 404): check the "
                "token with @BotFather (/token), and that TELEGRAM_API_BASE_URL "
                f"({self.settings.telegram_api_base_url}) is the Bot API's base, ending in /bot.",
            ) from None
        except NetworkError as error:
            raise StartupError(
                EXIT_API_UNREACHABLE,
                "cannot reach the Telegram Bot API at TELEGRAM_API_BASE_URL "
                f"({self.settings.telegram_api_base_url}): {error}. Check the network, "
                "a proxy, or the URL.",
            ) from None
        try:
            await self._on_start(self.application)
        except BaseException:
            await self.application.shutdown()
            await self.database.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.application.shutdown()
        await self._on_stop(self.application)

    async def feed(self, update: dict[str, Any]) -> None:
        """Process one update (Bot API JSON) exactly as polling would, and wait for
        the messages that follow it in the background (`FollowUps`)."""
        await self.application.process_update(Update.de_json(update, self.application.bot))
        await self.followups.settle()
