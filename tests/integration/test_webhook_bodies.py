"""Malformed bodies with the right secret: 400 (413 for size), one log line, no
traceback, no update id taken; a good update still goes through."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.services.context import ServiceContext
from bot.services.intake import UpdateIntake
from bot.telegram.webhook import MAX_BODY_BYTES, SECRET_HEADER, webhook_app
from storage import Database

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SECRET = "s3cret-token"
GOOD = {
    "update_id": 10,
    "message": {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "Ada"},
        "text": "hi",
    },
}


class StubApplication:
    """What the endpoint uses of a PTB Application: its update queue and bot."""

    def __init__(self) -> None:
        self.update_queue: asyncio.Queue[Any] = asyncio.Queue()
        self.bot = None


async def post(database: Database, body: bytes) -> tuple[int, StubApplication]:
    application = StubApplication()
    intake = UpdateIntake(ServiceContext(None, database.unit_of_work, lambda: NOW))  # type: ignore[arg-type]
    app = webhook_app(application, intake, database.ping, SECRET, "/hook")  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/hook", content=body, headers={SECRET_HEADER: SECRET})
    return response.status_code, application


@pytest.mark.parametrize(
    "body",
    [
        b'{"update_id": Infinity}',
        b'{"update_id": 1e30}',
        b'{"update_id": 99999999999999999999999}',
        b'{"update_id": -1}',
        b'{"update_id": true}',
        b"[1, 2, 3]",
        b"not json at all",
        b"[" * 5000 + b"]" * 5000,
        json.dumps({"update_id": 11, "message": {"message_id": 1}}).encode(),  # no date, chat
    ],
)
async def test_malformed_bodies_get_400_and_take_no_id(
    database: Database, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.telegram.webhook"):
        status, application = await post(database, body)
    assert status == 400
    assert application.update_queue.empty()
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert any("rejected a request body" in r.getMessage() for r in caplog.records)
    async with database.unit_of_work() as uow:
        assert await uow.replicas.take_update(11, NOW)  # id 11 was not taken by the bad body


async def test_an_oversized_body_is_refused_without_reading_it_whole(database: Database) -> None:
    status, application = await post(database, b" " * (MAX_BODY_BYTES + 1))
    assert status == 413 and application.update_queue.empty()


async def test_a_good_update_still_goes_through_once(database: Database) -> None:
    body = json.dumps(GOOD).encode()
    status, application = await post(database, body)
    assert status == 200 and application.update_queue.qsize() == 1
    again, second = await post(database, body)
    assert again == 200 and second.update_queue.empty()  # a retry is handled once
