"""The one place that wires settings, content, storage and the Telegram adapter."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import Application, JobQueue
from telegram.request import BaseRequest

from bot.handler_set import Services, build_groups, build_handlers
from bot.health import HEARTBEAT_SECONDS, beat, gone, heartbeat_path, process_id
from bot.memory import give_back_free_memory
from bot.observability import REDACT, Observer, add_secrets, loop_exception_handler
from bot.services.broadcast import TipBroadcast
from bot.services.clock import Clock, process_clock, utc_now
from bot.services.context import ServiceContext
from bot.services.intake import UpdateIntake
from bot.services.library import Library, LiveLibrary, MatcherNotReady
from bot.services.operations import OpsService
from bot.services.poller import PollerLease
from bot.services.quizzes import QuizService
from bot.services.teaching import SYNC_SECONDS, TeachingService
from bot.services.tip_delivery import TipDeliveries
from bot.services.tips import TipService
from bot.settings import Settings
from bot.startup import (
    EXIT_CONFLICT,
    EXIT_POLLER_RUNNING,
    StartupError,
    database_error,
    let_failed_connections_finish,
    poller_running,
)
from bot.telegram.application import build_application, register_commands
from bot.telegram.digest_sender import digest_sender
from bot.telegram.flood import FloodLimiter
from bot.telegram.guard import FloodGuard
from bot.telegram.lifecycle import initialize, poll
from bot.telegram.send import FollowUps
from bot.telegram.tip_sender import TipSender
from content import KnowledgeBase, load_knowledge_base
from content.vector_folder import EncodingStopped, cache_folder
from storage import Database

log = logging.getLogger(__name__)
OFFLINE_TOKEN = "123456:offline-console-token"
# How long a stop waits for a cancelled matcher build to end (it takes milliseconds).
STOP_INDEXING_TIMEOUT_S = 5.0


class Nexus:
    """A fully wired bot. Long polling uses `run_polling`; the console and tests use
    `async with nexus:` and `feed(update)` against a fake Bot API."""

    def __init__(
        self,
        settings: Settings,
        *,
        request: BaseRequest | None = None,
        clock: Clock | None = None,
        build_library: Callable[[KnowledgeBase], Library] | None = None,
    ) -> None:
        """`build_library` builds the matcher for the content (tests slow it down)."""
        self.settings = settings
        if clock is None:
            clock = process_clock(settings.clock_start)
        self._clock = clock
        # Invalid content raises ContentError here, before anything starts. The matcher
        # is built once the bot has started (`_index`).
        kb = load_knowledge_base(settings.content_dir, cache_folder=cache_folder())
        self.library = LiveLibrary.indexing(kb)
        # Set when the bot stops: a first start's encoding ends at its next text.
        self._stop_building = threading.Event()
        self._build_library = build_library or partial(Library.of, stop=self._stop_building)
        self._indexing: asyncio.Future[None] | None = None
        self._index_error: BaseException | None = None
        # A served bot takes updates while its matcher is built (questions wait for it);
        # the console and tests start with it built.
        self.poll_while_indexing = False
        try:
            self.database = Database(settings.database_url)
        except Exception as error:  # a malformed URL, an unknown driver, an unwritable folder
            raise database_error(settings, error) from None
        self.observer = Observer(settings.telegram_bot_token)
        context = ServiceContext(
            self.library, self.database.unit_of_work, clock, settings.default_timezone
        )
        self.quizzes = QuizService(
            context,
            round_size=settings.quiz_round_size,
            new_per_day=settings.quiz_new_per_day,
            desired_retention=settings.quiz_retention,
        )
        self.tips = TipService(context)
        self.ops = OpsService(context, settings.content_dir, scrub=self.database.scrub)
        self.teaching = TeachingService(context, self.ops)
        self.intake = UpdateIntake(context)
        # The poller's lease runs on the wall clock, whatever NEXUS_CLOCK_START says.
        self.poller = PollerLease(replace(context, clock=utc_now), process_id(), gone=gone)
        self._polling = self._serving = self._lost_lease = False
        self._stop = asyncio.Event()
        self.limiter = FloodLimiter(rate=settings.send_rate)
        self.broadcast = TipBroadcast(
            TipDeliveries(context),
            on_outcome=lambda item, outcome: self.observer.event(
                f"tip.{outcome.value}", item.user_id, entry=item.tip.entry
            ),
        )
        self.tip_sender = TipSender(self.broadcast, self.limiter)
        self.digest_sender = digest_sender(context, self.limiter, self.observer)
        self.groups = build_groups(context, self.limiter, self.observer)
        self.guard = FloodGuard(settings.messages_per_minute)
        self.followups = FollowUps()  # messages that follow a button's acknowledgement
        self.handlers = handlers = build_handlers(
            context,
            settings,
            Services(self.quizzes, self.tips, self.ops, self.teaching, self.groups),
            self.observer,
            self.guard,
            self.followups,
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
        if self._polling and (lease := await self.poller.take()).holder != self.poller.holder:
            raise StartupError(EXIT_POLLER_RUNNING, poller_running(lease))
        await register_commands(application)
        self._indexing = asyncio.ensure_future(self._index())
        if not self.poll_while_indexing:
            await self.library.ready()
        # The jobs' first runs count from here (the console's first tip tick comes a
        # second after its prompt, as before the matcher was built in the background).
        if application.job_queue is not None:
            self._schedule_jobs(application.job_queue)
        log.info(
            "Nexus ready: %d entries in %d topics",
            len(self.library.kb.entries),
            len(self.library.kb.topics),
        )

    async def _index(self) -> None:
        """Build the matcher (it reads the vector cache, or encodes the whole knowledge
        base on a first start) off the event loop, give it what admins taught, then
        let the questions that waited for it through. A matcher that cannot be built
        stops the bot, as invalid content does."""
        started = time.monotonic()
        try:
            # A thread of the loop's default executor: a stop waits for it to finish (a
            # warm build takes under a second, and a first start's encoding ends at its
            # next text), so no native code still runs in it as the interpreter exits.
            library = await asyncio.to_thread(self._build_library, self.library.kb)
            await self.teaching.teach_matcher(library.matcher)  # before the first question
        except EncodingStopped:
            log.info("Stopped while encoding the knowledge base: the next start encodes the rest")
            return
        except Exception as error:
            log.error("Could not build the matcher: %s", error)
            self._index_error = error
            self.library.fail(error)
            self._stop.set()
            return
        if not self.library.is_ready:  # a /reload meanwhile brought newer content
            self.library.replace(library)
        give_back_free_memory()  # what the build read and let go of
        log.info("Matcher ready in %.2f s", time.monotonic() - started)

    def _schedule_jobs(self, jobs: JobQueue) -> None:  # type: ignore[type-arg]
        def every(callback: Any, interval: float | timedelta, first: float, name: str) -> None:
            # No misfire grace limit: a busy loop must delay a run, never skip it
            # (APScheduler's default is 1 s); runs of one job never overlap.
            options = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
            jobs.run_repeating(callback, interval, first=first, name=name, job_kwargs=options)

        # The database says who is due; the tip tick only asks.
        every(self.tip_sender.tick, self.settings.tip_tick_seconds, 1, "daily-tips")
        every(self.digest_sender.tick, self.settings.tip_tick_seconds, 1, "weekly-digest")
        every(self.groups.sender.tick, self.settings.tip_tick_seconds, 1, "group-tips")
        # Phrasings taught on another replica reach this one's matcher within a minute.
        every(self._sync_learned, SYNC_SECONDS, SYNC_SECONDS, "learned-phrasings")
        every(self._purge_question_log, timedelta(days=1), 60, "question-log-retention")
        if (group_quiz := self.handlers.group_quiz) is not None:  # reveals when time is up
            every(group_quiz.tick, group_quiz.TICK_SECONDS, group_quiz.TICK_SECONDS, "group-quiz")
        if self._serving:  # the lease, and the heartbeat `nexus-bot healthcheck` reads
            every(self._liveness, HEARTBEAT_SECONDS, 0, "liveness")

    async def _sync_learned(self, context: object) -> None:
        if await self.teaching.sync():
            self.observer.event("content.learned_synced")

    async def _purge_question_log(self, context: object) -> None:
        removed = await self.ops.purge_question_log(self.settings.log_retention_days)
        if removed:
            self.observer.event("question_log.purged", count=removed)
        await self.intake.forget_old_updates()

    async def _liveness(self, context: object) -> None:
        try:  # the heartbeat records whether the database answered
            await beat(heartbeat_path(), self.database.ping, REDACT)
        except OSError as error:
            log.warning("cannot write the heartbeat in NEXUS_DATA_DIR: %s", error)
        if self._polling and not await self.poller.renew():
            log.error("The poller's lease ran out and another poller took it: stopping.")
            self._lost_lease = True
            self._stop.set()

    async def _on_stop(self, application: Application) -> None:  # type: ignore[type-arg]
        if self._polling and not self._lost_lease:
            try:  # the next poller need not wait for the lease to run out
                await self.poller.release()
            except Exception as error:  # e.g. the database is gone: it runs out in 30 s
                log.warning("could not give the poller lease up: %s", type(error).__name__)
        await self.database.close()

    def run_polling(self) -> int:
        """Serve Telegram with long polling until SIGINT/SIGTERM; the exit code.

        A second poller on the same token gets 409 Conflict from Telegram: we say so
        and stop (exit code 3) instead of retrying forever. A second poller on the
        same database does not start (exit code 8, bot/services/poller.py).
        """
        self._polling = True
        return asyncio.run(self._serve(self._poll))

    def run_webhook(self) -> int:
        """Serve Telegram's webhook on NEXUS_PORT until SIGINT/SIGTERM; the exit code."""
        return asyncio.run(self._serve(self._webhook))

    async def _serve(self, mode: Callable[[asyncio.Event], Awaitable[int]]) -> int:
        self._serving = True
        stop = self._stop
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(loop_exception_handler)
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        self.poll_while_indexing = True
        async with self:
            await self.application.start()
            try:
                code = await mode(stop)
            finally:
                if not self.library.is_ready:
                    # Stopped while the matcher was built: questions waiting for it end
                    # now, or the Application would wait for them (and the build).
                    self._stop_building.set()
                    self.library.fail(MatcherNotReady("stopped before the matcher was built"))
                await self.application.stop()
        if self._index_error is not None:
            raise self._index_error  # logged with its traceback; exit code 1
        return code

    async def _poll(self, stop: asyncio.Event) -> int:
        if await poll(self.application, stop):
            log.error(
                "Telegram answered 409 Conflict: another process is already polling with this "
                "token. Run one poller per token, or use webhook mode for several replicas."
            )
            return EXIT_CONFLICT
        return EXIT_POLLER_RUNNING if self._lost_lease else 0

    async def _webhook(self, stop: asyncio.Event) -> int:
        # uvicorn and Starlette load only in webhook mode: a poller never needs them.
        from bot.telegram.webhook import agree_secret, serve, webhook_app

        url = self.settings.webhook_url
        assert url is not None
        secret = await agree_secret(self.intake, self.settings.webhook_secret)
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
        await initialize(self.application, self.settings.telegram_api_base_url)  # getMe
        try:
            await self._on_start(self.application)
        except BaseException:
            await self.application.shutdown()
            await self.database.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stop_indexing()
        await self.application.shutdown()
        await self._on_stop(self.application)

    async def _stop_indexing(self) -> None:
        """Cancel a matcher build still running, and wait for it to end before the
        database closes. A cancelled build may be giving the matcher its learned
        phrasings (`teach_matcher`), whose database session closes as it ends; the
        webhook restart test once hung for good after a SIGTERM there, in asyncio's
        cancelling of the tasks left after the database had closed. A build thread
        still encoding is not waited for here: `_stop_building` ends it at its next text.
        """
        task = self._indexing
        if task is None or task.done():
            return
        log.info("Stopping while the matcher is built")
        task.cancel()
        finished, _ = await asyncio.wait({task}, timeout=STOP_INDEXING_TIMEOUT_S)
        if not finished:
            log.warning("The matcher build did not stop within %.0f s", STOP_INDEXING_TIMEOUT_S)

    async def feed(self, update: dict[str, Any]) -> None:
        """Process one update (Bot API JSON) exactly as polling would, and wait for
        the messages that follow it in the background (`FollowUps`)."""
        await self.application.process_update(Update.de_json(update, self.application.bot))
        await self.followups.settle()
