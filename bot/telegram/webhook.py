"""Webhook mode: an HTTP endpoint for Telegram's updates, for several replicas
behind a load balancer.

- The request must carry X-Telegram-Bot-Api-Secret-Token equal to our secret
  (compared in constant time); otherwise 403 and nothing is processed.
- An update id is taken once across all replicas (a row in processed_updates), so
  Telegram's retries and an update delivered to two replicas are handled once.
- GET /healthz answers 200 when the database does, for load balancers.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.services.clock import Clock
from storage import Database

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(
    application: Application,  # type: ignore[type-arg]
    database: Database,
    secret: str,
    path: str,
    clock: Clock,
    on_duplicate: Callable[[], None] = lambda: None,
) -> Starlette:
    expected = secret.encode()

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        try:
            data = await request.json()
            update_id = int(data["update_id"])
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            return Response(status_code=400)
        async with database.unit_of_work() as uow:
            first = await uow.replicas.take_update(update_id, clock())
            await uow.commit()
        if not first:
            on_duplicate()
            return Response(status_code=200)  # already taken: 2xx so Telegram stops retrying
        await application.update_queue.put(Update.de_json(data, application.bot))
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        try:
            await database.ping()
        except Exception as error:  # any failure means "not ready"; the reason goes to the log
            log.warning("health check failed: %s", type(error).__name__)
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    routes = [
        Route(path, telegram, methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
    ]
    return Starlette(routes=routes)
