"""Two webhook replicas on one PostgreSQL database, as behind a load balancer:
every update handled once, every quiz answer counted once, every due tip sent
exactly once across both."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bench.seeding import seed_due_subscribers
from bot.fake_telegram import LoopbackBotApiServer
from storage import Database
from storage.models import QuizAnswer, TipDelivery
from tests.e2e.test_webhook import free_port, post, start_webhook

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
SECRET = "shared-replica-secret"
LEARNERS = range(2000, 2050)
SUBSCRIBERS = range(100_000, 102_000)


def sent_to(api, chat_ids: range, marker: str) -> Counter[int]:  # type: ignore[no-untyped-def]
    return Counter(
        int(c.params["chat_id"])
        for c in api.sent("sendMessage")
        if c.result is not None
        and int(c.params["chat_id"]) in chat_ids
        and marker in c.params["text"]
    )


async def count(url: str, table: type) -> int:
    database = Database(url)
    async with database.unit_of_work() as uow:
        result = (await uow.session.execute(select(func.count()).select_from(table))).scalar_one()
    await database.close()
    return int(result)


def test_two_replicas_share_the_work(
    server: LoopbackBotApiServer, start_bot, bot_env, postgres_database_url: str
) -> None:
    api = server.api
    env = {
        **bot_env,
        "NEXUS_DATABASE_URL": postgres_database_url,
        "NEXUS_WEBHOOK_SECRET": SECRET,
        "NEXUS_SEND_RATE": "14.5",  # the bot's ~30/s flood budget, shared by two replicas
        "NEXUS_TIP_TICK_SECONDS": "1",
        "NEXUS_MESSAGES_PER_MINUTE": "1000",
    }
    ports = [free_port(), free_port()]
    replicas = [start_webhook(start_bot, env, port) for port in ports]
    urls = [f"http://127.0.0.1:{port}/telegram" for port in ports]
    rng = random.Random(11)

    # Questions, each to a random replica: every one answered exactly once.
    for user in LEARNERS:
        assert post(rng.choice(urls), api.message_update(user, "what is an etag"), SECRET) == 200
    api.wait_for(lambda _: len(sent_to(api, LEARNERS, "ETag")) == len(LEARNERS), timeout=60)
    assert set(sent_to(api, LEARNERS, "ETag").values()) == {1}

    # Quizzes: the answer callback reaches BOTH replicas (a retry after a timeout).
    for user in LEARNERS:
        assert post(rng.choice(urls), api.message_update(user, "/quiz"), SECRET) == 200
    api.wait_for(lambda _: len(sent_to(api, LEARNERS, "Question 1/5")) == len(LEARNERS), timeout=60)
    for call in api.sent("sendMessage"):
        if call.result is not None and "Question 1/5" in call.params["text"]:
            user = int(call.params["chat_id"])
            option = call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            tap = api.callback_update(user, call.result, option)
            assert post(urls[0], tap, SECRET) == 200
            assert post(urls[1], tap, SECRET) == 200
    api.wait_for(
        lambda calls: sum(c.method == "editMessageText" for c in calls) >= len(LEARNERS), timeout=60
    )
    assert asyncio.run(count(postgres_database_url, QuizAnswer)) == len(LEARNERS)

    # Daily tips: 2,000 learners due at once; the replicas share them through SKIP LOCKED.
    due = datetime.now(UTC) - timedelta(seconds=5)
    asyncio.run(seed_due_subscribers(postgres_database_url, SUBSCRIBERS, due))
    api.wait_for(
        lambda _: len(sent_to(api, SUBSCRIBERS, "Tip of the day")) == len(SUBSCRIBERS), timeout=240
    )
    assert set(sent_to(api, SUBSCRIBERS, "Tip of the day").values()) == {1}
    assert asyncio.run(count(postgres_database_url, TipDelivery)) == len(SUBSCRIBERS)
    for replica in replicas:
        assert replica.terminate(timeout=10) == 0
    shares = [replica.output().count("event=tip.sent") for replica in replicas]
    assert sum(shares) == len(SUBSCRIBERS) and min(shares) > 0  # both did part of the work
