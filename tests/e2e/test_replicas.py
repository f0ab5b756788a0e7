"""Two webhook replicas on one PostgreSQL database, as behind a load balancer:
every update handled once, every quiz answer counted once, every due tip sent
exactly once across both. The same at load: bench/replica_load.py."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest

from bench.replica_load import count_rows, sent_to
from bench.seeding import seed_due_subscribers
from bot.fake_telegram import LoopbackBotApiServer
from storage.models import QuizAnswer, TipDelivery
from tests.e2e.test_webhook import free_port, post, start_webhook

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]
SECRET = "shared-replica-secret"
LEARNERS = range(2000, 2006)
SUBSCRIBERS = range(100_000, 100_040)


def test_two_replicas_handle_each_update_once_and_send_each_tip_once(
    server: LoopbackBotApiServer, start_bot, bot_env, postgres_database_url: str
) -> None:
    api = server.api
    env = {
        **bot_env,
        "NEXUS_DATABASE_URL": postgres_database_url,
        "NEXUS_WEBHOOK_SECRET": SECRET,
        "NEXUS_SEND_RATE": "14.5",  # the bot's ~30/s flood budget, shared by two replicas
        "NEXUS_TIP_TICK_SECONDS": "1",
    }
    ports = [free_port(), free_port()]
    replicas = [start_webhook(start_bot, env, port) for port in ports]
    urls = [f"http://127.0.0.1:{port}/telegram" for port in ports]
    rng = random.Random(11)

    # Questions, each to a random replica: every one answered exactly once.
    for user in LEARNERS:
        assert post(rng.choice(urls), api.message_update(user, "what is an etag"), SECRET) == 200
    api.wait_for(lambda _: len(sent_to(api, LEARNERS, "ETag")) == len(LEARNERS), timeout=30)
    assert set(sent_to(api, LEARNERS, "ETag").values()) == {1}

    # Quizzes: the answer callback reaches BOTH replicas (a retry after a timeout).
    for user in LEARNERS:
        assert post(rng.choice(urls), api.message_update(user, "/quiz"), SECRET) == 200
    api.wait_for(lambda _: len(sent_to(api, LEARNERS, "Question 1/5")) == len(LEARNERS), timeout=30)
    for call in api.sent("sendMessage"):
        if call.result is not None and "Question 1/5" in call.params["text"]:
            user = int(call.params["chat_id"])
            option = call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            tap = api.callback_update(user, call.result, option)
            assert post(urls[0], tap, SECRET) == 200
            assert post(urls[1], tap, SECRET) == 200
    api.wait_for(
        lambda calls: sum(c.method == "editMessageText" for c in calls) >= len(LEARNERS), timeout=30
    )
    assert asyncio.run(count_rows(postgres_database_url, QuizAnswer)) == len(LEARNERS)

    # Daily tips: all due at once; the replicas share them through SKIP LOCKED.
    due = datetime.now(UTC) - timedelta(seconds=5)
    asyncio.run(seed_due_subscribers(postgres_database_url, SUBSCRIBERS, due))
    api.wait_for(
        lambda _: len(sent_to(api, SUBSCRIBERS, "Tip of the day")) == len(SUBSCRIBERS), timeout=60
    )
    for replica in replicas:
        assert replica.terminate(timeout=10) == 0  # a clean stop finishes its tip runs
    assert set(sent_to(api, SUBSCRIBERS, "Tip of the day").values()) == {1}
    assert asyncio.run(count_rows(postgres_database_url, TipDelivery)) == len(SUBSCRIBERS)
    # Which replica sent how many depends on scheduling; together, each tip once.
    shares = [replica.output().count("event=tip.sent") for replica in replicas]
    assert sum(shares) == len(SUBSCRIBERS), shares
