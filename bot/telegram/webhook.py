"""Webhook mode: an HTTP endpoint for Telegram's updates, for several replicas
behind a load balancer.

- The request must carry X-Telegram-Bot-Api-Secret-Token equal to our secret
  (compared in constant time); otherwise 403 and nothing is processed.
- An update id is taken once across all replicas (a row in processed_updates), so
  Telegram's retries and an update delivered to two replicas are handled once.
- GET /healthz answers 200 when the database does, for load balancers.
- A body that is not a plausible update (over MAX_BODY_BYTES, not JSON, nested
  absurdly deep, an update_id out of range, fields Telegram always sends missing)
  gets 400 (413 for size) and one log line, never a traceback, and takes no id.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.observability import add_secrets
from bot.services.intake import UpdateIntake

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are far below this; a larger body is not one of them.
MAX_BODY_BYTES = 1_000_000
# processed_updates.update_id is a BIGINT on PostgreSQL.
MAX_UPDATE_ID = 2**63 - 1


class BadUpdate(ValueError):
    """A webhook body that is not an update Telegram would send."""

    status = 400


class BodyTooLarge(BadUpdate):
    status = 413


async def read_body(request: Request) -> bytes:
    """The body, refusing more than MAX_BODY_BYTES without reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge("body too large")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge("body too large")
    return bytes(body)


def parse_update(body: bytes, bot: object) -> tuple[int, Update]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:  # RecursionError: nested thousands deep
        raise BadUpdate(f"not JSON ({type(error).__name__})") from None
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if isinstance(update_id, bool) or not isinstance(update_id, int):
        raise BadUpdate("update_id is not an integer")
    if not 0 <= update_id <= MAX_UPDATE_ID:
        raise BadUpdate("update_id out of range")
    try:
        update = Update.de_json(data, bot)  # type: ignore[arg-type]
    except Exception as error:  # PTB raises KeyError, TypeError, ValueError... on bad shapes
        raise BadUpdate(f"not an update ({type(error).__name__})") from None
    return update_id, update


async def agree_secret(intake: UpdateIntake, configured: str | None) -> str:
    """The webhook's secret token: the configured one, or one generated once and kept
    in the database so that every replica uses the same."""
    if configured is not None:
        return configured
    candidate = secrets.token_urlsafe(32)
    add_secrets(candidate)  # redacted before the INSERT the driver may log at DEBUG
    # A stored secret is only known once read: keep the engine's DEBUG rows
    # (which would show it) out of the log while it is read.
    engine_log = logging.getLogger("sqlalchemy.engine")
    level = engine_log.level
    if engine_log.getEffectiveLevel() < logging.INFO:
        engine_log.setLevel(logging.INFO)
    try:
        return await intake.agree_secret(candidate)
    finally:
        engine_log.setLevel(level)


def webhook_app(
    application: Application,  # type: ignore[type-arg]
    intake: UpdateIntake,
    health_check: Callable[[], Awaitable[None]],
    secret: str,
    path: str,
    on_duplicate: Callable[[], None] = lambda: None,
) -> Starlette:
    expected = secret.encode()

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        try:
            update_id, update = parse_update(await read_body(request), application.bot)
        except BadUpdate as error:
            log.warning("webhook: rejected a request body: %s", error)
            return Response(status_code=error.status)
        if not await intake.take(update_id):
            on_duplicate()
            return Response(status_code=200)  # already taken: 2xx so Telegram stops retrying
        await application.update_queue.put(update)
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        try:
            await health_check()
        except Exception as error:  # any failure means "not ready"; the reason goes to the log
            log.warning("health check failed: %s", type(error).__name__)
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    routes = [
        Route(path, telegram, methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
    ]
    return Starlette(routes=routes)


class _QuietServer(uvicorn.Server):
    """uvicorn without its own SIGINT/SIGTERM handlers: the bot handles those (they
    set `stop`), and uvicorn's would replace the loop's and re-raise on exit."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(app: Starlette, port: int, stop: asyncio.Event) -> None:
    """Serve `app` on `port` until `stop` is set."""
    # log_config=None: uvicorn's loggers keep no handlers of their own and go through
    # the root handler (redacted, JSON in JSON mode).
    config = uvicorn.Config(
        app, host="0.0.0.0", port=port, log_level="warning", log_config=None, lifespan="off"
    )
    server = _QuietServer(config)
    serving = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await serving
