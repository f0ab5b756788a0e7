"""Property-based: arbitrary message text, callback data and webhook bodies never
break the bot. For every input: no unhandled exception (nothing reaches the error
handler), every message sent is valid Telegram HTML and goes to the sender's own
chat, no row is written for another user, and no secret appears in any output."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import Nexus
from bot.fake_telegram import FakeBotApi, InMemoryRequest
from bot.settings import Settings
from bot.telegram.webhook import BadUpdate, parse_update
from content.telegram_html import validate as validate_html
from storage.models import QuestionLog

TOKEN = "123456:PROPERTY-secret-token"
SENDER, BYSTANDER = 7001, 7002
FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
CHECKS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Running:
    runner: asyncio.Runner
    nexus: Nexus
    api: FakeBotApi
    prompt: dict[str, Any]  # a message of the bot's with buttons, to press things on

    def run(self, coroutine: Any) -> Any:
        return self.runner.run(coroutine)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One bot (SQLite) for all examples, on an event loop of its own."""
    data = tmp_path_factory.mktemp("data")
    base = Settings.from_env(
        {
            "NEXUS_DATA_DIR": str(data),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
        }
    )
    api = FakeBotApi()
    nexus = Nexus(replace(base, content_dir=FIXTURE), request=InMemoryRequest(api))
    runner = asyncio.Runner()
    runner.run(nexus.__aenter__())
    # The bystander has data of their own that nobody else may touch.
    runner.run(nexus.feed(api.message_update(BYSTANDER, "what is an etag")))
    runner.run(nexus.feed(api.message_update(SENDER, "what is an etag")))
    prompt = api.sent("sendMessage")[-1].result
    try:
        yield Running(runner, nexus, api, prompt)
    finally:
        runner.run(nexus.__aexit__(None, None, None))
        runner.close()


async def bystander_rows(nexus: Nexus) -> int:
    async with nexus.database.unit_of_work() as uow:
        count = await uow.session.execute(
            select(func.count()).select_from(QuestionLog).where(QuestionLog.user_id == BYSTANDER)
        )
        return int(count.scalar_one())


def check(running: Running, update: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    before_calls = len(running.api.calls)
    before_rows = running.run(bystander_rows(running.nexus))
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        running.run(running.nexus.feed(update))
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], [r.getMessage() for r in failures]
    for call in running.api.calls[before_calls:]:
        if call.method in ("sendMessage", "editMessageText"):
            assert call.params.get("chat_id") in (SENDER, None)
            if call.params.get("parse_mode") == "HTML":
                assert validate_html(call.params["text"]) == []
        assert TOKEN not in json.dumps(call.params, default=str)
    assert TOKEN not in caplog.text
    assert running.run(bystander_rows(running.nexus)) == before_rows


@CHECKS
@given(text=st.text(max_size=400))
def test_any_message_text(running: Running, caplog: pytest.LogCaptureFixture, text: str) -> None:
    check(running, running.api.message_update(SENDER, text), caplog)


@CHECKS
@given(
    data=st.one_of(
        st.text(max_size=64), st.from_regex(r"[a-z]{1,3}:[-0-9a-z:]{0,40}", fullmatch=True)
    )
)
def test_any_callback_data(running: Running, caplog: pytest.LogCaptureFixture, data: str) -> None:
    check(running, running.api.callback_update(SENDER, running.prompt, data), caplog)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    body=st.one_of(
        st.binary(max_size=300),
        JSON.map(lambda value: json.dumps(value).encode()),
        st.dictionaries(st.sampled_from(["update_id", "message", "callback_query"]), JSON).map(
            lambda value: json.dumps(value).encode()
        ),
    )
)
def test_any_webhook_body_is_an_update_or_a_bad_update(body: bytes) -> None:
    try:
        update_id, _ = parse_update(body, None)
    except BadUpdate:
        return
    assert 0 <= update_id < 2**63
